"""One error hierarchy for the whole desk: every error a person or a script can see has a code.

`TipdeskError` subclasses carry an `ErrorCode` and an HTTP status; the app has one handler that
renders them as HTML for pages and as `{"error": {"code", "message"}}` for `/api` and `/webhooks`.
The CLI prints `message` as one line and exits non-zero.

A refusal a person can meet also carries a `reason`: a stable code, with the `values` its words
need (a limit, a name), that the board words in the editor's language from its translation table
(`refusal.<reason>`); the English `message` stays for the API, the CLI and the logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class ErrorCode(StrEnum):
    SETTINGS_INVALID = "settings_invalid"
    DATABASE_UNAVAILABLE = "database_unavailable"
    BAD_REQUEST = "bad_request"
    INVALID_INPUT = "invalid_input"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    REQUEST_TIMEOUT = "request_timeout"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    INTERNAL = "internal"


class TipdeskError(Exception):
    code: ErrorCode = ErrorCode.INTERNAL
    status: int = 500

    def __init__(
        self, message: str, *, reason: str | None = None,
        values: Mapping[str, str | int] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.values: dict[str, str | int] = dict(values or {})


class SettingsError(TipdeskError):
    """A setting is missing, malformed or contradicts another."""

    code = ErrorCode.SETTINGS_INVALID


class DatabaseUnavailable(TipdeskError):
    code = ErrorCode.DATABASE_UNAVAILABLE
    status = 503


class BadRequest(TipdeskError):
    """The request itself is malformed (not JSON, wrong envelope)."""

    code = ErrorCode.BAD_REQUEST
    status = 400


class InvalidInput(TipdeskError):
    """The request is well-formed but a value in it is not acceptable."""

    code = ErrorCode.INVALID_INPUT
    status = 400


class Unauthorized(TipdeskError):
    code = ErrorCode.UNAUTHORIZED
    status = 401


class Forbidden(TipdeskError):
    code = ErrorCode.FORBIDDEN
    status = 403


class PasswordChangeRequired(Forbidden):
    """Someone else chose this editor's password (an admin's reset, the first-start console):
    nothing but changing it until they have. A browser asking for a page is sent to `page`."""

    page = "/account/password"


class NotFound(TipdeskError):
    code = ErrorCode.NOT_FOUND
    status = 404


class Conflict(TipdeskError):
    """The state changed under the caller, e.g. another editor holds the claim."""

    code = ErrorCode.CONFLICT
    status = 409


class RequestTimeout(TipdeskError):
    """The client did not send its whole body within the desk's deadline."""

    code = ErrorCode.REQUEST_TIMEOUT
    status = 408


class PayloadTooLarge(TipdeskError):
    code = ErrorCode.PAYLOAD_TOO_LARGE
    status = 413


STATUS_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    408: ErrorCode.REQUEST_TIMEOUT,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
}

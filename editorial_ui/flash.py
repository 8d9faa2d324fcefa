"""What the desk says after a form: kept in the server-signed session for the next page, never
read from the URL (a `?message=` link could put any words on the desk's page)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from starlette.requests import Request

from editorial_ui.i18n import TABLE, text
from tipdesk.errors import TipdeskError

SESSION_FLASH = "flash"
Kind = Literal["success", "error"]


@dataclass(frozen=True)
class Notice:
    """A catalogue key and its values, translated when shown, in the reader's language.
    `detail` is more words in `detail_language`: the domain's English message for a refusal
    without a reason the table words, or a bulk summary's reasons already translated."""

    key: str
    values: Mapping[str, str | int] = field(default_factory=dict)
    kind: Kind = "success"
    detail: str = ""
    detail_language: str = "en"


def refusal(error: TipdeskError) -> Notice:
    """The refusal in the editor's words when the table knows its reason; else the code's
    general sentence with the domain's English message beside it."""
    if error.reason is not None and reason_key(error.reason) in TABLE:
        return Notice(reason_key(error.reason), error.values, kind="error")
    return Notice(f"error.{error.code}", kind="error", detail=error.message[:300])


def reason_key(reason: str) -> str:
    return f"refusal.{reason}"


def reason_words(error: TipdeskError, language: str) -> str | None:
    """The refusal's reason in `language`, or None when the table does not know it."""
    if error.reason is None or reason_key(error.reason) not in TABLE:
        return None
    return text(reason_key(error.reason), language, **error.values)


def keep(request: Request, notice: Notice) -> None:
    request.session[SESSION_FLASH] = asdict(notice)


def take(request: Request) -> Notice | None:
    """The notice left for this page, once: a reload does not show it again."""
    if "session" not in request.scope:
        return None
    kept: Any = request.session.pop(SESSION_FLASH, None)
    if not isinstance(kept, dict):
        return None
    try:
        return Notice(**kept)
    except TypeError:  # a session written by another release
        return None

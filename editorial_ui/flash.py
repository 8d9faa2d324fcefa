"""What the desk says after a form: kept in the server-signed session for the next page, never
read from the URL (a `?message=` link could put any words on the desk's page)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from starlette.requests import Request

SESSION_FLASH = "flash"
Kind = Literal["success", "error"]


@dataclass(frozen=True)
class Notice:
    """A catalogue key and its values, translated when shown, in the reader's language.
    `detail` holds words from the domain (its refusals speak English, for the API and CLI)."""

    key: str
    values: Mapping[str, str | int] = field(default_factory=dict)
    kind: Kind = "success"
    detail: str = ""


def refusal(code: str, detail: str) -> Notice:
    return Notice(f"error.{code}", kind="error", detail=detail[:300])


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

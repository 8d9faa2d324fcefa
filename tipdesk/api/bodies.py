"""Reading what an API request carries: ids in the path and JSON object bodies, both bounded.

A body is counted as it arrives and refused with 413 once over `MAX_BODY`: the API's largest
request (a tip edit) is a few kilobytes, and a 150 MB body was once buffered whole first.
"""

from __future__ import annotations

import json
from typing import Any, TypeGuard

from starlette.requests import Request

from tipdesk.errors import InvalidInput, NotFound
from tipdesk.request_limits import capped_body

MAX_BODY = 64 * 1024


# Row ids are PostgreSQL `integer`s: a bigger number can name no row, and would not even fit the
# query's parameter (asyncpg refuses it).
MAX_ROW_ID = 2**31 - 1


def path_id(request: Request) -> int:
    """The `{id}` of the path; anything but a plain number is a 404, like an unknown id."""
    raw = request.path_params["id"]
    # isascii: "²" and other Unicode digits pass isdigit() but not int().
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12 or not is_row_id(int(raw)):
        raise NotFound("no such thing")
    return int(raw)


def is_row_id(value: object) -> TypeGuard[int]:
    """A JSON number that can be a row's id (not a bool, not a float, in range)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


async def json_body(request: Request, *, optional: bool = False) -> dict[str, Any]:
    raw = await capped_body(request, MAX_BODY)
    if not raw and optional:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object")
    if _holds_nul(data):
        # PostgreSQL's text cannot hold it; no field of the API has a use for it.
        raise InvalidInput("text in the body may not contain NUL (\\u0000) characters")
    return data


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False

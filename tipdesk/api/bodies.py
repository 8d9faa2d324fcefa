"""Reading what an API request carries: ids in the path and JSON object bodies, both bounded."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from tipdesk.errors import InvalidInput, NotFound

MAX_BODY = 64 * 1024


def path_id(request: Request) -> int:
    """The `{id}` of the path; anything but a plain number is a 404, like an unknown id."""
    raw = request.path_params["id"]
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound("no such thing")
    return int(raw)


async def json_body(request: Request, *, optional: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidInput("the body is too large")
    if not raw and optional:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object")
    return data

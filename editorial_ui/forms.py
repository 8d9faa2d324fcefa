"""Reading a board form: bounded, CSRF-checked, text fields only.

Every form of the board comes through here, so what holds for one holds for all: no files, a cap
on fields and on the whole body (`max_bytes`, counted as it arrives: 413 the moment it is
passed), the session's CSRF token, and NUL characters dropped (PostgreSQL's text cannot hold
them, and no field of the board has a use for one).
"""

from __future__ import annotations

from starlette.requests import Request

from tipdesk.editors.csrf import check_csrf
from tipdesk.request_limits import capped_body


async def form_fields(request: Request, *, max_fields: int, max_bytes: int) -> dict[str, str]:
    # Counted as it arrives, whole: Starlette bounds each multipart part, not an urlencoded body.
    await capped_body(request, max_bytes)
    async with request.form(max_files=0, max_fields=max_fields, max_part_size=max_bytes) as form:
        check_csrf(request, form.get("csrf_token"))
        return {
            key: value.replace("\x00", "") for key, value in form.items() if isinstance(value, str)
        }


async def form_with_lists(
    request: Request, *, max_fields: int, max_bytes: int, lists: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A form whose `lists` fields come more than once (the board's ticked tips): those as
    lists, the rest as `form_fields` gives them."""
    await capped_body(request, max_bytes)
    async with request.form(max_files=0, max_fields=max_fields, max_part_size=max_bytes) as form:
        check_csrf(request, form.get("csrf_token"))
        single = {
            key: value.replace("\x00", "") for key, value in form.items() if isinstance(value, str)
        }
        many = {
            name: [value for value in form.getlist(name) if isinstance(value, str)]
            for name in lists
        }
        return single, many

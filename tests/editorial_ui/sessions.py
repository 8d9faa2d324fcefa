"""Logging a test's httpx client in as an editor, as a browser would: form, CSRF token, cookie."""

from __future__ import annotations

import re

import httpx

PASSWORD = "correct horse battery"


async def csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    page = await client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def log_in_as(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    token = await csrf(client)
    return await client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password, **extra}
    )

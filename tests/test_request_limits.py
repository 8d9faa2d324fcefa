"""Capped bodies are counted as they arrive: a huge body is refused after its first chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from editorial_ui.auth import MAX_FORM_BYTES
from tests.editors_factory import bearer
from tests.tips_factory import make_tip
from tipdesk.api.bodies import MAX_BODY

pytestmark = pytest.mark.usefixtures("app")
CHUNK = 64 * 1024
HUGE = 150 * 1024 * 1024


class Trickle:
    """A streamed request body of `total` bytes that counts how much the desk pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.total:
            self.sent += CHUNK
            yield b" " * CHUNK


async def test_a_150_mb_api_body_gets_413_after_the_cap_not_after_150_mb(
    client: httpx.AsyncClient,
) -> None:
    anne = await bearer("anne@desk.example", "Anne de Jong")
    tip = await make_tip("Brand in de haven")
    body = Trickle(HUGE)
    response = await client.post(
        f"/api/v1/tips/{tip.id}/claim",
        headers={**anne, "content-type": "application/json"},
        content=body,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert body.sent <= MAX_BODY + CHUNK


async def test_a_streamed_form_over_its_cap_gets_413_as_it_passes(
    client: httpx.AsyncClient,
) -> None:
    body = Trickle(HUGE)
    response = await client.post(
        "/login",
        headers={"content-type": "application/x-www-form-urlencoded"},
        content=body,
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert body.sent <= MAX_FORM_BYTES + CHUNK

"""The live board over a real connection: a new tip reaches an open board as an event."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from starlette.applications import Starlette

from tests.servers import serving
from tests.tips_factory import make_tip
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import Direction, Message


async def log_in_anne(http: httpx.AsyncClient) -> None:
    page = await http.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    await http.post(
        "/login",
        data={
            "csrf_token": token,
            "email": "anne@desk.example",
            "password": "long enough password",
        },
    )


async def test_an_open_board_hears_about_a_new_tip(app: Starlette) -> None:
    await create_editor("anne@desk.example", "Anne", Role.EDITOR, "long enough password")
    async with (
        serving(app, lifespan="off") as base,
        httpx.AsyncClient(base_url=base, timeout=10) as http,
    ):
        await log_in_anne(http)
        async with http.stream("GET", "/board/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith("retry:")
            tip = await make_tip("Brand in de haven")
            async with asyncio.timeout(10):
                async for line in lines:
                    if line.startswith("data:"):
                        assert json.loads(line.removeprefix("data:"))["id"] == tip.id
                        break


@pytest.mark.usefixtures("app")
async def test_events_need_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/board/events")).status_code == 401


@pytest.mark.usefixtures("app")
async def test_the_board_loads_its_script_from_the_desk_itself(client: httpx.AsyncClient) -> None:
    script = await client.get("/static/board.js")
    assert script.status_code == 200 and "EventSource" in script.text


async def test_a_reader_writing_on_a_tip_reaches_the_board_with_its_holder(
    app: Starlette,
) -> None:
    """A reader's message is no write to the tip (it must not keep a claim alive), so the
    stream reads messages themselves: the board's unread marker and notifications need it."""
    await create_editor("anne@desk.example", "Anne", Role.EDITOR, "long enough password")
    tip = await make_tip("Brand in de haven")
    async with (
        serving(app, lifespan="off") as base,
        httpx.AsyncClient(base_url=base, timeout=10) as http,
    ):
        await log_in_anne(http)
        async with http.stream("GET", "/board/events") as stream:
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith("retry:")
            await Message.create(
                channel="whatsapp", external_id="w.again", tip_id=tip.id, sender_id=tip.sender_id,
                direction=Direction.INBOUND, type="text", text="Nog meer rook",
                sent_at=tip.first_message_at,
            )  # fmt: skip
            async with asyncio.timeout(10):
                async for line in lines:
                    if line.startswith("data:"):
                        data = json.loads(line.removeprefix("data:"))
                        assert data == {"id": tip.id, "message": True, "claimed": None}
                        break

"""The live tip page over HTTP: takeover is offered to chiefs only and refused to editors, the
board's unread markers follow what each editor opened, and presence is per tip and editor and
shared by every web process (the browser side of all three:
tests/browser/test_live_tip_page_in_chromium.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from editorial_ui.tip_live import present
from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.servers import serving
from tests.tips_factory import make_tip
from tipdesk.app import create_app
from tipdesk.clock import utcnow
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.settings import Settings
from tipdesk.tips import presence
from tipdesk.tips.actions import claim_tip
from tipdesk.tips.models import Tip, TipPresence

pytestmark = pytest.mark.usefixtures("app")


async def test_a_chief_takes_over_in_place_and_an_editor_may_not(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    bram = await create_editor("bram@desk.example", "Bram Visser", Role.EDITOR, PASSWORD)
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    chief = await create_editor("carla@desk.example", "Carla Smit", Role.CHIEF, PASSWORD)
    tip = await make_tip("Brand")
    await claim_tip(tip.id, bram, settings)
    await log_in_as(client, "anne@desk.example")
    assert 'id="take-over"' not in (await client.get(f"/tips/{tip.id}")).text
    token = await csrf(client, "/board")
    await client.post(f"/tips/{tip.id}/takeover", data={"csrf_token": token})
    assert (await Tip.get(id=tip.id)).claimed_by_id == bram.id
    await client.post("/logout", data={"csrf_token": token})
    await log_in_as(client, "carla@desk.example")
    page = (await client.get(f"/tips/{tip.id}")).text
    assert "Overnemen van Bram Visser" in page
    token = await csrf(client, "/board")
    done = await client.post(f"/tips/{tip.id}/takeover", data={"csrf_token": token})
    assert done.status_code == 303
    assert (await Tip.get(id=tip.id)).claimed_by_id == chief.id
    assert "Overgenomen" in (await client.get(done.headers["location"])).text


async def test_unread_markers_follow_what_each_editor_opened(client: httpx.AsyncClient) -> None:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    tip = await make_tip("Brand")
    await log_in_as(client, "anne@desk.example")
    board = (await client.get("/board")).text
    assert 'data-unread="1"' in board and "<title>(1) Desk" in board
    token = await csrf(client, "/board")
    assert (await client.get(f"/tips/{tip.id}")).status_code == 200  # a GET marks nothing
    assert 'data-unread="1"' in (await client.get("/board")).text
    opened = await client.post(f"/tips/{tip.id}/opened", headers={"x-csrf-token": token})
    assert opened.status_code == 204
    board = (await client.get("/board")).text
    assert 'data-unread="1"' not in board and "<title>Desk" in board


async def test_typing_needs_the_csrf_token(client: httpx.AsyncClient) -> None:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    tip = await make_tip("Brand")
    await log_in_as(client, "anne@desk.example")
    assert (await client.post(f"/tips/{tip.id}/typing")).status_code == 403
    token = await csrf(client, "/board")
    typed = await client.post(f"/tips/{tip.id}/typing", headers={"x-csrf-token": token})
    assert typed.status_code == 204


async def test_presence_is_per_tip_and_editor_and_counts_tabs() -> None:
    anne, bram, carla = [
        (await create_editor(f"{name.lower()}@desk.example", name, Role.EDITOR, PASSWORD)).id
        for name in ("Anne", "Bram", "Carla")
    ]
    one, two = (await make_tip("Brand")).id, (await make_tip("Boom")).id
    first, second = await presence.arrive(one, anne), await presence.arrive(one, anne)  # 2 tabs
    bram_on_one = await presence.arrive(one, bram)
    await presence.arrive(two, carla)
    await presence.typing(one, bram)
    await presence.typing(two, anne)  # not on that page: nobody is typing there
    assert await presence.others(one, anne) == [("Bram", True)]
    assert await presence.others(one, bram) == [("Anne", False)]
    assert await presence.others(two, bram) == [("Carla", False)]
    await presence.leave(first)
    assert await presence.others(one, bram) == [("Anne", False)]  # one tab still open
    await presence.leave(second)
    assert await presence.others(one, bram) == []
    await presence.leave(bram_on_one)
    assert await presence.others(one, carla) == []


async def test_a_page_whose_process_died_counts_as_gone() -> None:
    anne = await create_editor("anne@desk.example", "Anne", Role.EDITOR, PASSWORD)
    bram = await create_editor("bram@desk.example", "Bram", Role.EDITOR, PASSWORD)
    tip = await make_tip("Brand")
    screen = await presence.arrive(tip.id, anne.id)
    stale = utcnow() - timedelta(seconds=presence.GONE_SECONDS + 1)
    await TipPresence.filter(screen=screen).update(seen_at=stale)
    assert await presence.others(tip.id, bram.id) == []
    await presence.stay(screen)  # a living page refreshes its row
    assert await presence.others(tip.id, bram.id) == [("Anne", False)]
    await TipPresence.filter(screen=screen).update(seen_at=stale)
    await presence.arrive(tip.id, bram.id)  # the next arrival sweeps what is gone
    assert not await TipPresence.filter(screen=screen).exists()


async def test_editors_on_two_web_processes_see_each_other(
    app: Starlette, settings: Settings
) -> None:
    """Two desks on one database, as two web processes behind a proxy: Anne's stream on one
    hears Bram open and type on the other (the in-memory presence heard nobody)."""
    other = create_app(settings)  # the ORM is the first app's, as a second process has its own
    tip = await make_tip("Brand")
    for name in ("Anne", "Bram"):
        await create_editor(f"{name.lower()}@desk.example", name, Role.EDITOR, PASSWORD)
    async with (
        _logged_in(app, "anne@desk.example") as anne,
        _logged_in(other, "bram@desk.example") as bram,
        asyncio.timeout(20),
        anne.stream("GET", f"/tips/{tip.id}/events") as stream,
    ):
        heard = _presence_lines(stream)
        assert await anext(heard) == ""  # alone on the tip
        async with bram.stream("GET", f"/tips/{tip.id}/events") as watching:
            seen = _presence_lines(watching)  # held: a dropped reader closes the stream
            assert await anext(seen) == "Anne bekijkt deze tip"
            assert await anext(heard) == "Bram bekijkt deze tip"
            token = await csrf(bram, "/board")
            await bram.post(f"/tips/{tip.id}/typing", headers={"x-csrf-token": token})
            assert await anext(heard) == "Bram typt…"


@asynccontextmanager
async def _logged_in(app: Starlette, email: str) -> AsyncIterator[httpx.AsyncClient]:
    """`app` served on its own loopback port (its own process, as far as presence can tell)."""
    async with serving(app, lifespan="off") as base, httpx.AsyncClient(base_url=base) as http:
        await log_in_as(http, email)
        yield http


async def _presence_lines(stream: httpx.Response) -> AsyncIterator[str]:
    """Each presence sentence the stream sends, in order."""
    event = ""
    async for line in stream.aiter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "presence":
            yield str(json.loads(line.removeprefix("data: "))["text"])


def test_presence_reads_in_the_editors_language() -> None:
    others = [("Bram", False), ("Carla", True)]
    assert present(others, "nl") == "Bram bekijkt deze tip · Carla typt…"
    assert present(others, "en") == "Bram is viewing this tip · Carla is typing…"
    assert present([], "en") == ""

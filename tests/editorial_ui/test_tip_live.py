"""The live tip page over HTTP: takeover is offered to chiefs only and refused to editors, the
board's unread markers follow what each editor opened, and presence is per tip and editor
(the browser side of all three: tests/browser/test_live_tip_page_in_chromium.py)."""

from __future__ import annotations

import httpx
import pytest

from editorial_ui.presence import Presence
from editorial_ui.tip_live import present
from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.settings import Settings
from tipdesk.tips.actions import claim_tip
from tipdesk.tips.models import Tip

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


def test_presence_is_per_tip_and_editor_and_counts_tabs() -> None:
    presence = Presence()
    presence.arrive(1, 10, "Anne")
    presence.arrive(1, 10, "Anne")  # a second tab
    presence.arrive(1, 20, "Bram")
    presence.arrive(2, 30, "Carla")
    presence.typing(1, 20)
    presence.typing(1, 99)  # not on the page: nobody is typing
    assert presence.others(1, 10) == [("Bram", True)]
    assert presence.others(1, 20) == [("Anne", False)]
    presence.leave(1, 10)
    assert presence.others(1, 20) == [("Anne", False)]  # one tab still open
    presence.leave(1, 10)
    assert presence.others(1, 20) == []
    presence.leave(1, 20)
    assert 1 not in presence.tips and presence.others(2, 10) == [("Carla", False)]


def test_presence_reads_in_the_editors_language() -> None:
    presence = Presence()
    presence.arrive(1, 10, "Anne")
    presence.arrive(1, 20, "Bram")
    presence.arrive(1, 30, "Carla")
    presence.typing(1, 30)
    assert present(presence, 1, 10, "nl") == "Bram bekijkt deze tip · Carla typt…"
    assert present(presence, 1, 10, "en") == "Bram is viewing this tip · Carla is typing…"
    assert present(presence, 2, 10, "en") == ""

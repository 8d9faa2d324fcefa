"""The tip as the board's right pane (x-tipdesk-pane: 1): the same tip page without the desk's
header or scripts, a form's answer on top, and the header kept through the form's 303."""

from __future__ import annotations

import httpx
import pytest

from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role

pytestmark = pytest.mark.usefixtures("app")
PANE = {"x-tipdesk-pane": "1"}


@pytest.fixture
async def anne(client: httpx.AsyncClient) -> str:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    await log_in_as(client, "anne@desk.example")
    return await csrf(client, "/board")


async def test_the_pane_is_the_tip_without_the_desk_around_it(
    client: httpx.AsyncClient, anne: str
) -> None:
    tip = await make_tip("Brand bij de molen")
    whole = await client.get(f"/tips/{tip.id}")
    pane = await client.get(f"/tips/{tip.id}", headers=PANE)
    assert pane.status_code == 200 and pane.headers["x-tipdesk-pane"] == "1"
    assert "x-tipdesk-pane" in pane.headers["vary"] and "x-tipdesk-pane" not in whole.headers
    assert pane.text.lstrip().startswith('<div class="pane-body"')
    assert f'class="tip-page" data-tip="{tip.id}"' in pane.text
    assert "Brand bij de molen" in pane.text
    for page_only in ("<html", '<header class="bar"', '<script src="/static/tip.js"'):
        assert page_only in whole.text and page_only not in pane.text


async def test_a_form_sent_from_the_pane_comes_back_as_the_pane(
    client: httpx.AsyncClient, anne: str
) -> None:
    tip = await make_tip("Boom op de weg")
    sent = await client.post(
        f"/tips/{tip.id}/note", data={"csrf_token": anne, "text": "Gebeld"}, headers=PANE
    )
    assert sent.status_code == 303
    # A browser's fetch sends its headers again to the 303's address, as httpx does here.
    answer = await client.get(sent.headers["location"], headers=PANE)
    assert '<div class="pane-body"' in answer.text and "<html" not in answer.text
    assert "Notitie toegevoegd." in answer.text and "Gebeld" in answer.text

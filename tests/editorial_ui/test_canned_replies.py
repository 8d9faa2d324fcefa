"""Canned replies over HTTP: kept by chiefs and admins on /admin/replies (audited), offered
on the tip page with the tip's variables filled in, and never sent by choosing one: the reply
box only gets the text, for the editor to edit and send."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation.canned_replies import fill
from tipdesk.conversation.models import CannedReply
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import Direction, Message

pytestmark = pytest.mark.usefixtures("app")
BODY = "Dag {voornaam}, dank voor tip #{tipnummer}. {onbekend} blijft staan. Groet, {redacteur}"


async def logged_in(client: httpx.AsyncClient, email: str, name: str, role: Role) -> str:
    await create_editor(email, name, role, PASSWORD)
    await log_in_as(client, email)
    return await csrf(client, "/board")


def test_fill_replaces_the_three_variables_and_leaves_other_braces() -> None:
    filled = fill(BODY, first_name="Sanne", tip_number=42, editor_name="Carla Chef")
    assert filled == "Dag Sanne, dank voor tip #42. {onbekend} blijft staan. Groet, Carla Chef"


async def test_a_chief_keeps_canned_replies_and_each_change_is_audited(
    client: httpx.AsyncClient,
) -> None:
    token = await logged_in(client, "carla@desk.example", "Carla Chef", Role.CHIEF)
    assert 'href="/admin/replies"' in (await client.get("/board")).text
    await client.post("/admin/replies", data={"csrf_token": token, "title": "Dank", "body": BODY})
    reply = await CannedReply.get(title="Dank")
    await client.post(
        f"/admin/replies/{reply.id}",
        data={"csrf_token": token, "title": "Bedankt", "body": "Dag {voornaam}"},
    )
    page = (await client.get("/admin/replies")).text
    assert 'value="Bedankt"' in page and "Dag {voornaam}</textarea>" in page
    refused = await client.post(
        "/admin/replies", data={"csrf_token": token, "title": " ", "body": "x"}
    )
    page = html.unescape((await client.get(refused.headers["location"])).text)
    assert "heeft een titel van 1 tot 80 tekens" in page
    await client.post(f"/admin/replies/{reply.id}/delete", data={"csrf_token": token})
    assert await CannedReply.all().count() == 0
    actions = await AuditEvent.all().order_by("id").values_list("action", flat=True)
    assert [a for a in actions if a.startswith("canned_reply.")] == [
        "canned_reply.saved", "canned_reply.saved", "canned_reply.deleted",
    ]  # fmt: skip


async def test_an_editor_may_use_but_not_keep_canned_replies(client: httpx.AsyncClient) -> None:
    token = await logged_in(client, "anne@desk.example", "Anne de Jong", Role.EDITOR)
    assert 'href="/admin/replies"' not in (await client.get("/board")).text
    assert (await client.get("/admin/replies")).status_code == 403
    sent = await client.post(
        "/admin/replies", data={"csrf_token": token, "title": "Dank", "body": BODY}
    )
    assert sent.status_code == 403 and await CannedReply.all().count() == 0


async def test_the_reply_box_offers_the_filled_text_and_nothing_is_sent(
    client: httpx.AsyncClient,
) -> None:
    await CannedReply.create(title="Dank", body=BODY)
    await logged_in(client, "anne@desk.example", "Anne de Jong", Role.EDITOR)
    tip = await make_tip("Brand", name="Sanne de Vries")
    page = (await client.get(f"/tips/{tip.id}")).text
    picker = re.search(r'<select id="canned-reply".*?</select>', page, re.S)
    assert picker, page
    filled = f"Dag Sanne, dank voor tip #{tip.id}. {{onbekend}} blijft staan. Groet, Anne de Jong"
    assert f'<option value="{filled}">Dank</option>' in html.unescape(picker.group(0))
    assert 'data-fills="reply-text"' in picker.group(0)
    assert await Message.filter(direction=Direction.OUTBOUND).count() == 0

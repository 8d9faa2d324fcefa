"""The tip page's one timeline over HTTP: messages with their time and their media in the
bubble they came with, internal notes and status changes between them in the order they
happened, and Block, Split and Merge behind a confirm step."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

import httpx
import pytest

from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import Direction, MediaAsset, MediaState, Message, Tip

pytestmark = pytest.mark.usefixtures("app")


async def test_one_timeline_in_the_order_things_happened(client: httpx.AsyncClient) -> None:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    await log_in_as(client, "anne@desk.example")
    token = await csrf(client, "/board")
    tip = await make_tip("Brand Stationsstraat")
    document = await Message.create(
        channel="whatsapp", external_id="w.doc", tip=tip, sender_id=tip.sender_id,
        direction=Direction.INBOUND, type="document", text="het verslag", sent_at=datetime.now(UTC),
    )  # fmt: skip
    await MediaAsset.create(
        token=secrets.token_hex(16), tip=tip, message=document, kind="document",
        state=MediaState.READY, filename="verslag.pdf", details={"pages": 3},
    )  # fmt: skip
    for action, fields in (("note", {"text": "Gebeld met de brandweer"}),
                           ("status", {"status": "in_review"})):  # fmt: skip
        posted = await client.post(f"/tips/{tip.id}/{action}", data={"csrf_token": token, **fields})
        assert posted.status_code == 303
    page = (await client.get(f"/tips/{tip.id}")).text
    thread = page[page.index('class="card thread"') : page.index('class="card composer"')]
    order = [
        thread.index(words)
        for words in (
            "Brand Stationsstraat",
            "verslag.pdf",
            "Gebeld met de brandweer",
            "status gewijzigd",
        )
    ]
    assert order == sorted(order), thread
    bubble = re.search(
        r'<li class="bubble reader">(?:(?!</li>).)*verslag\.pdf.*?</li>', thread, re.S
    )
    assert bubble and "3 pagina&#39;s" in bubble.group(0) and "het verslag" in bubble.group(0)
    assert "Interne notitie" in thread and "<time datetime=" in thread


async def test_block_split_and_merge_ask_first(client: httpx.AsyncClient) -> None:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    await log_in_as(client, "anne@desk.example")
    tip = await make_tip("Eerste bericht")
    await Message.create(
        channel="whatsapp", external_id="w.second", tip=tip, sender_id=tip.sender_id,
        direction=Direction.INBOUND, type="text", text="Tweede", sent_at=datetime.now(UTC),
    )  # fmt: skip
    sender = await tip.sender
    await Tip.create(sender=sender, first_message_at=datetime.now(UTC),
                     last_message_at=datetime.now(UTC))  # fmt: skip
    page = (await client.get(f"/tips/{tip.id}")).text
    # Each acting button is inside a closed <details>: a first click only asks the question.
    for yes in ("Ja, blokkeer deze lezer", "Ja, afsplitsen", "Ja, samenvoegen"):
        button = page.index(yes)
        assert page.rfind('<details class="confirm', 0, button) > page.rfind(
            "</details>", 0, button
        )
    composer = page[page.index('class="card composer"') :]
    composer = composer[: composer.index("</section>")]
    assert "/block" not in composer  # Block is nowhere near Send

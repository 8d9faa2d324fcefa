"""The live desk in real Chromium: the tip page updates without a reload (a reader's message,
a delivery tick, a consent answer, a claim by someone else) and keeps what the editor types;
it says who else is on the tip and who is typing; a chief takes a claim over in place; the
board marks tips unread per editor and counts them in the tab title; an editor who turned
notifications on hears of a reader writing on a tip they hold while the desk is out of sight.

One desk for the module, two editors in two browser contexts; each step is its own function.
The reader's side is written straight into the database, as tests/tips_factory.py does: what
is under test is how the page hears of it, not intake (tests/browser/test_desk_in_chromium.py
drives the sandbox phone). The browser's Notification is replaced by a recorder: headless
Chromium shows no notifications, and what matters is what the desk asks it to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in, until
from tests.tips_factory import make_tip
from tipdesk.conversation.models import ConsentRecord, ConsentState
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.tips.actions import claim_tip
from tipdesk.tips.models import DeliveryState, Direction, Message, Tip, TipView

pytestmark = pytest.mark.slow
REPLY = "Kun je een foto sturen van de voorkant?"
# Records what the page would show; permission "default" until the editor clicks the button.
RECORDER = """
window.shown = [];
window.Notification = class {
  static permission = "default";
  static async requestPermission() { this.permission = "granted"; return "granted"; }
  constructor(title, options) { window.shown.push({ title, body: options.body }); }
};
"""


@dataclass
class Live:
    desk: Desk
    anne: Any  # Anne's page (an editor)
    carla: Any  # Carla's page (a chief)
    anne_editor: Editor
    tip: Tip


async def open_as(desk: Desk, browser: Any, email: str) -> Any:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await log_in(page, desk.url, email)
    return page


async def text_on(page: Any, selector: str, words: str) -> None:
    await page.wait_for_function(
        "([selector, words]) => (document.querySelector(selector) || {}).textContent"
        "?.includes(words)",
        arg=[selector, words],
        timeout=WAIT_MS,
    )


async def the_board_marks_unread_tips(desk: Desk, browser: Any) -> Live:
    anne_editor = await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    await create_editor("carla@desk.example", "Carla Smit", Role.CHIEF, PASSWORD)
    tip = await make_tip("Rookwolk boven het industrieterrein", phone="31622220002")
    anne = await open_as(desk, browser, "anne@desk.example")
    row = anne.locator(f'.tips .tip[data-tip="{tip.id}"]')
    assert await row.get_attribute("data-unread") == "1"
    assert (await anne.title()).startswith("(1) Desk")
    await desk.screenshot(anne, "board-unread")
    await anne.goto(f"{desk.url}/tips/{tip.id}")
    await until(lambda: TipView.filter(tip_id=tip.id, editor_id=anne_editor.id).exists())
    await anne.fill("#reply-text", REPLY)
    await anne.evaluate("() => { window.notReloaded = true; }")
    carla = await open_as(desk, browser, "carla@desk.example")
    return Live(desk, anne, carla, anne_editor, tip)


async def presence_says_who_views_and_types(live: Live) -> None:
    await live.carla.goto(f"{live.desk.url}/tips/{live.tip.id}")
    await text_on(live.anne, "#presence", "Carla Smit bekijkt deze tip")
    await text_on(live.carla, "#presence", "Anne de Jong bekijkt deze tip")
    await live.carla.locator("#note-text").press_sequentially("Ik bel de brandweer")
    await text_on(live.anne, "#presence", "Carla Smit typt…")
    await live.desk.screenshot(live.anne, "tip-presence-typing")


async def a_reader_message_arrives_without_a_reload(live: Live) -> None:
    tip = live.tip
    sender_id = tip.sender_id
    now = datetime.now(UTC)
    await Message.create(
        channel="whatsapp", external_id=f"w.{tip.id}.2", tip_id=tip.id, sender_id=sender_id,
        direction=Direction.INBOUND, type="text", text="Het ruikt naar plastic", sent_at=now,
    )  # fmt: skip
    await text_on(live.anne, "[data-live=thread]", "Het ruikt naar plastic")
    assert await live.anne.input_value("#reply-text") == REPLY
    assert await live.anne.evaluate("() => window.notReloaded") is True


async def ticks_and_consent_arrive_without_a_reload(live: Live) -> None:
    tip = live.tip
    now = datetime.now(UTC)
    sent = await Message.create(
        channel="whatsapp", external_id=f"w.{tip.id}.out", tip_id=tip.id,
        sender_id=tip.sender_id, direction=Direction.OUTBOUND, type="text",
        text="Mogen we je foto gebruiken?", sent_at=now, delivery=DeliveryState.SENT,
    )  # fmt: skip
    await text_on(live.anne, "[data-live=thread]", "Mogen we je foto gebruiken?")
    await Message.filter(id=sent.id).update(delivery=DeliveryState.DELIVERED, delivery_at=now)
    await live.anne.locator("[data-live=thread] .ticks-delivered").wait_for(timeout=WAIT_MS)
    record = await ConsentRecord.create(
        tip_id=tip.id, sender_id=tip.sender_id, question_text="Mogen we je foto gebruiken?",
        requested_at=now,
    )  # fmt: skip
    await live.anne.locator("[data-live=consent] .consent-requested").wait_for(timeout=WAIT_MS)
    await ConsentRecord.filter(id=record.id).update(
        state=ConsentState.GRANTED, answer_text="ja", answered_at=datetime.now(UTC)
    )
    await live.anne.locator("[data-live=consent] .consent-granted").wait_for(timeout=WAIT_MS)
    assert await live.anne.input_value("#reply-text") == REPLY
    assert await live.anne.evaluate("() => window.notReloaded") is True


async def a_focused_part_waits_until_let_go(live: Live) -> None:
    """A live swap never pulls a button from under the editor's focus: the thread waits."""
    await live.anne.locator("[data-live=thread] details.split summary").first.focus()
    await reader_writes(live.tip, "Er staat een man op het dak", 6)
    await live.anne.wait_for_timeout(2500)  # the stream polls each second: it has been heard
    assert "op het dak" not in await live.anne.locator("[data-live=thread]").inner_text()
    await live.anne.evaluate("() => document.activeElement.blur()")
    await text_on(live.anne, "[data-live=thread]", "Er staat een man op het dak")
    assert await live.anne.input_value("#reply-text") == REPLY


async def a_chief_takes_over_in_place(live: Live) -> None:
    await claim_tip(live.tip.id, live.anne_editor, live.desk.settings)
    await text_on(live.anne, "[data-live=head]", "geclaimd door Anne de Jong")
    button = live.carla.get_by_role("button", name="Overnemen van Anne de Jong")
    await button.wait_for(timeout=WAIT_MS)  # the claim by another reached Carla's page live
    async with live.carla.expect_navigation(wait_until="load", timeout=WAIT_MS):
        await button.click()
    assert (await Tip.get(id=live.tip.id)).claimed_by_id != live.anne_editor.id
    await text_on(live.carla, ".flash", "Overgenomen")
    await text_on(live.anne, "[data-live=head]", "geclaimd door Carla Smit")
    assert await live.anne.input_value("#reply-text") == REPLY
    await live.desk.screenshot(live.carla, "tip-taken-over")


async def reader_writes(tip: Tip, words: str, number: int) -> None:
    await Message.create(
        channel="whatsapp", external_id=f"w.{tip.id}.{number}", tip_id=tip.id,
        sender_id=tip.sender_id, direction=Direction.INBOUND, type="text", text=words,
        sent_at=datetime.now(UTC),
    )  # fmt: skip


async def the_board_counts_new_unread_tips(live: Live) -> None:
    """Anne saw every message on her tip (also the one that came in live); a new tip is unread."""
    await live.anne.goto(f"{live.desk.url}/board")
    row = live.anne.locator(f'.tips .tip[data-tip="{live.tip.id}"]')
    assert await row.get_attribute("data-unread") is None
    assert not (await live.anne.title()).startswith("(")
    fresh = await make_tip("Auto te water bij de sluis", phone="31622220003")
    await live.anne.locator(f'.tips .tip[data-tip="{fresh.id}"][data-unread]').wait_for(
        timeout=WAIT_MS
    )
    assert (await live.anne.title()).startswith("(1) Desk")
    await reader_writes(live.tip, "Nu ook vlammen", 3)  # on an existing tip: no tip write
    await row.and_(live.anne.locator("[data-unread]")).wait_for(timeout=WAIT_MS)
    assert (await live.anne.title()).startswith("(2) Desk")
    await live.desk.screenshot(live.anne, "board-unread-live")


async def a_reader_answer_notifies_the_holder(live: Live) -> None:
    """Carla holds the tip since the takeover; she turns notifications on and looks away."""
    await live.carla.context.add_init_script(RECORDER)
    await live.carla.goto(f"{live.desk.url}/board")
    await live.carla.get_by_role("button", name="Meldingen aanzetten").click()
    await live.carla.locator("#notify").wait_for(state="hidden", timeout=WAIT_MS)
    await live.carla.evaluate(
        "() => Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' })"
    )
    await reader_writes(live.tip, "Brandweer is er", 4)
    await live.carla.wait_for_function("() => window.shown.length > 0", timeout=WAIT_MS)
    shown = await live.carla.evaluate("() => window.shown")
    assert shown == [
        {
            "title": "Tipdesk: de lezer antwoordt",
            "body": f"Nieuw bericht op tip #{live.tip.id}, die jij hebt",
        }
    ]
    fresh = await make_tip("Een tip die niemand heeft", phone="31622220004")
    await live.carla.locator(f'.tips .tip[data-tip="{fresh.id}"]').wait_for(timeout=WAIT_MS)
    await reader_writes(fresh, "Nog iets", 5)  # nobody holds it: no notification
    await live.carla.wait_for_timeout(2500)
    assert len(await live.carla.evaluate("() => window.shown")) == 1


async def test_the_live_tip_page_and_board(desk: Desk, browser: Any) -> None:
    live = await the_board_marks_unread_tips(desk, browser)
    await presence_says_who_views_and_types(live)
    await a_reader_message_arrives_without_a_reload(live)
    await ticks_and_consent_arrive_without_a_reload(live)
    await a_focused_part_waits_until_let_go(live)
    await a_chief_takes_over_in_place(live)
    await the_board_counts_new_unread_tips(live)
    await a_reader_answer_notifies_the_holder(live)

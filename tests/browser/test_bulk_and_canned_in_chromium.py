"""Bulk handling and canned replies in real Chromium: ticked tips stay ticked while a new tip
arrives live, the bulk form archives them and says what it did, `x` ticks the selected tip; a
canned reply chosen on the tip page lands in the reply box, variables filled, and nothing is
sent until the editor does."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in, until
from tests.tips_factory import make_tip
from tipdesk.conversation.models import CannedReply
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import Direction, Message, Tip, TipStatus

pytestmark = pytest.mark.slow


async def anne_on_board(desk: Desk, browser: Any) -> Any:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await log_in(page, desk.url, "anne@desk.example")
    return page


async def test_bulk_select_survives_a_live_tip_and_archives(desk: Desk, browser: Any) -> None:
    first = await make_tip("Boom omgewaaid op de Parkweg", phone="31611110001")
    second = await make_tip("Stroomstoring in de hele wijk", phone="31611110002")
    page = await anne_on_board(desk, browser)
    await page.get_by_label(f"Tip #{first.id} selecteren").check()
    await page.get_by_label(f"Tip #{second.id} selecteren").check()
    await asyncio.sleep(1.0)  # the board's event stream is open
    fresh = await make_tip("Rookontwikkeling bij de haven", phone="31611110003")
    await page.locator(f'.tips .tip[data-tip="{fresh.id}"]').wait_for(timeout=WAIT_MS)
    assert await page.get_by_label(f"Tip #{first.id} selecteren").is_checked()
    assert await page.get_by_label(f"Tip #{second.id} selecteren").is_checked()
    assert not await page.get_by_label(f"Tip #{fresh.id} selecteren").is_checked()
    await page.locator(".bulk select[name=action]").select_option("archive")
    await page.get_by_role("button", name="Uitvoeren").click()
    await page.locator(".flash").wait_for(timeout=WAIT_MS)
    assert "2 tips bijgewerkt, 0 geweigerd." in await page.locator(".flash").inner_text()
    await desk.screenshot(page, "board-after-bulk")
    archived = await Tip.filter(status=TipStatus.ARCHIVED).values_list("id", flat=True)
    assert sorted(archived) == sorted([first.id, second.id])
    # `x` ticks the selected tip (j selects the top one, the fresh tip).
    await page.keyboard.press("j")
    await page.keyboard.press("x")
    assert await page.get_by_label(f"Tip #{fresh.id} selecteren").is_checked()
    # Select all ticks every tip on the board.
    await page.get_by_label("Alles selecteren").check()
    boxes = page.locator(".tips .pick")
    assert all([await boxes.nth(n).is_checked() for n in range(await boxes.count())])
    # On a phone the views, the one form and the bulk form wrap: nothing scrolls sideways.
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 390
    await desk.screenshot(page, "board-phone")


async def test_a_canned_reply_fills_the_box_and_sends_nothing(desk: Desk, browser: Any) -> None:
    await CannedReply.create(title="Dank", body="Dag {voornaam}, dank voor tip #{tipnummer}.")
    tip = await make_tip("Brand", phone="31611110004", name="Sanne de Vries")
    page = await anne_on_board(desk, browser)
    await page.goto(f"{desk.url}/tips/{tip.id}")
    box = page.locator("#reply-text")
    await box.fill("Hoi! ")
    await page.get_by_label("Standaardantwoord invoegen").select_option(label="Dank")
    await until(
        lambda: _value_is(box, f"Hoi! Dag Sanne, dank voor tip #{tip.id}."), "the filled box"
    )
    await asyncio.sleep(0.5)
    assert await Message.filter(direction=Direction.OUTBOUND).count() == 0
    await desk.screenshot(page, "tip-canned-reply")


async def _value_is(box: Any, expected: str) -> bool:
    return bool(await box.input_value() == expected)

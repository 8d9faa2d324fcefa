"""The board and the tip side by side on a wide screen (1440 × 900) in real Chromium: a tip
opened from the list loads into the pane beside it, the address becomes the tip's own and Back
goes through what was opened; j/k and Enter open the selected tip; the pane is live, and its
forms (a claim, a reply to the reader) answer in the pane without leaving the board. On a
tablet (768 × 1024) a tip still opens its own page.

One desk for the module; each step is its own function over one `Wide`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in, until
from tests.browser.test_layout_in_chromium import AXE, AXE_RUN
from tests.tips_factory import make_tip
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import Direction, Message, Tip

pytestmark = pytest.mark.slow
IN_PANE = "() => document.querySelector('#tip-pane .tip-page')?.dataset.tip ?? null"
REPLY = "Dank je, Sanne. Is iedereen veilig?"


@dataclass
class Wide:
    desk: Desk
    page: Any  # Anne's board at 1440 × 900
    older: Tip
    newer: Tip

    async def in_pane(self) -> int | None:
        found = await self.page.evaluate(IN_PANE)
        return None if found is None else int(found)

    async def shows(self, tip: Tip) -> None:
        await self.page.wait_for_function(f"() => ({IN_PANE})() === '{tip.id}'", timeout=WAIT_MS)
        assert self.page.url == f"{self.desk.url}/tips/{tip.id}"
        assert await self.page.locator(".tips .tip").count() == 2  # the list is still there


async def open_wide_board(desk: Desk, browser: Any) -> Wide:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    older = await make_tip("Boom omgewaaid op de Parkweg", phone="31611110001")
    newer = await make_tip("Stroomstoring in de hele wijk", phone="31611110002")
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    await log_in(page, desk.url, "anne@desk.example")
    await page.locator("#tip-pane .pane-empty").wait_for(timeout=WAIT_MS)
    await page.evaluate("() => { window.neverLeft = true; }")  # gone if the board reloads
    await desk.screenshot(page, "1440-board-pane-empty")
    return Wide(desk, page, older, newer)


async def a_click_opens_the_tip_beside_the_list(wide: Wide) -> None:
    await wide.page.locator(f'.tips .tip[data-tip="{wide.older.id}"] a').click()
    await wide.shows(wide.older)
    boxes = [await wide.page.locator(part).bounding_box() for part in (".board-list", "#tip-pane")]
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"], boxes  # side by side
    assert "Boom omgewaaid" in await wide.page.locator("#tip-pane .thread").inner_text()
    assert await wide.page.locator("#tip-pane .bar, #tip-pane script").count() == 0
    assert await wide.page.evaluate("() => document.documentElement.scrollWidth") <= 1440
    await wide.desk.screenshot(wide.page, "1440-two-panes")


async def the_keyboard_opens_the_selected_tip(wide: Wide) -> None:
    """The tip in the pane is the selected one: k goes up to the newer tip, Enter opens it."""
    await wide.page.evaluate("() => document.activeElement.blur()")
    await wide.page.keyboard.press("k")
    await wide.page.keyboard.press("Enter")
    await wide.shows(wide.newer)
    selected = "() => document.querySelector('.tips .selected').dataset.tip"
    assert int(await wide.page.evaluate(selected)) == wide.newer.id
    await wide.page.keyboard.press("j")
    await wide.page.keyboard.press("Enter")
    await wide.shows(wide.older)


async def back_goes_through_what_was_opened(wide: Wide) -> None:
    await wide.page.go_back()
    await wide.shows(wide.newer)
    await wide.page.go_back()
    await wide.shows(wide.older)
    await wide.page.go_back()
    await wide.page.wait_for_url(f"{wide.desk.url}/board")
    await wide.page.locator("#tip-pane .pane-empty").wait_for(timeout=WAIT_MS)
    await wide.page.go_forward()
    await wide.shows(wide.older)
    assert await wide.page.evaluate("() => window.neverLeft") is True


async def the_pane_is_live(wide: Wide) -> None:
    await asyncio.sleep(1.0)  # the pane's stream is open (it hears changes after it opens)
    await Message.create(
        channel="whatsapp", external_id=f"w.{wide.older.id}.2", tip_id=wide.older.id,
        sender_id=wide.older.sender_id, direction=Direction.INBOUND, type="text",
        text="De weg is nu helemaal dicht", sent_at=datetime.now(UTC),
    )  # fmt: skip
    thread = wide.page.locator("#tip-pane [data-live=thread]")
    await thread.get_by_text("De weg is nu helemaal dicht").wait_for(timeout=WAIT_MS)


async def forms_answer_in_the_pane(wide: Wide) -> None:
    pane = wide.page.locator("#tip-pane")
    await pane.get_by_role("button", name="Claim").first.click()
    await pane.locator(".flash").wait_for(timeout=WAIT_MS)
    mine = Tip.filter(id=wide.older.id, claimed_by__email="anne@desk.example")
    await until(mine.exists)
    await wide.page.keyboard.press("r")  # the tip's own key: to the reply box in the pane
    assert await wide.page.evaluate("() => document.activeElement.id") == "reply-text"
    await wide.page.keyboard.type(REPLY)
    await wide.page.keyboard.press("Control+Enter")
    # The factory's reader wrote outside WhatsApp's 24 hours: the template goes first.
    await pane.locator(".flash-success", has_text="sjabloon is verstuurd").wait_for(timeout=WAIT_MS)
    await pane.locator(".thread .bubble.desk", has_text=REPLY).wait_for(timeout=WAIT_MS)
    outbound = Message.filter(tip_id=wide.older.id, direction=Direction.OUTBOUND)
    assert await outbound.filter(text__contains=REPLY).exists()
    assert wide.page.url == f"{wide.desk.url}/tips/{wide.older.id}"
    assert await wide.page.evaluate("() => window.neverLeft") is True
    await wide.desk.screenshot(wide.page, "1440-pane-reply-sent")


async def a_tablet_opens_the_tips_own_page(desk: Desk, browser: Any, tip: Tip) -> None:
    context = await browser.new_context(viewport={"width": 768, "height": 1024})
    page = await context.new_page()
    await log_in(page, desk.url, "anne@desk.example")
    assert not await page.locator("#tip-pane").is_visible()
    async with page.expect_navigation(wait_until="load", timeout=WAIT_MS):
        await page.locator(f'.tips .tip[data-tip="{tip.id}"] a').click()
    assert page.url == f"{desk.url}/tips/{tip.id}"
    assert await page.locator(".bar").count() == 1 and await page.locator(".tips").count() == 0
    await context.close()


async def axe_finds_nothing_serious_in_two_panes(desk: Desk, browser: Any, tip: Tip) -> None:
    """axe-core on the board with a tip in its pane (this one context bypasses the CSP to
    inject it; the steps above ran under the desk's own CSP)."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = await context.new_page()
    await log_in(page, desk.url, "anne@desk.example")
    await page.locator(f'.tips .tip[data-tip="{tip.id}"] a').click()
    await page.locator(f'#tip-pane .tip-page[data-tip="{tip.id}"]').wait_for(timeout=WAIT_MS)
    await page.add_script_tag(path=str(AXE))
    assert await page.evaluate(AXE_RUN) == []
    await context.close()


async def test_the_board_and_the_tip_side_by_side(desk: Desk, browser: Any) -> None:
    wide = await open_wide_board(desk, browser)
    await a_click_opens_the_tip_beside_the_list(wide)
    await the_keyboard_opens_the_selected_tip(wide)
    await back_goes_through_what_was_opened(wide)
    await the_pane_is_live(wide)
    await forms_answer_in_the_pane(wide)
    await a_tablet_opens_the_tips_own_page(desk, browser, wide.newer)
    await axe_finds_nothing_serious_in_two_panes(desk, browser, wide.older)

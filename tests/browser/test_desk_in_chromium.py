"""An editor's shift in real headless Chromium: log in, a reader's tip arrives from the sandbox
phone on the open board without a reload, search finds it, a claim by keyboard reaches a second
editor's board, opening the tip page sends the read receipt, Anne's reply from the tip page
reaches the reader's phone, and the reader's video and voice note play on the tip page.

Each step is its own function over one `Shift`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in, until
from tests.media_store.clips import video, voice_note
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import (
    DeliveryState,
    Direction,
    MediaAsset,
    MediaKind,
    MediaState,
    Message,
    Tip,
)

pytestmark = pytest.mark.slow
READER = "31611112222"


@dataclass
class Shift:
    desk: Desk
    anne: Any  # Anne's board (a Playwright page)
    bram: Any  # Bram's board, in a browser context of its own
    phone: Any  # the sandbox phone, as the reader

    async def shot(self, page: Any, name: str) -> Path:
        return await self.desk.screenshot(page, name)


async def start_shift(desk: Desk, browser: Any) -> Shift:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    await create_editor("bram@desk.example", "Bram Visser", Role.EDITOR, PASSWORD)
    pages = []
    for _ in range(3):
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        pages.append(await context.new_page())
    anne, bram, phone = pages
    await log_in(anne, desk.url, "anne@desk.example")
    await log_in(bram, desk.url, "bram@desk.example")
    await phone.goto(f"{desk.url}/sandbox?from={READER}&name=Sanne")
    return Shift(desk, anne, bram, phone)


async def tip_arrives_live(shift: Shift) -> None:
    """The reader writes; both open boards show the tip without reloading."""
    await shift.anne.evaluate("window.notReloaded = true")
    await shift.phone.get_by_label("Bericht").fill("Brand bij de molen aan de Dijkweg, veel rook")
    await shift.phone.get_by_role("button", name="Verstuur").click()
    row = shift.anne.locator(".tips .tip", has_text="molen")
    await row.wait_for(timeout=WAIT_MS)
    assert await shift.anne.evaluate("window.notReloaded === true")
    await shift.bram.locator(".tips .tip", has_text="molen").wait_for(timeout=WAIT_MS)
    await shift.shot(shift.phone, "01-sandbox-phone")
    await shift.shot(shift.anne, "02-board-live")


async def search_finds_it(shift: Shift) -> None:
    """`/` jumps to the search box; a plural finds the singular (molens → molen)."""
    page = shift.anne
    found = page.locator(".tips .tip", has_text="Dijkweg")
    for _ in range(40):  # the search.index job runs moments after the tip appears
        await page.keyboard.press("/")
        await page.keyboard.type("molens")
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/board?q=molens")
        if await found.count():
            break
        await asyncio.sleep(0.25)
        await page.goto(f"{shift.desk.url}/board")
    assert await found.count() == 1
    assert await page.locator(".count").inner_text() == "1 tip"  # not "1 tips" (#20)
    await shift.shot(page, "03-search")
    await page.goto(f"{shift.desk.url}/board")


async def claim_reaches_the_other_editor(shift: Shift) -> None:
    """Anne claims with the keyboard (j, c); Bram's open board shows it by itself."""
    await shift.anne.keyboard.press("j")
    await shift.anne.keyboard.press("c")
    claimed = "geclaimd door Anne de Jong"
    await shift.anne.locator(".tips .tip", has_text=claimed).wait_for(timeout=WAIT_MS)
    await shift.bram.locator(".tips .tip", has_text=claimed).wait_for(timeout=WAIT_MS)
    assert await Tip.filter(claimed_by__email="anne@desk.example").count() == 1
    await shift.shot(shift.bram, "04-second-editor-sees-claim")


async def reply_reaches_the_phone(shift: Shift) -> None:
    """The reader got the desk's confirmation; Anne answers from the tip page, signed, and the
    answer appears on the reader's phone with its ticks on the tip page."""
    await shift.phone.locator(".desk", has_text="Dank je wel, Sanne!").wait_for(timeout=WAIT_MS)
    tip = await Tip.get(sender__address=READER)
    page = shift.anne
    assert not await _read(tip)
    await page.goto(f"{shift.desk.url}/tips/{tip.id}")
    await until(lambda: _read(tip))  # the page's own POST sent the read receipt
    await page.get_by_label("Bericht (wordt ondertekend met je naam)").fill(
        "Dank je! Is iedereen veilig?"
    )
    await page.get_by_role("button", name="Verstuur").click()
    await page.get_by_text("Antwoord verstuurd.").wait_for(timeout=WAIT_MS)
    answer = shift.phone.locator(".desk", has_text="Is iedereen veilig?")
    await answer.wait_for(timeout=WAIT_MS)
    assert "Anne de Jong" in await answer.inner_text()
    await shift.shot(shift.phone, "05-reply-on-the-phone")
    await page.reload()
    await page.locator(".bubble.desk .ticks").last.wait_for(timeout=WAIT_MS)
    await shift.shot(page, "05-tip-page-reply")
    await page.goto(f"{shift.desk.url}/board")


async def _read(tip: Tip) -> bool:
    """WhatsApp took the desk's read receipt for the reader's message."""
    inbound = Message.filter(tip_id=tip.id, direction=Direction.INBOUND)
    return await inbound.filter(delivery=DeliveryState.READ).exists()


async def send_media(shift: Shift, clip: Path, kind: MediaKind) -> None:
    await shift.phone.set_input_files("#file", str(clip))
    await shift.phone.get_by_role("button", name="Stuur bestand").click()
    for _ in range(240):
        if await MediaAsset.filter(kind=kind, state=MediaState.READY).exists():
            return
        failed = await MediaAsset.filter(state=MediaState.FAILED).first()
        assert failed is None, failed.error if failed else ""
        await asyncio.sleep(0.25)
    raise AssertionError(f"the {kind.value} never became ready")


async def plays(page: Any, selector: str) -> dict[str, float]:
    """Starts the element muted and waits until its clock has moved on."""
    await page.locator(selector).first.scroll_into_view_if_needed()
    await page.eval_on_selector(selector, "el => { el.muted = true; return el.play(); }")
    state: dict[str, float] = {}
    for _ in range(80):  # polled from here: the page's CSP rightly forbids eval'd strings
        state = await page.eval_on_selector(
            selector, "el => ({readyState: el.readyState, currentTime: el.currentTime})"
        )
        if state["currentTime"] > 0.5:
            break
        await asyncio.sleep(0.25)
    return state


async def media_play_on_the_tip_page(shift: Shift, tmp_path: Path) -> None:
    await send_media(shift, video(tmp_path / "brand.mp4", seconds=3), MediaKind.VIDEO)
    await send_media(shift, voice_note(tmp_path / "spraak.ogg"), MediaKind.VOICE)
    tip = await Tip.get(sender__address=READER)
    page = shift.anne
    await page.goto(f"{shift.desk.url}/tips/{tip.id}")
    watched = await plays(page, "video")
    assert watched["readyState"] >= 2 and watched["currentTime"] > 0.5
    heard = await plays(page, "audio")
    assert heard["readyState"] >= 2 and heard["currentTime"] > 0.5
    await page.eval_on_selector("video", "el => el.pause()")
    await shift.shot(page, "06-tip-page-media")
    await shift.bram.locator(".tips .tip img.thumb").wait_for(timeout=WAIT_MS)  # live, too
    await shift.shot(shift.bram, "07-board-with-thumbnail")


async def test_an_editors_shift(desk: Desk, browser: Any, tmp_path: Path) -> None:
    shift = await start_shift(desk, browser)
    await tip_arrives_live(shift)
    await search_finds_it(shift)
    await claim_reaches_the_other_editor(shift)
    await reply_reaches_the_phone(shift)
    await media_play_on_the_tip_page(shift, tmp_path)

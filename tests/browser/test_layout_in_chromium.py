"""The desk on a phone (390 × 844), a tablet (768 × 1024) and a desktop (1440 × 900) in real
Chromium: no page scrolls sideways, the tip page shows the conversation first with its media
inline, controls are big enough to hit with a thumb, and Block, Split and Merge ask first.

The reader's photo and PDF come from the sandbox phone through the real media pipeline."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in
from tests.media_store.clips import exif_jpeg, pdf
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import MediaAsset, MediaKind, MediaState, Sender, Tip, TipNote

pytestmark = pytest.mark.slow
READER = "31633334444"
SIZES = [(390, 844), (768, 1024), (1440, 900)]
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
# axe's verdicts an editor would feel: serious and critical (contrast, names, roles, …).
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => ({id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}))"""
# Elements that stick out to the right of the viewport: what to fix when a page scrolls.
WIDE = """() => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))"""
# Visible controls smaller than 44 px high: too small for a thumb (WCAG 2.5.5).
SMALL = """() => Array.from(document.querySelectorAll(
    "button, select, input:not([type=hidden]):not([type=checkbox]), summary, .bar a, .jump-bar a"))
  .filter((el) => el.offsetParent !== null)
  .filter((el) => el.getBoundingClientRect().height < 43.5)
  .map((el) => el.outerHTML.slice(0, 100))"""

FOCUSED = "(name) => document.activeElement.className === name"


async def root_logs_in(page: Any, url: str) -> None:
    await log_in(page, url, "root@desk.example")


async def send_file(phone: Any, clip: Path, kind: MediaKind) -> None:
    await phone.set_input_files("#file", str(clip))
    await phone.get_by_role("button", name="Stuur bestand").click()
    for _ in range(240):
        if await MediaAsset.filter(kind=kind, state=MediaState.READY).exists():
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"the {kind.value} never became ready")


async def reader_sends(desk: Desk, browser: Any, tmp_path: Path) -> Tip:
    """A reader's tip with words, a photo and a PDF, and a second tip of theirs to merge."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    phone = await context.new_page()
    await phone.goto(f"{desk.url}/sandbox?from={READER}&name=Sanne")
    await phone.get_by_label("Bericht").fill("Brand bij de molen aan de Dijkweg, veel rook")
    await phone.get_by_role("button", name="Verstuur").click()
    await send_file(phone, exif_jpeg(tmp_path / "molen.jpg"), MediaKind.IMAGE)
    await send_file(phone, pdf(tmp_path / "verslag.pdf", pages=3), MediaKind.DOCUMENT)
    await context.close()
    tip = await Tip.get(sender__address=READER)
    await TipNote.create(tip=tip, text="Gebeld met de brandweer, bevestigd.")
    sender = await Sender.get(address=READER)
    await Tip.create(sender=sender, first_message_at=tip.first_message_at,
                     last_message_at=tip.last_message_at)  # fmt: skip
    return tip


def pages(tip: Tip) -> dict[str, str]:
    return {
        "board": "/board", "tip": f"/tips/{tip.id}", "search": "/board?q=molen",
        "admin": "/admin", "reports": "/reports?period=30d", "account": "/account/password",
        "error": "/tips/999999", "sandbox": f"/sandbox?from={READER}&name=Sanne",
    }  # fmt: skip


async def no_sideways_scrolling(page: Any, desk: Desk, name: str, width: int) -> None:
    scrolled = await page.evaluate("() => document.documentElement.scrollWidth")
    assert scrolled <= width, (name, width, scrolled, await page.evaluate(WIDE))
    await desk.screenshot(page, f"{width}-{name}")


async def test_no_page_scrolls_sideways(desk: Desk, browser: Any, tmp_path: Path) -> None:
    await create_editor("root@desk.example", "Root Admin", Role.ADMIN, PASSWORD)
    tip = await reader_sends(desk, browser, tmp_path)
    for width, height in SIZES:
        context = await browser.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await page.goto(f"{desk.url}/login")
        await no_sideways_scrolling(page, desk, "login", width)
        await root_logs_in(page, desk.url)
        for name, path in pages(tip).items():
            await page.goto(f"{desk.url}{path}")
            await no_sideways_scrolling(page, desk, name, width)
            if width < 500:
                assert await page.evaluate(SMALL) == [], (name, await page.evaluate(SMALL))
        await context.close()


async def test_the_tip_page_on_a_phone(desk: Desk, browser: Any, tmp_path: Path) -> None:
    await create_editor("root@desk.example", "Root Admin", Role.ADMIN, PASSWORD)
    tip = await reader_sends(desk, browser, tmp_path)
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await root_logs_in(page, desk.url)
    await page.goto(f"{desk.url}/tips/{tip.id}")
    # The conversation comes first: the timeline starts on the first screen, the forms later.
    thread = await page.locator(".thread").bounding_box()
    status = await page.locator("#status").bounding_box()
    assert thread["y"] < 844 and status["y"] > thread["y"] + thread["height"]
    # The photo and the PDF sit in the timeline with their message; the note is marked internal.
    await page.locator(".thread .bubble.reader img").first.wait_for(timeout=WAIT_MS)
    assert "verslag.pdf" in await page.locator(".thread .medium-document").inner_text()
    assert "3 pagina's" in await page.locator(".thread .medium-document").inner_text()
    assert "Interne notitie" in await page.locator(".thread .bubble.note").inner_text()
    await the_lightbox_opens_and_closes(page, desk)
    # The jump bar stays at the bottom of the screen while the editor scrolls.
    bar = await page.locator(".jump-bar").bounding_box()
    assert bar["y"] + bar["height"] <= 844 + 1 and bar["y"] > 700
    await confirm_steps(page, desk)
    await context.close()


async def the_lightbox_opens_and_closes(page: Any, desk: Desk) -> None:
    """The photo opens large (a CSS :target) and closes by its link or by Escape; the focus
    goes into the lightbox and back to the photo that opened it."""
    photo = page.locator(".thread a.photo").first
    lightbox = page.locator(".lightbox:target")
    await photo.click()
    await lightbox.wait_for(timeout=WAIT_MS)
    await desk.screenshot(page, "390-tip-lightbox")
    await lightbox.get_by_role("link", name="Sluiten").click()
    await lightbox.wait_for(state="detached", timeout=WAIT_MS)
    await photo.focus()
    await page.keyboard.press("Enter")
    await lightbox.wait_for(timeout=WAIT_MS)
    await page.wait_for_function(FOCUSED, arg="lightbox-close", timeout=WAIT_MS)
    await page.keyboard.press("Escape")
    await lightbox.wait_for(state="detached", timeout=WAIT_MS)
    await page.wait_for_function(FOCUSED, arg="photo", timeout=WAIT_MS)
    await desk.screenshot(page, "390-tip-lightbox-closed")


async def confirm_steps(page: Any, desk: Desk) -> None:
    """Block, Split and Merge show their real button only after a first click."""
    for summary, yes in (
        ("Blokkeer lezer…", "Ja, blokkeer deze lezer"),
        ("Samenvoegen…", "Ja, samenvoegen"),
    ):
        assert not await page.get_by_role("button", name=yes).is_visible()
        await page.get_by_text(summary).click()
        assert await page.get_by_role("button", name=yes).is_visible()
    assert not await page.locator(".composer").get_by_text("Blokkeer lezer").count()
    split = page.locator(".thread details.split").first
    await split.locator("summary").click()
    await split.get_by_role("button", name="Ja, afsplitsen").wait_for(timeout=WAIT_MS)
    await desk.screenshot(page, "390-tip-confirm")
    blocked = page.get_by_role("button", name="Ja, blokkeer deze lezer")
    async with page.expect_navigation(timeout=WAIT_MS):
        await blocked.click()
    assert await Sender.filter(address=READER, blocked_at__not_isnull=True).exists()


async def test_axe_finds_nothing_serious(desk: Desk, browser: Any, tmp_path: Path) -> None:
    """axe-core injected into each page (the desk's CSP forbids injected scripts, so this one
    browser context bypasses it) on a phone, a tablet and a desktop."""
    await create_editor("root@desk.example", "Root Admin", Role.ADMIN, PASSWORD)
    tip = await reader_sends(desk, browser, tmp_path)
    found = {}
    for width, height in SIZES:
        context = await browser.new_context(
            viewport={"width": width, "height": height}, bypass_csp=True
        )
        page = await context.new_page()
        await page.goto(f"{desk.url}/login")
        await page.add_script_tag(path=str(AXE))
        found[f"{width}-login"] = await page.evaluate(AXE_RUN)
        await root_logs_in(page, desk.url)
        for name, path in pages(tip).items():
            await page.goto(f"{desk.url}{path}")
            await page.add_script_tag(path=str(AXE))
            found[f"{width}-{name}"] = await page.evaluate(AXE_RUN)
        await context.close()
    assert {page: issues for page, issues in found.items() if issues} == {}

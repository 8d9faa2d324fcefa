"""The verification aids in real Chromium on a phone (390 × 844): a reader's video with scene
cuts shows its keyframe strip under it, each still a download, and nothing scrolls sideways;
the photo's capture facts and map link sit in its caption. Media go through the sandbox phone
and the real pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in
from tests.browser.test_layout_in_chromium import AXE, AXE_RUN, SMALL, WIDE, send_file
from tests.media_store.clips import exif_jpeg
from tests.media_store.verification_clips import scene_cuts
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import MediaKind, Tip

pytestmark = pytest.mark.slow
READER = "31655556666"


async def test_keyframes_and_facts_on_a_phone(desk: Desk, browser: Any, tmp_path: Path) -> None:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    sender = await browser.new_context(viewport={"width": 1280, "height": 900})
    phone = await sender.new_page()
    await phone.goto(f"{desk.url}/sandbox?from={READER}&name=Sanne")
    await send_file(phone, exif_jpeg(tmp_path / "molen.jpg"), MediaKind.IMAGE)
    await send_file(phone, scene_cuts(tmp_path / "cuts.mp4"), MediaKind.VIDEO)
    await sender.close()
    tip = await Tip.get(sender__address=READER)
    # The desk's CSP forbids injected scripts: this one context bypasses it for axe-core.
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, bypass_csp=True, accept_downloads=True
    )
    page = await context.new_page()
    await log_in(page, desk.url, "anne@desk.example")
    await page.goto(f"{desk.url}/tips/{tip.id}")
    strip = page.locator(".keyframe-strip")
    await strip.wait_for(timeout=WAIT_MS)
    links = strip.locator("a[download]")
    assert await links.count() == 3
    async with page.expect_download() as waiting:
        await links.first.click()
    download = await waiting.value
    assert download.suggested_filename == "keyframe_01.jpg"
    caption = await page.locator(".medium-image figcaption").inner_text()
    assert "Fairphone FP5" in caption and "gemaakt 23-11-2026 14:31" in caption
    assert await page.locator(".medium-image a[href^='https://www.openstreetmap.org/']").count()
    scrolled = await page.evaluate("() => document.documentElement.scrollWidth")
    assert scrolled <= 390, await page.evaluate(WIDE)
    assert await page.evaluate(SMALL) == []
    await page.add_script_tag(path=str(AXE))
    assert await page.evaluate(AXE_RUN) == []
    await desk.screenshot(page, "390-tip-verification")
    await context.close()

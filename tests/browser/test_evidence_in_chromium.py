"""The tip page's evidence button in real Chromium: one click downloads the zip, and its
manifest page, opened from disk, shows the tip in the desk's style with nothing blocked."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, Desk, log_in
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role

pytestmark = pytest.mark.slow


async def test_the_button_downloads_the_bundle_and_its_page_opens_from_disk(
    desk: Desk, browser: Any, tmp_path: Path
) -> None:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    tip = await make_tip("Brand bij de molen")
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()
    await log_in(page, desk.url, "anne@desk.example")
    await page.goto(f"{desk.url}/tips/{tip.id}")
    async with page.expect_download() as started:
        await page.get_by_role("link", name="Bewijsbundel downloaden (zip)").click()
    download = await started.value
    assert download.suggested_filename.startswith(f"tipdesk-tip-{tip.id}-")
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    with zipfile.ZipFile(saved) as bundle:
        assert json.loads(bundle.read("manifest.json"))["tip"]["id"] == tip.id
        bundle.extractall(tmp_path / "bundle")
    assert await AuditEvent.filter(action="tip.exported", tip_id=tip.id).count() == 1

    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    await page.goto((tmp_path / "bundle" / "manifest.html").as_uri())
    await page.get_by_role("heading", name=f"Bewijsbundel tip #{tip.id}").wait_for()
    assert await page.get_by_role("cell", name="bewijsbundel gedownload").count() == 1
    assert blocked == []  # the page's own CSP lets its inline style through, nothing else asked
    await desk.screenshot(page, "evidence-manifest")
    await context.close()

"""A reader without WhatsApp, in real Chromium on a phone-sized screen: they send a tip with a
photo and a video from the web form; an editor sees it arrive on the open board, replies and
asks for consent; the reader opens their private link, reads, taps consent and writes back; the
mail telling them an answer waits reaches the local mail server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in, until
from tests.conversation.reader_world import photo
from tests.media_store.clips import video
from tests.webform.conftest import Mailbox, mailbox_on
from tipdesk.clock import utcnow
from tipdesk.conversation.mail_notices import WEBFORM_NOTIFY
from tipdesk.conversation.models import ConsentRecord, ConsentState
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.jobs.models import Job
from tipdesk.tips.models import Direction, MediaAsset, MediaState, Message, Tip

pytestmark = pytest.mark.slow
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "nl-NL",
}


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from mailbox_on()


@pytest.fixture
def environ(environ: dict[str, str], mailbox: Mailbox) -> dict[str, str]:
    return {**environ, "TIPDESK_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}"}


async def no_sideways_scroll(page: Any) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


async def test_a_reader_without_whatsapp(
    desk: Desk, browser: Any, tmp_path: Path, mailbox: Mailbox
) -> None:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    editor = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await log_in(editor, desk.url, "anne@desk.example")
    await editor.evaluate("window.notReloaded = true")

    reader = await (await browser.new_context(**PHONE)).new_page()
    await reader.goto(f"{desk.url}/tip")
    await no_sideways_scroll(reader)
    (tmp_path / "boom.png").write_bytes(photo((40, 140, 60), (640, 480)))
    clip = video(tmp_path / "storm.mp4", seconds=2)
    await reader.get_by_label("Wat is er gebeurd, waar en wanneer?").fill(
        "Boom op een auto aan de Stationsstraat, niemand gewond"
    )
    await reader.get_by_label("Foto's, video's of documenten").set_input_files(
        [str(tmp_path / "boom.png"), str(clip)]
    )
    await reader.get_by_label("Je naam").fill("Sanne")
    await reader.get_by_label("Je e-mailadres").fill("sanne@example.nl")
    await reader.get_by_label("Ik heb gelezen hoe").check()
    await desk.screenshot(reader, "01-form-on-a-phone")
    await reader.get_by_role("button", name="Tip versturen").click()
    link = reader.locator("#private-link")
    await link.wait_for(timeout=WAIT_MS)
    path = "/tip/c/" + (await link.inner_text()).split("/tip/c/")[1]
    await desk.screenshot(reader, "02-thanks-with-link")

    row = editor.locator(".tips .tip", has_text="Stationsstraat")
    await row.wait_for(timeout=WAIT_MS)
    assert await editor.evaluate("window.notReloaded === true")
    tip = await Tip.get()

    async def media_ready() -> bool:
        return await MediaAsset.filter(tip_id=tip.id, state=MediaState.READY).count() == 2

    await until(media_ready, "the photo and the video")
    await editor.goto(f"{desk.url}/tips/{tip.id}")
    assert "via het tipformulier" in await editor.inner_text(".sender")
    await editor.get_by_label("Bericht (wordt ondertekend met je naam)").fill(
        "Dank je! Is de weg nog afgesloten?"
    )
    await editor.get_by_role("button", name="Verstuur").click()
    await editor.get_by_text("Antwoord verstuurd.").wait_for(timeout=WAIT_MS)
    await editor.get_by_role("button", name="Vraag toestemming voor de beelden").click()
    await editor.get_by_text("Toestemming gevraagd.").wait_for(timeout=WAIT_MS)

    await reader.goto(f"{desk.url}{path}")
    await reader.locator(".desk", has_text="Is de weg nog afgesloten?").wait_for(timeout=WAIT_MS)
    await reader.get_by_role("button", name="Ja, anoniem").wait_for(timeout=WAIT_MS)
    await no_sideways_scroll(reader)
    await desk.screenshot(reader, "03-conversation-with-consent-question")
    await reader.get_by_role("button", name="Ja, anoniem").click()

    async def granted() -> bool:
        record = await ConsentRecord.get_or_none(tip_id=tip.id)
        return record is not None and record.state is ConsentState.GRANTED

    await until(granted, "the consent")
    await reader.get_by_label("Reageer").fill("Ja, nog steeds dicht")
    await reader.get_by_role("button", name="Versturen").click()

    async def written_back() -> bool:
        inbound = Message.filter(tip_id=tip.id, direction=Direction.INBOUND)
        return await inbound.filter(text="Ja, nog steeds dicht").exists()

    await until(written_back, "the reader's answer")
    await editor.reload()
    await editor.locator("p", has_text="Ja, nog steeds dicht").wait_for(timeout=WAIT_MS)
    await desk.screenshot(editor, "04-tip-page-with-the-answer")

    # The mail waits a minute to gather answers; let that minute pass.
    await Job.filter(kind=WEBFORM_NOTIFY).update(run_at=utcnow())

    async def mailed() -> bool:
        return bool(mailbox.mails)

    await until(mailed, "the mail")
    assert mailbox.mails[0]["To"] == "sanne@example.nl"

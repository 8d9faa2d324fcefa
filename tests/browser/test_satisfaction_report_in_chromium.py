"""The reports page's satisfaction section in Chromium on a 390 px phone, in Dutch: its tables
scroll inside their own box and the page never sideways."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PASSWORD, Desk, log_in
from tests.browser.test_layout_in_chromium import WIDE
from tests.tips_factory import make_tip
from tipdesk.clock import utcnow
from tipdesk.conversation.models import SatisfactionAnswer, SatisfactionScore
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import Tip

COMMENT = "Snel geholpen, en de redacteur belde zelfs nog even terug om te vragen hoe het ging"


async def answered(tip: Tip, desk: str, score: SatisfactionScore, comment: str | None) -> None:
    """What conversation/satisfaction.py stores once a reader answered (its own tests go
    through the fake Graph API; this one is about the page)."""
    await Tip.filter(id=tip.id).update(desk=desk)
    now = utcnow()
    await SatisfactionAnswer.create(
        sender_id=tip.sender_id, tip_id=tip.id, desk=desk, asked_at=now, score=score,
        answered_at=now, comment=comment, commented_at=now if comment else None,
    )  # fmt: skip


async def test_the_satisfaction_section_fits_a_phone_in_dutch(desk: Desk, browser: Any) -> None:
    await create_editor("chef@desk.example", "Chef", Role.CHIEF, PASSWORD)
    await answered(await make_tip("Brand"), "den-haag", SatisfactionScore.GOOD, COMMENT)
    await answered(
        await make_tip("Boom", phone="31687654321"), "leiden-en-omstreken",
        SatisfactionScore.BAD, None,
    )  # fmt: skip
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await log_in(page, desk.url, "chef@desk.example")
    await page.goto(f"{desk.url}/reports?period=7d")
    heading = page.get_by_role("heading", name="Tevredenheid van lezers")
    section = page.locator("section", has=heading)
    assert await section.is_visible()
    text = await section.inner_text()
    for words in ("Tevredenheid per week", "Tevredenheid per redactie", "deel positief", "50.0%",
                  "leiden-en-omstreken", "Opmerkingen van lezers", "👍 goed"):  # fmt: skip
        assert words in text, words
    await section.get_by_text(COMMENT).scroll_into_view_if_needed()
    assert await section.get_by_text(COMMENT).is_visible()
    scrolled = await page.evaluate("() => document.documentElement.scrollWidth")
    assert scrolled <= 390, await page.evaluate(WIDE)
    await desk.screenshot(page, "390-reports-satisfaction")
    await context.close()

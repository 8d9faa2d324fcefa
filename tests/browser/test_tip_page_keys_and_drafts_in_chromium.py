"""The tip page in real Chromium keeps an editor's typing and speeds it up: `r` and `n` jump to
the reply and the note, Ctrl+Enter (Cmd+Enter on a Mac) sends the form being typed in, `?`
lists the keys, and a typed reply or note survives saving another form on the page, a reload
and a failed send (another editor holds the tip), and is cleared once it was sent, after a
week untouched, or when the editor logs out.

One desk for the whole module: each step is its own function over one `TipPage`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in, until
from tests.tips_factory import make_tip
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.tips.actions import claim_tip, release_tip
from tipdesk.tips.models import Direction, Message, Tip, TipNote

pytestmark = pytest.mark.slow
REPLY = "Dank je wel!\nIs iedereen veilig?"
NOTE = "Gebeld met de brandweer: bevestigd."
FOCUSED = "() => document.activeElement.id"


@dataclass
class TipPage:
    desk: Desk
    page: Any  # Anne on the tip page
    bram: Editor
    tip: Tip

    async def press(self, selector: str, key: str) -> None:
        """Presses `key` in the box; its form is posted and the page is back, scripts and all."""
        async with self.page.expect_navigation(wait_until="load", timeout=WAIT_MS):
            await self.page.locator(selector).press(key)


async def open_tip(desk: Desk, browser: Any) -> TipPage:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    bram = await create_editor("bram@desk.example", "Bram Visser", Role.EDITOR, PASSWORD)
    tip = await make_tip("Brand bij de molen aan de Dijkweg", phone="31622220001")
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await log_in(page, desk.url, "anne@desk.example")
    await page.goto(f"{desk.url}/tips/{tip.id}")
    return TipPage(desk, page, bram, tip)


async def keys_jump_to_the_boxes(tip: TipPage) -> None:
    await tip.page.keyboard.press("n")
    assert await tip.page.evaluate(FOCUSED) == "note-text"
    assert await tip.page.input_value("#note-text") == ""  # the n did not land in the box
    await tip.page.evaluate("() => document.activeElement.blur()")
    await tip.page.keyboard.press("Alt+r")  # a key with a modifier is never ours
    assert await tip.page.evaluate(FOCUSED) != "reply-text"
    await tip.page.keyboard.press("r")
    assert await tip.page.evaluate(FOCUSED) == "reply-text"
    await tip.page.evaluate("() => document.activeElement.blur()")
    await tip.page.keyboard.press("?")
    listing = tip.page.get_by_role("dialog", name="Sneltoetsen")
    await listing.wait_for(timeout=WAIT_MS)
    assert "Enter" in await listing.inner_text()
    await tip.page.keyboard.press("Escape")
    await listing.wait_for(state="hidden", timeout=WAIT_MS)


async def a_draft_survives_other_forms_and_reloads(tip: TipPage) -> None:
    """Anne types a reply and a note, then saves the tags: both come back; a reload, too."""
    await tip.page.keyboard.press("r")
    await tip.page.keyboard.type(REPLY)
    await tip.page.fill("#note-text", NOTE)
    await tip.page.fill("#tags", "brand")
    await tip.press("#tags", "Enter")
    assert (await Tip.get(id=tip.tip.id)).tags == ["brand"]
    assert await tip.page.input_value("#reply-text") == REPLY
    assert await tip.page.input_value("#note-text") == NOTE
    await tip.page.reload()
    assert await tip.page.input_value("#reply-text") == REPLY
    await tip.desk.screenshot(tip.page, "tip-draft-kept")


async def a_failed_send_keeps_the_draft(tip: TipPage) -> None:
    """Bram holds the tip, so Anne's reply is refused (409): the draft is still in the box."""
    await claim_tip(tip.tip.id, tip.bram, tip.desk.settings)
    await tip.press("#reply-text", "Control+Enter")
    assert not await _replies(tip)
    assert await tip.page.input_value("#reply-text") == REPLY
    await release_tip(tip.tip.id, tip.bram, tip.desk.settings)


async def ctrl_enter_sends_and_clears_the_draft(tip: TipPage) -> None:
    await tip.press("#reply-text", "Control+Enter")
    await until(lambda: _replies(tip))
    assert await tip.page.input_value("#reply-text") == ""
    assert await tip.page.input_value("#note-text") == NOTE  # the other draft is its own
    await tip.press("#note-text", "Meta+Enter")
    assert await TipNote.filter(tip_id=tip.tip.id, text=NOTE).exists()
    await tip.page.reload()
    assert await tip.page.input_value("#reply-text") == ""
    assert await tip.page.input_value("#note-text") == ""
    assert await tip.page.evaluate("() => Object.keys(localStorage)") == []


async def a_week_old_draft_is_dropped(tip: TipPage) -> None:
    """A reply typed long ago is not what anyone means to send now; a day-old one stays."""
    await tip.page.fill("#reply-text", REPLY)
    reply_key = await tip.page.evaluate(
        "() => Object.keys(localStorage).find((name) => name.endsWith('.reply'))"
    )
    await tip.page.evaluate(
        """([name, other]) => {
            const day = 24 * 3600 * 1000;
            const old = JSON.parse(localStorage.getItem(name));
            localStorage.setItem(name, JSON.stringify({ ...old, at: Date.now() - 8 * day }));
            localStorage.setItem(other, JSON.stringify({ text: "gisteren", at: Date.now() - day }));
        }""",
        [reply_key, "tipdesk.draft.999999.reply"],
    )
    await tip.page.reload()
    assert await tip.page.input_value("#reply-text") == ""
    assert await tip.page.evaluate("() => Object.keys(localStorage)") == [
        "tipdesk.draft.999999.reply"
    ]


async def logging_out_forgets_the_drafts(tip: TipPage) -> None:
    """A newsroom machine is shared: drafts to readers leave with the editor's session."""
    await tip.page.fill("#note-text", NOTE)
    assert await tip.page.evaluate("() => Object.keys(localStorage).length") == 2
    async with tip.page.expect_navigation(wait_until="load", timeout=WAIT_MS):
        await tip.page.locator("form.logout button").click()
    assert await tip.page.evaluate("() => Object.keys(localStorage)") == []


async def _replies(tip: TipPage) -> bool:
    return await Message.filter(
        tip_id=tip.tip.id, direction=Direction.OUTBOUND, text__contains="veilig"
    ).exists()


async def test_the_tip_page_keys_and_drafts(desk: Desk, browser: Any) -> None:
    tip = await open_tip(desk, browser)
    await keys_jump_to_the_boxes(tip)
    await a_draft_survives_other_forms_and_reloads(tip)
    await a_failed_send_keeps_the_draft(tip)
    await ctrl_enter_sends_and_clears_the_draft(tip)
    await a_week_old_draft_is_dropped(tip)
    await logging_out_forgets_the_drafts(tip)

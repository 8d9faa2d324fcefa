"""The board's keyboard in real Chromium is safe to use during a busy shift: the selection is a
tip, not a position, so a tip arriving live on top never makes `c` claim the wrong one; Ctrl+C
and Cmd+C copy instead of claiming; a claim another editor holds is said in the page (no
native alert() that blocks it); `?` lists the shortcuts and Escape closes the list.

One desk for the whole module: each step is its own function over one `Board`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in, until
from tests.tips_factory import make_tip
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.tips.actions import claim_tip
from tipdesk.tips.models import Tip

pytestmark = pytest.mark.slow
SELECTED = "() => document.querySelector('.tips .tip.selected')?.dataset.tip ?? null"


@dataclass
class Board:
    desk: Desk
    page: Any  # Anne's board
    bram: Editor
    tips: dict[str, Tip]
    dialogs: list[str] = field(default_factory=list)

    async def selected(self) -> int | None:
        found = await self.page.evaluate(SELECTED)
        return None if found is None else int(found)


async def open_board(desk: Desk, browser: Any) -> Board:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    bram = await create_editor("bram@desk.example", "Bram Visser", Role.EDITOR, PASSWORD)
    older = await make_tip("Boom omgewaaid op de Parkweg", phone="31611110001")
    newer = await make_tip("Stroomstoring in de hele wijk", phone="31611110002")
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    board = Board(desk, page, bram, {"older": older, "newer": newer})
    page.on("dialog", lambda dialog: _dismiss(board, dialog))
    await log_in(page, desk.url, "anne@desk.example")
    return board


async def _dismiss(board: Board, dialog: Any) -> None:
    board.dialogs.append(dialog.message)
    await dialog.dismiss()


async def selection_follows_the_tip(board: Board) -> None:
    """Anne selects the second row; a new tip arrives on top; the same tip stays selected."""
    await board.page.keyboard.press("j")
    await board.page.keyboard.press("j")
    assert await board.selected() == board.tips["older"].id
    await asyncio.sleep(1.0)  # the board's event stream is open (it hears changes after it opens)
    fresh = await make_tip("Rookontwikkeling bij de haven", phone="31611110003")
    board.tips["fresh"] = fresh
    await board.page.locator(f'.tips .tip[data-tip="{fresh.id}"]').wait_for(timeout=WAIT_MS)
    first = await board.page.evaluate("() => document.querySelector('.tips .tip').dataset.tip")
    assert int(first) == fresh.id  # it did arrive on top, so positions shifted
    assert await board.selected() == board.tips["older"].id


async def modifiers_never_claim(board: Board) -> None:
    for chord in ("Control+c", "Meta+c", "Alt+c"):
        await board.page.keyboard.press(chord)
    await asyncio.sleep(1.0)  # a claim by fetch takes milliseconds; give it ample room to show
    assert not await Tip.filter(claimed_by_id__isnull=False).exists()


async def plain_c_claims_the_selected_tip(board: Board) -> None:
    await board.page.keyboard.press("c")
    await until(lambda: Tip.filter(id=board.tips["older"].id, claimed_by_id__isnull=False).exists())
    assert await Tip.filter(claimed_by_id__isnull=False).count() == 1


async def a_conflict_is_said_in_the_page(board: Board) -> None:
    """Bram holds the newer tip; Anne's `c` on it gets 409, said inline, not in an alert()."""
    newer = board.tips["newer"]
    await claim_tip(newer.id, board.bram, board.desk.settings)
    await board.page.keyboard.press("k")
    assert await board.selected() == newer.id
    await board.page.keyboard.press("c")
    message = board.page.get_by_role("alert")
    await message.wait_for(timeout=WAIT_MS)
    assert "andere redacteur" in await message.inner_text()
    assert board.dialogs == []
    assert (await Tip.get(id=newer.id)).claimed_by_id == board.bram.id
    await board.desk.screenshot(board.page, "board-claim-conflict")


async def question_mark_lists_the_keys(board: Board) -> None:
    await board.page.keyboard.press("?")
    listing = board.page.get_by_role("dialog", name="Sneltoetsen")
    await listing.wait_for(timeout=WAIT_MS)
    text = await listing.inner_text()
    assert all(key in text for key in ("j", "k", "Enter", "c", "/")), text
    await board.desk.screenshot(board.page, "board-shortcuts")
    await board.page.keyboard.press("c")  # keys under the open list do nothing
    await board.page.keyboard.press("Escape")
    await listing.wait_for(state="hidden", timeout=WAIT_MS)
    assert await Tip.filter(claimed_by__email="anne@desk.example").count() == 1


async def test_the_boards_keyboard_is_safe(desk: Desk, browser: Any) -> None:
    board = await open_board(desk, browser)
    await selection_follows_the_tip(board)
    await modifiers_never_claim(board)
    await plain_c_claims_the_selected_tip(board)
    await a_conflict_is_said_in_the_page(board)
    await question_mark_lists_the_keys(board)

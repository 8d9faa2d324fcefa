"""The desk on a tablet (768 × 1024) in real Chromium: no sideways scrolling, a label for every
control, keyboard focus that moves in reading order and can be seen."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, Desk
from tests.tips_factory import make_tip
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.tips.models import Tip, TipNote

pytestmark = pytest.mark.slow

UNLABELLED = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter((el) => el.type !== "hidden")
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !el.getAttribute("aria-labelledby"))
  .map((el) => el.outerHTML)"""
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {tag: el.tagName, name: el.name || el.textContent.trim().slice(0, 30),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
          top: box.top + window.scrollY, left: box.left};
}"""


async def check_page(page: Any, desk: Desk, path: str, name: str) -> list[dict[str, Any]]:
    """Opens `path`, checks layout and labels, tabs through it; the focus stops it made."""
    await page.goto(f"{desk.url}{path}")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 768, f"{path} scrolls sideways ({width}px)"
    assert await page.evaluate(UNLABELLED) == [], path
    stops = []
    for _ in range(12):
        await page.keyboard.press("Tab")
        stop = await page.evaluate(FOCUSED)
        assert stop["outline"] != "none" and stop["width"] >= 2, (path, stop)
        stops.append(stop)
    await desk.screenshot(page, name)
    return stops


async def test_board_tip_and_admin_pages_on_a_tablet(desk: Desk, browser: Any) -> None:
    await create_editor("root@desk.example", "Root Admin", Role.ADMIN, PASSWORD)
    tip = await make_tip("Wateroverlast in de Lange Tiendeweg, kelders lopen vol " * 3)
    await make_tip("Tweede bericht van dezelfde lezer")
    await TipNote.create(tip=tip, text="Gebeld met de brandweer, bevestigd.")
    await Tip.filter(id=tip.id).update(tags=["water", "regio"], desk="regio-noord")
    context = await browser.new_context(viewport={"width": 768, "height": 1024})
    page = await context.new_page()
    await page.goto(f"{desk.url}/login")
    assert await page.evaluate(UNLABELLED) == []
    await page.get_by_label("E-mail").fill("root@desk.example")
    await page.get_by_label("Wachtwoord").fill(PASSWORD)
    await page.get_by_role("button", name="Inloggen").click()
    await page.wait_for_url(f"{desk.url}/board")
    board = await check_page(page, desk, "/board", "tablet-board")
    names = ["Tipdesk", "Beheer", "Rapportage", "Standaardantwoorden", "Account", "Uitloggen", "q"]
    order = [s["name"] for s in board]
    assert order[:7] == names
    stops = await check_page(page, desk, f"/tips/{tip.id}", "tablet-tip")
    tops = [stop["top"] for stop in stops]
    assert _mostly_down(tops), stops  # focus follows the page down
    await check_page(page, desk, "/admin", "tablet-admin")
    await check_page(page, desk, "/reports?period=30d", "tablet-reports")


def _mostly_down(tops: list[float]) -> bool:
    """Controls side by side on one row may step back a few pixels; never a jump upwards."""
    return all(later >= earlier - 40 for earlier, later in pairwise(tops))

"""The sandbox phone in real Chromium with a long conversation: the thread scrolls inside its
own box, the newest message and the compose box stay on screen, on a phone and a desktop."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import WAIT_MS, Desk

pytestmark = pytest.mark.slow
READER = "31655556666"
SAID = 30
# Where the thread, its last bubble and the compose box are, in viewport pixels.
PLACES = """() => {
  const box = (el) => { const {top, bottom} = el.getBoundingClientRect(); return {top, bottom}; };
  const thread = document.getElementById("thread");
  return {thread: box(thread), last: box(thread.lastElementChild),
          compose: box(document.getElementById("compose")),
          scrolls: thread.scrollHeight > thread.clientHeight + 1};
}"""


async def a_long_conversation(page: Any, desk: Desk) -> None:
    for n in range(1, SAID + 1):
        response = await page.request.post(
            f"{desk.url}/sandbox/api/send",
            data={"from": READER, "name": "Sanne", "type": "text", "text": f"Bericht {n}"},
        )
        assert response.ok, await response.text()


@pytest.mark.parametrize("width,height", [(390, 844), (1440, 900)])
async def test_the_sandbox_conversation_scrolls(
    desk: Desk, browser: Any, width: int, height: int
) -> None:
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    await a_long_conversation(page, desk)
    await page.goto(f"{desk.url}/sandbox?from={READER}&name=Sanne")
    await page.locator("#thread .bubble", has_text=f"Bericht {SAID}").wait_for(timeout=WAIT_MS)
    await page.wait_for_function(
        "() => { const t = document.getElementById('thread');"
        " return t.scrollTop + t.clientHeight >= t.scrollHeight - 2; }",
        timeout=WAIT_MS,
    )
    places = await page.evaluate(PLACES)
    assert places["scrolls"], places  # the thread scrolls within its box, not the page
    assert places["thread"]["top"] <= places["last"]["top"], places
    assert places["last"]["bottom"] <= places["thread"]["bottom"] + 1, places
    assert places["last"]["bottom"] <= height and places["compose"]["bottom"] <= height, places
    await desk.screenshot(page, f"{width}-sandbox-long")
    await context.close()

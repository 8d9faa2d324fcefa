"""/admin/webhooks in real Chromium, on a 1440 px screen and a 390 px phone: an admin adds a
webhook aimed at a real receiving server, copies the secret shown once, sees a claim's
delivery arrive in the log and sends it again with the button; on the phone nothing scrolls
sideways but the log's own region, and every tick box is a 44 px target."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, WAIT_MS, Desk, log_in, until
from tests.servers import free_port, serving
from tests.tips_factory import make_tip
from tests.webhooks.receiver import Receiver, receiving_app
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.tips import actions
from tipdesk.webhooks.models import WebhookSubscription
from tipdesk.webhooks.signing import verify

pytestmark = pytest.mark.slow


@pytest.fixture
def receiver_port() -> int:
    return free_port()


@pytest.fixture
def environ(environ: dict[str, str], receiver_port: int) -> dict[str, str]:
    return {**environ, "TIPDESK_WEBHOOK_PRIVATE_HOSTS": f"127.0.0.1:{receiver_port}"}


@pytest.fixture
async def receiver(receiver_port: int) -> AsyncIterator[Receiver]:
    found = Receiver()
    async with serving(receiving_app(found), port=receiver_port) as base:
        found.url = f"{base}/hook"
        yield found


async def test_an_admin_adds_a_webhook_and_sends_a_delivery_again(
    desk: Desk, browser: Any, receiver: Receiver
) -> None:
    await create_editor("ada@desk.example", "Ada Admin", Role.ADMIN, PASSWORD)
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    await log_in(page, desk.url, "ada@desk.example")
    await page.goto(f"{desk.url}/admin")
    await page.get_by_role("link", name="Webhooks naar CMS, chat of CRM").click()
    new = page.locator("section", has=page.get_by_role("heading", name="Nieuwe webhook"))
    await new.get_by_label("Adres (https)").fill(receiver.url)
    await new.get_by_label("Omschrijving").fill("CMS van de omroep")
    await new.get_by_label("nieuwe tip").uncheck()
    await new.get_by_role("button", name="Webhook toevoegen").click()
    shown = await page.locator(".secret").inner_text(timeout=WAIT_MS)
    hook = await WebhookSubscription.get()
    assert hook.secret in shown and "tip.created" not in hook.events
    await desk.screenshot(page, "webhooks-secret-1440")

    tip = await make_tip("Boom op de weg")
    await actions.claim_tip(tip.id, await Editor.get(email="ada@desk.example"), desk.settings)
    await until(lambda: _count(receiver, 1), "the receiver got the claim")
    await page.goto(f"{desk.url}/admin/webhooks")
    row = page.locator("#log tbody tr").first
    assert "tip opgepakt" in await row.inner_text() and "afgeleverd" in await row.inner_text()
    assert hook.secret not in await page.content()
    await row.get_by_role("button", name="Opnieuw versturen").click()
    await page.locator(".flash").wait_for(timeout=WAIT_MS)
    assert "opnieuw te versturen" in await page.locator(".flash").inner_text()
    await until(lambda: _count(receiver, 2), "the receiver got it again")
    first, again = receiver.received
    assert first.data["id"] == again.data["id"] and first.delivery != again.delivery
    assert verify(hook.secret, again.signature, again.body, int(time.time()))
    await desk.screenshot(page, "webhooks-log-1440")

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.reload()
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 390
    boxes = page.locator(".hook-events .check")
    heights = [(await boxes.nth(n).bounding_box())["height"] for n in range(await boxes.count())]
    assert heights and min(heights) >= 44, heights
    log = page.locator(".hook-log")
    assert await log.evaluate("(el) => el.scrollWidth > el.clientWidth")  # it scrolls, not the page
    await desk.screenshot(page, "webhooks-390")


async def _count(receiver: Receiver, count: int) -> bool:
    return len(receiver.received) >= count

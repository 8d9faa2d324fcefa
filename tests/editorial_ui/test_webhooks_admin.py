"""/admin/webhooks over HTTP: an admin adds a webhook (its secret shown on that answer only),
changes and switches it off, renews the secret, reads the delivery log, sends a delivery
again and deletes the webhook; every change is audited; other roles are refused."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.settings import Settings
from tipdesk.tips import actions
from tipdesk.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.usefixtures("app")
URL = "https://cms.example.nl/tipdesk"


async def admin_in(client: httpx.AsyncClient, role: Role = Role.ADMIN) -> str:
    await create_editor("ada@desk.example", "Ada Admin", role, PASSWORD)
    await log_in_as(client, "ada@desk.example")
    return await csrf(client, "/board")


def secret_on(page: str) -> str:
    found = re.search(r"(whsec_[\w-]+)", page)
    assert found, page
    return found.group(1)


async def test_an_admin_adds_changes_and_deletes_a_webhook(client: httpx.AsyncClient) -> None:
    token = await admin_in(client)
    assert 'href="/admin/webhooks"' in (await client.get("/admin")).text
    added = await client.post(
        "/admin/webhooks",
        data={"csrf_token": token, "url": URL, "events": ["tip.used", "reader.erased"],
              "description": "CMS", "active": "on"},
    )  # fmt: skip
    assert added.status_code == 200
    secret = secret_on(added.text)
    hook = await WebhookSubscription.get()
    assert (hook.url, hook.events, hook.active, hook.secret) == (
        URL, ["tip.used", "reader.erased"], True, secret,
    )  # fmt: skip
    assert secret not in (await client.get("/admin/webhooks")).text
    changed = await client.post(
        f"/admin/webhooks/{hook.id}",
        data={"csrf_token": token, "url": URL, "events": ["tip.created"], "description": "CMS"},
    )
    assert changed.status_code == 303
    hook = await WebhookSubscription.get()
    assert (hook.events, hook.active) == (["tip.created"], False)
    renewed = await client.post(f"/admin/webhooks/{hook.id}/secret", data={"csrf_token": token})
    assert (
        secret_on(renewed.text) not in (secret, "")
        and secret_on(renewed.text) == (await WebhookSubscription.get()).secret
    )
    refused = await client.post(
        "/admin/webhooks",
        data={"csrf_token": token, "url": "http://cms.example.nl/", "events": ["tip.used"]},
    )
    shown = html.unescape((await client.get(refused.headers["location"])).text)
    assert "https" in shown and await WebhookSubscription.all().count() == 1
    await client.post(f"/admin/webhooks/{hook.id}/delete", data={"csrf_token": token})
    assert not await WebhookSubscription.exists()
    trail = await AuditEvent.all().order_by("id").values_list("action", flat=True)
    assert [a for a in trail if a.startswith("webhook.")] == [
        "webhook.saved", "webhook.saved", "webhook.secret_rotated", "webhook.deleted",
    ]  # fmt: skip


async def test_the_log_shows_each_delivery_and_one_can_be_sent_again(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    token = await admin_in(client)
    await client.post(
        "/admin/webhooks",
        data={"csrf_token": token, "url": URL, "events": ["tip.claimed"], "active": "on"},
    )
    tip = await make_tip("Boom op de weg")
    await actions.claim_tip(tip.id, await Editor.get(email="ada@desk.example"), settings)
    delivery = await WebhookDelivery.get()
    page = (await client.get("/admin/webhooks")).text
    assert "tip opgepakt" in page and f'href="/tips/{tip.id}"' in page and "wacht" in page
    again = await client.post(
        f"/admin/webhooks/deliveries/{delivery.id}/redeliver", data={"csrf_token": token}
    )
    assert again.status_code == 303
    copy = await WebhookDelivery.filter(redelivery_of=delivery.id).get()
    assert (copy.body, copy.event_id, copy.lane) == (
        delivery.body,
        delivery.event_id,
        delivery.lane,
    )
    assert await AuditEvent.filter(action="webhook.redelivered").exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.CHIEF])
async def test_only_admins_keep_webhooks(client: httpx.AsyncClient, role: Role) -> None:
    token = await admin_in(client, role)
    assert (await client.get("/admin/webhooks")).status_code == 403
    sent = await client.post(
        "/admin/webhooks", data={"csrf_token": token, "url": URL, "events": ["tip.used"]}
    )
    assert sent.status_code == 403 and not await WebhookSubscription.exists()

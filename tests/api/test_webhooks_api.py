"""`/api/v1/webhooks` over HTTP: admins list, create and delete subscriptions; the secret is in
the POST's answer only; other roles get 403; URLs and events are checked, every change audited."""

from __future__ import annotations

import httpx
import pytest

from tipdesk.audit.models import AuditEvent
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role
from tipdesk.webhooks.models import WebhookSubscription

pytestmark = pytest.mark.usefixtures("app")


async def token(email: str, role: Role) -> dict[str, str]:
    await create_editor(email, email.split("@")[0], role, "correct horse battery")
    return {"authorization": f"Bearer {await create_token(email, 'tests')}"}


async def test_an_admin_keeps_webhooks_and_sees_the_secret_once(client: httpx.AsyncClient) -> None:
    admin = await token("ada@desk.example", Role.ADMIN)
    body = {"url": "https://cms.example.nl/hooks", "events": ["tip.used", "tip.created"]}
    created = await client.post("/api/v1/webhooks", json=body, headers=admin)
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 40
    assert hook["events"] == ["tip.created", "tip.used"]  # in the desk's order
    listed = (await client.get("/api/v1/webhooks", headers=admin)).json()["items"]
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    gone = await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin)
    assert gone.status_code == 204 and not await WebhookSubscription.exists()
    trail = await AuditEvent.all().order_by("id").values_list("action", "detail")
    assert [a for a, _ in trail if a.startswith("webhook.")] == ["webhook.saved", "webhook.deleted"]
    assert hook["secret"] not in str(trail)


@pytest.mark.parametrize(
    ("url", "events", "says"),
    [
        ("http://cms.example.nl/hooks", ["tip.used"], "https"),
        ("https://user:pw@cms.example.nl/", ["tip.used"], "user name"),
        ("ftp://cms.example.nl/", ["tip.used"], "scheme"),
        ("https://cms.example.nl/", [], "at least one event"),
        ("https://cms.example.nl/", ["tip.deleted"], "not a webhook event"),
        ("https:///nohost", ["tip.used"], "host"),
    ],
)
async def test_what_the_desk_refuses_to_subscribe(
    client: httpx.AsyncClient, url: str, events: list[str], says: str
) -> None:
    admin = await token("ada@desk.example", Role.ADMIN)
    refused = await client.post(
        "/api/v1/webhooks", json={"url": url, "events": events}, headers=admin
    )
    assert refused.status_code == 400 and says in refused.json()["error"]["message"]
    assert not await WebhookSubscription.exists()


async def test_a_chief_may_not_keep_webhooks(client: httpx.AsyncClient) -> None:
    chief = await token("carla@desk.example", Role.CHIEF)
    body = {"url": "https://cms.example.nl/hooks", "events": ["tip.used"]}
    assert (await client.get("/api/v1/webhooks", headers=chief)).status_code == 403
    assert (await client.post("/api/v1/webhooks", json=body, headers=chief)).status_code == 403
    assert (await client.delete("/api/v1/webhooks/1", headers=chief)).status_code == 403
    assert (await client.get("/api/v1/webhooks")).status_code == 401

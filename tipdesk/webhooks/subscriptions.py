"""What admins do to webhook subscriptions (the admin page and the API both call these): create,
change, switch off, delete, renew a secret, redeliver. Each is audited; a secret is shown once,
by the caller that created or renewed it, and never written to the trail."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_administer
from tipdesk.errors import Forbidden, InvalidInput, NotFound
from tipdesk.settings import Settings
from tipdesk.webhooks.delivery import wake_lane
from tipdesk.webhooks.events import WebhookEvent, parse_events
from tipdesk.webhooks.models import DeliveryState, WebhookDelivery, WebhookSubscription
from tipdesk.webhooks.outbox import owe
from tipdesk.webhooks.reach import checked_url
from tipdesk.webhooks.signing import new_secret

MAX_DESCRIPTION = 200
MAX_SUBSCRIPTIONS = 50
REFUSAL = "only an admin may keep webhooks"


@dataclass(frozen=True)
class Wanted:
    """A subscription as the admin asks for it."""

    url: str
    events: list[str]
    description: str = ""
    active: bool = True


def _allowed(editor: Editor) -> None:
    if not may_administer(editor):
        raise Forbidden(REFUSAL, reason="admins_only")


def _checked(wanted: Wanted, settings: Settings) -> tuple[str, list[str], str]:
    url = checked_url(wanted.url, settings.webhook_private_hosts)
    try:
        events = [event.value for event in parse_events(wanted.events)]
    except ValueError as exc:
        raise InvalidInput(str(exc), reason="hook_unknown_event") from None
    if not events:
        raise InvalidInput("a webhook needs at least one event", reason="hook_no_events")
    description = " ".join(wanted.description.split())
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"a description has at most {MAX_DESCRIPTION} characters",
            reason="hook_description_too_long",
            values={"limit": MAX_DESCRIPTION},
        )
    return url, events, description


async def subscriptions() -> list[WebhookSubscription]:
    return list(await WebhookSubscription.all().order_by("id"))


async def create_subscription(
    editor: Editor, wanted: Wanted, settings: Settings
) -> tuple[WebhookSubscription, str]:
    """The new subscription and its secret, which the caller shows once."""
    _allowed(editor)
    url, events, description = _checked(wanted, settings)
    secret = new_secret()
    async with in_transaction() as connection:
        if await WebhookSubscription.all().using_db(connection).count() >= MAX_SUBSCRIPTIONS:
            raise InvalidInput(
                f"the desk keeps at most {MAX_SUBSCRIPTIONS} webhooks",
                reason="hook_too_many",
                values={"limit": MAX_SUBSCRIPTIONS},
            )
        subscription = await WebhookSubscription.create(
            url=url, secret=secret, events=events, description=description,
            active=wanted.active, using_db=connection,
        )  # fmt: skip
        await _audit(AuditAction.WEBHOOK_SAVED, editor, subscription, connection)
    return subscription, secret


async def change_subscription(
    editor: Editor, subscription_id: int, wanted: Wanted, settings: Settings
) -> WebhookSubscription:
    """New URL, events, description or switch; switched on again, its waiting lanes go on."""
    _allowed(editor)
    url, events, description = _checked(wanted, settings)
    async with in_transaction() as connection:
        subscription = await _get(subscription_id, connection)
        woken = wanted.active and not subscription.active
        subscription.update_from_dict(
            {"url": url, "events": events, "description": description, "active": wanted.active}
        )
        await subscription.save(using_db=connection)
        await _audit(AuditAction.WEBHOOK_SAVED, editor, subscription, connection)
        if woken:
            lanes = await (
                WebhookDelivery.filter(subscription_id=subscription.id, state=DeliveryState.PENDING)
                .using_db(connection)
                .distinct()
                .values_list("lane", flat=True)
            )
            for lane in lanes:
                await wake_lane(subscription.id, str(lane), connection)
    return subscription


async def renew_secret(editor: Editor, subscription_id: int) -> str:
    _allowed(editor)
    secret = new_secret()
    async with in_transaction() as connection:
        subscription = await _get(subscription_id, connection)
        subscription.secret = secret
        await subscription.save(using_db=connection, update_fields=["secret", "updated_at"])
        await _audit(AuditAction.WEBHOOK_SECRET_ROTATED, editor, subscription, connection)
    return secret


async def delete_subscription(editor: Editor, subscription_id: int) -> None:
    """The subscription and its delivery log go; what was owed is not sent."""
    _allowed(editor)
    async with in_transaction() as connection:
        subscription = await _get(subscription_id, connection)
        await _audit(AuditAction.WEBHOOK_DELETED, editor, subscription, connection)
        await WebhookSubscription.filter(id=subscription.id).using_db(connection).delete()


async def redeliver(editor: Editor, delivery_id: int) -> WebhookDelivery:
    """The same body (the same `id`) owed again, at the end of its lane, with a fresh day of
    retries; the original stays in the log as it ended."""
    _allowed(editor)
    async with in_transaction() as connection:
        original = await WebhookDelivery.filter(id=delivery_id).using_db(connection).first()
        if original is None:
            raise NotFound("no such webhook delivery", reason="no_such_delivery")
        subscription = await _get(original.subscription_id, connection)
        copy = await owe(
            subscription, WebhookEvent(original.event), original.event_id, original.lane,
            original.body, original.tip_id, original.sender_id, connection,
            redelivery_of=original.id,
        )  # fmt: skip
        await record(
            AuditAction.WEBHOOK_REDELIVERED, editor=editor, using_db=connection,
            detail={"webhook_id": subscription.id, "delivery_id": original.id, "copy": copy.id},
        )  # fmt: skip
    return copy


async def recent_deliveries(limit: int = 50) -> list[WebhookDelivery]:
    return list(await WebhookDelivery.all().order_by("-id").limit(limit))


async def _get(subscription_id: int, connection: BaseDBAsyncClient) -> WebhookSubscription:
    subscription = await WebhookSubscription.filter(id=subscription_id).using_db(connection).first()
    if subscription is None:
        raise NotFound("no such webhook", reason="no_such_hook")
    return subscription


async def _audit(
    action: AuditAction,
    editor: Editor,
    subscription: WebhookSubscription,
    connection: BaseDBAsyncClient,
) -> None:
    await record(
        action, editor=editor, using_db=connection,
        detail={"webhook_id": subscription.id, "url": subscription.url,
                "events": list(subscription.events), "active": subscription.active},
    )  # fmt: skip

"""The `webhooks.deliver` job: a lane's deliveries sent in order, each signed at its attempt.

One job per (subscription, lane) waits at a time (its dedupe key). It sends the lane's oldest
pending delivery, then the next, until the lane is empty or its head must wait: a failed
attempt schedules the head again with exponential backoff (TIPDESK_WEBHOOK_RETRY_BASE,
doubling, at most an hour) until TIPDESK_WEBHOOK_GIVE_UP_AFTER has passed since it was owed,
then gives it up and lets the next one go. Before sending, a worker takes the head
(`sending_until`, one conditional UPDATE), so two workers never send a lane at once; a worker
that dies leaves the head to whoever comes after that moment. At least once: a receiver that
answered but whose answer was lost gets the body again, with the same `id` to dedupe on.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from tipdesk import __version__
from tipdesk.clock import utcnow
from tipdesk.jobs import queue
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.settings import Settings
from tipdesk.webhooks.models import DeliveryState, WebhookDelivery, WebhookSubscription
from tipdesk.webhooks.reach import HookTransport, WebhookRefused
from tipdesk.webhooks.signing import header

log = logging.getLogger("tipdesk.webhooks")
WEBHOOKS_DELIVER = "webhooks.deliver"
# A lane longer than this is carried on by a fresh job, so one stays within its time limit.
BATCH = 20


@dataclass(frozen=True)
class LaneToDeliver:
    subscription_id: int
    lane: str

    def __post_init__(self) -> None:
        if self.subscription_id < 1 or not self.lane:
            raise ValueError("needs a positive subscription_id and a lane")


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def deliver_lane(context: JobContext, payload: LaneToDeliver) -> None:
    subscription = await WebhookSubscription.get_or_none(id=payload.subscription_id)
    if subscription is None or not subscription.active:
        return  # enabling it again wakes its lanes
    settings = context.settings
    async with _client(settings) as http:
        for _ in range(BATCH):
            head = await _head(payload)
            if head is None:
                return
            now = utcnow()
            if head.next_attempt_at > now:
                await wake_lane(payload.subscription_id, payload.lane, run_at=head.next_attempt_at)
                return
            hold = now + settings.webhook_timeout * 2 + timedelta(seconds=5)
            held = await _take(head, now, hold)
            if held is not None:  # another worker is sending it: come back when its hold lapses
                await wake_lane(payload.subscription_id, payload.lane, run_at=held)
                return
            outcome = await attempt(http, subscription, head, settings)
            if not await _settle(head, outcome, settings):
                return
    await wake_lane(payload.subscription_id, payload.lane)


async def _head(payload: LaneToDeliver) -> WebhookDelivery | None:
    return (
        await WebhookDelivery.filter(
            subscription_id=payload.subscription_id, lane=payload.lane, state=DeliveryState.PENDING
        )
        .order_by("id")
        .first()
    )


async def _take(head: WebhookDelivery, now: datetime, until: datetime) -> datetime | None:
    """Hold the head until `until`: None when this worker has it, else when the other
    worker's hold lapses."""
    free = Q(sending_until__isnull=True) | Q(sending_until__lt=now)
    taken = await WebhookDelivery.filter(free, id=head.id, state=DeliveryState.PENDING).update(
        sending_until=until
    )
    if taken == 1:
        return None
    held = await WebhookDelivery.filter(id=head.id).values_list("sending_until", flat=True)
    return held[0] if held and isinstance(held[0], datetime) else now


async def attempt(
    http: httpx.AsyncClient,
    subscription: WebhookSubscription,
    delivery: WebhookDelivery,
    settings: Settings,
) -> Outcome:
    """One POST, its answer's body never read: only the status counts."""
    stamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": f"Tipdesk-Webhooks/{__version__}",
        "tipdesk-event": delivery.event,
        "tipdesk-delivery": str(delivery.id),
        "tipdesk-signature": header(subscription.secret, stamp, delivery.body),
    }
    request = http.build_request(
        "POST", subscription.url, content=delivery.body.encode(), headers=headers
    )
    try:
        async with asyncio.timeout(settings.webhook_timeout.total_seconds()):
            response = await http.send(request, stream=True)
            await response.aclose()
    except WebhookRefused as refused:
        return Outcome(None, refused.message[:300])
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(None, f"no answer within {settings.webhook_timeout.total_seconds():g} s")
    except httpx.HTTPError as exc:
        return Outcome(None, f"could not reach the receiver ({type(exc).__name__})")
    if response.is_redirect:
        return Outcome(response.status_code, "redirected (redirects are not followed)")
    error = None if 200 <= response.status_code < 300 else f"answered {response.status_code}"
    return Outcome(response.status_code, error)


async def _settle(head: WebhookDelivery, outcome: Outcome, settings: Settings) -> bool:
    """Record the attempt; True when the lane may go on to its next delivery."""
    now = utcnow()
    attempts = head.attempts + 1
    values: dict[str, object] = {
        "attempts": attempts, "last_attempt_at": now, "sending_until": None,
        "response_status": outcome.status, "error": outcome.error,
    }  # fmt: skip
    if outcome.delivered:
        values.update(state=DeliveryState.DELIVERED, delivered_at=now)
    elif now - head.created_at >= settings.webhook_give_up_after:
        values.update(state=DeliveryState.GIVEN_UP)
        log.warning("webhook delivery %d given up after %d attempts", head.id, attempts)
    else:
        retry_at = now + queue.backoff(settings.webhook_retry_base, attempts)
        values.update(next_attempt_at=retry_at)
        await WebhookDelivery.filter(id=head.id).update(**values)
        await wake_lane(head.subscription_id, head.lane, run_at=retry_at)
        return False
    await WebhookDelivery.filter(id=head.id).update(**values)
    return True


async def wake_lane(
    subscription_id: int,
    lane: str,
    connection: BaseDBAsyncClient | None = None,
    *,
    run_at: datetime | None = None,
) -> None:
    """Queue the lane's job unless one waits already. Plain `queue.enqueue`: the audit trail's
    listener that calls this has no settings, so the kind's own attempts count."""
    await queue.enqueue(
        WEBHOOKS_DELIVER,
        DELIVER_JOB.dump(LaneToDeliver(subscription_id, lane)),
        max_attempts=DELIVER_ATTEMPTS,
        using_db=connection,
        dedupe_key=f"{WEBHOOKS_DELIVER}:{subscription_id}:{lane}",
        run_at=run_at,
        priority=DELIVER_JOB.priority,
    )


def _client(settings: Settings) -> httpx.AsyncClient:
    """A client per job: connections are pinned to checked addresses, never pooled across
    receivers."""
    transport = HookTransport(
        settings.webhook_private_hosts, httpx.AsyncHTTPTransport(verify=_tls())
    )
    seconds = settings.webhook_timeout.total_seconds()
    return httpx.AsyncClient(
        transport=transport, timeout=httpx.Timeout(seconds), follow_redirects=False
    )


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle takes some 30 ms."""
    return httpx.create_ssl_context()


# Attempts of the job, not of a delivery: a delivery's own failures never fail the job; this
# counts database trouble and crashed workers.
DELIVER_ATTEMPTS = 10
DELIVER_JOB = JobKind(
    WEBHOOKS_DELIVER, LaneToDeliver, deliver_lane, priority=70,
    timeout=timedelta(minutes=10), max_attempts=DELIVER_ATTEMPTS,
)  # fmt: skip

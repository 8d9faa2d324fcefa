"""Nothing lost, nothing twice: duplicates, replay storms, and broken siblings."""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.intake.builders import BASE_TIME, image_message, notification, text_message
from tests.intake.conftest import Meta, fixture, meta_bytes
from tipdesk.channels.events import InboundMessage, Reader, Role
from tipdesk.clock import utcnow
from tipdesk.desk import desk_worker
from tipdesk.intake.models import InboundState, InboundWebhook, WebhookError
from tipdesk.intake.recording import record_message
from tipdesk.jobs.models import Job, JobState
from tipdesk.jobs.worker import Worker
from tipdesk.settings import Settings
from tipdesk.tips.models import Direction, MediaAsset, Message, Sender, Tip

pytestmark = pytest.mark.usefixtures("app")


async def test_the_same_message_any_number_of_times_is_stored_once(meta: Meta) -> None:
    payload = fixture("image_caption")
    await meta.deliver(payload, payload, payload)
    await meta.deliver(payload)  # "days apart": after everything was processed
    assert await Message.filter(direction=Direction.INBOUND).count() == 1
    assert await MediaAsset.all().count() == 1
    assert await Job.filter(kind="media.fetch").count() == 1
    assert await Tip.all().count() == 1


async def test_ids_are_unique_per_channel_so_another_channel_never_collides(
    meta: Meta, settings: Settings
) -> None:
    await meta.deliver(notification(text_message("wamid.same", "Brand in de haven")))
    reader = Reader(phone=None, user_id=None, display_name="", address="31612345678")
    same = InboundMessage(
        external_id="wamid.same", reader=reader, sent_at=utcnow(), type="text",
        role=Role.CONTENT, text="Brand in de haven", content={},
    )  # fmt: skip
    assert await record_message("webform", same, settings) is True
    assert await record_message("webform", same, settings) is False  # idempotent there too
    readers = await Sender.all().order_by("id").values_list("channel", "address")
    assert readers == [("whatsapp", "31612345678"), ("webform", "31612345678")]
    messages = Message.filter(direction=Direction.INBOUND).order_by("id")
    assert await messages.values_list("channel", "external_id") == [
        ("whatsapp", "wamid.same"), ("webform", "wamid.same"),
    ]  # fmt: skip


async def test_a_job_run_twice_changes_nothing_the_second_time(meta: Meta) -> None:
    await meta.deliver(fixture("batch_two_messages"), fixture("value_errors"))
    webhook_jobs = await Job.filter(kind="intake.process")
    await Job.filter(kind="intake.process").update(state=JobState.QUEUED, attempts=0)
    assert await meta.worker.drain() == len(webhook_jobs)
    assert await Message.filter(direction=Direction.INBOUND).count() == 2
    assert await WebhookError.all().count() == 1


async def run_workers_until_intake_is_done(worker: Worker, timeout: float = 120) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        async with asyncio.timeout(timeout):
            pending = {JobState.QUEUED, JobState.RUNNING}
            while await Job.filter(kind="intake.process", state__in=pending).exists():
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task


async def test_replay_storm_200_messages_three_times_shuffled_and_concurrent(meta: Meta) -> None:
    readers = [f"3161000{n:04d}" for n in range(20)]
    payloads = []
    for index in range(200):
        reader = readers[index % 20]
        at = BASE_TIME + (index // 20) * 60  # each reader writes once a minute: one tip each
        if index % 4 == 0:
            message = image_message(f"wamid.storm.{index}", f"media-{index}", sender=reader, at=at)
        else:
            message = text_message(f"wamid.storm.{index}", f"Bericht {index}", sender=reader, at=at)
        payloads.append(notification(message, name=f"Lezer {reader[-4:]}"))
    # Each copy differs in its trailing whitespace: identical bytes would be answered from the
    # inbox's window without being stored again; these must be made idempotent by their wamids.
    deliveries = [meta_bytes(p) + b"\n" * copy for p in payloads for copy in range(3)]
    random.Random(20261123).shuffle(deliveries)
    gate = asyncio.Semaphore(16)

    async def post(payload: bytes) -> int:
        async with gate:
            return (await meta.post(payload)).status_code

    statuses = await asyncio.gather(*(post(p) for p in deliveries))
    assert set(statuses) == {200}
    await run_workers_until_intake_is_done(
        desk_worker(meta.worker.settings, meta.worker.kinds, concurrency=4)
    )
    # The inbox writes one job per group of bodies it commits; every body was parsed.
    assert await InboundWebhook.filter(state=InboundState.PROCESSED).count() == 600
    assert await Job.exclude(state=JobState.DONE).filter(kind="intake.process").count() == 0
    assert await Message.filter(direction=Direction.INBOUND).count() == 200
    assert await Sender.all().count() == 20
    assert await Tip.all().count() == 20
    for sender in await Sender.all():
        tips = await Tip.filter(sender_id=sender.id).count()
        assert tips == 1
        assert await Message.filter(sender_id=sender.id, direction=Direction.INBOUND).count() == 10
        # However often the first message came, its tip was confirmed once.
        assert await Message.filter(sender_id=sender.id, purpose="confirmation").count() == 1
    assert await MediaAsset.all().count() == 50
    assert await Job.filter(kind="media.fetch").count() == 50


@pytest.mark.parametrize(
    ("broken", "detail"),
    [
        (
            {
                "from": "31612345678",
                "timestamp": "1790512340",
                "type": "text",
                "text": {"body": "x"},
            },
            "id is missing",
        ),
        (
            {"from": "31612345678", "id": 12345, "timestamp": "1790512340", "type": "text"},
            "id is missing",
        ),
        ({"from": "31612345678", "id": "w", "timestamp": "gisteren", "type": "text"}, "timestamp"),
        (
            {"from": "31612345678", "id": "w", "timestamp": "99999999999", "type": "text"},
            "out of range",
        ),
        ({"from": "31612345678", "id": "w", "timestamp": "1790512340"}, "type is missing"),
        (
            {"from": "31612345678", "id": "w", "timestamp": "1790512340", "type": ["text"]},
            "type is missing",
        ),
        (
            {"id": "w", "timestamp": "1790512340", "type": "text", "text": {"body": "x"}},
            "from_user_id",
        ),
        (
            {"from": "31612345678", "id": "w", "timestamp": "1790512340", "type": "image"},
            "without its image",
        ),
        (
            {
                "from": "31612345678",
                "id": "w",
                "timestamp": "1790512340",
                "type": "image",
                "image": {"mime_type": "image/jpeg"},
            },
            "id is missing",
        ),
        (
            {"from": "31612345678", "id": "w" * 300, "timestamp": "1790512340", "type": "text"},
            "id is missing",
        ),
    ],
)
async def test_a_broken_message_is_kept_as_an_error_and_its_siblings_proceed(
    meta: Meta, broken: dict[str, object], detail: str
) -> None:
    good = text_message("wamid.good", "Deze is wel goed")
    await meta.deliver(notification(good, broken))
    assert [m.external_id for m in await Message.filter(direction=Direction.INBOUND)] == [
        "wamid.good"
    ]
    error = await WebhookError.get()
    assert error.kind == "invalid_message"
    assert detail in error.detail


async def test_wrong_types_at_every_level_never_break_processing(meta: Meta) -> None:
    good = notification(text_message("wamid.good", "Goed"))
    odd_entries: list[object] = [
        1,
        "x",
        None,
        [],
        {"changes": "nope"},
        {"changes": [1, None, {"value": []}]},
        {"changes": [{"value": {"metadata": "x"}}]},
        {
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "metadata": {"phone_number_id": "104567890123456"},
                        "messages": {"not": "a list"},
                        "statuses": [1, "a"],
                        "contacts": "nobody",
                        "errors": "none",
                    },
                }
            ]
        },
        {"changes": [{"field": "user_preferences", "value": {}}]},
    ]
    good["entry"].extend(odd_entries)
    response = await meta.post(good)
    assert response.status_code == 200
    await meta.worker.drain()
    assert [m.external_id for m in await Message.filter(direction=Direction.INBOUND)] == [
        "wamid.good"
    ]
    assert await WebhookError.all().count() >= 4
    assert await Job.filter(state=JobState.DONE).count() == 1

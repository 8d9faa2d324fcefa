"""A desk wired to the fake Graph API on a real port, for media tests."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.servers import serving
from tipdesk.clock import utcnow
from tipdesk.desk import desk_worker
from tipdesk.jobs.models import Job, JobState
from tipdesk.jobs.queue import enqueue
from tipdesk.media.states import media_store
from tipdesk.settings import Settings
from tipdesk.tips.models import Direction, MediaAsset, MediaKind, Message, Sender, Tip
from tipdesk.whatsapp.fake import FakeGraph, FakeGraphConfig, create_fake_graph

TOKEN = "media-test-token"
NUMBER = "104567890123456"


@dataclass
class Desk:
    settings: Settings
    fake: FakeGraph

    async def asset(
        self,
        data: bytes,
        mime: str,
        kind: MediaKind,
        *,
        faults: list[str] | None = None,
        sender: str = "31612345678",
        age: timedelta = timedelta(0),
        declare_checksum: bool = True,
    ) -> MediaAsset:
        media_id = self.fake.store_media(data, mime, faults)
        reader, _ = await Sender.get_or_create(
            channel="whatsapp",
            address=sender,
            defaults={"phone": sender, "first_contact_at": utcnow()},
        )
        sent = utcnow() - age
        tip = await Tip.create(sender=reader, first_message_at=sent, last_message_at=sent)
        message = await Message.create(
            channel="whatsapp",
            external_id=f"wamid.{media_id}",
            tip=tip,
            sender=reader,
            direction=Direction.INBOUND,
            type=kind.value,
            sent_at=sent,
        )
        digest = (
            base64.b64encode(hashlib.sha256(data).digest()).decode() if declare_checksum else None
        )
        asset = await MediaAsset.create(
            token=secrets.token_urlsafe(24),
            tip=tip,
            message=message,
            kind=kind,
            external_media_id=media_id,
            declared_mime=mime,
            declared_sha256=digest,
        )
        await enqueue(
            "media.fetch",
            {"asset_id": asset.id},
            max_attempts=self.settings.job_max_attempts,
            dedupe_key=f"media.fetch:{asset.id}",
        )
        return asset

    async def settle(self, timeout: float = 120) -> None:
        """Run jobs, retries included, until none is queued or running."""
        worker = desk_worker(self.settings)
        async with asyncio.timeout(timeout):
            while await Job.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).exists():
                if not await worker.drain():
                    await asyncio.sleep(0.05)


@pytest.fixture
async def desk(environ: dict[str, str]) -> AsyncIterator[Desk]:
    app = create_fake_graph(
        FakeGraphConfig(app_secret="s", access_token=TOKEN, phone_number_id=NUMBER)
    )
    async with serving(app) as base:
        settings = Settings.from_env(
            {**environ, "TIPDESK_GRAPH_API_URL": f"{base}/v23.0"}, env_file=None
        )
        yield Desk(settings, app.state.fake)
        tmp = media_store(settings).root / "tmp"
        assert not tmp.exists() or list(tmp.iterdir()) == [], "temporary files were left behind"


@pytest.fixture
def environ(environ: dict[str, str]) -> dict[str, str]:
    return {
        **environ,
        "TIPDESK_WHATSAPP_ACCESS_TOKEN": TOKEN,
        "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER,
        "TIPDESK_WHATSAPP_APP_SECRET": "s",
        "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
        "TIPDESK_JOB_RETRY_BASE": "20ms",
        "TIPDESK_JOB_MAX_ATTEMPTS": "4",
        "TIPDESK_GRAPH_API_URL": "http://127.0.0.1:9/v23.0",
    }

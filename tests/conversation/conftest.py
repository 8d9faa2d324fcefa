"""A newsroom for conversation tests: the desk on a real port, the fake Graph API on another,
webhooks signed and delivered over HTTP both ways, and editors with API tokens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.editorial_ui.sessions import PASSWORD
from tests.servers import free_port, serving
from tipdesk.app import create_app
from tipdesk.clock import utcnow
from tipdesk.desk import desk_job_kinds, desk_worker
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role
from tipdesk.intake.inbox import PROCESS_WEBHOOK
from tipdesk.jobs.models import Job, JobState
from tipdesk.settings import Settings
from tipdesk.tips.models import DeliveryState, Message, Sender, Tip
from tipdesk.whatsapp.fake import FakeGraph, FakeGraphConfig, create_fake_graph

APP_SECRET = "conversation-app-secret"
ACCESS_TOKEN = "conversation-access-token"
NUMBER_ID = "104567890123456"
ANNE = "31612345678"  # a Dutch reader
JOHN = "447700900123"  # an English one


@dataclass
class Newsroom:
    settings: Settings
    fake: FakeGraph
    desk: httpx.AsyncClient
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    async def writes(
        self,
        text: str = "",
        *,
        wa_id: str = ANNE,
        name: str = "Anne",
        to: str | None = None,
        **message: Any,
    ) -> str:
        """The reader sends a message (a text, or any Cloud API message object) to the desk's
        number `to` (its main one by default); its wamid."""
        body = message or {"type": "text", "text": {"body": text}}
        wamid = self.fake.reader_sends(body, wa_id, name, to)
        await self.settle()
        return wamid

    async def taps(
        self, button_id: str, title: str, *, wa_id: str = ANNE, name: str = "Anne"
    ) -> str:
        reply = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
        return await self.writes(wa_id=wa_id, name=name, type="interactive", interactive=reply)

    async def settle(self, timeout: float = 30) -> None:
        """Until Meta's deliveries are acknowledged and no job is due: a quiet desk."""
        kinds = desk_job_kinds(self.settings)
        worker = desk_worker(self.settings, kinds)
        deadline = time.monotonic() + timeout
        while True:
            assert time.monotonic() < deadline, "the desk never settled"
            ran = await worker.drain()
            # Jobs paced or retried a moment later count as work still to do.
            due = await Job.filter(
                state=JobState.QUEUED,
                kind__in=list(kinds),
                run_at__lte=utcnow() + timedelta(seconds=3),
            ).exists()
            if not ran and not due and self.fake.deliverer.idle:
                await asyncio.sleep(0.05)  # statuses of the last send are on their way
                if self.fake.deliverer.idle and not await worker.drain():
                    return
            await asyncio.sleep(0.02)

    async def settle_intake(self) -> None:
        """Like settle, but only intake runs: jobs it queues (an erasure, say) stay queued."""
        worker = desk_worker(
            self.settings, {PROCESS_WEBHOOK: desk_job_kinds(self.settings)[PROCESS_WEBHOOK]}
        )
        for _ in range(100):
            await worker.drain()
            if self.fake.deliverer.idle:
                await worker.drain()
                return
            await asyncio.sleep(0.05)
        raise AssertionError("deliveries never finished")

    def sent(self, wa_id: str = ANNE) -> list[dict[str, Any]]:
        """What the desk sent this reader, as the Graph API received it."""
        return [m["body"] for m in self.fake.state.sent if m["to"] == wa_id]

    def texts_sent(self, wa_id: str = ANNE) -> list[str]:
        bodies = []
        for body in self.sent(wa_id):
            kind = body.get("type")
            if kind == "text":
                bodies.append(body["text"]["body"])
            elif kind == "interactive":
                bodies.append(body["interactive"]["body"]["text"])
            else:
                bodies.append(f"<{kind} {body.get(kind, {}).get('name', '')}>")
        return bodies

    async def editor(self, name: str, role: Role = Role.EDITOR) -> dict[str, str]:
        if name not in self.tokens:
            email = f"{name.lower()}@desk.example"
            await create_editor(email, name, role, PASSWORD)
            self.tokens[name] = {"authorization": f"Bearer {await create_token(email, 'tests')}"}
        return self.tokens[name]

    async def api(
        self, method: str, path: str, editor: str = "Bram", **kwargs: Any
    ) -> httpx.Response:
        headers = await self.editor(editor, Role.CHIEF if editor == "Chief" else Role.EDITOR)
        response = await self.desk.request(method, path, headers=headers, **kwargs)
        await self.settle()
        return response

    async def tip_of(self, wamid: str) -> Tip:
        message = await Message.get(external_id=wamid)
        assert message.tip_id is not None
        return await Tip.get(id=message.tip_id)

    async def age_window(self, wa_id: str = ANNE, hours: float = 25, *, desk: bool = True) -> None:
        """Let time pass since the reader last wrote: on Meta's side, and on the desk's."""
        self.fake.state.last_inbound[wa_id] -= hours * 3600
        if desk:
            sender = await Sender.get(address=wa_id)
            assert sender.last_inbound_at is not None
            await Sender.filter(id=sender.id).update(
                last_inbound_at=sender.last_inbound_at - timedelta(hours=hours)
            )


@pytest.fixture
def environ(environ: dict[str, str]) -> dict[str, str]:
    return {
        **environ,
        "TIPDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "TIPDESK_WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER_ID,
        "TIPDESK_WHATSAPP_VERIFY_TOKEN": "verify",
        "TIPDESK_OPENING_HOURS": "24/7",
        "TIPDESK_JOB_RETRY_BASE": "20ms",
        "TIPDESK_READER_SEND_INTERVAL": "1ms",
    }


@pytest.fixture
async def newsroom(environ: dict[str, str]) -> AsyncIterator[Newsroom]:
    desk_port = free_port()
    # The desk's other numbers (TIPDESK_NUMBERS_FILE), to the fake too.
    numbers = Settings.from_env(environ, env_file=None).numbers
    graph = create_fake_graph(
        FakeGraphConfig(
            app_secret=APP_SECRET,
            access_token=ACCESS_TOKEN,
            phone_number_id=NUMBER_ID,
            other_numbers=tuple(n.phone_number_id for n in numbers[1:]),
            webhook_url=f"http://127.0.0.1:{desk_port}/webhooks/whatsapp",
            seed=7,
        )
    )
    async with serving(graph) as graph_url:
        settings = Settings.from_env(
            {**environ, "TIPDESK_GRAPH_API_URL": f"{graph_url}/v23.0"}, env_file=None
        )
        async with (
            serving(create_app(settings), port=desk_port) as desk_url,
            httpx.AsyncClient(base_url=desk_url) as desk,
        ):
            newsroom = Newsroom(settings, graph.state.fake, desk)
            yield newsroom
            # Whatever a test did, nothing the desk sent broke the contract's limits: the fake
            # checked every body, and the desk's own check refused nothing either.
            assert newsroom.fake.state.rejected == []
            refused = await Message.filter(delivery=DeliveryState.FAILED).values_list(
                "delivery_error", flat=True
            )
            assert not [
                e for e in refused if isinstance(e, dict) and e.get("code") in (100, 131008)
            ]

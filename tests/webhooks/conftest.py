"""A newsroom (tests/conversation/conftest.py: the desk and the fake Graph API on real ports)
and a receiving server on a third port: a small Starlette app that records every request and
answers as the test scripts it, by event: 200, 500, slowly, or not in time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.conversation.conftest import (  # noqa: F401 - the newsroom fixture, used here
    ACCESS_TOKEN,
    APP_SECRET,
    NUMBER_ID,
    Newsroom,
    newsroom,
)
from tests.servers import free_port, serving
from tipdesk.editors.models import Role

# How long the desk waits for a receiver in these tests, and what "too slow" is.
TIMEOUT = "500ms"
HANG_SECONDS = 1.2


@dataclass
class Received:
    event: str
    delivery: str
    signature: str
    body: str
    answered: int

    @property
    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


Answer = Callable[[str, int], str]  # (event, how many of it came before) -> ok | fail | slow | hang


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    answer: Answer = field(default=lambda event, seen: "ok")

    def events(self, *, delivered_only: bool = False) -> list[str]:
        return [r.event for r in self.received if r.answered == 200 or not delivered_only]


def receiving_app(receiver: Receiver) -> Starlette:
    async def hook(request: Request) -> Response:
        event = request.headers.get("tipdesk-event", "")
        seen = sum(1 for r in receiver.received if r.event == event)
        how = receiver.answer(event, seen)
        status = 500 if how == "fail" else 200
        receiver.received.append(
            Received(
                event, request.headers.get("tipdesk-delivery", ""),
                request.headers.get("tipdesk-signature", ""), (await request.body()).decode(),
                status if how != "hang" else 0,
            )
        )  # fmt: skip
        if how == "slow":
            await asyncio.sleep(0.2)
        if how == "hang":
            await asyncio.sleep(HANG_SECONDS)
        return Response(b"nope" if status == 500 else b"thanks", status_code=status)

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@pytest.fixture
def receiver_port() -> int:
    return free_port()


@pytest.fixture
def environ(environ: dict[str, str], receiver_port: int) -> dict[str, str]:
    return {
        **environ,
        "TIPDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "TIPDESK_WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER_ID,
        "TIPDESK_WHATSAPP_VERIFY_TOKEN": "verify",
        "TIPDESK_OPENING_HOURS": "24/7",
        "TIPDESK_JOB_RETRY_BASE": "20ms",
        "TIPDESK_READER_SEND_INTERVAL": "1ms",
        # Only the receiver's own address may be loopback (and so plain http).
        "TIPDESK_WEBHOOK_PRIVATE_HOSTS": f"127.0.0.1:{receiver_port}",
        "TIPDESK_WEBHOOK_TIMEOUT": TIMEOUT,
        "TIPDESK_WEBHOOK_RETRY_BASE": "50ms",
    }


@pytest.fixture
async def receiver(receiver_port: int) -> AsyncIterator[Receiver]:
    found = Receiver()
    async with serving(receiving_app(found), port=receiver_port) as base:
        found.url = f"{base}/hook"
        yield found


async def subscribe(room: Newsroom, url: str, events: list[str]) -> dict[str, Any]:
    """An admin subscribes the receiver over the API; the answer holds the secret."""
    headers = await room.editor("Admin", Role.ADMIN)
    answer = await room.desk.post(
        "/api/v1/webhooks", json={"url": url, "events": events}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created

"""A newsroom (tests/conversation/conftest.py: the desk and the fake Graph API on real ports)
and a receiving server on a third port (receiver.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conversation.conftest import (  # noqa: F401 - the newsroom fixture, used here
    ACCESS_TOKEN,
    APP_SECRET,
    NUMBER_ID,
    Newsroom,
    newsroom,
)
from tests.servers import free_port, serving
from tests.webhooks.receiver import Receiver, receiving_app
from tipdesk.editors.models import Role

# How long the desk waits for a receiver in these tests (the receiver hangs longer).
TIMEOUT = "500ms"


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

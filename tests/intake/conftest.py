"""Intake fixtures: a desk configured for the fixtures' WhatsApp number, and a signed poster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tipdesk.desk import desk_job_kinds, desk_worker
from tipdesk.intake.inbox import PROCESS_WEBHOOK
from tipdesk.settings import Settings
from tipdesk.whatsapp.signature import sign

FIXTURES = Path(__file__).parents[1] / "fixtures" / "whatsapp"
APP_SECRET = "test-app-secret"
PHONE_NUMBER_ID = "104567890123456"
VERIFY_TOKEN = "verify-me-please"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def meta_bytes(payload: dict[str, Any]) -> bytes:
    """Serialised the way Meta does: ASCII-escaped, compact."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()


@pytest.fixture
def environ(environ: dict[str, str]) -> dict[str, str]:
    return {
        **environ,
        "TIPDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "TIPDESK_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "TIPDESK_WHATSAPP_ACCESS_TOKEN": "test-access-token",
        # Nothing listens there: a stray Graph call fails at once and never leaves the machine.
        "TIPDESK_GRAPH_API_URL": "http://127.0.0.1:9/v23.0",
    }


class Meta:
    """Posts signed notifications to the desk, as Meta's webhook delivery does."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        # Intake alone: media fetching has its own tests against the fake Graph API.
        intake = desk_job_kinds(settings)[PROCESS_WEBHOOK]
        self.worker = desk_worker(settings, {PROCESS_WEBHOOK: intake})

    async def post(self, payload: dict[str, Any] | bytes, **headers: str) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else meta_bytes(payload)
        signed = {"x-hub-signature-256": sign(APP_SECRET, body), **headers}
        return await self.client.post(
            "/webhooks/whatsapp",
            content=body,
            headers={"content-type": "application/json", **signed},
        )

    async def deliver(self, *payloads: dict[str, Any]) -> None:
        """Post and let the workers process everything that is due."""
        for payload in payloads:
            response = await self.post(payload)
            assert response.status_code == 200, response.text
        await self.worker.drain()


@pytest.fixture
def meta(client: httpx.AsyncClient, settings: Settings) -> Meta:
    return Meta(client, settings)

"""A real `tipdesk serve` is SIGKILLed while the fake Graph API delivers; after the restart and
Meta-style redelivery, every message that got a 200 is stored exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.intake.conftest import APP_SECRET, PHONE_NUMBER_ID
from tests.servers import die_with_parent, free_port, serving
from tipdesk.jobs.models import Job, JobState
from tipdesk.tips.models import Direction, Message
from tipdesk.whatsapp.fake import FakeGraphConfig, create_fake_graph
from tipdesk.whatsapp.fake_delivery import DeliveryPolicy

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("db")]
MESSAGES = 300


def start_desk(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "tipdesk", "serve", "--port", str(port)],
            preexec_fn=die_with_parent,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def wait_healthy(port: int) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the desk did not come up")


def acked_wamids(bodies: list[bytes]) -> set[str]:
    found = set()
    for body in bodies:
        for entry in json.loads(body)["entry"]:
            for change in entry["changes"]:
                found |= {m["id"] for m in change["value"].get("messages", [])}
    return found


async def test_sigkill_during_delivery_loses_nothing_and_stores_nothing_twice(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **cli_env,
        "TIPDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
        "TIPDESK_WHATSAPP_ACCESS_TOKEN": "t",
        # Jobs the killed process held come back once their lease is over.
        "TIPDESK_JOB_LEASE": "2s",
    }
    log = tmp_path / "desk.log"
    fake = create_fake_graph(
        FakeGraphConfig(
            app_secret=APP_SECRET,
            access_token="t",
            phone_number_id=PHONE_NUMBER_ID,
            webhook_url=f"http://127.0.0.1:{port}/webhooks/whatsapp",
            policy=DeliveryPolicy(
                retry_base=0.2, max_attempts=12, duplicate_rate=0.2, concurrency=8
            ),
            seed=11,
        )
    )
    desk = start_desk(env, port, log)
    try:
        await wait_healthy(port)
        async with serving(fake) as base, httpx.AsyncClient() as http:
            state = fake.state.fake
            for n in range(MESSAGES):
                state.reader_sends(
                    {"id": f"wamid.crash.{n}", "type": "text", "text": {"body": f"tip {n}"}},
                    f"316{n % 25:08d}",
                    f"Lezer {n % 25}",
                )
                if n == MESSAGES // 3:
                    await asyncio.sleep(0.3)
                    os.kill(desk.pid, signal.SIGKILL)
                    desk.wait()
                    killed_with = state.deliverer.stats.acked
                    await asyncio.sleep(0.5)  # deliveries fail while the desk is down
                    desk = start_desk(env, port, log)
                    await wait_healthy(port)
            deadline = time.monotonic() + 120
            while not state.deliverer.idle:
                assert time.monotonic() < deadline, "deliveries never finished"
                await asyncio.sleep(0.1)
            stats = (await http.get(f"{base}/_fake/stats")).json()
        deadline = time.monotonic() + 120
        pending = {JobState.QUEUED, JobState.RUNNING}
        while await Job.filter(kind="intake.process", state__in=pending).exists():
            assert time.monotonic() < deadline, "intake jobs never finished"
            await asyncio.sleep(0.1)
    finally:
        desk.send_signal(signal.SIGTERM)
        desk.wait(timeout=30)
    acked = acked_wamids(state.deliverer.stats.acked_bodies)
    stored = [m.external_id for m in await Message.filter(direction=Direction.INBOUND)]
    assert stats["dropped"] == 0
    assert stats["refused"] > 0, "the kill should have refused some deliveries"
    assert 0 < killed_with < stats["acked"]
    assert acked == {f"wamid.crash.{n}" for n in range(MESSAGES)}
    assert sorted(stored) == sorted(acked)
    assert len(stored) == len(set(stored))
    assert await Job.filter(kind="intake.process", state=JobState.DEAD).count() == 0

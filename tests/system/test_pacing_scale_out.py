"""Issue 18's pacing, on PostgreSQL with real processes: `serve --no-workers-in-process` and two
`tipdesk worker`, one reader who sends a tip and then a dozen INFOs, and an editor who answers
twice. Each worker checked the reader's last send and then sent, so sends that came due together
went out together (gaps of 0 s, where Meta's pair rate limit asks for 2 s). Every send to the
reader must reach the fake Graph API at least the interval after the one before, and once."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.servers import free_port, serving
from tests.system.test_scale_out import Fleet, wait_up
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role
from tipdesk.jobs.models import Job, JobState
from tipdesk.tips.models import Direction, Message, Tip
from tipdesk.whatsapp.fake import FakeGraph, FakeGraphConfig, create_fake_graph
from tipdesk.whatsapp.fake_delivery import DeliveryPolicy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("db"),
    pytest.mark.skipif(not POSTGRES_URL, reason="the scaled topology runs on PostgreSQL"),
]
SECRET, TOKEN, NUMBER = "pacing-secret", "pacing-token", "104567890123458"
READER = "31650000018"
INTERVAL = 2.0  # TIPDESK_READER_SEND_INTERVAL as shipped
TOLERANCE = 0.05
INFOS = 12
# The tip is the reader's first message of the hour, so INFO n is their (n + 1)th: with a limit
# of 8 the first seven INFOs are answered and the other five only stored.
RATE_LIMIT = 8
EXPECTED = {"confirmation": 1, "info": RATE_LIMIT - 1, "reply": 2}


async def test_two_workers_keep_one_reader_s_sends_the_interval_apart(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    fake_app = create_fake_graph(
        FakeGraphConfig(
            app_secret=SECRET, access_token=TOKEN, phone_number_id=NUMBER, seed=18,
            # One webhook post at a time, in order: which INFOs the rate limit answers is then
            # fixed, and the test counts on it.
            policy=DeliveryPolicy(concurrency=1),
        )
    )  # fmt: skip
    fake: FakeGraph = fake_app.state.fake
    port = free_port()
    await create_editor("anne@desk.example", "Anne", Role.EDITOR, "long enough password")
    anne = {"authorization": f"Bearer {await create_token('anne@desk.example', 'system')}"}
    async with serving(fake_app) as graph:
        fake.deliverer.webhook_url = f"http://127.0.0.1:{port}/webhooks/whatsapp"
        env = {
            **cli_env,
            "TIPDESK_WHATSAPP_APP_SECRET": SECRET, "TIPDESK_WHATSAPP_ACCESS_TOKEN": TOKEN,
            "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER, "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
            "TIPDESK_GRAPH_API_URL": f"{graph}/v23.0", "TIPDESK_OPENING_HOURS": "24/7",
            "TIPDESK_READER_SEND_INTERVAL": f"{INTERVAL:g}s",
            "TIPDESK_READER_RATE_LIMIT": str(RATE_LIMIT), "TIPDESK_LOG_LEVEL": "info",
        }  # fmt: skip
        fleet = Fleet(env, logs)
        fleet.start("web", "serve", "--no-workers-in-process", "--port", str(port))
        for n in (1, 2):
            fleet.start(f"worker{n}", "worker", "--concurrency", "4")
        try:
            await wait_up([port])
            await reader_writes(fake)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                tip = await Tip.get(sender__address=READER)
                for text in ("Heb je een foto?", "Waar precies?"):
                    answer = await http.post(
                        f"/api/v1/tips/{tip.id}/reply", json={"text": text}, headers=anne
                    )
                    assert answer.status_code == 202, answer.text
            await all_sent(fake, sum(EXPECTED.values()), timeout=45)
        finally:
            fleet.stop()
    await check_sends(fake)


async def reader_writes(fake: FakeGraph, timeout: float = 20) -> None:
    """A tip, then the INFOs; back once the desk has stored every one of them."""
    messages = [("wamid.pacing.tip", "Brand in de Stationsstraat")]
    messages += [(f"wamid.pacing.info.{n}", "INFO") for n in range(INFOS)]
    for wamid, text in messages:
        fake.reader_sends({"id": wamid, "type": "text", "text": {"body": text}}, READER, "Lezer")
    deadline = time.monotonic() + timeout
    while await Message.filter(direction=Direction.INBOUND).count() < len(messages):
        assert time.monotonic() < deadline, "the reader's messages were never stored"
        await asyncio.sleep(0.1)


async def all_sent(fake: FakeGraph, expected: int, timeout: float) -> None:
    """The expected sends arrived and nothing more follows within another interval."""
    deadline = time.monotonic() + timeout
    while len(fake.state.sent) < expected:
        assert time.monotonic() < deadline, f"{len(fake.state.sent)} of {expected} sends arrived"
        await asyncio.sleep(0.1)
    await asyncio.sleep(INTERVAL + 0.5)


async def check_sends(fake: FakeGraph) -> None:
    sent = [m for m in fake.state.sent if m["to"] == READER]
    assert len(sent) == len(fake.state.sent) == sum(EXPECTED.values())
    times = [m["at"] for m in sent]
    gaps = [round(later - earlier, 3) for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= INTERVAL - TOLERANCE, f"gaps between sends to the reader: {gaps}"
    outbound = await Message.filter(direction=Direction.OUTBOUND).order_by("id")
    assert Counter(m.purpose for m in outbound) == EXPECTED
    # Once each: every message the desk queued carries the id of exactly one send.
    assert sorted(m.external_id for m in outbound) == sorted(m["id"] for m in sent)
    replies = Counter(m["body"]["text"]["body"].split("\n")[0] for m in sent
                      if m["body"]["text"]["body"].startswith(("Heb je", "Waar")))  # fmt: skip
    assert replies == {"Heb je een foto?": 1, "Waar precies?": 1}
    dead = [f"{job.kind}: {job.last_error}" for job in await Job.filter(state=JobState.DEAD)]
    assert not dead, dead

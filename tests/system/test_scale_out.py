"""The scaled topology under fire, on PostgreSQL: two `tipdesk serve --no-workers-in-process`
behind a round-robin proxy, two `tipdesk worker`, the fake Graph API delivering thousands of
messages (a quarter with photos) with Meta's duplicates, retries and reordering, while one web
and one worker process are SIGKILLed at random moments and restarted.

Afterwards: every message that got a 200 is stored exactly once, every medium is ready or failed
with a reason, every tip has exactly one confirmation, the index holds every tip, and the
processes' logs carry no phone number and no message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.conftest import POSTGRES_URL
from tests.intake.test_crash import acked_wamids
from tests.servers import die_with_parent, free_port, serving
from tipdesk.clock import utcnow
from tipdesk.jobs.models import Job, JobState
from tipdesk.search.index import TipIndex
from tipdesk.tips.models import Direction, MediaAsset, MediaState, Message, Tip
from tipdesk.whatsapp.fake import FakeGraph, FakeGraphConfig, create_fake_graph
from tipdesk.whatsapp.fake_delivery import DeliveryPolicy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("db"),
    pytest.mark.skipif(not POSTGRES_URL, reason="the scaled topology runs on PostgreSQL"),
]
MESSAGES = int(os.environ.get("TIPDESK_SYSTEM_MESSAGES", "2000"))
PER_READER = 5
SECRET, TOKEN, NUMBER = "system-secret", "system-token", "104567890123456"


class Fleet:
    """The desk's processes; each can be killed and started again under the same name."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.commands: dict[str, list[str]] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.kills: Counter[str] = Counter()

    def start(self, name: str, *arguments: str) -> None:
        self.commands.setdefault(name, [sys.executable, "-m", "tipdesk", *arguments])
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                self.commands[name], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )  # fmt: skip

    def kill(self, name: str) -> None:
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait()
        self.kills[name.rstrip("0123456789")] += 1

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@contextlib.asynccontextmanager
async def round_robin(ports: list[int]) -> AsyncIterator[int]:
    """A reverse proxy on loopback: each connection goes to the next web process that answers."""
    turn = 0

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def connect(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        nonlocal turn
        for _ in ports:
            turn += 1
            try:
                up_r, up_w = await asyncio.open_connection("127.0.0.1", ports[turn % len(ports)])
            except OSError:
                continue
            await asyncio.gather(pipe(client_r, up_w), pipe(up_r, client_w))
            return
        client_w.close()  # no web process answers: Meta sees a failure and retries

    server = await asyncio.start_server(connect, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


def photo(n: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256)).save(buffer, "PNG")
    return buffer.getvalue()


def reader_messages(fake: FakeGraph) -> list[tuple[dict[str, object], str, str]]:
    """(message, wa_id, name): readers of five messages each, every fourth with a photo."""
    out = []
    for n in range(MESSAGES):
        wa_id, text = f"3169{n // PER_READER:07d}", f"Systeemtip {n} over de Stationsstraat"
        message: dict[str, object] = {
            "id": f"wamid.system.{n}",
            "type": "text",
            "text": {"body": text},
        }
        if n % 4 == 3:
            media_id = fake.store_media(photo(n), "image/png")
            image = {"id": media_id, "mime_type": "image/png", "caption": text}
            message = {"id": f"wamid.system.{n}", "type": "image", "image": image}
        out.append((message, wa_id, f"Lezer{n // PER_READER}"))
    return out


async def chaos(fleet: Fleet, delivering: Callable[[], bool], rng: random.Random) -> None:
    """While Meta delivers: kill a web and a worker process at random moments, start them again.

    Kills are independent: a worker is killed only once the jobs the last kill interrupted have
    run again. A job whose run dies with its worker twice is given up (the poison-pill guard,
    tests/jobs/test_poison_pill.py); that is not what this test is about."""
    await asyncio.sleep(1.0)
    for round_ in range(3):
        if not delivering() and round_:
            break
        for name in (rng.choice(["web1", "web2"]), rng.choice(["worker1", "worker2"])):
            await asyncio.sleep(rng.uniform(0.5, 2.5))
            if name.startswith("worker"):
                await recovered()
            fleet.kill(name)
            await asyncio.sleep(0.3)
            fleet.start(name)


async def recovered(timeout: float = 120) -> None:
    """No job interrupted by a killed worker is still waiting to run again."""
    deadline = time.monotonic() + timeout
    while await Job.filter(crashes__gt=0, state__in=[JobState.QUEUED, JobState.RUNNING]).exists():
        assert time.monotonic() < deadline, "the jobs of a killed worker never ran again"
        await asyncio.sleep(0.2)


async def settled(fake: FakeGraph, timeout: float) -> None:
    """Deliveries done and no job due soon: what Meta sent is processed, and what it caused."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3:
        assert time.monotonic() < deadline, "the desk never settled"
        await asyncio.sleep(1.0)
        busy = await Job.filter(
            state__in=[JobState.QUEUED, JobState.RUNNING],
            run_at__lte=utcnow() + timedelta(minutes=1),
        ).exists()
        quiet = 0 if busy or not fake.deliverer.idle else quiet + 1


async def test_two_web_and_two_worker_processes_survive_kills_without_loss_or_repeats(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    rng = random.Random(20261125)
    logs = tmp_path / "logs"
    logs.mkdir()
    fake_app = create_fake_graph(
        FakeGraphConfig(
            app_secret=SECRET, access_token=TOKEN, phone_number_id=NUMBER,
            policy=DeliveryPolicy(
                retry_base=0.3, max_attempts=14, duplicate_rate=0.15, concurrency=8
            ),
            seed=5,
        )
    )  # fmt: skip
    fake: FakeGraph = fake_app.state.fake
    web_ports = [free_port(), free_port()]
    async with serving(fake_app) as graph, round_robin(web_ports) as proxy:
        fake.deliverer.webhook_url = f"http://127.0.0.1:{proxy}/webhooks/whatsapp"
        env = {
            **cli_env,
            "TIPDESK_WHATSAPP_APP_SECRET": SECRET, "TIPDESK_WHATSAPP_ACCESS_TOKEN": TOKEN,
            "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER, "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
            "TIPDESK_GRAPH_API_URL": f"{graph}/v23.0", "TIPDESK_OPENING_HOURS": "24/7",
            "TIPDESK_JOB_LEASE": "3s", "TIPDESK_JOB_RETRY_BASE": "200ms",
            "TIPDESK_JOB_MAX_ATTEMPTS": "12", "TIPDESK_READER_SEND_INTERVAL": "10ms",
            "TIPDESK_LOG_LEVEL": "info", "TIPDESK_TRANSCODE_CONCURRENCY": "1",
        }  # fmt: skip
        fleet = Fleet(env, logs)
        for n, port in enumerate(web_ports, start=1):
            fleet.start(f"web{n}", "serve", "--no-workers-in-process", "--port", str(port))
        for n in (1, 2):
            fleet.start(f"worker{n}", "worker", "--concurrency", "4")
        try:
            await wait_up(web_ports)
            messages = reader_messages(fake)
            for message, wa_id, name in messages:
                fake.reader_sends(message, wa_id, name)
            await chaos(fleet, lambda: not fake.deliverer.idle, rng)
            await settled(fake, timeout=900)
        finally:
            fleet.stop()
    await check_outcome(fake, fleet, tmp_path, messages)


async def wait_up(ports: list[int]) -> None:
    async with httpx.AsyncClient() as http:
        for port in ports:
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"web process on {port} never came up")


async def check_outcome(
    fake: FakeGraph,
    fleet: Fleet,
    tmp_path: Path,
    messages: list[tuple[dict[str, object], str, str]],
) -> None:
    stats = fake.deliverer.stats
    acked = acked_wamids(stats.acked_bodies)
    stored = [m.external_id for m in await Message.filter(direction=Direction.INBOUND)]
    assert stats.dropped == 0
    assert acked == {str(m["id"]) for m, _, _ in messages}
    assert sorted(stored) == sorted(acked), "every acknowledged message stored exactly once"
    media = await MediaAsset.all()
    assert len(media) == MESSAGES // 4
    assert all(a.state in (MediaState.READY, MediaState.FAILED) for a in media)
    assert all(a.error for a in media if a.state is MediaState.FAILED)
    tips = [tip.id for tip in await Tip.all()]
    confirmations = Counter(m.tip_id or 0 for m in await Message.filter(purpose="confirmation"))
    assert sorted(confirmations) == sorted(tips) and set(confirmations.values()) == {1}
    sent = Counter(m["to"] for m in fake.state.sent if m["body"].get("type") == "text"
                   and m["body"]["text"]["body"].startswith("Dank je wel"))  # fmt: skip
    repeats = sum(count - 1 for count in sent.values())
    report = (
        f"{MESSAGES} messages, {len(tips)} tips, {stats.posts} webhook posts ({stats.duplicates}"
        f" deliberate duplicates, {stats.refused} refused during kills), kills {dict(fleet.kills)},"
        f" confirmations sent twice because a worker died between Meta's answer and the desk's"
        f" write: {repeats}"
    )
    (tmp_path / "report.txt").write_text(report, encoding="utf-8")
    print(report)
    # Each killed worker can repeat at most the sends it had in flight (its slots).
    assert repeats <= 4 * fleet.kills["worker"], report
    dead = [f"{job.kind}: {job.last_error}" for job in await Job.filter(state=JobState.DEAD)]
    assert not dead, f"{report}; dead jobs: {dead}"
    index = TipIndex(Path(fleet.env["TIPDESK_DATA_DIR"]))
    with index.searcher() as searcher:
        indexed = {int(fields["tip_id"]) for fields in searcher.all_stored_fields()}
    assert indexed == set(tips)
    check_logs(fleet, messages)


def check_logs(fleet: Fleet, messages: list[tuple[dict[str, object], str, str]]) -> None:
    """Personal data stays out of the logs: no full number, no message text, no reader's name."""
    logs = "".join(
        path.read_text(encoding="utf-8", errors="replace") for path in fleet.logs.iterdir()
    )
    assert "INFO" in logs or "info" in logs.lower()
    for _, wa_id, name in messages[:: PER_READER * 7]:
        assert wa_id not in logs
        assert "Systeemtip" not in logs and f"{name} " not in logs

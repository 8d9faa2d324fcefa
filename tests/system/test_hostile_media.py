"""Hostile reader media against a real desk: `tipdesk serve` in its own process, the fake Graph
API delivering a signed webhook with the nested-XObject PDF (23 GB once) and a 7700×7700 PNG.

The desk must answer /health within a second throughout, end both assets final with a plain
reason where they fail, keep the tip, and stay under 400 MB peak resident memory (VmHWM).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.media_store import hostile
from tests.servers import die_with_parent, free_port, serving
from tests.system.test_scale_out import wait_up
from tipdesk.tips.models import Direction, MediaAsset, MediaState, Message, Tip
from tipdesk.whatsapp.fake import FakeGraph, FakeGraphConfig, create_fake_graph

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("db")]
SECRET, TOKEN, NUMBER = "hostile-secret", "hostile-token", "104567890123456"
PEAK_LIMIT_KB = 400 * 1024
HEALTH_LIMIT_S = 1.0


def peak_kb(pid: int) -> int:
    """VmHWM, the process's peak resident set, from /proc (0 once it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def reader_media(fake: FakeGraph, tmp_path: Path) -> None:
    pdf = hostile.nested_xobject_pdf(tmp_path / "brief.pdf").read_bytes()
    png = hostile.heavy_png(tmp_path / "foto.png").read_bytes()
    document = {"id": fake.store_media(pdf, "application/pdf"), "mime_type": "application/pdf",
                "filename": "brief.pdf", "caption": "De brief van de gemeente"}  # fmt: skip
    image = {"id": fake.store_media(png, "image/png"), "mime_type": "image/png"}
    fake.reader_sends({"type": "document", "document": document}, "31611122233", "Lezer")
    fake.reader_sends({"type": "image", "image": image}, "31611122233", "Lezer")


async def watch(pid: int, base: str, timeout: float) -> tuple[list[float], int]:
    """Poll /health until both assets are final; the answer times and the children's peak."""
    answers: list[float] = []
    child_peak = 0
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=5) as http:
        while time.monotonic() < deadline:
            started = time.monotonic()
            response = await http.get(f"{base}/health")
            answers.append(time.monotonic() - started)
            assert response.status_code == 200
            for child in children(pid):
                child_peak = max(child_peak, peak_kb(child), *map(peak_kb, children(child)))
            assets = await MediaAsset.all()
            final = (MediaState.READY, MediaState.FAILED)
            if len(assets) == 2 and all(a.state in final for a in assets):
                return answers, child_peak
            await asyncio.sleep(0.2)
    raise AssertionError(f"the assets never became final: {await MediaAsset.all()}")


async def test_hostile_pdf_and_png_leave_the_desk_up_and_small(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    fake_app = create_fake_graph(
        FakeGraphConfig(app_secret=SECRET, access_token=TOKEN, phone_number_id=NUMBER)
    )
    fake: FakeGraph = fake_app.state.fake
    port = free_port()
    fake.deliverer.webhook_url = f"http://127.0.0.1:{port}/webhooks/whatsapp"
    async with serving(fake_app) as graph:
        env = {
            **cli_env,
            "TIPDESK_WHATSAPP_APP_SECRET": SECRET, "TIPDESK_WHATSAPP_ACCESS_TOKEN": TOKEN,
            "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER, "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
            "TIPDESK_GRAPH_API_URL": f"{graph}/v23.0", "TIPDESK_OPENING_HOURS": "24/7",
            "TIPDESK_TRANSCODE_TIME_LIMIT": "20s",
        }  # fmt: skip
        with (tmp_path / "serve.log").open("wb") as log:
            desk = subprocess.Popen(
                [sys.executable, "-m", "tipdesk", "serve", "--port", str(port)], env=env,
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
            )  # fmt: skip
        try:
            await wait_up([port])
            reader_media(fake, tmp_path)
            answers, child_peak = await watch(desk.pid, f"http://127.0.0.1:{port}", 60)
            desk_peak = peak_kb(desk.pid)
        finally:
            desk.send_signal(signal.SIGTERM)
            desk.wait(timeout=30)
    print(f"desk VmHWM {desk_peak / 1024:.0f} MB, largest child {child_peak / 1024:.0f} MB, "
          f"{len(answers)} /health answers, slowest {max(answers):.3f} s, "
          f"{[(a.detected_mime, a.state.value) for a in await MediaAsset.all()]}")  # fmt: skip
    assert desk_peak < PEAK_LIMIT_KB, f"desk peaked at {desk_peak / 1024:.0f} MB"
    assert max(answers) < HEALTH_LIMIT_S
    pdf = await MediaAsset.get(detected_mime="application/pdf")
    assert pdf.state is MediaState.FAILED
    assert pdf.error and "could not be opened safely" in pdf.error
    png = await MediaAsset.get(detected_mime="image/png")
    assert png.state is MediaState.READY or png.error
    tip = await Tip.get()
    assert await Message.filter(tip=tip, direction=Direction.INBOUND).count() == 2
    assert {a.tip_id for a in (pdf, png)} == {tip.id}
    leftover = Path(env["TIPDESK_DATA_DIR"]) / "media" / "tmp"
    assert not leftover.exists() or not list(leftover.iterdir())

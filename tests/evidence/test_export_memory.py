"""The evidence bundle of a 200 MB video from a real `tipdesk serve`: streamed, so the server's
peak memory grows by a sliver of the file, and the zip it sent holds the file intact."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import subprocess
import sys
import time
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.editors_factory import bearer
from tests.servers import die_with_parent, free_port
from tipdesk.clock import utcnow
from tipdesk.media.states import media_store
from tipdesk.settings import Settings
from tipdesk.tips.models import Direction, MediaAsset, MediaKind, MediaState, Message, Sender, Tip

pytestmark = pytest.mark.slow
SIZE = 200 * 1024 * 1024
# Far below the file: a few chunks of 1 MiB in flight, what uvicorn buffers for a socket, and
# the first export's imports and template. Measured: 4.7 MB for 200 MB, the same for 20 MB.
MOST_GROWTH_KIB = 16 * 1024


async def video_tip(settings: Settings) -> tuple[int, str]:
    """A tip whose reader sent a 200 MB video, placed in the store as the fetch job would."""
    store = media_store(settings)
    staged, digest = store.temporary("bin"), hashlib.sha256()
    block = secrets.token_bytes(1024 * 1024)
    with staged.open("wb") as target:
        for n in range(SIZE // len(block)):
            part = n.to_bytes(8, "big") + block[8:]  # no two megabytes alike
            digest.update(part)
            target.write(part)
    sha256 = digest.hexdigest()
    store.place(staged, store.original(sha256))
    now = utcnow()
    sender = await Sender.create(channel="whatsapp", address="31600000001", first_contact_at=now)
    tip = await Tip.create(sender=sender, first_message_at=now, last_message_at=now)
    message = await Message.create(
        channel="whatsapp", external_id="wamid.big", tip=tip, sender=sender,
        direction=Direction.INBOUND, type="video", sent_at=now,
    )  # fmt: skip
    await MediaAsset.create(
        token=secrets.token_urlsafe(24), tip=tip, message=message, kind=MediaKind.VIDEO,
        state=MediaState.READY, detected_mime="video/mp4", sha256=sha256, size=SIZE,
    )  # fmt: skip
    return tip.id, sha256


@pytest.fixture
async def desk(cli_env: dict[str, str], tmp_path: Path, db: None) -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "tipdesk", "serve", "--port", str(port)],
            preexec_fn=die_with_parent, env=cli_env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    await http.get("/health")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and server.poll() is None, "no /health"
                    await asyncio.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


async def test_a_200_mb_video_streams_out_while_the_desk_stays_small(
    desk: tuple[str, int], settings: Settings, tmp_path: Path
) -> None:
    base, pid = desk
    editor = await bearer("bram@desk.example", "Bram")
    tip_id, sha256 = await video_tip(settings)
    saved = tmp_path / "bundle.zip"
    async with httpx.AsyncClient(base_url=base, headers=editor, timeout=120) as http:
        # Start-up (migrations, imports) peaked higher than an export: reset the peak first.
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        before = _vm_kib(pid, "VmRSS")
        started = time.monotonic()
        async with http.stream("GET", f"/api/v1/tips/{tip_id}/export") as response:
            assert response.status_code == 200
            with saved.open("wb") as target:
                async for chunk in response.aiter_raw():
                    target.write(chunk)
        seconds = time.monotonic() - started
    growth = _vm_kib(pid, "VmHWM") - before
    print(f"\nexport of {SIZE >> 20} MB: peak RSS growth {growth / 1024:.1f} MB, {seconds:.1f} s")

    assert growth < MOST_GROWTH_KIB, f"{growth} KiB"
    with zipfile.ZipFile(saved) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        (listed,) = manifest["files"]
        assert listed["sha256"] == sha256 and listed["size"] == SIZE
        digest = hashlib.sha256()
        with bundle.open(listed["name"]) as packed:
            while part := packed.read(1024 * 1024):
                digest.update(part)
        assert digest.hexdigest() == sha256  # and zipfile checked its CRC on the way


def _vm_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")

"""The index is written in a process of its own, which is replaced when it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tipdesk.search.engine import search
from tipdesk.search.index import INDEX_PROCESS, TipIndex, build_async, write_async
from tipdesk.search.schema import TipDocument


def tip(tip_id: int, text: str) -> TipDocument:
    return TipDocument(
        tip_id=tip_id, text=text, sender="Lezer", status="new", desk="", tags=[], media=[],
        consent="none", claimed=[], received=datetime(2026, 11, 25, 12, tzinfo=UTC),
    )  # fmt: skip


async def test_writes_run_in_another_process_and_survive_its_death(tmp_path: Path) -> None:
    index = TipIndex(tmp_path)
    index.swap(await build_async(index, [tip(1, "Boom op de Stationsstraat")]))
    writer_pid = await INDEX_PROCESS.run(os.getpid)
    assert writer_pid != os.getpid()  # whoosh's Python runs beside the desk's event loop

    os.kill(writer_pid, signal.SIGKILL)
    with pytest.raises(BrokenProcessPool):
        await write_async(index, [tip(2, "Brand in de haven")], [])
    # The job that failed is retried: the next write starts a new process.
    await write_async(index, [tip(2, "Brand in de haven")], [])
    assert await INDEX_PROCESS.run(os.getpid) not in (writer_pid, os.getpid())
    now = datetime(2026, 11, 25, 13, tzinfo=UTC)
    found = search(index, "haven", now=now, tz=UTC)
    assert [hit.tip_id for hit in found.hits] == [2]


PARENT = """
import asyncio, os, sys, time
from tipdesk.search.index import INDEX_PROCESS
print(asyncio.run(INDEX_PROCESS.run(os.getpid)), flush=True)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_index_process_ends_when_its_desk_process_is_killed() -> None:
    """SIGKILL (or SIGTERM's default action, which uvicorn ends with) skips the pool's shutdown:
    the index process must not outlive the desk process that started it."""
    with subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True
    ) as desk:
        try:
            assert desk.stdout is not None
            index_pid = int(desk.stdout.readline())
            assert alive(index_pid)
        finally:
            desk.kill()
    deadline = time.monotonic() + 15
    while alive(index_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(index_pid)


async def test_close_ends_the_index_process(tmp_path: Path) -> None:
    index = TipIndex(tmp_path)
    index.swap(await build_async(index, [tip(1, "Boom")]))
    writer_pid = await INDEX_PROCESS.run(os.getpid)
    await INDEX_PROCESS.close()
    assert not alive(writer_pid)
    await write_async(index, [tip(2, "Brand")], [])  # a later write starts a new one
    assert await INDEX_PROCESS.run(os.getpid) != writer_pid

"""Doorbells, SQLite's way of waking worker processes, over real UDP sockets."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tipdesk.jobs.wakeup import Doorbells, answer_doorbell


@contextlib.asynccontextmanager
async def doorbell(folder: Path, rings: asyncio.Queue[None]) -> AsyncIterator[asyncio.Task[None]]:
    def doorbells() -> int:
        """This process's doorbells (entries are named by pid)."""
        mine = f"{os.getpid()}-"
        return sum(e.name.startswith(mine) for e in folder.iterdir()) if folder.exists() else 0

    before = doorbells()
    stop = asyncio.Event()
    task = asyncio.create_task(answer_doorbell(folder, lambda: rings.put_nowait(None), stop))
    while doorbells() <= before:
        await asyncio.sleep(0.01)
    try:
        yield task
    finally:
        stop.set()
        await task


async def test_the_inbox_rings_every_worker_and_a_stopped_worker_leaves_no_doorbell(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "doorbells"
    first, second = asyncio.Queue[None](), asyncio.Queue[None]()
    async with doorbell(folder, first), doorbell(folder, second):
        bells = Doorbells(folder)
        bells.ring()
        await asyncio.wait_for(asyncio.gather(first.get(), second.get()), 5)
        bells.close()
    assert list(folder.iterdir()) == []
    Doorbells(folder).ring()  # nobody to ring: nothing happens, nothing is opened


async def test_a_killed_workers_doorbell_is_cleared_and_garbage_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "doorbells"
    folder.mkdir()
    (folder / "999999999-dead").write_text("9")  # no such process
    (folder / "garbage").write_text("not a port")
    rings = asyncio.Queue[None]()
    async with doorbell(folder, rings):
        assert not (folder / "999999999-dead").exists()
        bells = Doorbells(folder)
        bells.ring()
        await asyncio.wait_for(rings.get(), 5)
        bells.close()


async def test_an_unusable_data_directory_leaves_the_worker_polling(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a-file").write_text("")
    await asyncio.wait_for(
        answer_doorbell(tmp_path / "a-file" / "doorbells", lambda: None, asyncio.Event()), 5
    )
    assert "polling" in caplog.text

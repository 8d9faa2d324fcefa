"""The index is written in a process of its own, which is replaced when it dies."""

from __future__ import annotations

import os
import signal
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

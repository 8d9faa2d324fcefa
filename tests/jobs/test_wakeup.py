"""Waking worker processes: PostgreSQL notifies them (`test_worker_processes.py`); on SQLite,
the embedded desk's one process, a worker process beside it polls and says so."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tipdesk.jobs.wakeup import listen_for_jobs
from tipdesk.settings import Settings


async def test_a_worker_process_on_sqlite_polls_and_says_so(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    sqlite = dataclasses.replace(settings, database_url="sqlite://:memory:")
    woken: list[None] = []
    await asyncio.wait_for(listen_for_jobs(sqlite, lambda: woken.append(None), asyncio.Event()), 5)
    assert woken == []
    assert "only at its polls" in caplog.text
    assert "scale out on PostgreSQL" in caplog.text

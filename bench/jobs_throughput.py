"""Job queue throughput: how many no-op jobs a worker runs per second, against a baseline of the
same number of bare row inserts and updates on the same database in the same run.

    .venv/bin/python bench/jobs_throughput.py [N]
Uses TIPDESK_DATABASE_URL when set (PostgreSQL), else a fresh SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tortoise import connections

from tipdesk.db import database, migrate_database
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.jobs.models import Job, JobState
from tipdesk.jobs.worker import Worker
from tipdesk.settings import Settings


@dataclass(frozen=True)
class Numbered:
    n: int


async def noop(context: JobContext, payload: Numbered) -> None:
    return None


NOOP = JobKind("bench.noop", Numbered, noop, priority=100, timeout=None)


async def baseline(count: int) -> float:
    """The least a queue must do per job: insert a row, then update it twice."""
    connection = connections.get("default")
    await connection.execute_script(
        "CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, state VARCHAR(16))"
    )
    await connection.execute_script("DELETE FROM bench_rows")
    start = time.perf_counter()
    for n in range(count):
        await connection.execute_query(f"INSERT INTO bench_rows (id, state) VALUES ({n}, 'queued')")
    for n in range(count):
        await connection.execute_query(f"UPDATE bench_rows SET state = 'running' WHERE id = {n}")
        await connection.execute_query(f"UPDATE bench_rows SET state = 'done' WHERE id = {n}")
    return time.perf_counter() - start


async def measure(settings: Settings, count: int) -> tuple[float, float]:
    await Job.all().delete()
    start = time.perf_counter()
    for n in range(count):
        await NOOP.enqueue(Numbered(n), settings)
    enqueued = time.perf_counter() - start
    worker = Worker(settings, {NOOP.name: NOOP})
    stop = asyncio.Event()
    start = time.perf_counter()
    task = asyncio.create_task(worker.run(stop))
    while await Job.filter(state=JobState.DONE).count() < count:
        await asyncio.sleep(0.05)
    ran = time.perf_counter() - start
    stop.set()
    await task
    return enqueued, ran


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        environ = {
            "TIPDESK_DATA_DIR": folder,
            "TIPDESK_SECRET_KEY": secrets.token_urlsafe(32),
            "TIPDESK_JOB_POLL_INTERVAL": "20ms",
            "TIPDESK_DATABASE_URL": os.environ.get(
                "TIPDESK_DATABASE_URL", f"sqlite://{Path(folder) / 'bench.sqlite3'}"
            ),
        }
        settings = Settings.from_env(environ, env_file=None)
        await migrate_database(settings)
        async with database(settings):
            base = await baseline(count)
            enqueued, ran = await measure(settings, count)
            await connections.get("default").execute_script("DROP TABLE bench_rows")
    kind = "PostgreSQL" if settings.is_postgres else "SQLite"
    print(f"jobs_throughput on {kind}, {count} jobs, {os.cpu_count()} cores")
    print(f"  baseline (insert + 2 updates per row): {count / base:8.0f} rows/s")
    print(f"  enqueue:                               {count / enqueued:8.0f} jobs/s")
    print(f"  lease + run + complete (4 slots):      {count / ran:8.0f} jobs/s")
    print(f"  queue cost vs baseline:                {(enqueued + ran) / base:8.1f}x")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))

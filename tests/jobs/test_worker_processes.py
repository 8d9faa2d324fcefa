"""Workers as real processes on the real database: exactly once, SIGKILL, and dead jobs."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url

from tests.intake.builders import notification, text_message
from tests.servers import die_with_parent
from tipdesk.intake.inbox import Inbox
from tipdesk.jobs import queue
from tipdesk.jobs.models import Job, JobState
from tipdesk.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("db")]
PROBE = Path(__file__).with_name("probe_worker.py")
ROOT = Path(__file__).parents[2]


class Workers:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**env, "PYTHONPATH": str(ROOT)}
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, concurrency: int = 4, **extra_env: str) -> subprocess.Popen[bytes]:
        with (self.log_dir / f"worker-{len(self.processes)}.log").open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, str(PROBE), str(concurrency)],
                preexec_fn=die_with_parent,
                env={**self.env, **extra_env},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(cli_env: dict[str, str], tmp_path: Path) -> Iterator[Workers]:
    group = Workers(cli_env, tmp_path)
    yield group
    group.stop_all()


async def wait_for(condition_sql_count: int, state: JobState, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await Job.filter(state=state).count() >= condition_sql_count:
            return
        await asyncio.sleep(0.2)
    counts = {s.value: await Job.filter(state=s).count() for s in JobState}
    raise AssertionError(f"timed out waiting for {condition_sql_count} {state.value}: {counts}")


def read_log(path: Path) -> list[tuple[str, int, int, int]]:
    rows = []
    for line in path.read_text().splitlines():
        event, job_id, attempt, pid = line.split()
        rows.append((event, int(job_id), int(attempt), int(pid)))
    return rows


async def test_two_worker_processes_run_500_jobs_exactly_once(
    workers: Workers, tmp_path: Path
) -> None:
    log = tmp_path / "runs.log"
    for n in range(500):
        await queue.enqueue("probe.append", {"log": str(log), "n": n}, max_attempts=3)
    first, second = workers.start(concurrency=4), workers.start(concurrency=4)
    await wait_for(500, JobState.DONE)
    rows = read_log(log)
    done = Counter(job_id for event, job_id, _, _ in rows if event == "done")
    started = Counter(job_id for event, job_id, _, _ in rows if event == "start")
    ids = {job.id for job in await Job.all()}
    assert set(done) == ids and set(done.values()) == {1}
    assert set(started.values()) == {1}
    assert {pid for *_, pid in rows} == {first.pid, second.pid}
    assert await Job.filter(attempts__gt=1).count() == 0


async def test_sigkilled_worker_job_completes_after_its_lease_expires(
    workers: Workers, tmp_path: Path
) -> None:
    log = tmp_path / "runs.log"
    await queue.enqueue("probe.append", {"log": str(log), "sleep": 30}, max_attempts=3)
    victim = workers.start(concurrency=1, TIPDESK_JOB_LEASE="2s")
    deadline = time.monotonic() + 30
    while not (log.exists() and log.read_text()):
        assert time.monotonic() < deadline, "the job never started"
        await asyncio.sleep(0.05)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    job = await Job.get()
    assert job.state is JobState.RUNNING
    await Job.filter(id=job.id).update(payload={"log": str(log), "sleep": 0})
    rescuer = workers.start(concurrency=1, TIPDESK_JOB_LEASE="2s")
    await wait_for(1, JobState.DONE, timeout=60)
    rows = read_log(log)
    assert rows[0][:3] == ("start", job.id, 1) and rows[0][3] == victim.pid
    assert ("done", job.id, 2, rescuer.pid) in rows
    assert [row for row in rows if row[0] == "done"] == [("done", job.id, 2, rescuer.pid)]
    finished = await Job.get(id=job.id)
    assert (finished.state, finished.attempts) == (JobState.DONE, 2)


async def test_always_failing_job_ends_dead_with_its_error(workers: Workers) -> None:
    await queue.enqueue("probe.fail", {}, max_attempts=3)
    workers.start(concurrency=1, TIPDESK_JOB_RETRY_BASE="50ms")
    await wait_for(1, JobState.DEAD, timeout=60)
    job = await Job.get()
    assert job.attempts == 3
    assert job.last_error == "attempt 3: RuntimeError: probe failure on attempt 3"
    assert job.finished_at is not None


async def listeners(connection: BaseDBAsyncClient) -> list[int]:
    rows = await connection.execute_query_dict(
        "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %tipdesk_jobs%'"
    )
    return [row["pid"] for row in rows]


async def wait_for_listener(connection: BaseDBAsyncClient, besides: list[int]) -> list[int]:
    deadline = time.monotonic() + 30
    while not (found := [pid for pid in await listeners(connection) if pid not in besides]):
        assert time.monotonic() < deadline, "the worker never listened for new jobs"
        await asyncio.sleep(0.1)
    return found


async def intake_done(count: int) -> None:
    deadline = time.monotonic() + 10
    while await Job.filter(kind="intake.process", state=JobState.DONE).count() < count:
        assert time.monotonic() < deadline, "the reader's message waited for the next poll"
        await asyncio.sleep(0.05)


async def test_a_worker_process_takes_a_readers_message_at_once_not_at_its_next_poll(
    workers: Workers, settings: Settings
) -> None:
    """Scaled out, the web process's intake jobs reached the workers only at their next poll;
    with a minute's poll here, the inbox must wake the worker by notification, also after the
    connection it listens on was cut. (SQLite's worker processes poll: `test_wakeup.py`.)"""
    if not settings.is_postgres:
        pytest.skip("SQLite is one process: a worker process beside it polls")
    connection = connections.get("default")
    before = await listeners(connection)
    worker = workers.start(concurrency=2, TIPDESK_JOB_POLL_INTERVAL="60s")
    listening = await wait_for_listener(connection, before)
    await asyncio.sleep(0.5)  # the slots' first leases found nothing: they idle for a minute
    inbox = Inbox(settings)
    try:
        await inbox.store(reader_says("wamid.wake.1"))
        await intake_done(1)
        await connection.execute_query("SELECT pg_terminate_backend($1)", [listening[0]])
        await wait_for_listener(connection, before + listening)
        await asyncio.sleep(0.5)
        await inbox.store(reader_says("wamid.wake.2"))
        await intake_done(2)
    finally:
        await inbox.close()
    workers.stop_all()
    assert worker.returncode == 0


async def test_the_inbox_notifies_the_workers_and_other_jobs_do_not(settings: Settings) -> None:
    """Jobs a worker enqueues are taken by its own slots as they come round; waking every
    worker process for them only cost empty leases (bench/README.md)."""
    if not settings.is_postgres:
        pytest.skip("SQLite has no notifications")
    heard: list[str] = []
    credentials = expand_db_url(settings.database_url)["credentials"]
    listener = await asyncpg.connect(
        host=credentials["host"], port=credentials["port"], user=credentials["user"],
        password=credentials.get("password"), database=credentials["database"],
    )  # fmt: skip
    inbox = Inbox(settings)
    try:
        await listener.add_listener("tipdesk_jobs", lambda *args: heard.append(args[2]))
        await queue.enqueue("messaging.send", {}, max_attempts=3)
        await asyncio.sleep(0.3)
        assert heard == []
        await inbox.store(reader_says("wamid.notify.1"))
        deadline = time.monotonic() + 5
        while not heard:
            assert time.monotonic() < deadline, "the inbox's commit notified nobody"
            await asyncio.sleep(0.05)
        assert heard == ["tipdesk_jobs"]
    finally:
        await inbox.close()
        await listener.close()


def reader_says(wamid: str) -> bytes:
    return json.dumps(notification(text_message(wamid, "Boom op de Stationsstraat"))).encode()

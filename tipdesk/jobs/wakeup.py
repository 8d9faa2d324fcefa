"""Worker processes on PostgreSQL hear of readers' messages at once instead of at their next poll.

On one process the webhook wakes the in-process worker itself. Scaled out, the web process
commits a reader's message and its intake job, and a `tipdesk worker` found it only when one of
its idle slots polled again (`TIPDESK_JOB_POLL_INTERVAL`, 500 ms): with one worker process at 50
tips a second, p95 from message to confirmation was 0.3–0.5 s instead of 0.1 s (bench/README.md).
So the inbox's statement ends with `pg_notify('tipdesk_jobs', '')` (delivered at commit), and
each worker process listens on a connection of its own and wakes one idle slot.

Only the inbox notifies: a job a worker enqueues (a send after intake) is taken by its own slots
as they come round, and notifying for every due job woke every worker process for each, costing
each an empty lease (4.5 ms more CPU a tip, and slower, with two workers on two cores). Jobs the
board enqueues wait for the poll, as before. A lost connection costs only the poll's delay.

SQLite is the embedded desk: one process, whose webhook wakes its own worker. A `tipdesk worker`
beside it on the same file still works (transactions take the write lock first,
`sqlite_client.py`), but hears of new jobs at its polls only: scaling out is PostgreSQL's job.
(UDP doorbells once woke SQLite's worker processes too: machinery for a topology the desk does
not offer.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

from tipdesk.settings import Settings

log = logging.getLogger("tipdesk.jobs")
CHANNEL = "tipdesk_jobs"
RECONNECT_AFTER = 2.0
_CONNECT_KEYS = ("host", "port", "user", "password", "database", "ssl")


async def listen_for_jobs(
    settings: Settings, wake: Callable[[], None], stop: asyncio.Event
) -> None:
    """Until `stop`: call `wake` whenever the inbox commits a reader's message (PostgreSQL)."""
    if not settings.is_postgres:
        log.warning(
            "a worker process on SQLite hears of new jobs only at its polls (every %.1f s): "
            "the embedded desk runs its workers in `tipdesk serve`; scale out on PostgreSQL",
            settings.job_poll_interval.total_seconds(),
        )
        return
    credentials = expand_db_url(settings.database_url)["credentials"]
    connect: dict[str, Any] = {key: credentials[key] for key in _CONNECT_KEYS if key in credentials}
    while not stop.is_set():
        try:
            connection = await asyncpg.connect(**connect)
        except Exception as exc:  # whatever fails here must not stop the worker: it polls
            log.warning("cannot listen for new jobs (%s); polling meanwhile", type(exc).__name__)
            await _pause(stop, RECONNECT_AFTER)
            continue
        if await _listen_on(connection, wake, stop):
            log.warning("the connection for new jobs was lost; polling meanwhile")
            await _pause(stop, RECONNECT_AFTER)


async def _listen_on(
    connection: asyncpg.Connection, wake: Callable[[], None], stop: asyncio.Event
) -> bool:
    """Listen until `stop` or until the connection is lost (True)."""
    lost = asyncio.Event()
    connection.add_termination_listener(lambda _: lost.set())
    try:
        await connection.add_listener(CHANNEL, lambda *_: wake())
        log.info("listening for new jobs")
        await _first(stop.wait(), lost.wait())
    except Exception as exc:  # asyncpg's interface errors too; the worker polls meanwhile
        log.warning("stopped listening for new jobs (%s)", type(exc).__name__)
        lost.set()
    finally:
        with contextlib.suppress(Exception):
            await connection.close(timeout=2)
    return not stop.is_set() and lost.is_set()


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _first(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()

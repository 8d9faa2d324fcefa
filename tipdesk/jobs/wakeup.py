"""Worker processes hear of readers' messages at once instead of at their next poll.

On one process the webhook wakes the in-process worker itself. Scaled out, the web process
commits a reader's message and its intake job, and a `tipdesk worker` found it only when one of
its idle slots polled again (`TIPDESK_JOB_POLL_INTERVAL`, 500 ms): with one worker process at 50
tips a second, p95 from message to confirmation was 0.3–0.5 s instead of 0.1 s on PostgreSQL,
and on SQLite only a stream of small index jobs kept the slots coming round (bench/README.md).

- PostgreSQL: the inbox's statement ends with `pg_notify('tipdesk_jobs', '')` (delivered at
  commit); each worker process listens on a connection of its own.
- SQLite, whose processes share one machine and data directory: each worker process opens a
  doorbell, a UDP socket on 127.0.0.1 whose port it leaves in `<data dir>/doorbells/`, and the
  inbox rings every doorbell there after each commit.

Either way the worker wakes one idle slot. Only the inbox rings: a job a worker enqueues (a
send after intake) is taken by its own slots as they come round, and notifying for every due job
woke every worker process for each, costing each an empty lease (4.5 ms more CPU a tip, and
slower, with two workers on two cores). Jobs the board enqueues wait for the poll, as before.
Polling stays as it was: a lost connection or a missed ring costs only the poll's delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

from tipdesk.settings import Settings

log = logging.getLogger("tipdesk.jobs")
CHANNEL = "tipdesk_jobs"
RECONNECT_AFTER = 2.0
_CONNECT_KEYS = ("host", "port", "user", "password", "database", "ssl")
DOORBELLS = "doorbells"
# How long the inbox trusts its list of doorbells: a worker started since is heard of this late.
DOORBELL_LIST_AGE = 1.0


async def listen_for_jobs(
    settings: Settings, wake: Callable[[], None], stop: asyncio.Event
) -> None:
    """Until `stop`: call `wake` whenever the inbox commits a reader's message."""
    if not settings.is_postgres:
        await answer_doorbell(doorbell_folder(settings), wake, stop)
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


def doorbell_folder(settings: Settings) -> Path:
    """Where SQLite's worker processes leave their doorbells' ports for the inbox."""
    return settings.data_dir / DOORBELLS


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


async def answer_doorbell(folder: Path, wake: Callable[[], None], stop: asyncio.Event) -> None:
    """SQLite: a UDP socket on 127.0.0.1, its port in `folder` while it is open."""
    try:
        doorbell, entry = _open_doorbell(folder)
    except OSError as exc:  # an unwritable data directory: the worker polls
        log.warning("cannot open a doorbell for new jobs (%s); polling", type(exc).__name__)
        return

    def rung() -> None:
        with contextlib.suppress(OSError):
            while doorbell.recv(16):
                pass  # the rings waiting make one wake: the slot woken leases on while jobs wait
        wake()

    loop = asyncio.get_running_loop()
    loop.add_reader(doorbell.fileno(), rung)
    try:
        await stop.wait()
    finally:
        loop.remove_reader(doorbell.fileno())
        doorbell.close()
        entry.unlink(missing_ok=True)


def _open_doorbell(folder: Path) -> tuple[socket.socket, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    _forget_dead_doorbells(folder)
    doorbell = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    doorbell.bind(("127.0.0.1", 0))
    doorbell.setblocking(False)
    entry = folder / f"{os.getpid()}-{secrets.token_hex(4)}"
    entry.write_text(str(doorbell.getsockname()[1]))
    return doorbell, entry


def _forget_dead_doorbells(folder: Path) -> None:
    """Entries left by worker processes that were killed (their pid is gone)."""
    for entry in folder.iterdir():
        pid = entry.name.split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    return True


class Doorbells:
    """The inbox's side on SQLite: ring every worker process's doorbell (never blocks, never
    fails: a ring that is lost costs that worker its next poll)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._ports: list[int] = []
        self._listed_at = float("-inf")
        # Opened at the first ring that has a doorbell to ring: the embedded desk never does.
        self._socket: socket.socket | None = None

    def ring(self) -> None:
        if time.monotonic() - self._listed_at > DOORBELL_LIST_AGE:
            self._ports = self._list()
            self._listed_at = time.monotonic()
        if not self._ports:
            return
        if self._socket is None:
            self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._socket.setblocking(False)
        for port in self._ports:
            with contextlib.suppress(OSError):
                self._socket.sendto(b"!", ("127.0.0.1", port))

    def _list(self) -> list[int]:
        ports = []
        with contextlib.suppress(OSError):
            for entry in self.folder.iterdir():
                with contextlib.suppress(OSError, ValueError):
                    ports.append(int(entry.read_text()))
        return ports

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

"""The durable inbox: raw webhook bodies and their job, committed in groups.

Meta wants a median ack under 250 ms and sends bursts. Committing each body on its own makes
every request pay a whole transaction; instead concurrent requests hand their body to the inbox,
which writes everything waiting in one transaction (one multi-row INSERT of the bodies, one
`intake.process` job for the whole group, one commit) and then releases each request with its id.
No request is answered before its own body and its job are committed.

How a group reaches the database in one round trip is `inbox_writers.py`.

Nothing waits for company: a group is whatever arrived while the previous one was being
written. (Bodies with only delivery receipts once lingered up to 50 ms for company, to share a
job; but Meta delivers a number's webhooks only so many at a time, so every ack held open held
back the readers' messages behind it: at 50 tips a second they queued for seconds in front of
the desk. `tests/intake/test_inbox.py` and bench/README.md.)

The inbox also tells the in-process worker when to hold back (`lull`): acknowledging Meta comes
first, parsing can wait a moment, and on one process both share a core and the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import uuid

from tipdesk.clock import utcnow
from tipdesk.db import SQLITE_BUSY_TIMEOUT_MS, sqlite_path
from tipdesk.intake.inbox_writers import (
    PROCESS_WEBHOOK,
    GroupWriter,
    PostgresWriter,
    SqliteWriter,
    job_row,
    time_ordered_id,
    webhook_row,
)
from tipdesk.settings import Settings

log = logging.getLogger("tipdesk.intake")
__all__ = ["PROCESS_WEBHOOK", "Inbox"]
MAX_BATCH = 256
MESSAGE_LIST = re.compile(rb'"messages"\s*:\s*\[')
# Under a steady flood of webhooks the in-process worker still takes a step this often (one step:
# one job, or one body of an intake job, by one of its slots).
MAX_HOLD_BACK = 1.0
READER_MESSAGES = 10
RECEIPTS_ONLY = 40
# Meta redelivers a body it thinks went unanswered, and a replayed signed body is the same bytes:
# within this window the second copy is answered with the first one's id and stored no more.
DUPLICATE_WINDOW = 600.0
DUPLICATES_REMEMBERED = 20_000


class Inbox:
    def __init__(self, settings: Settings) -> None:
        self.max_attempts = settings.job_max_attempts
        path = sqlite_path(settings.database_url)
        self._writer: GroupWriter = (
            PostgresWriter() if path is None else SqliteWriter(path, SQLITE_BUSY_TIMEOUT_MS)
        )
        self._waiting: list[tuple[bytes, bytes, int, asyncio.Future[uuid.UUID]]] = []
        self._task: asyncio.Task[None] | None = None
        # Set while nothing is being written or waits to be written.
        self._idle = asyncio.Event()
        self._idle.set()
        self._next_forced_step = 0.0
        self._recent = RecentBodies(DUPLICATE_WINDOW, DUPLICATES_REMEMBERED)

    async def store(self, body: bytes) -> uuid.UUID:
        """Returns once `body` and its processing job are committed; a body identical to one
        stored in the last `DUPLICATE_WINDOW` seconds returns that one's id and writes nothing.
        Per process: across web processes the messages' channel ids keep intake idempotent."""
        loop = asyncio.get_running_loop()
        digest = hashlib.sha256(body).digest()
        earlier = self._recent.get(digest, loop.time())
        if earlier is not None:
            return await asyncio.shield(earlier)
        future: asyncio.Future[uuid.UUID] = loop.create_future()
        self._recent.add(digest, future, loop.time())
        priority = intake_priority(body)
        self._waiting.append((body, digest, priority, future))
        self._idle.clear()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_batches())
        return await future

    @property
    def pending(self) -> int:
        """Bodies handed to the inbox and not yet committed."""
        return len(self._waiting)

    async def close(self) -> None:
        if self._task is not None:
            await self._task
        await self._writer.close()

    async def lull(self) -> None:
        """Wait until no body waits to be stored; under a flood, for this desk's turn.

        The in-process worker gives way with this before each job and between the bodies of an
        intake job: on one process acks and parsing share a core and the database, and a body
        stored is safe, so Meta's acks go first. At ordinary rates the inbox is idle almost all
        the time and nothing waits; under a flood the backlog is parsed as the flood ebbs, while
        one slot at a time still takes a step every `MAX_HOLD_BACK` seconds (every slot at once
        would hold the database from the inbox four times as long).
        """
        loop = asyncio.get_running_loop()
        while not self._idle.is_set():
            wait = max(self._next_forced_step - loop.time(), 0.0) or MAX_HOLD_BACK
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), wait)
            if not self._idle.is_set() and loop.time() >= self._next_forced_step:
                self._next_forced_step = loop.time() + MAX_HOLD_BACK
                return

    async def _write_batches(self) -> None:
        try:
            await self._write_waiting()
        finally:
            self._idle.set()

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                ids = await self._commit(
                    [(body, digest, priority) for body, digest, priority, _ in batch]
                )
            except Exception as exc:
                log.error("inbox could not store %d bodies: %s", len(batch), type(exc).__name__)
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (*_, future), webhook_id in zip(batch, ids, strict=True):
                if not future.done():
                    future.set_result(webhook_id)

    async def _commit(self, bodies: list[tuple[bytes, bytes, int]]) -> list[uuid.UUID]:
        now = utcnow()
        ids = [time_ordered_id() for _ in bodies]
        webhooks = [
            webhook_row(webhook_id, body, digest.hex(), now)
            for webhook_id, (body, digest, _) in zip(ids, bodies, strict=True)
        ]
        # Readers' messages and delivery receipts get a job each (see `intake_priority`).
        groups: dict[int, list[uuid.UUID]] = {}
        for webhook_id, (_, _, priority) in zip(ids, bodies, strict=True):
            groups.setdefault(priority, []).append(webhook_id)
        jobs = [
            job_row(members, priority, self.max_attempts, now)
            for priority, members in groups.items()
        ]
        await self._writer.write(webhooks, jobs)
        return ids


class RecentBodies:
    """The digests of the bodies stored lately, oldest first, each with its (future) id; a body
    that could not be stored is forgotten, so its redelivery is tried again."""

    def __init__(self, window: float, most: int) -> None:
        self.window = window
        self.most = most
        self._bodies: dict[bytes, tuple[float, asyncio.Future[uuid.UUID]]] = {}

    def get(self, digest: bytes, now: float) -> asyncio.Future[uuid.UUID] | None:
        self._forget_before(now - self.window)
        seen = self._bodies.get(digest)
        if seen is None:
            return None
        future = seen[1]
        if future.done() and (future.cancelled() or future.exception() is not None):
            del self._bodies[digest]
            return None
        return future

    def add(self, digest: bytes, future: asyncio.Future[uuid.UUID], now: float) -> None:
        self._bodies[digest] = (now, future)
        while len(self._bodies) > self.most:
            del self._bodies[next(iter(self._bodies))]

    def _forget_before(self, cutoff: float) -> None:
        while self._bodies:
            oldest = next(iter(self._bodies))
            if self._bodies[oldest][0] >= cutoff:
                return
            del self._bodies[oldest]


def intake_priority(body: bytes) -> int:
    """Readers' messages before delivery receipts: under a storm, a body without messages (only
    statuses: each confirmation brings two or three) waits behind those that start tips, so
    confirmations stay quick while ticks catch up. A byte check, not a parse: the ack stays
    cheap, and a wrong guess only reorders work. Every body names `"field": "messages"`, so
    the check looks for the list of messages itself."""
    return READER_MESSAGES if MESSAGE_LIST.search(body) else RECEIPTS_ONLY

"""The worker loop: slots that lease jobs, run their handler with a heartbeat, and record the end.

A worker process runs `concurrency` slots. Each job kind may cap how many of its jobs one process
runs at once (transcoding at most the number of cores), so a burst of videos cannot starve the
confirmations readers wait for. Each attempt runs within its kind's time limit, on the payload
its kind reads from the row (`kinds.py`): a payload that does not fit ends the job `dead` at once.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tipdesk.jobs import queue
from tipdesk.jobs.kinds import JobContext, JobKind, PayloadError, carry_on
from tipdesk.jobs.models import Job, JobState
from tipdesk.jobs.wakeup import listen_for_jobs
from tipdesk.settings import Settings

if TYPE_CHECKING:
    from tipdesk.channels.base import Channel

log = logging.getLogger("tipdesk.jobs")


class _NoChannel:
    """A worker without a channel: a handler that needs one fails, and its job is retried."""

    name = "none"

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("this worker has no channel to readers")

    async def aclose(self) -> None:
        return None


class Worker:
    def __init__(
        self,
        settings: Settings,
        kinds: Mapping[str, JobKind[Any]],
        *,
        concurrency: int | None = None,
        worker_id: str | None = None,
        channel: Channel | None = None,
        give_way: Callable[[], Awaitable[None]] | None = None,
        listen: bool = False,
    ) -> None:
        self.settings = settings
        # Hear of readers' messages the web process commits at once (`wakeup.py`).
        self.listen = listen
        # The desk's way to readers (tipdesk/desk.py gives it); a worker for jobs that never
        # reach a reader (tests of the queue, benchmarks) has none.
        self.channel: Channel = channel or _NoChannel()
        # Awaited before each job and by handlers between items: the embedded desk lets webhook
        # acks go first (Inbox.lull).
        self.give_way = give_way
        self.kinds = dict(kinds)
        self.concurrency = concurrency or settings.worker_concurrency
        self.worker_id = worker_id or _worker_id()
        self.running: Counter[str] = Counter()
        self._lease_lock = asyncio.Lock()
        self._idle_slots: collections.deque[asyncio.Future[bool]] = collections.deque()
        # A job whose earlier attempt died with its worker runs alone: meanwhile this process
        # leases nothing else (`_lease`).
        self._suspect: Job | None = None
        # Such a job was leased beside running ones and handed back: lease nothing until they end.
        self._quieting = False

    def wake(self) -> None:
        """Look for jobs now instead of at the next poll (after an in-process enqueue). One idle
        slot wakes, not all: every webhook wakes the worker, and waking four slots for one job
        cost three empty lease queries each time (a sixth of the desk's time in a burst)."""
        while self._idle_slots:
            waiter = self._idle_slots.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker %s started with %d slots", self.worker_id, self.concurrency)
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(self.concurrency):
                    group.create_task(self._slot(stop))
                if self.listen:
                    group.create_task(listen_for_jobs(self.settings, self.wake, stop))
        finally:
            await self.channel.aclose()
        log.info("worker %s stopped", self.worker_id)

    async def drain(self) -> int:
        """Run due jobs one after another until none is left; how many ran (tests, one-offs)."""
        count = 0
        try:
            while (job := await self._lease()) is not None:
                try:
                    await self._run(job)
                finally:
                    await self._done(job)
                count += 1
        finally:
            await self.channel.aclose()
        return count

    async def _slot(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self.give_way is not None:
                await self.give_way()
            try:
                job = await self._lease()
            except Exception:
                log.exception("worker %s could not lease a job; retrying", self.worker_id)
                job = None
            if job is None:
                await self._idle(stop)
                continue
            try:
                await self._run(job)
            finally:
                await self._done(job)

    async def _lease(self) -> Job | None:
        """The next job for a free slot. A job whose earlier attempt died with its worker runs
        alone: a worker that dies takes every job it ran with it, and all of them gain a crash,
        so run together again the one that kills workers would take the innocent ones to their
        second crash as well. Leased beside running jobs, it goes back to the queue untouched and
        this process takes nothing new until they end; it never waits holding its lease, where a
        death of the worker (behind a long transcode) would count against it a second time."""
        async with self._lease_lock:
            if self._suspect is not None or (self._quieting and self.running.total()):
                return None
            self._quieting = False
            job = await queue.lease(self.worker_id, self.settings.job_lease, self._open_kinds())
            if job is None:
                return None
            if job.crashes and queue.spent(job) is None and self.running.total():
                await queue.hand_back(job)
                self._quieting = True
                return None
            self.running[job.kind] += 1
            if job.crashes:
                self._suspect = job
            return job

    async def _done(self, job: Job) -> None:
        self.running[job.kind] -= 1
        if self._suspect is job:
            self._suspect = None
            for _ in range(self.concurrency):
                self.wake()
        elif self._quieting and not self.running.total():
            self.wake()

    def _open_kinds(self) -> list[str]:
        return [
            name
            for name, kind in self.kinds.items()
            if (limit := kind.limit(self.settings)) is None or self.running[name] < limit
        ]

    async def _idle(self, stop: asyncio.Event) -> None:
        interval = self.settings.job_poll_interval.total_seconds()
        woken: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._idle_slots.append(woken)
        stopped: asyncio.Future[bool] = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait(
                [stopped, woken], timeout=interval, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            stopped.cancel()
            woken.cancel()
            with contextlib.suppress(ValueError):
                self._idle_slots.remove(woken)

    async def _run(self, job: Job) -> None:
        kind = self.kinds[job.kind]
        context = JobContext(
            settings=self.settings,
            job_id=job.id,
            attempt=job.attempts,
            max_attempts=job.max_attempts,
            channel=self.channel,
            give_way=self.give_way or carry_on,
        )
        if (reason := queue.spent(job)) is not None:
            await self._give_up(kind, context, job, reason)
            return
        try:
            payload = kind.load(job.payload)
        except PayloadError as exc:
            log.warning("job %d (%s) has a payload that does not fit: %s", job.id, job.kind, exc)
            await queue.fail(job, exc, self.settings.job_retry_base, final=True)
            return
        heartbeat = asyncio.create_task(self._heartbeat(job))
        try:
            await _within(kind.timeout, kind.handler(context, payload))
        except Exception as exc:
            state = await queue.fail(job, exc, self.settings.job_retry_base)
            log.warning(
                "job %d (%s) attempt %d failed with %s; now %s",
                job.id,
                job.kind,
                job.attempts,
                type(exc).__name__,
                state.value,
            )
        else:
            if not await queue.complete(job):
                log.warning("job %d (%s) finished after its lease was lost", job.id, job.kind)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _give_up(
        self, kind: JobKind[Any], context: JobContext, job: Job, reason: str
    ) -> None:
        """The poison-pill guard: a job whose attempts died with their workers is not run a
        third time; its kind's give-up step tells the desk, then the job ends `dead`."""
        log.warning("job %d (%s) given up: %s", job.id, job.kind, reason)
        try:
            if kind.give_up is not None:
                await kind.give_up(context, kind.load(job.payload))
        except Exception as exc:
            log.warning("job %d give-up step failed with %s", job.id, type(exc).__name__)
        await queue.give_up(job, reason)

    async def _heartbeat(self, job: Job) -> None:
        every = max(self.settings.job_lease / 3, timedelta(milliseconds=100)).total_seconds()
        while True:
            await asyncio.sleep(every)
            try:
                if not await queue.extend_lease(job, self.settings.job_lease):
                    log.warning("job %d (%s) lease lost to another worker", job.id, job.kind)
                    return
            except Exception:
                log.exception("job %d heartbeat failed; will try again", job.id)


class JobTimedOut(Exception):
    """An attempt ran past its kind's time limit: it was stopped, and is retried."""


async def _within(limit: timedelta | None, work: Awaitable[None]) -> None:
    try:
        async with asyncio.timeout(None if limit is None else limit.total_seconds()):
            await work
    except TimeoutError as exc:
        if limit is None:
            raise
        raise JobTimedOut(f"the attempt ran over its {limit} time limit") from exc


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


__all__ = ["JobContext", "JobKind", "JobState", "JobTimedOut", "Worker"]

"""A real worker process, as `tipdesk worker` runs it, plus two job kinds tests can observe.

`probe.append` writes "start"/"done" lines (job id, attempt, pid) to a log file with O_APPEND, so
lines from several processes never interleave; `probe.fail` always raises. The desk's kinds
named in PROBE_DIE_IN (comma-separated) keep their give-up step but their run kills this process
at once, as an OOM-kill would (the poison-pill guard's tests); with PROBE_DIE_ON_BODY, the
intake job dies only when one of its bodies still waiting holds that text (one poisoned body).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tipdesk.desk import desk_job_kinds, run_worker_process
from tipdesk.intake.inbox import PROCESS_WEBHOOK
from tipdesk.intake.inbox_writers import BodiesToProcess
from tipdesk.intake.models import InboundState, InboundWebhook
from tipdesk.jobs.kinds import JobContext, JobKind, NoPayload
from tipdesk.logs import configure_logging
from tipdesk.settings import Settings


def _append(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Append:
    log: str
    sleep: int = 0
    n: int | None = None


async def probe_append(context: JobContext, payload: Append) -> None:
    path = payload.log
    _append(path, f"start {context.job_id} {context.attempt} {os.getpid()}\n")
    await asyncio.sleep(payload.sleep)
    _append(path, f"done {context.job_id} {context.attempt} {os.getpid()}\n")


async def probe_fail(context: JobContext, payload: NoPayload) -> None:
    raise RuntimeError(f"probe failure on attempt {context.attempt}")


async def probe_die(context: JobContext, payload: Any) -> None:
    os._exit(70)


Intake = Callable[[JobContext, BodiesToProcess], Awaitable[None]]


def dies_on_body(marker: bytes, handler: Intake) -> Intake:
    async def run(context: JobContext, payload: BodiesToProcess) -> None:
        waiting = await InboundWebhook.filter(id__in=payload.ids, state=InboundState.RECEIVED)
        if any(marker in bytes(webhook.body) for webhook in waiting):
            os._exit(70)
        await handler(context, payload)

    return run


def main() -> None:
    settings = Settings.from_env(env_file=None)
    configure_logging(settings.log_level)
    kinds = {
        **desk_job_kinds(settings),
        "probe.append": JobKind("probe.append", Append, probe_append, priority=100, timeout=None),
        "probe.fail": JobKind("probe.fail", NoPayload, probe_fail, priority=100, timeout=None),
    }
    for name in filter(None, os.environ.get("PROBE_DIE_IN", "").split(",")):
        kinds[name] = dataclasses.replace(kinds[name], handler=probe_die)
    if marker := os.environ.get("PROBE_DIE_ON_BODY"):
        intake = kinds[PROCESS_WEBHOOK]
        handler = dies_on_body(marker.encode(), intake.handler)
        kinds[PROCESS_WEBHOOK] = dataclasses.replace(intake, handler=handler)
    concurrency = int(sys.argv[1]) if len(sys.argv) > 1 else None
    asyncio.run(run_worker_process(settings, concurrency, kinds))


if __name__ == "__main__":
    main()

"""The `intake.process` kind: the bodies one group commit of the inbox stored, recorded by
`recording.py`, given up and revived by `unprocessable.py`. The inbox writes these jobs in its
own group commit (`inbox_writers.py`), with the same name and payload."""

from __future__ import annotations

from datetime import timedelta

from tipdesk.intake.inbox import READER_MESSAGES
from tipdesk.intake.inbox_writers import PROCESS_WEBHOOK, BodiesToProcess
from tipdesk.intake.recording import process_webhook
from tipdesk.intake.unprocessable import give_up_webhooks, revive_webhooks
from tipdesk.jobs.kinds import JobKind

# The inbox ranks each group by its content (`inbox.intake_priority`): readers' messages first.
INTAKE_JOB = JobKind(
    PROCESS_WEBHOOK,
    BodiesToProcess,
    process_webhook,
    priority=READER_MESSAGES,
    timeout=timedelta(minutes=10),
    give_up=give_up_webhooks,
    revive=revive_webhooks,
)

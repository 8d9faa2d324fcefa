"""Who hears every audit event, in its transaction: what follows a change outside the desk (an
outbound webhook) is queued with it, so it commits or rolls back with the change. Connected by
the composition root (tipdesk/desk.py), so the trail imports none of its listeners; kept apart
from the writer, which web modules may not import."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.audit.models import AuditEvent

Listener = Callable[[AuditEvent, BaseDBAsyncClient | None], Awaitable[None]]
LISTENERS: list[Listener] = []


def listen(listener: Listener) -> None:
    """Hear every event the trail writes; listening twice changes nothing. A listener that
    raises undoes the change, as a tips subscriber does."""
    if listener not in LISTENERS:
        LISTENERS.append(listener)

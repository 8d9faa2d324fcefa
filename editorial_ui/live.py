"""`/board/events`: server-sent events that tell open boards a tip arrived or changed.

Each web process polls the database (the one place every process shares) for tips touched since
its last look, so the live board works the same with one process or several behind a proxy.
A stream ends after STREAM_SECONDS; EventSource reconnects by itself, which also bounds how long
a forgotten tab holds a connection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tipdesk.editors.access import require_editor
from tipdesk.jobs.queue import utcnow
from tipdesk.tips.models import Tip

POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
STREAM_SECONDS = 600.0


async def events(request: Request) -> Response:
    await require_editor(request)
    return StreamingResponse(
        _stream(request, utcnow()),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


async def _stream(request: Request, since: datetime) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    waited = quiet = 0.0
    while waited < STREAM_SECONDS and not await request.is_disconnected():
        changed = await Tip.filter(updated_at__gt=since).order_by("updated_at").limit(100)
        for tip in changed:
            since = max(since, tip.updated_at)
            data = {"id": tip.id, "status": tip.status.value, "claimed": tip.claimed_by_id}
            yield f"event: tip\ndata: {json.dumps(data)}\n\n"
            quiet = 0.0
        if quiet >= KEEPALIVE_SECONDS:
            yield ": still here\n\n"
            quiet = 0.0
        await asyncio.sleep(POLL_SECONDS)
        waited += POLL_SECONDS
        quiet += POLL_SECONDS


routes = [Route("/board/events", events, methods=["GET"])]

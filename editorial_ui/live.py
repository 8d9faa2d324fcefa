"""`/board/events`: server-sent events that tell open boards a tip arrived or changed.

Each web process polls the database (the one place every process shares) for tips touched since
its last look (and tips whose media changed, so a thumbnail shows once it is made, and tips a
reader wrote on, which is no write to the tip: a reader's message must not keep a claim from
lapsing), so the live board works the same with one process or several behind a proxy.
A stream ends after STREAM_SECONDS; EventSource reconnects by itself, which also bounds how long
a forgotten tab holds a connection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tipdesk.clock import utcnow
from tipdesk.editors.access import require_editor
from tipdesk.tips.models import Direction, MediaAsset, Message, Tip

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
    cursors: dict[str, Any] = {"tips": since, "media": since, "message": await _newest_message()}
    waited = quiet = 0.0
    while waited < STREAM_SECONDS and not await request.is_disconnected():
        for data in await _changes(cursors):
            yield f"event: tip\ndata: {json.dumps(data)}\n\n"
            quiet = 0.0
        if quiet >= KEEPALIVE_SECONDS:
            yield ": still here\n\n"
            quiet = 0.0
        await asyncio.sleep(POLL_SECONDS)
        waited += POLL_SECONDS
        quiet += POLL_SECONDS


async def _newest_message() -> int:
    newest = await Message.all().order_by("-id").first()
    return newest.id if newest else 0


async def _changes(cursors: dict[str, Any]) -> list[dict[str, object]]:
    """Tips changed since the last look, tips whose media changed (a thumbnail is ready) and
    tips a reader wrote on (the board's unread markers, the editor's notifications)."""
    changed = await Tip.filter(updated_at__gt=cursors["tips"]).order_by("updated_at").limit(100)
    media = (
        await MediaAsset.filter(updated_at__gt=cursors["media"]).order_by("updated_at").limit(100)
    )
    for tip in changed:
        cursors["tips"] = max(cursors["tips"], tip.updated_at)
    for asset in media:
        cursors["media"] = max(cursors["media"], asset.updated_at)
    found: list[dict[str, object]] = [
        {"id": t.id, "status": t.status.value, "claimed": t.claimed_by_id} for t in changed
    ]
    known = {tip.id for tip in changed}
    found += [{"id": tip_id, "media": True} for tip_id in {a.tip_id for a in media} - known]
    return found + await _written(cursors)


async def _written(cursors: dict[str, Any]) -> list[dict[str, object]]:
    """Tips readers wrote on since the last look, with who holds each."""
    messages = (
        await Message.filter(id__gt=cursors["message"], direction=Direction.INBOUND)
        .order_by("id")
        .limit(100)
        .values_list("id", "tip_id")
    )
    if messages:
        cursors["message"] = messages[-1][0]
    tip_ids = {tip_id for _, tip_id in messages if tip_id is not None}
    holders = await Tip.filter(id__in=tip_ids).values_list("id", "claimed_by_id")
    return [{"id": tip_id, "message": True, "claimed": holder} for tip_id, holder in holders]


routes = [Route("/board/events", events, methods=["GET"])]

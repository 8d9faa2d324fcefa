"""`/tips/{id}/events`: the open tip page hears that its tip changed and who else is on it.

An `event: tip` says something on the page is out of date — a reader's message, a delivery
tick, a consent answer, a claim, a status, a finished thumbnail — and the page fetches itself
and swaps the changed parts. Like the board's stream it polls the database, the one place every
web process shares, so a change made through any process reaches every open page; the check is
five small indexed queries a second per open tip page. An `event: presence` carries the
sentence about the other editors on the tip, in the editor's language (tipdesk/tips/presence.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from tortoise.functions import Count, Max

from editorial_ui.i18n import page_language, text
from editorial_ui.tip_page import find_tip
from tipdesk.conversation.models import ConsentRecord
from tipdesk.editors.access import require_editor
from tipdesk.tips import presence
from tipdesk.tips.models import MediaAsset, Message, Tip

POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
STREAM_SECONDS = 600.0


async def events(request: Request) -> Response:
    editor = await require_editor(request)
    tip = await find_tip(request)
    language = page_language(request, editor)
    return StreamingResponse(
        _stream(request, tip.id, editor.id, language),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


async def typing(request: Request) -> Response:
    """The page says its editor is typing (CSRF-checked)."""
    editor = await require_editor(request)
    tip = await find_tip(request)
    await presence.typing(tip.id, editor.id)
    return Response(status_code=204)


async def _stream(
    request: Request, tip_id: int, editor_id: int, language: str
) -> AsyncIterator[str]:
    screen = await presence.arrive(tip_id, editor_id)
    try:
        yield "retry: 2000\n\n"
        state, said = await fingerprint(tip_id), None
        waited = quiet = stayed = 0.0
        while waited < STREAM_SECONDS and not await request.is_disconnected():
            now = await fingerprint(tip_id)
            if now != state:
                state, quiet = now, 0.0
                yield f"event: tip\ndata: {json.dumps({'id': tip_id})}\n\n"
            sentence = present(await presence.others(tip_id, editor_id), language)
            if sentence != said:
                said, quiet = sentence, 0.0
                yield f"event: presence\ndata: {json.dumps({'text': sentence})}\n\n"
            if quiet >= KEEPALIVE_SECONDS:
                yield ": still here\n\n"
                quiet = 0.0
            if stayed >= presence.HEARTBEAT_SECONDS:
                await presence.stay(screen)
                stayed = 0.0
            await asyncio.sleep(POLL_SECONDS)
            waited += POLL_SECONDS
            quiet += POLL_SECONDS
            stayed += POLL_SECONDS
    finally:
        await presence.leave(screen)


async def fingerprint(tip_id: int) -> tuple[object, ...]:
    """What the page shows, in brief: any change to it changes this tuple."""
    tip = await Tip.filter(id=tip_id).values_list("updated_at", "claimed_by_id", "status")
    # Per delivery state: a new message changes a count, a tick moves one between states
    # (states only move forward), whatever the tick's time says.
    messages = (
        await Message.filter(tip_id=tip_id)
        .group_by("delivery")
        .annotate(n=Count("id"), last=Max("id"))
        .order_by("delivery")
        .values_list("delivery", "n", "last")
    )
    consent = (
        await ConsentRecord.filter(tip_id=tip_id)
        .annotate(n=Count("id"), answered=Max("answered_at"), revoked=Max("revoked_at"))
        .values_list("n", "answered", "revoked")
    )
    media = (
        await MediaAsset.filter(tip_id=tip_id).annotate(last=Max("updated_at")).values_list("last")
    )
    return (tuple(tip), tuple(messages), tuple(consent), tuple(media))


def present(others: list[tuple[str, bool]], language: str) -> str:
    """ "Anne bekijkt deze tip · Bram typt…", or nothing when the editor is alone on it."""
    return " · ".join(
        text("live.typing" if busy else "live.viewing", language, name=name)
        for name, busy in others
    )


routes = [
    Route("/tips/{id}/events", events, methods=["GET"]),
    Route("/tips/{id}/typing", typing, methods=["POST"]),
]

"""`/api/v1`: the JSON API other people's scripts rely on. Bearer tokens for now; the board's
session login joins in editors/access.py. Errors are `{"error": {"code", "message"}}`."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tipdesk.api import export, tip_edits, webhooks
from tipdesk.api.bodies import json_body, path_id
from tipdesk.api.openapi import openapi_document
from tipdesk.conversation import consent, readers, replies
from tipdesk.conversation.models import ConsentRecord
from tipdesk.editors.access import require_chief, require_editor
from tipdesk.errors import InvalidInput, NotFound
from tipdesk.reports.period import parse_period
from tipdesk.reports.report import build_report
from tipdesk.search.engine import find_tips
from tipdesk.settings import Settings
from tipdesk.tips import actions
from tipdesk.tips.models import Sender, Tip
from tipdesk.tips.presenting import (
    consent_evidence,
    message_summary,
    sender_summary,
    tip_detail,
    tip_summaries,
    tip_summary,
)

FILTERS = {"status": "status", "media": "media", "desk": "desk", "claimed_by": "claimed"}


async def list_tips(request: Request) -> Response:
    await require_editor(request)
    settings: Settings = request.app.state.settings
    params = request.query_params
    text = params.get("q", "")[:1000]
    for bound in ("since", "until"):
        if params.get(bound):
            _date(params[bound], bound)
            text += f" {bound}:{params[bound]}"
    sort = params.get("sort")
    if sort not in (None, "relevance", "newest"):
        raise InvalidInput("sort must be relevance or newest")
    filters = {FILTERS[k]: params[k][:64] for k in FILTERS if params.get(k)}
    results = await find_tips(
        settings, text, filters=filters, sort=sort,
        page=_number(params.get("page", "1"), "page"),
        per_page=_number(params.get("per_page", "25"), "per_page"),
    )  # fmt: skip
    tips = {tip.id: tip for tip in await Tip.filter(id__in=[h.tip_id for h in results.hits])}
    shown = [tips[h.tip_id] for h in results.hits if h.tip_id in tips]
    items = await tip_summaries(
        shown,
        {h.tip_id: h.snippet for h in results.hits},
        retention=settings.retention,
        evidence_retention=settings.evidence_retention,
    )
    body: dict[str, Any] = {"items": items, "total": results.total, "page": results.page}
    body["facets"] = results.facets
    if results.notice:
        body["notice"] = results.notice
    return JSONResponse(body)


async def _present(request: Request, tip: Tip) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    return await tip_summary(
        tip, retention=settings.retention, evidence_retention=settings.evidence_retention
    )


async def show_tip(request: Request) -> Response:
    await require_editor(request)
    settings: Settings = request.app.state.settings
    detail = await tip_detail(
        await _tip(request),
        retention=settings.retention,
        evidence_retention=settings.evidence_retention,
    )
    return JSONResponse(detail)


async def claim(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request, optional=True)
    takeover = data.get("takeover") is True
    tip = await actions.claim_tip(
        path_id(request), editor, request.app.state.settings, takeover=takeover
    )
    return JSONResponse(await _present(request, tip))


async def release(request: Request) -> Response:
    editor = await require_editor(request)
    tip = await actions.release_tip(path_id(request), editor, request.app.state.settings)
    return JSONResponse(await _present(request, tip))


async def set_status(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request)
    status, note, url = data.get("status"), data.get("note", ""), data.get("published_url")
    override = data.get("override_reason")
    if not isinstance(status, str) or not isinstance(note, str) or not isinstance(url, str | None):
        raise InvalidInput("status and note must be strings, published_url a string or null")
    if not isinstance(override, str | None):
        raise InvalidInput("override_reason must be a string or null")
    tip = await actions.change_status(
        path_id(request), editor, request.app.state.settings,
        status=status, note=note, published_url=url, override_reason=override,
    )  # fmt: skip
    return JSONResponse(await _present(request, tip))


async def reply(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request)
    text, quote = data.get("text"), data.get("quote")
    if not isinstance(text, str) or not isinstance(quote, str | None):
        raise InvalidInput("text must be a string, quote a message id or null")
    sent = await replies.reply_to_reader(
        path_id(request), editor, request.app.state.settings, text=text, quote=quote
    )
    body = {
        "message": message_summary(sent.message),
        "window_open": sent.window_open,
        "notice": sent.notice,
    }
    return JSONResponse(body, status_code=202)


async def request_consent(request: Request) -> Response:
    editor = await require_editor(request)
    record = await consent.request_consent(path_id(request), editor, request.app.state.settings)
    return JSONResponse(
        {"id": record.id, "state": record.state.value, "question": record.question_text},
        status_code=201,
    )


async def block(request: Request) -> Response:
    editor = await require_editor(request)
    blocked = request.url.path.endswith("/block")
    sender = await readers.set_blocked(path_id(request), editor, blocked=blocked)
    return JSONResponse(sender_summary(sender))


async def set_language(request: Request) -> Response:
    editor = await require_editor(request)
    data = await json_body(request)
    language = data.get("language")
    if "language" not in data or not isinstance(language, str | None):
        raise InvalidInput("language must be a language code like nl, or null for the country's")
    sender = await readers.set_language(
        path_id(request), editor, request.app.state.settings, language
    )
    return JSONResponse(sender_summary(sender))


async def show_sender(request: Request) -> Response:
    await require_editor(request)
    sender = await Sender.get_or_none(id=path_id(request))
    if sender is None:
        raise NotFound("no such sender")
    tips = await Tip.filter(sender_id=sender.id).order_by("-first_message_at", "-id")
    listed = [
        {"id": t.id, "status": t.status.value, "received_at": t.first_message_at.isoformat()}
        for t in tips
    ]
    records = await ConsentRecord.filter(sender_id=sender.id).order_by("requested_at", "id")
    evidence = await consent_evidence(records)
    return JSONResponse({**sender_summary(sender), "tips": listed, "consent_records": evidence})


async def reports(request: Request) -> Response:
    """Figures of a period and the one before it; chiefs and admins only."""
    await require_chief(request)
    settings: Settings = request.app.state.settings
    params = request.query_params
    period = parse_period(params.get("since"), params.get("until"), settings.timezone)
    return JSONResponse(await build_report(period, settings.opening_hours))


async def openapi(request: Request) -> Response:
    """For editors and their scripts, like the rest of the API: the document maps what a
    stranger could try."""
    await require_editor(request)
    return JSONResponse(openapi_document())


async def _tip(request: Request) -> Tip:
    tip = await Tip.get_or_none(id=path_id(request))
    if tip is None:
        raise NotFound("no such tip")
    return tip


def _number(raw: str, name: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100_000:
        raise InvalidInput(f"{name} must be a whole number from 1")
    return int(raw)


def _date(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2026-11-23") from None


routes = [
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/tips", list_tips, methods=["GET"]),
    Route("/api/v1/tips/{id}", show_tip, methods=["GET"]),
    Route("/api/v1/tips/{id}/claim", claim, methods=["POST"]),
    Route("/api/v1/tips/{id}/release", release, methods=["POST"]),
    Route("/api/v1/tips/{id}/status", set_status, methods=["POST"]),
    Route("/api/v1/tips/{id}/reply", reply, methods=["POST"]),
    Route("/api/v1/tips/{id}/consent-request", request_consent, methods=["POST"]),
    Route("/api/v1/senders/{id}", show_sender, methods=["GET"]),
    Route("/api/v1/senders/{id}/block", block, methods=["POST"]),
    Route("/api/v1/senders/{id}/unblock", block, methods=["POST"]),
    Route("/api/v1/senders/{id}/language", set_language, methods=["POST"]),
    *tip_edits.routes,
    *export.routes,
    *webhooks.routes,
    Route("/api/v1/reports", reports, methods=["GET"]),
]

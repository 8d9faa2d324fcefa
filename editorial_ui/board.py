"""`/board`: the newest tips first, or what the search finds, for logged-in editors. The search
box and the filters are one GET form, so every board an editor sees is a URL to share; the views
(board_views.py) and the bulk form (board_bulk.py) sit beside the list."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from editorial_ui.board_views import views_with_counts
from editorial_ui.pages import STATIC, render
from tipdesk.editors.access import current_editor
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_assign
from tipdesk.search.engine import SearchResults, find_tips
from tipdesk.settings import Settings
from tipdesk.tips.models import Tip, TipStatus
from tipdesk.tips.presenting import tip_summaries
from tipdesk.tips.seen import unread_among

BOARD_SIZE = 50


async def board(request: Request) -> Response:
    editor = await current_editor(request)
    if editor is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    settings: Settings = request.app.state.settings
    query = request.query_params.get("q", "")[:500]
    filters = board_filters(request, editor)
    if filters:
        query = f"{query} {' '.join(filters)}"
    shared = await _shared(request, editor, settings, query)
    if not query.strip():
        # The plain board reads the database, the source of truth, newest first.
        current = Tip.filter(merged_into_id=None)
        newest = await current.order_by("-last_message_at", "-id").limit(BOARD_SIZE)
        listing = SearchResults([], await current.count(), 1, BOARD_SIZE)
        tips = await tip_summaries(
            list(newest),
            retention=request.app.state.settings.retention,
            evidence_retention=request.app.state.settings.evidence_retention,
        )
        tips = local_times(tips, request.app.state.settings.timezone)
        return render(
            request,
            "board.html",
            editor=editor,
            tips=tips,
            results=listing,
            q="",
            ways_in=ways_in(request.app.state.settings),
            **shared,
            unread=await unread_among((tip["id"] for tip in tips), editor.id),
        )
    results = await find_tips(settings, query, per_page=BOARD_SIZE, facets=False)
    found = {tip.id: tip for tip in await Tip.filter(id__in=[h.tip_id for h in results.hits])}
    hits = [found[hit.tip_id] for hit in results.hits if hit.tip_id in found]
    tips = await tip_summaries(
        hits,
        {hit.tip_id: hit.snippet for hit in results.hits},
        retention=request.app.state.settings.retention,
        evidence_retention=request.app.state.settings.evidence_retention,
    )
    tips = local_times(tips, request.app.state.settings.timezone)
    shown = request.query_params.get("q", "")[:500]
    return render(
        request,
        "board.html",
        editor=editor,
        tips=tips,
        results=results,
        q=shown,
        **shared,
        unread=await unread_among((tip["id"] for tip in tips), editor.id),
    )


async def _shared(
    request: Request, editor: Editor, settings: Settings, query: str
) -> dict[str, Any]:
    """What both the plain and the searched board show: the form as chosen, the views with
    their counts, the editors a chief may assign to."""
    active = Editor.filter(active=True).order_by("display_name")
    return {
        "chosen": dict(request.query_params),
        "statuses": [s.value for s in TipStatus],
        "views": await views_with_counts(settings, editor, query),
        "current_query": " ".join(query.split()),
        "back": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "editors": await active if may_assign(editor) else [],
    }


def ways_in(settings: Settings) -> list[tuple[str, str]]:
    """Where a first tip can come from (a link and its text's key): an empty desk points there
    instead of at nothing."""
    ways = []
    if settings.sandbox:
        ways.append(("/sandbox", "board.way_sandbox"))
    if settings.web_form:
        ways.append(("/tip", "board.way_form"))
    return ways


def board_filters(request: Request, editor: Editor) -> list[str]:
    """The filter bar as search syntax, so the board and the search box are one engine."""
    params = request.query_params
    filters = []
    for name in ("status", "media", "desk"):
        value = params.get(name, "").strip().lower()
        if value and value.replace("_", "").replace("-", "").isalnum() and len(value) <= 32:
            filters.append(f"{name}:{value}")
    if params.get("mine"):
        filters.append(f"claimed:{editor.email.split('@')[0].lower()}")
    elif params.get("unclaimed"):
        filters.append("claimed:nobody")
    return filters


def local_times(tips: list[dict[str, Any]], tz: ZoneInfo) -> list[dict[str, Any]]:
    """Editors read the desk's own clock, not UTC."""
    for tip in tips:
        received = datetime.fromisoformat(tip["received_at"]).astimezone(tz)
        tip["received_local"] = received.strftime("%d-%m %H:%M")
        if tip.get("purge_at"):
            purge = datetime.fromisoformat(tip["purge_at"]).astimezone(tz)
            tip["purge_local"] = purge.strftime("%d-%m %H:%M")
    return tips


async def home(request: Request) -> Response:
    return RedirectResponse("/board", status_code=303)


routes = [
    Route("/", home, methods=["GET"]),
    Route("/board", board, methods=["GET"]),
    Route("/search", board, methods=["GET"]),  # the interface's search page: the board, searched
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]

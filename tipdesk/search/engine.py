"""Running a search: relevance or newest first, facet counts, highlighted snippets, pages.
The same engine answers the board's search box and `GET /api/v1/tips?q=`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

from whoosh import highlight, sorting
from whoosh import query as q

from tipdesk.search.index import IndexUnavailable, TipIndex
from tipdesk.search.query import parse
from tipdesk.settings import Settings

FACETS = ("status", "media", "desk")
NEWEST = sorting.FieldFacet("newest", reverse=True)  # schema.newest_key
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Hit:
    tip_id: int
    score: float
    snippet: str


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    notice: str | None = None


def search(
    index: TipIndex,
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    filters: dict[str, str] | None = None,
    sort: str | None = None,
    page: int = 1,
    per_page: int = 25,
    facets: bool = True,
) -> SearchResults:
    """Blocking (whoosh reads files): call it in a thread from async code. Without `facets`
    the counts per status, medium and desk stay uncounted (the board shows none of them)."""
    plan = parse(text, now=now, tz=tz)
    query = plan.query
    extra = [q.Term(name, value.lower()) for name, value in (filters or {}).items() if value]
    if extra:
        query = q.And([query, *extra])
    newest = sort == "newest" or (sort is None and not plan.has_words)
    page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
    with index.searcher() as searcher:
        grouped = {name: sorting.FieldFacet(name, allow_overlap=name == "media") for name in FACETS}
        results = searcher.search_page(
            query,
            page,
            pagelen=per_page,
            sortedby=NEWEST if newest else None,
            groupedby=grouped if facets else None,
            maptype=sorting.Count,
            terms=plan.has_words,  # the matched terms of every match, for the highlighter
        )
        results.results.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=60)
        results.results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        # whoosh answers a page past the end with the last page; an API must answer nothing.
        past_the_end = (page - 1) * per_page >= results.total
        hits = [
            Hit(
                int(hit["tip_id"]),
                0.0 if newest else float(hit.score or 0.0),
                _snippet(hit) if plan.has_words else _opening(hit),
            )
            for hit in ([] if past_the_end else results)
        ]
        counts = {
            name: {str(k): int(v) for k, v in results.results.groups(name).items()}
            for name in (FACETS if facets else ())
        }
        total = results.total
    return SearchResults(hits, total, page, per_page, counts, plan.notice)


async def find_tips(
    settings: Settings,
    text: str,
    *,
    filters: dict[str, str] | None = None,
    sort: str | None = None,
    page: int = 1,
    per_page: int = 25,
    facets: bool = True,
) -> SearchResults:
    """Search from async code. A missing or unreadable index asks for a rebuild and answers
    with no results and a notice, never an error page."""
    index = TipIndex(settings.data_dir)
    try:
        return await asyncio.to_thread(
            search, index, text, now=datetime.now(UTC), tz=settings.timezone,
            filters=filters, sort=sort, page=page, per_page=per_page, facets=facets,
        )  # fmt: skip
    except IndexUnavailable:
        from tipdesk.search.jobs import request_rebuild

        await request_rebuild(settings)
        notice = "The search index is being rebuilt; try again in a moment."
        return SearchResults([], 0, page, per_page, {}, notice)


async def count_tips(settings: Settings, text: str) -> int | None:
    """How many tips a search finds; None while there is no usable index. Unlike `find_tips`
    it asks for no rebuild: counts beside the board's views are no reason to start one."""
    index = TipIndex(settings.data_dir)
    try:
        return await asyncio.to_thread(
            count, index, text, now=datetime.now(UTC), tz=settings.timezone
        )
    except IndexUnavailable:
        return None


def count(index: TipIndex, text: str, *, now: datetime, tz: ZoneInfo) -> int:
    """How many tips match: a count beside each of the board's views on every render. The
    matcher's document numbers alone (deleted ones already left out), not a search: a search
    collects every match into results first, some ten times the time (bench/board.py)."""
    with index.searcher() as searcher:
        return sum(1 for _ in parse(text, now=now, tz=tz).query.docs(searcher))


def _snippet(hit: object) -> str:
    """The best passage with matches marked, or the start of the tip when nothing matched."""
    text = hit["body_nl"] or ""  # type: ignore[index]
    marked: str = hit.highlights("body_nl", text=text, top=2)  # type: ignore[attr-defined]
    return marked or _opening(hit)


def _opening(hit: object) -> str:
    """The start of the tip: a search of filters alone has no words to mark, and highlighting
    fifty tips to find that out was a fifth of a filtered board's search."""
    return escape((hit["body_nl"] or "")[:160])  # type: ignore[index]

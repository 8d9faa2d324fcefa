"""Server time of the board and the tip page with 100,000 tips in the database, and each page's
weight, against a bare Starlette app in the same run.

    .venv/bin/python bench/board.py [TIPS] [REQUESTS]

The desk is three years of tips (bench/_board_desk.py), written with multi-row INSERTs, then
indexed for search by the desk's own rebuild. Every page is asked for over ASGI in-process
(httpx.ASGITransport, logged in as an editor), so a request's time is the server's time to the
full response: routing, session, queries, search, templates. Measured: `/board` plain, with a
filter, with a filter and a search query; `/tips/{id}` of long conversations (120 messages, 30
media, 20 notes); one poll of the tip page's live stream. Page weight is each page's HTML plus
every stylesheet and script it links, fetched from the desk, uncompressed. Uses
TIPDESK_DATABASE_URL when set (PostgreSQL; its tables are emptied first), else a fresh SQLite
file. BENCH_DESK=folder keeps the data folder (SQLite file, search index) for the next run,
which measures that desk again instead of spending minutes rebuilding it (on PostgreSQL the
database is kept as it is; give the same folder for its index). Goals (issue 20): p95 ≤ 100 ms
for every page, page weight ≤ 150 KB.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

import httpx
from _board_desk import LONG_EVERY, WORDS, ends_now, newsroom, write
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from tortoise import connections

from editorial_ui.tip_live import fingerprint
from tipdesk.app import create_app
from tipdesk.db import migrate_database
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.search.index import TipIndex
from tipdesk.search.jobs import rebuild
from tipdesk.settings import Settings
from tipdesk.tips.models import Tip

PASSWORD = "bench password 1"  # noqa: S105 - a throwaway desk in a temporary folder
EDITORS = ("bench", "anne", "bram", "chris", "dewi", "eva")
GOAL_MS, GOAL_KB = 100.0, 150.0
ASSET = re.compile(
    r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<script[^>]+src="([^"]+)"', re.IGNORECASE
)
EMPTIED = (
    "tip_views", "tip_notes", "audit_events", "consent_media", "consent_records",
    "media_variants", "media_assets", "messages", "tips", "senders", "saved_views", "api_tokens",
    "editors", "jobs", "report_days",
)  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def log_in(http: httpx.AsyncClient) -> None:
    page = await http.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    data = {"csrf_token": token.group(1), "email": "bench@desk.example", "password": PASSWORD}
    assert (await http.post("/login", data=data)).status_code == 303


async def timed(run: Callable[[], Awaitable[object]], requests: int) -> list[float]:
    for _ in range(3):  # warm up: templates compiled, connections open, caches filled
        await run()
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        await run()
        times.append(time.perf_counter() - start)
    return times


async def fetched(http: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await http.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


async def weight(http: httpx.AsyncClient, path: str) -> tuple[int, int]:
    """The page's HTML and everything it links (CSS, JS), in bytes as served, uncompressed."""
    page = await fetched(http, path)
    assets = {css or js for css, js in ASSET.findall(page.text)}
    linked = 0
    for asset in assets:
        linked += len((await fetched(http, asset)).content)
    return len(page.content), linked


class Figures:
    def __init__(self) -> None:
        self.rows: list[tuple[str, list[float], tuple[int, int] | None]] = []

    def add(self, name: str, times: list[float], size: tuple[int, int] | None = None) -> None:
        self.rows.append((name, times, size))


async def measure_desk(http: httpx.AsyncClient, long_tips: list[int], requests: int) -> Figures:
    figures = Figures()
    boards = {
        "/board": "/board",
        "/board?status=new (filter)": "/board?status=new",
        "/board?q=brand&media=video (search + filter)": f"/board?q={WORDS[0]}&media=video",
    }
    for name, path in boards.items():
        times = await timed(lambda p=path: fetched(http, p), requests)
        figures.add(name, times, await weight(http, path))
    pages = [f"/tips/{tip_id}" for tip_id in long_tips]
    turn = iter(range(10**9))
    times = await timed(lambda: fetched(http, pages[next(turn) % len(pages)]), requests)
    figures.add(
        f"/tips/{{id}} ({len(pages)} long conversations)", times, await weight(http, pages[0])
    )
    tip_id = long_tips[0]
    figures.add("live stream: one poll (fingerprint)", await timed(
        lambda: fingerprint(tip_id), requests * 5))  # fmt: skip
    return figures


ROW = (
    '<li class="tip status-{{ t.status }}" data-tip="{{ t.id }}"><span class="badge">'
    '{{ t.status }}</span><a href="/tips/{{ t.id }}"><strong>#{{ t.id }}</strong> {{ t.name }}'
    '</a><span class="meta">{{ t.at }} · {{ t.desk }} · image · geclaimd door {{ t.holder }}'
    "</span><p>{{ t.text }}</p></li>"
)


def bare_app() -> Starlette:
    """The least a board page can do: 50 rows of the same fields, rendered by Jinja2."""
    template = Environment(autoescape=True).from_string(
        "<!doctype html><html><body><ol>{% for t in tips %}"
        + ROW
        + "{% endfor %}</ol></body></html>"
    )
    tips = [
        {"id": n, "status": "new", "name": f"Lezer {n}", "at": "25-11 12:00", "desk": "regio",
         "holder": "Bench", "text": " ".join(WORDS * 2)[:200]} for n in range(50)
    ]  # fmt: skip

    async def board(request: Request) -> Response:
        return HTMLResponse(template.render(tips=tips))

    return Starlette(routes=[Route("/board", board)])


async def prepare(settings: Settings, count: int) -> tuple[list[int], dict[str, float]]:
    """Empty the database, write the desk, index it; the long tips and how long each step took.
    With BENCH_DESK, a database that holds `count` tips and a search index already in the
    folder are kept as they are (the desk is the same for the same count: its seed is fixed)."""
    kept, spent = bool(os.environ.get("BENCH_DESK")), {}
    long_tips = list(range(LONG_EVERY, count + 1, LONG_EVERY))
    if not (kept and await Tip.all().count() == count):
        start = time.perf_counter()
        rows = await _write(settings, count)
        spent[f"written ({rows:,} rows)"] = time.perf_counter() - start
    if not (kept and TipIndex(settings.data_dir).exists()):
        start = time.perf_counter()
        await rebuild(settings)
        spent["search index built"] = time.perf_counter() - start
    return long_tips, spent or {"kept from an earlier run": 0.0}


async def _write(settings: Settings, count: int) -> int:
    if settings.is_postgres:
        await connections.get("default").execute_script(
            f"TRUNCATE {', '.join(EMPTIED)} RESTART IDENTITY CASCADE"
        )
    for name in EDITORS:
        await create_editor(f"{name}@desk.example", name.title(), Role.EDITOR, PASSWORD)
    editors = [e.id for e in await Editor.all().order_by("id")]
    desk = newsroom(count, editors, ends_now())
    await write(desk)
    return desk.total()


async def main(count: int, requests: int) -> None:
    kept = os.environ.get("BENCH_DESK")
    with tempfile.TemporaryDirectory() as temporary:
        folder = kept or temporary
        Path(folder).mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, at the start
        url = os.environ.get("TIPDESK_DATABASE_URL") or f"sqlite://{folder}/bench.sqlite3"
        environ = {
            "TIPDESK_DATA_DIR": folder,
            "TIPDESK_DATABASE_URL": url,
            "TIPDESK_SECRET_KEY": secrets.token_urlsafe(32),
            "TIPDESK_LOG_LEVEL": "warning",
        }
        settings = Settings.from_env(environ, env_file=None)
        await migrate_database(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            long_tips, spent = await prepare(settings, count)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://desk") as http:
                await log_in(http)
                figures = await measure_desk(http, long_tips, requests)
        bare_transport = httpx.ASGITransport(app=bare_app())
        async with httpx.AsyncClient(transport=bare_transport, base_url="http://bare") as http:
            bare = await timed(lambda: fetched(http, "/board"), requests)
    kind = "PostgreSQL" if settings.is_postgres else "SQLite"
    report(f"board on {kind}: {count:,} tips, {requests} requests a page", spent, figures, bare)


def report(title: str, spent: dict[str, float], figures: Figures, bare: list[float]) -> None:
    print(title + "; " + ", ".join(f"{step} in {s:.1f} s" for step, s in spent.items()))
    base = percentile(bare, 0.5) * 1000
    tail = percentile(bare, 0.95) * 1000
    print(f"  baseline: bare Starlette /board p50 {base:.2f} ms, p95 {tail:.2f} ms")
    for name, times, size in figures.rows:
        p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
        verdict = "met" if p95 <= GOAL_MS else "NOT met"
        line = f"  {name:<48} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ×{p50 / base:5.0f}  {verdict}"
        if size:
            kb = sum(size) / 1024
            line += f"  | {kb:5.1f} KB (HTML {size[0] / 1024:.1f} + CSS/JS {size[1] / 1024:.1f})"
            line += " met" if kb <= GOAL_KB else " NOT met"
        print(line)
    print(f"  goals: p95 ≤ {GOAL_MS:.0f} ms a page, ≤ {GOAL_KB:.0f} KB a page")


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
            int(sys.argv[2]) if len(sys.argv) > 2 else 100,
        )
    )

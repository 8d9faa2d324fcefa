"""Server time of `GET /board` with 10,000 tips in the database, against a bare Starlette app
that renders a page of the same size (50 rows from a list in memory, the same Jinja2) in the
same run. Both are called in-process over ASGI, so the figures are the server's time alone.

    .venv/bin/python bench/board.py [TIPS] [REQUESTS]
Uses TIPDESK_DATABASE_URL when set (PostgreSQL), else a fresh SQLite file. Goal: p95 ≤ 100 ms.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

import httpx
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tipdesk.app import create_app
from tipdesk.db import migrate_database
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.settings import Settings
from tipdesk.tips.models import (
    Direction,
    MediaAsset,
    MediaKind,
    MediaState,
    MediaVariant,
    Message,
    Sender,
    Tip,
    TipStatus,
)

PASSWORD = "bench password 1"  # noqa: S105 - a throwaway desk in a temporary folder
WORDS = "brand ongeluk storm politie markt station school rook water fiets weg kade".split()
BATCH = 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def seed(count: int) -> None:
    """Readers with several tips each, a message per tip, a photo on every fifth, some claims."""
    start = datetime.now(UTC) - timedelta(days=60)
    readers = max(1, count // 4)
    await Sender.bulk_create(
        [Sender(channel="whatsapp",
                address=f"316{n:08d}", phone=f"316{n:08d}", display_name=f"Lezer {n}",
                first_contact_at=start) for n in range(readers)], batch_size=BATCH,
    )  # fmt: skip
    sender_ids = await Sender.all().order_by("id").values_list("id", flat=True)
    editor = await Editor.get(email="bench@desk.example")
    statuses = list(TipStatus)
    tips = []
    for n in range(count):
        at = start + timedelta(minutes=8 * n)
        tips.append(Tip(
            sender_id=sender_ids[n % readers], status=statuses[n % len(statuses)],
            desk=("sport", "regio", None)[n % 3], tags=[WORDS[n % len(WORDS)]],
            claimed_by_id=editor.id if n % 7 == 0 else None,
            first_message_at=at, last_message_at=at,
        ))  # fmt: skip
    await Tip.bulk_create(tips, batch_size=BATCH)
    await _messages_and_media()


async def _messages_and_media() -> None:
    rows = await Tip.all().order_by("id").values_list("id", "sender_id", "first_message_at")
    await Message.bulk_create(
        [Message(channel="whatsapp",
                 external_id=f"wamid.{tip_id}", tip_id=tip_id, sender_id=sender_id,
                 direction=Direction.INBOUND, type="text", sent_at=at,
                 text=" ".join(WORDS[(tip_id + k) % len(WORDS)] for k in range(25)))
         for tip_id, sender_id, at in rows], batch_size=BATCH,
    )  # fmt: skip
    messages = dict(await Message.all().values_list("tip_id", "id"))
    assets = [
        MediaAsset(token=secrets.token_hex(16), tip_id=tip_id, message_id=messages[tip_id],
                   kind=MediaKind.IMAGE, state=MediaState.READY, sha256=f"{tip_id:064x}")
        for tip_id, _, _ in rows if tip_id % 5 == 0
    ]  # fmt: skip
    await MediaAsset.bulk_create(assets, batch_size=BATCH)
    asset_ids = await MediaAsset.all().values_list("id", flat=True)
    await MediaVariant.bulk_create(
        [MediaVariant(asset_id=asset_id, name="thumb", path=f"v/{asset_id}", mime="image/jpeg",
                      size=1000) for asset_id in asset_ids],
        batch_size=BATCH,
    )  # fmt: skip


async def log_in(http: httpx.AsyncClient) -> None:
    page = await http.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    data = {"csrf_token": token.group(1), "email": "bench@desk.example", "password": PASSWORD}
    assert (await http.post("/login", data=data)).status_code == 303


async def timed(http: httpx.AsyncClient, path: str, requests: int) -> tuple[list[float], int]:
    for _ in range(5):  # warm up: templates compiled, connections open
        await http.get(path)
    times, size = [], 0
    for _ in range(requests):
        start = time.perf_counter()
        response = await http.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    return times, size


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


async def main(count: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
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
            if await Tip.all().count():
                sys.exit("bench/board.py needs an empty database")
            await create_editor("bench@desk.example", "Bench", Role.EDITOR, PASSWORD)
            started = time.perf_counter()
            await seed(count)
            seeded = time.perf_counter() - started
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://desk") as http:
                await log_in(http)
                ours, our_size = await timed(http, "/board", requests)
        bare_transport = httpx.ASGITransport(app=bare_app())
        async with httpx.AsyncClient(transport=bare_transport, base_url="http://bare") as http:
            bare, bare_size = await timed(http, "/board", requests)
    report(count, requests, seeded, (ours, our_size), (bare, bare_size))


def report(
    count: int, requests: int, seeded: float,
    ours: tuple[list[float], int], bare: tuple[list[float], int],
) -> None:  # fmt: skip
    print(f"board: GET /board with {count} tips, {requests} requests (seeded in {seeded:.1f} s)")
    print(
        f"  page size    Tipdesk {ours[1] / 1024:6.1f} KB   bare Starlette {bare[1] / 1024:6.1f} KB"
    )
    for name, share in (("p50", 0.5), ("p95", 0.95)):
        o, b = percentile(ours[0], share) * 1000, percentile(bare[0], share) * 1000
        figures = f"Tipdesk {o:6.1f} ms   bare Starlette {b:6.1f} ms   ratio {o / b:5.1f}"
        print(f"  {name}          {figures}")
    p95 = percentile(ours[0], 0.95) * 1000
    print(f"  goal p95 ≤ 100 ms: {'met' if p95 <= 100 else 'NOT met'} ({p95:.1f} ms)")


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
            int(sys.argv[2]) if len(sys.argv) > 2 else 200,
        )
    )

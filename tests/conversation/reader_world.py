"""A desk with real readers for erasure and retention tests: signed webhooks into the real app,
the fake Graph API on a real port for media and sends, the real job worker, real files on
disk and a real search index. Helpers to dump every table and to look at the index's files."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from starlette.applications import Starlette
from tortoise import connections
from tortoise.expressions import Q
from whoosh import index as whoosh_index

from tests.conftest import POSTGRES_URL
from tests.servers import serving
from tipdesk.app import create_app
from tipdesk.clock import utcnow
from tipdesk.db import sqlite_path
from tipdesk.desk import desk_worker
from tipdesk.jobs.models import Job, JobState
from tipdesk.search.schema import tip_schema
from tipdesk.settings import Settings
from tipdesk.whatsapp.fake import FakeGraph, FakeGraphConfig, create_fake_graph
from tipdesk.whatsapp.signature import sign

APP_SECRET = "erasure-app-secret"
NUMBER_ID = "104567890123456"
TOKEN = "erasure-access-token"


def desk_environ(environ: dict[str, str]) -> dict[str, str]:
    return {
        **environ,
        "TIPDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER_ID,
        "TIPDESK_WHATSAPP_VERIFY_TOKEN": "verify",
        "TIPDESK_WHATSAPP_ACCESS_TOKEN": TOKEN,
        "TIPDESK_JOB_RETRY_BASE": "20ms",
        "TIPDESK_JOB_MAX_ATTEMPTS": "3",
        "TIPDESK_OPENING_HOURS": "24/7",
        "TIPDESK_READER_SEND_INTERVAL": "1ms",
    }


def photo(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real PNG, different for every colour."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Reader:
    wa_id: str
    name: str
    user_id: str | None = None


@dataclass
class World:
    settings: Settings
    fake: FakeGraph
    http: httpx.AsyncClient

    async def send(self, reader: Reader, message: dict[str, Any], *, ago: float = 0) -> str:
        """The reader writes: a signed notification posted to the desk, then intake runs."""
        wamid = f"wamid.test.{secrets.token_hex(8)}"
        item: dict[str, Any] = {
            "from": reader.wa_id, "id": wamid, "timestamp": str(int(time.time() - ago)),
            **message,
        }  # fmt: skip
        if reader.user_id:
            item["from_user_id"] = reader.user_id
        contact: dict[str, Any] = {"profile": {"name": reader.name}, "wa_id": reader.wa_id}
        await self.post({"contacts": [contact], "messages": [item]})
        return wamid

    async def report_statuses(self, sent: dict[str, Any]) -> None:
        """What Meta does after a send: sent, delivered and read webhooks, with the number."""
        statuses = [
            {"id": sent["id"], "status": status, "timestamp": str(int(time.time())),
             "recipient_id": sent["to"]}
            for status in ("sent", "delivered", "read")
        ]  # fmt: skip
        await self.post({"statuses": statuses})

    async def post(self, value: dict[str, Any]) -> None:
        body = json.dumps(_envelope(value), ensure_ascii=True).encode()
        response = await self.http.post(
            "/webhooks/whatsapp", content=body,
            headers={"content-type": "application/json",
                     "x-hub-signature-256": sign(APP_SECRET, body)},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        await self.settle()

    async def text(self, reader: Reader, body: str, *, ago: float = 0) -> str:
        return await self.send(reader, {"type": "text", "text": {"body": body}}, ago=ago)

    async def image(self, reader: Reader, data: bytes, caption: str, *, ago: float = 0) -> str:
        media_id = self.fake.store_media(data, "image/png")
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
        image = {"mime_type": "image/png", "sha256": digest, "id": media_id, "caption": caption}
        return await self.send(reader, {"type": "image", "image": image}, ago=ago)

    async def tap(self, reader: Reader, button_id: str, title: str) -> str:
        reply = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
        return await self.send(reader, {"type": "interactive", "interactive": reply})

    async def settle(self, timeout: float = 60) -> None:
        """Run every due job (retries too) until none is queued or running."""
        worker = desk_worker(self.settings)
        async with asyncio.timeout(timeout):
            while await Job.filter(_due()).exists():
                if not await worker.drain():
                    await asyncio.sleep(0.02)

    def sent_to(self, wa_id: str) -> list[dict[str, Any]]:
        return [m for m in self.fake.state.sent if m["to"] == wa_id]


def _due() -> Q:
    """Running, or queued to run soon (retries back off by milliseconds here); not the daily
    purge's next run tomorrow."""
    soon = utcnow() + timedelta(seconds=5)
    return Q(state=JobState.RUNNING) | Q(state=JobState.QUEUED, run_at__lte=soon)


def _envelope(value: dict[str, Any]) -> dict[str, Any]:
    metadata = {"display_phone_number": "31851234567", "phone_number_id": NUMBER_ID}
    change = {
        "field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
    }
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}


async def open_world(environ: dict[str, str]) -> AsyncIterator[World]:
    fake_app = create_fake_graph(
        FakeGraphConfig(app_secret=APP_SECRET, access_token=TOKEN, phone_number_id=NUMBER_ID)
    )
    async with serving(fake_app) as base:
        settings = Settings.from_env(
            {**desk_environ(environ), "TIPDESK_GRAPH_API_URL": f"{base}/v23.0"}, env_file=None
        )
        app: Starlette = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as http:
                yield World(settings, fake_app.state.fake, http)


async def dump_database() -> str:
    """Every row of every table, every column, as text: what an auditor would grep."""
    connection = connections.get("default")
    if POSTGRES_URL:
        rows = await connection.execute_query_dict(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        )
    else:
        rows = await connection.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    lines: list[str] = []
    for table in sorted(str(row["name"]) for row in rows):
        # The names come from the database's own catalogue, not from input.
        # Table names come from the database's own catalogue, not from input.
        query = f'SELECT * FROM "{table}"'  # noqa: S608
        for record in await connection.execute_query_dict(query):
            lines.append(f"{table}: " + " | ".join(_text(v) for v in record.values()))
    return "\n".join(lines)


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def index_words(settings: Settings) -> str:
    """Every term and stored field in the files of every index directory (the live one and the
    one a rebuild replaced), deleted documents included (whoosh keeps those until segments
    merge): proof that words left the disk, not just the results."""
    parts: list[str] = []
    for folder in sorted((settings.data_dir / "search").glob("index-*")):
        if not whoosh_index.exists_in(str(folder)):
            continue
        with whoosh_index.open_dir(str(folder), schema=tip_schema()).reader() as reader:
            for field in ("words", "sender", "body_nl", "parts"):
                parts += [_text(term) for term in reader.lexicon(field)]
            for docnum in range(reader.doc_count_all()):
                parts.append(str(reader.stored_fields(docnum)))
    return "\n".join(parts)


def files_holding(settings: Settings, secrets_: list[str]) -> list[str]:
    """`file: secret` for each secret whose bytes are anywhere in the desk's files: the data
    directory and, on SQLite, the database with its `-wal` and `-shm` (freed pages and old WAL
    frames keep deleted rows until they are overwritten, which no query shows)."""
    paths = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    database = sqlite_path(settings.database_url)
    if database:
        paths += [Path(database + s) for s in ("", "-wal", "-shm") if Path(database + s).exists()]
    found: list[str] = []
    for path in paths:
        data = path.read_bytes()
        found += [f"{path.name}: {s}" for s in secrets_ if s.encode("utf-8") in data]
    return found

"""Issue 18's run, on PostgreSQL: a fresh desk, `serve --no-workers-in-process` and two `tipdesk
worker` processes, ten new readers' tips through the signed webhook. Both workers found no index
and each built one; the later swap dropped the other's writes (4 of 10 tips found). Every tip
must be found, by the list and by a word."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.servers import free_port, serving
from tests.system.test_scale_out import Fleet, wait_up
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role
from tipdesk.tips.models import Tip
from tipdesk.whatsapp.fake import FakeGraph, FakeGraphConfig, create_fake_graph

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("db"),
    pytest.mark.skipif(not POSTGRES_URL, reason="the scaled topology runs on PostgreSQL"),
]
SECRET, TOKEN, NUMBER = "search-secret", "search-token", "104567890123457"
READERS = 10


async def test_two_workers_on_a_fresh_desk_index_every_new_readers_tip(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    fake_app = create_fake_graph(
        FakeGraphConfig(app_secret=SECRET, access_token=TOKEN, phone_number_id=NUMBER, seed=18)
    )
    fake: FakeGraph = fake_app.state.fake
    port = free_port()
    await create_editor("anne@desk.example", "Anne", Role.EDITOR, "long enough password")
    anne = {"authorization": f"Bearer {await create_token('anne@desk.example', 'system')}"}
    async with serving(fake_app) as graph:
        fake.deliverer.webhook_url = f"http://127.0.0.1:{port}/webhooks/whatsapp"
        env = {
            **{k: v for k, v in cli_env.items() if k != "TIPDESK_SEARCH_DELAY"},  # as shipped
            "TIPDESK_WHATSAPP_APP_SECRET": SECRET, "TIPDESK_WHATSAPP_ACCESS_TOKEN": TOKEN,
            "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": NUMBER, "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
            "TIPDESK_GRAPH_API_URL": f"{graph}/v23.0", "TIPDESK_OPENING_HOURS": "24/7",
            "TIPDESK_LOG_LEVEL": "info",
        }  # fmt: skip
        fleet = Fleet(env, logs)
        fleet.start("web", "serve", "--no-workers-in-process", "--port", str(port))
        for n in (1, 2):
            fleet.start(f"worker{n}", "worker", "--concurrency", "4")
        try:
            await wait_up([port])
            for n in range(READERS):
                message = {"id": f"wamid.search.{n}", "type": "text",
                           "text": {"body": f"Wateroverlast in straat {n}"}}  # fmt: skip
                fake.reader_sends(message, f"3165{n:07d}", f"Lezer{n}")
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                listed = await all_listed(http, anne, timeout=40)
                found = (await http.get("/api/v1/tips", params={"q": "wateroverlast"},
                                        headers=anne)).json()  # fmt: skip
        finally:
            fleet.stop()
    tips = {tip.id for tip in await Tip.all()}
    assert len(tips) == READERS
    assert listed == tips
    assert found["total"] == READERS and {item["id"] for item in found["items"]} == tips


async def all_listed(http: httpx.AsyncClient, headers: dict[str, str], timeout: float) -> set[int]:
    """The tips `GET /api/v1/tips` lists once it lists all of them, or what it lists at the end."""
    deadline = time.monotonic() + timeout
    listed: set[int] = set()
    while time.monotonic() < deadline:
        answer = await http.get("/api/v1/tips", params={"per_page": "100"}, headers=headers)
        if answer.status_code == 200:
            listed = {item["id"] for item in answer.json()["items"]}
            if len(listed) == READERS and await Tip.all().count() == READERS:
                # Settled: nothing may go missing afterwards (a late swap lost tips before).
                await asyncio.sleep(2.0)
                again = await http.get("/api/v1/tips", params={"per_page": "100"}, headers=headers)
                return {item["id"] for item in again.json()["items"]}
        await asyncio.sleep(0.2)
    return listed

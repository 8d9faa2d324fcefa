"""A rebuild never races a writer or another rebuild: every tip ends up findable.

Two workers that both found no index each built one, and a write that went into the live index
while a rebuild was building was dropped by its swap (issue 18: 10 tips, 4 found)."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from datetime import UTC, datetime

import pytest

from tests.tips_factory import make_tip
from tipdesk.desk import desk_worker
from tipdesk.search.engine import find_tips
from tipdesk.search.index import SCHEMA_VERSION, VERSION_FILE, TipIndex
from tipdesk.search.jobs import rebuild, schedule_indexing
from tipdesk.settings import Settings
from tipdesk.tips.models import Direction, Message, Sender, Tip

pytestmark = pytest.mark.usefixtures("db")


async def found(settings: Settings, text: str) -> set[int]:
    return {hit.tip_id for hit in (await find_tips(settings, text, per_page=100)).hits}


async def many_tips(count: int) -> None:
    """Enough tips that a rebuild takes a noticeable moment."""
    now = datetime.now(UTC)
    sender = await Sender.create(
        channel="whatsapp", address="31600000000", phone="31600000000", first_contact_at=now
    )
    await Tip.bulk_create(
        [Tip(sender=sender, first_message_at=now, last_message_at=now) for _ in range(count)]
    )
    await Message.bulk_create(
        [
            Message(channel="whatsapp",
                    external_id=f"w.bulk.{tip_id}", tip_id=tip_id, sender=sender, type="text",
                    direction=Direction.INBOUND, text=f"Verkeersdrukte {tip_id}", sent_at=now)
            for tip_id in await Tip.all().values_list("id", flat=True)
        ]
    )  # fmt: skip


async def test_a_tip_indexed_while_another_process_rebuilds_survives_its_swap(
    settings: Settings, cli_env: dict[str, str]
) -> None:
    await many_tips(1500)
    await rebuild(settings)
    index = TipIndex(settings.data_dir)
    before = set(index.folder.glob("index-*"))
    reindex = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tipdesk", "reindex", env=cli_env, stderr=asyncio.subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while not set(index.folder.glob("index-*")) - before:  # it has read the database: building
        assert time.monotonic() < deadline and reindex.returncode is None
        await asyncio.sleep(0.005)
    late = await make_tip("Boom omgewaaid op de Stationsstraat", phone="31611111111")
    await schedule_indexing(late.id, settings)
    await desk_worker(settings).drain()
    _, errors = await reindex.communicate()
    assert reindex.returncode == 0, errors
    assert await found(settings, "Stationsstraat") == {late.id}


async def test_workers_that_find_no_index_build_it_once_and_lose_no_tip(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    tips = [await make_tip(f"Brand in de haven {n}", phone=f"316200000{n:02d}") for n in range(10)]
    for tip in tips:
        await schedule_indexing(tip.id, settings)
    caplog.set_level(logging.INFO, logger="tipdesk.search")
    workers = [desk_worker(settings) for _ in range(3)]
    await asyncio.gather(*(worker.drain() for worker in workers))
    rebuilds = [r for r in caplog.records if r.getMessage().startswith("search index rebuilt")]
    assert len(rebuilds) == 1
    assert await found(settings, "haven") == {tip.id for tip in tips}


async def test_an_index_of_an_older_schema_is_rebuilt_when_next_used(settings: Settings) -> None:
    tip = await make_tip("Kermis afgelast")
    await rebuild(settings)
    live = TipIndex(settings.data_dir).current.resolve()
    assert (live / VERSION_FILE).read_text(encoding="ascii").strip() == str(SCHEMA_VERSION)
    (live / VERSION_FILE).unlink()  # as an index built before versions were recorded
    results = await find_tips(settings, "kermis")
    assert results.hits == [] and results.notice is not None
    await desk_worker(settings).drain()
    assert TipIndex(settings.data_dir).current.resolve() != live
    assert await found(settings, "kermis") == {tip.id}

"""The index follows the database through the job queue; rebuilds swap in; damage heals."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from tests.tips_factory import make_tip
from tipdesk.app import create_app
from tipdesk.desk import desk_worker
from tipdesk.search.engine import find_tips
from tipdesk.search.index import TipIndex
from tipdesk.search.jobs import indexing_due, rebuild, schedule_indexing
from tipdesk.settings import Settings
from tipdesk.tips.models import Sender, Tip, TipStatus

pytestmark = pytest.mark.usefixtures("db")


async def found(settings: Settings, text: str) -> list[int]:
    return [hit.tip_id for hit in (await find_tips(settings, text)).hits]


async def run_jobs(settings: Settings) -> None:
    await desk_worker(settings).drain()


@pytest.fixture
def default_delay(environ: dict[str, str]) -> Settings:
    """The desk as shipped: changes wait `TIPDESK_SEARCH_DELAY`'s default before indexing."""
    return Settings.from_env(
        {k: v for k, v in environ.items() if k != "TIPDESK_SEARCH_DELAY"}, env_file=None
    )


@pytest.fixture
async def live_desk(
    default_delay: Settings,
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(default_delay, workers_in_process=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as client:
            yield app, client


async def test_a_new_tip_is_findable_within_a_second_on_the_embedded_default(
    settings: Settings, live_desk: tuple[Starlette, httpx.AsyncClient]
) -> None:
    await rebuild(settings)
    _, client = live_desk
    start = time.monotonic()
    await client.post(
        "/sandbox/api/send",
        json={
            "from": "31612340000",
            "name": "Sanne",
            "text": "Boom omgewaaid op de Stationsstraat",
        },
    )
    while not await found(settings, "Stationsstraat boom"):
        assert time.monotonic() - start < 3, "the tip did not reach the index"
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - start
    assert elapsed < 1.5, f"took {elapsed:.2f} s"


async def test_edits_reach_the_index(settings: Settings) -> None:
    await rebuild(settings)
    tip = await make_tip("Brand bij de haven")
    await schedule_indexing(tip.id, settings)
    await run_jobs(settings)
    assert await found(settings, "brand status:new") == [tip.id]
    await Tip.filter(id=tip.id).update(status=TipStatus.VERIFIED, desk="regio")
    await schedule_indexing(tip.id, settings)
    await run_jobs(settings)
    assert await found(settings, "brand status:new") == []
    assert await found(settings, "brand status:verified desk:regio") == [tip.id]


async def test_changes_wait_the_search_delay_so_a_burst_shares_one_commit(
    default_delay: Settings,
) -> None:
    from tipdesk.jobs.models import Job

    assert default_delay.search_delay == timedelta(milliseconds=300)
    before = datetime.now(UTC)
    tips = [await make_tip(f"Storm {n}") for n in range(3)]
    for tip in tips:
        await schedule_indexing(tip.id, default_delay)
    jobs = await Job.filter(kind="search.index")
    assert len(jobs) == 3
    assert all(job.run_at >= before + timedelta(milliseconds=300) for job in jobs)
    # Not due yet: a worker draining now leaves them for the next moment.
    assert await desk_worker(default_delay).drain() == 0


async def test_changes_of_one_window_fall_due_together_so_a_stream_shares_commits(
    default_delay: Settings,
) -> None:
    """Under a steady stream of tips, each job due exactly a delay after its change fell due
    alone and took only the few due with it: commits came every 90 ms instead of every 300."""
    from tipdesk.jobs.models import Job

    delay = default_delay.search_delay
    start = datetime(2026, 11, 25, 21, 0, 0, 10_000, tzinfo=UTC)
    moments = [start + timedelta(milliseconds=7 * n) for n in range(84)]  # 50 a second
    due = [indexing_due(moment, delay) for moment in moments]
    assert all(delay <= at - moment < 2 * delay for at, moment in zip(due, moments, strict=True))
    second = start.replace(microsecond=0)
    assert due[:42] == [second + 2 * delay] * 42  # changes of 0.010–0.297 s: one commit
    assert due[42:] == [second + 3 * delay] * 42  # 0.304–0.591 s: the next one

    tips = [await make_tip(f"Storm {n}") for n in range(3)]
    for tip in tips:
        await schedule_indexing(tip.id, default_delay)
    for job in await Job.filter(kind="search.index"):
        # created_at is written a moment after the due time was reckoned, maybe past a window's
        # end: bounds, not indexing_due(created_at), so the test cannot flake there.
        assert delay - timedelta(milliseconds=50) <= job.run_at - job.created_at < 2 * delay
        assert (job.run_at - datetime(1970, 1, 1, tzinfo=UTC)) % delay == timedelta(0)


async def test_changes_while_an_index_job_waits_are_coalesced(settings: Settings) -> None:
    from tipdesk.jobs.models import Job

    tip = await make_tip("Storm")
    for _ in range(5):
        await schedule_indexing(tip.id, settings)
    assert await Job.filter(kind="search.index").count() == 1


async def test_erased_tips_vanish_from_the_index(settings: Settings) -> None:
    keep, erase = (
        await make_tip("Gaslek Dorpsstraat"),
        await make_tip("Gaslek Kerkstraat", phone="31699999999"),
    )
    await rebuild(settings)
    assert sorted(await found(settings, "gaslek")) == sorted([keep.id, erase.id])
    await Sender.filter(id=erase.sender_id).update(erased_at=datetime.now(UTC))  # type: ignore[attr-defined]
    await schedule_indexing(erase.id, settings)
    await run_jobs(settings)
    assert await found(settings, "gaslek") == [keep.id]
    await Tip.filter(id=keep.id).delete()
    await schedule_indexing(keep.id, settings)
    await run_jobs(settings)
    assert await found(settings, "gaslek") == []


async def test_a_missing_index_is_rebuilt_from_the_database(settings: Settings) -> None:
    tip = await make_tip("Kermis afgelast")
    results = await find_tips(settings, "kermis")
    assert results.hits == [] and results.notice is not None and "rebuilt" in results.notice
    await run_jobs(settings)
    assert await found(settings, "kermis") == [tip.id]


async def test_a_corrupt_index_is_rebuilt_from_the_database(settings: Settings) -> None:
    tip = await make_tip("Overval juwelier")
    await rebuild(settings)
    live = TipIndex(settings.data_dir).current.resolve()
    for path in live.iterdir():
        path.write_bytes(b"\x00garbage" * 10)
    results = await find_tips(settings, "juwelier")
    assert results.notice is not None
    await run_jobs(settings)
    assert await found(settings, "juwelier") == [tip.id]


async def test_reindex_command_swaps_while_searches_keep_working(
    settings: Settings, cli_env: dict[str, str]
) -> None:
    tip = await make_tip("Demonstratie op het Malieveld")
    await rebuild(settings)
    before = TipIndex(settings.data_dir).current.resolve()
    failures: list[BaseException] = []
    stop = asyncio.Event()

    async def keep_searching() -> int:
        count = 0
        while not stop.is_set():
            try:
                assert await found(settings, "Malieveld") == [tip.id]
            except BaseException as exc:
                failures.append(exc)
            count += 1
        return count

    searching = asyncio.create_task(keep_searching())
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tipdesk", "reindex"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    stop.set()
    searches = await searching
    assert result.returncode == 0, result.stderr
    assert "rebuilt with 1 tips" in result.stderr
    assert TipIndex(settings.data_dir).current.resolve() != before
    assert failures == [] and searches > 0

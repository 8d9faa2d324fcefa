"""What a login costs the rest of the desk: argon2 runs beside the event loop, two at a time,
and an unknown e-mail address takes as long as a known one."""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
import pytest
from starlette.applications import Starlette

from tests.editorial_ui.sessions import PASSWORD, log_in_as
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role

pytestmark = pytest.mark.usefixtures("app")


def browser(app: Starlette, peer: str = "192.0.2.1") -> httpx.AsyncClient:
    # A peer each: parallel attempts from one address are held back by its login backoff.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://desk.test")


async def timed(app: Starlette, email: str, peer: str) -> float:
    async with browser(app, peer) as client:
        started = time.perf_counter()
        response = await log_in_as(client, email, "not the password at all")
    assert response.status_code == 400
    return time.perf_counter() - started


async def test_health_answers_during_a_burst_of_logins(app: Starlette) -> None:
    for n in range(12):
        await create_editor(f"e{n}@desk.example", f"Editor {n}", Role.EDITOR, PASSWORD)
    clients = [browser(app, f"198.51.100.{n}") for n in range(12)]
    burst = [asyncio.create_task(log_in_as(c, f"e{n}@desk.example")) for n, c in enumerate(clients)]
    took = 0.0
    async with browser(app) as probe:
        while not all(task.done() for task in burst):
            started = time.perf_counter()
            health = await probe.get("/health")
            assert health.status_code == 200
            took = max(took, time.perf_counter() - started)
            await asyncio.sleep(0.01)
    answers = await asyncio.gather(*burst)
    for c in clients:
        await c.aclose()
    assert all(a.status_code == 303 for a in answers)
    print(f"slowest /health during 12 logins: {took:.3f} s")
    assert took < 0.5, f"/health took {took:.2f} s during 12 logins"


async def test_an_unknown_address_costs_as_long_as_a_known_one(app: Starlette) -> None:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
    await timed(app, "nobody@desk.example", "192.0.2.99")  # the dummy hash is made on first use
    known = statistics.median(
        [await timed(app, "anne@desk.example", f"192.0.2.{n}") for n in range(3)]
    )
    unknown = statistics.median(
        [await timed(app, f"nobody{n}@desk.example", f"192.0.2.{n + 10}") for n in range(3)]
    )
    assert unknown > known * 0.5, f"unknown {unknown:.3f} s, known {known:.3f} s"

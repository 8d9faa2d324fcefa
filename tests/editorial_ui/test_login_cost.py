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


def browser(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://desk.test")


async def timed(client: httpx.AsyncClient, email: str) -> float:
    started = time.perf_counter()
    response = await log_in_as(client, email, "not the password at all")
    assert response.status_code in (400, 429)
    return time.perf_counter() - started


async def test_health_answers_during_a_burst_of_logins(app: Starlette) -> None:
    for n in range(12):
        await create_editor(f"e{n}@desk.example", f"Editor {n}", Role.EDITOR, PASSWORD)
    clients = [browser(app) for _ in range(12)]
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
    async with browser(app) as client:
        await timed(client, "nobody@desk.example")  # the dummy hash is made on first use
        known = statistics.median([await timed(client, "anne@desk.example") for _ in range(3)])
    async with browser(app) as client:
        unknown = statistics.median([await timed(client, "nobody@desk.example") for _ in range(3)])
    assert unknown > known * 0.5, f"unknown {unknown:.3f} s, known {known:.3f} s"

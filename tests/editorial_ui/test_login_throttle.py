"""Login backoff over HTTP: parallel guesses cannot race the count, and a stranger's guesses
cannot keep an editor out of their own browser (the device cookie)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from tests.editorial_ui.sessions import PASSWORD, log_in_as
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.device_cookie import DEVICE_COOKIE
from tipdesk.editors.login_throttle import LONGEST_WAIT, wait_after
from tipdesk.editors.models import LoginThrottle, Role

pytestmark = pytest.mark.usefixtures("app")
ANNE = "anne@desk.example"


@pytest.fixture
async def anne() -> None:
    await create_editor(ANNE, "Anne de Jong", Role.EDITOR, PASSWORD)


def browser(app: Starlette, peer: str = "203.0.113.5") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://desk.test")


def test_the_wait_doubles_and_stops_at_a_quarter_of_an_hour() -> None:
    assert [wait_after(n) for n in range(3, 9)] == [0, 0, 1, 2, 4, 8]
    assert wait_after(14) == 512 and wait_after(15) == LONGEST_WAIT == wait_after(400)


async def test_thirty_parallel_wrong_passwords_are_not_all_checked(
    app: Starlette, anne: None
) -> None:
    clients = [browser(app, f"198.51.100.{n}") for n in range(30)]
    answers = await asyncio.gather(*(log_in_as(c, ANNE, "wrong password!") for c in clients))
    for c in clients:
        await c.aclose()
    checked = await AuditEvent.filter(action="login.failed").count()
    assert checked <= 6, f"{checked} of 30 parallel guesses were checked"
    assert sorted({a.status_code for a in answers}) == [400, 429]
    assert sum(a.status_code == 429 for a in answers) >= 24
    assert "Te veel pogingen" in next(a.text for a in answers if a.status_code == 429)


async def test_one_address_is_slowed_for_every_account(app: Starlette, anne: None) -> None:
    async with browser(app) as attacker:
        for n in range(5):
            assert (await log_in_as(attacker, f"x{n}@desk.example", "guess")).status_code == 400
        assert (await log_in_as(attacker, ANNE, "guess")).status_code == 429
    assert (await LoginThrottle.get(key="ip:203.0.113.5")).failures == 5


async def test_the_editors_known_browser_logs_in_after_a_strangers_failures(
    app: Starlette, anne: None
) -> None:
    async with browser(app, "192.0.2.10") as laptop:
        assert (await log_in_as(laptop, ANNE)).status_code == 303
        assert DEVICE_COOKIE in laptop.cookies
        laptop.cookies.delete("tipdesk_session")
        async with browser(app, "192.0.2.10") as attacker:
            for _ in range(5):
                assert (await log_in_as(attacker, ANNE, "guess guess")).status_code == 400
            assert (await log_in_as(attacker, ANNE)).status_code == 429
        # The same address as the attacker, even: the device counts against itself only.
        answer = await log_in_as(laptop, ANNE)
        assert answer.status_code == 303 and answer.headers["location"] == "/board"
        assert (await laptop.get("/board")).status_code == 200


async def test_a_device_cookie_for_another_editor_does_not_help(app: Starlette, anne: None) -> None:
    await create_editor("bert@desk.example", "Bert", Role.EDITOR, PASSWORD)
    async with browser(app) as bert_laptop:
        assert (await log_in_as(bert_laptop, "bert@desk.example")).status_code == 303
        bert_laptop.cookies.delete("tipdesk_session")
        for _ in range(5):
            assert (await log_in_as(bert_laptop, ANNE, "guess guess")).status_code == 400
        assert (await log_in_as(bert_laptop, ANNE)).status_code == 429


async def test_a_success_starts_the_account_from_zero(app: Starlette, anne: None) -> None:
    async with browser(app) as client:
        for _ in range(3):
            assert (await log_in_as(client, ANNE, "guess guess")).status_code == 400
        assert (await log_in_as(client, ANNE)).status_code == 303
    assert not await LoginThrottle.exists(key__startswith="account:")
    assert (await LoginThrottle.get(key="ip:203.0.113.5")).failures == 3

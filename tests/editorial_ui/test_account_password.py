"""An editor changes their own password over HTTP; every other session of theirs ends."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette

from editorial_ui.i18n import TABLE
from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.accounts import PasswordRule, create_editor, password_matches, set_password
from tipdesk.editors.models import ApiToken, Editor, Role
from tipdesk.errors import Forbidden
from tipdesk.tips.models import Tip

pytestmark = pytest.mark.usefixtures("app")
ANNE = "anne@desk.example"
NEW = "a much newer passphrase"
PAGE = "/account/password"


def browser(app: Starlette, peer: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://desk.test")


@pytest.fixture
async def anne() -> None:
    await create_editor(ANNE, "Anne de Jong", Role.EDITOR, PASSWORD)


async def change(client: httpx.AsyncClient, current: str, new: str, again: str) -> httpx.Response:
    token = await csrf(client, "/account/password")
    fields = {"current_password": current, "new_password": new, "new_password_again": again}
    return await client.post("/account/password", data={"csrf_token": token, **fields})


async def test_a_change_keeps_this_browser_and_ends_the_others(app: Starlette, anne: None) -> None:
    async with browser(app, "192.0.2.1") as laptop, browser(app, "192.0.2.2") as phone:
        await log_in_as(laptop, ANNE)
        await log_in_as(phone, ANNE)
        assert 'href="/account/password"' in (await laptop.get("/board")).text
        answer = await change(laptop, PASSWORD, NEW, NEW)
        assert answer.status_code == 200 and "gewijzigd" in answer.text
        assert (await laptop.get("/board")).status_code == 200
        assert (await phone.get("/board")).status_code == 303
    editor = await Editor.get(email=ANNE)
    assert password_matches(editor.password_hash, NEW)
    audited = await AuditEvent.filter(action="password.changed")
    assert [(e.editor_id, e.detail) for e in audited] == [
        (editor.id, {"editor_id": editor.id, "by": "self"})
    ]


async def test_an_admin_may_set_a_password_and_nobody_else(anne: None) -> None:
    root = await create_editor("root@desk.example", "Root", Role.ADMIN, PASSWORD)
    bram = await create_editor("bram@desk.example", "Bram", Role.CHIEF, PASSWORD)
    with pytest.raises(Forbidden):
        await set_password(ANNE, NEW, by=bram)
    anne = await set_password(ANNE, NEW, by=root)
    audited = await AuditEvent.filter(action="password.changed")
    assert [(e.editor_id, e.detail) for e in audited] == [
        (root.id, {"editor_id": anne.id, "by": "admin"})
    ]


@pytest.mark.parametrize(
    ("current", "new", "again", "problem"),
    [
        ("wrong password", NEW, NEW, "huidige wachtwoord klopt niet"),
        (PASSWORD, NEW, NEW + "!", "verschillen"),
        (PASSWORD, "too short", "too short", "moet minstens 12 tekens hebben"),
        (PASSWORD, ANNE, ANNE, "mag niet je e-mailadres zijn"),
        (PASSWORD, "x" * 1025, "x" * 1025, "mag hoogstens 1024 tekens hebben"),
    ],
)
async def test_a_wrong_current_or_weak_new_password_is_refused(
    app: Starlette, anne: None, current: str, new: str, again: str, problem: str
) -> None:
    async with browser(app, "192.0.2.3") as laptop:
        await log_in_as(laptop, ANNE)
        answer = await change(laptop, current, new, again)
        assert answer.status_code == 400
        alert = re.search(r'<p class="error" role="alert">([^<]*)</p>', answer.text)
        assert alert and problem in alert.group(1), answer.text
        assert not {"password", "the", "characters"} & set(alert.group(1).split())  # Dutch only
        assert (await laptop.get("/board")).status_code == 200
    editor = await Editor.get(email=ANNE)
    assert password_matches(editor.password_hash, PASSWORD)


async def test_the_page_needs_a_login_and_the_form_its_csrf_token(
    app: Starlette, anne: None
) -> None:
    async with browser(app, "192.0.2.4") as client:
        assert (await client.get("/account/password")).headers["location"].startswith("/login")
        await log_in_as(client, ANNE)
        fields = {"current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW}
        assert (await client.post("/account/password", data=fields)).status_code == 403


async def test_a_password_someone_else_chose_is_changed_first(app: Starlette, anne: None) -> None:
    await Editor.filter(email=ANNE).update(must_change_password=True)
    async with browser(app, "192.0.2.5") as laptop:
        answer = await log_in_as(laptop, ANNE)
        assert answer.headers["location"] == "/account/password"
        assert (await change(laptop, PASSWORD, NEW, NEW)).status_code == 200
    assert not (await Editor.get(email=ANNE)).must_change_password
    async with browser(app, "192.0.2.6") as laptop:
        assert (await log_in_as(laptop, ANNE, NEW)).headers["location"] == "/board"


async def test_until_changed_every_page_sends_to_the_password_page(app: Starlette) -> None:
    """An admin whose password someone else chose: every page but the password page (and
    logout, and static files) is a redirect there for a GET and refused for anything else."""
    await create_editor(ANNE, "Anne de Jong", Role.ADMIN, PASSWORD)
    await Editor.filter(email=ANNE).update(must_change_password=True)
    tip = await make_tip("Brand bij de molen")
    async with browser(app, "192.0.2.7") as laptop:
        await log_in_as(laptop, ANNE)
        token = await csrf(laptop, "/account/password")
        for page in ("/board", f"/tips/{tip.id}", "/admin", "/reports", "/board/events", "/login"):
            sent = await laptop.get(page)
            assert (sent.status_code, sent.headers.get("location")) == (303, PAGE), page
        for form in (f"/tips/{tip.id}/claim", "/admin/tokens", f"/tips/{tip.id}/opened"):
            refused = await laptop.post(form, data={"csrf_token": token, "editor_id": "1"})
            assert refused.status_code == 403, form
        api = await laptop.post(f"/api/v1/tips/{tip.id}/claim", headers={"x-csrf-token": token})
        assert api.status_code == 403 and api.json()["error"]["code"] == "forbidden"
        assert (await laptop.get(f"/api/v1/tips/{tip.id}")).status_code == 403
        assert (await laptop.get(PAGE)).status_code == 200
        assert (await laptop.get("/static/desk.css")).status_code == 200
        assert (await Tip.get(id=tip.id)).claimed_by_id is None
        assert not await ApiToken.exists()
        assert (await change(laptop, PASSWORD, NEW, NEW)).status_code == 200
        assert (await laptop.get("/board")).status_code == 200
        token = await csrf(laptop, "/board")
        assert (await laptop.post("/logout", data={"csrf_token": token})).status_code == 303


async def test_logging_out_stays_open_before_the_change(app: Starlette, anne: None) -> None:
    await Editor.filter(email=ANNE).update(must_change_password=True)
    async with browser(app, "192.0.2.8") as laptop:
        await log_in_as(laptop, ANNE)
        token = await csrf(laptop, PAGE)
        out = await laptop.post("/logout", data={"csrf_token": token})
        assert (out.status_code, out.headers["location"]) == (303, "/login")
        assert (await laptop.get("/board")).headers["location"].startswith("/login")


def test_every_password_rule_has_its_dutch_and_english_text() -> None:
    for rule in PasswordRule:
        dutch, english = TABLE[f"refusal.password_{rule.value}"]
        assert dutch and english and dutch != english

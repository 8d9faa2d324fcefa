"""Admins manage editors and API tokens on /admin: audited, shown once, refused when wrong;
a switched-off editor can neither log in nor use a session or token they already had."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import ApiToken, Editor, Role
from tipdesk.jobs.models import Job
from tipdesk.tips.models import Tip

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
async def root(client: httpx.AsyncClient) -> str:
    """An admin, logged in; the CSRF token."""
    await create_editor("root@desk.example", "Root", Role.ADMIN, PASSWORD)
    await log_in_as(client, "root@desk.example")
    return await csrf(client, "/admin")


async def test_an_admin_creates_an_editor_with_a_generated_password_shown_once(
    client: httpx.AsyncClient, root: str
) -> None:
    form = {
        "csrf_token": root,
        "email": "Dirk@Desk.example",
        "name": "<i>Dirk</i>",
        "role": "chief",
    }
    page = await client.post("/admin/editors", data=form)
    assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
    password = re.search(r"Wachtwoord voor dirk@desk.example: (\S+)</p>", page.text)
    assert password, page.text
    assert "&lt;i&gt;Dirk&lt;/i&gt;" in page.text and "<i>Dirk" not in page.text
    dirk = await Editor.get(email="dirk@desk.example")
    assert dirk.role is Role.CHIEF and password.group(1) not in dirk.password_hash
    assert password.group(1) not in (await client.get("/admin")).text
    event = await AuditEvent.get(action="editor.created")
    assert event.detail == {"editor_id": dirk.id, "role": "chief"}
    async with httpx.AsyncClient(transport=client._transport, base_url="http://desk.test") as other:
        assert (await log_in_as(other, "dirk@desk.example", password.group(1))).status_code == 303


async def test_a_typed_password_is_used_and_not_shown(client: httpx.AsyncClient, root: str) -> None:
    form = {"csrf_token": root, "email": "e@desk.example", "name": "E", "role": "editor",
            "password": "typed password 1"}  # fmt: skip
    response = await client.post("/admin/editors", data=form)
    assert response.status_code == 303
    assert "typed password 1" not in (await client.get(response.headers["location"])).text


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"email": "not an address", "name": "X", "role": "editor"}, "is geen e-mailadres"),
        ({"email": "x@desk.example", "name": "", "role": "editor"}, "1 tot 128 tekens"),
        ({"email": "x@desk.example", "name": "X" * 200, "role": "editor"}, "1 tot 128 tekens"),
        ({"email": "x@desk.example", "name": "X", "role": "god"}, "Kies redacteur, chef"),
        (
            {"email": "x@desk.example", "name": "X", "role": "editor", "password": "short"},
            "minstens 10 tekens",
        ),
        ({"email": "root@desk.example", "name": "X", "role": "editor"}, "Er is al een redacteur"),
        ({"email": "x\n@desk.example", "name": "X", "role": "editor"}, "is geen e-mailadres"),
    ],
)
async def test_wrong_editor_forms_say_why_and_create_nobody(
    client: httpx.AsyncClient, root: str, fields: dict[str, str], says: str
) -> None:
    response = await client.post("/admin/editors", data={"csrf_token": root, **fields})
    assert response.status_code == 303
    assert says in (await client.get(response.headers["location"])).text
    assert await Editor.all().count() == 1
    assert not await AuditEvent.filter(action="editor.created").exists()


async def test_roles_change_and_deactivated_editors_lose_login_session_and_tokens(
    client: httpx.AsyncClient, root: str
) -> None:
    anne = await create_editor("anne@desk.example", "Anne", Role.EDITOR, PASSWORD)
    token = await create_token("anne@desk.example", "script")
    bearer = {"authorization": f"Bearer {token}"}
    transport = client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as annes:
        await log_in_as(annes, "anne@desk.example")
        assert (await annes.get("/board")).status_code == 200
        data = {"csrf_token": root, "role": "chief"}
        assert (await client.post(f"/admin/editors/{anne.id}/role", data=data)).status_code == 303
        assert (await Editor.get(id=anne.id)).role is Role.CHIEF
        assert (await annes.get("/board")).status_code == 303  # a new role, a new login
        await log_in_as(annes, "anne@desk.example")
        assert (await annes.get("/board")).status_code == 200
        await client.post(f"/admin/editors/{anne.id}/deactivate", data={"csrf_token": root})
        assert (await annes.get("/board")).status_code == 303  # the session no longer counts
        assert (await client.get("/api/v1/tips", headers=bearer)).status_code == 401
        assert (await log_in_as(annes, "anne@desk.example")).status_code == 400
        await client.post(f"/admin/editors/{anne.id}/reactivate", data={"csrf_token": root})
        assert (await client.get("/api/v1/tips", headers=bearer)).status_code == 200
        assert (await annes.get("/board")).status_code == 303  # switched on, old cookie stays dead
    actions = [e.action for e in await AuditEvent.filter(action__startswith="editor.")]
    assert actions == ["editor.role_changed", "editor.deactivated", "editor.reactivated"]


async def test_switching_an_editor_off_releases_the_tips_they_held(
    client: httpx.AsyncClient, root: str
) -> None:
    anne = await create_editor("anne@desk.example", "Anne", Role.EDITOR, PASSWORD)
    held, other = await make_tip("Brand"), await make_tip("Storm", phone="31699999998")
    await Tip.filter(id=held.id).update(claimed_by_id=anne.id, claimed_at=datetime.now(UTC))
    await client.post(f"/admin/editors/{anne.id}/deactivate", data={"csrf_token": root})
    assert (await Tip.get(id=held.id)).claimed_by_id is None
    assert (await Tip.get(id=other.id)).claimed_by_id is None
    release = await AuditEvent.get(action="tip.released")
    assert (release.tip_id, release.detail["previous_editor_id"]) == (held.id, anne.id)
    switched_off = await AuditEvent.get(action="editor.deactivated")
    assert switched_off.detail["released_tips"] == [held.id]
    assert await Job.filter(kind="search.index", payload={"tip_id": held.id}).exists()


async def test_an_admin_cannot_lock_themselves_out(client: httpx.AsyncClient, root: str) -> None:
    me = await Editor.get(email="root@desk.example")
    for action, data in (("deactivate", {}), ("role", {"role": "editor"})):
        response = await client.post(
            f"/admin/editors/{me.id}/{action}", data={"csrf_token": root, **data}
        )
        page = (await client.get(response.headers["location"])).text
        assert "kan zijn eigen rol niet wijzigen" in page
    me = await Editor.get(id=me.id)
    assert me.active and me.role is Role.ADMIN


async def test_tokens_are_shown_once_work_and_can_be_revoked(
    client: httpx.AsyncClient, root: str
) -> None:
    anne = await create_editor("anne@desk.example", "Anne", Role.EDITOR, PASSWORD)
    form = {"csrf_token": root, "editor_id": str(anne.id), "label": "<b>CMS</b>"}
    page = await client.post("/admin/tokens", data=form)
    token = re.search(r'<p class="secret">(td_[^<]+)</p>', page.text)
    assert token, page.text
    assert "&lt;b&gt;CMS&lt;/b&gt;" in page.text
    bearer = {"authorization": f"Bearer {token.group(1)}"}
    assert (await client.get("/api/v1/tips", headers=bearer)).status_code == 200
    assert token.group(1) not in (await client.get("/admin")).text
    row = await ApiToken.get()
    revoked = await client.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": root})
    assert revoked.status_code == 303
    assert (await client.get("/api/v1/tips", headers=bearer)).status_code == 401
    again = await client.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": root})
    assert "al ingetrokken" in (await client.get(again.headers["location"])).text
    actions = [e.action for e in await AuditEvent.filter(action__startswith="token.")]
    assert actions == ["token.created", "token.revoked"]


async def test_the_token_list_shows_when_each_token_expires(
    client: httpx.AsyncClient, root: str
) -> None:
    await create_editor("anne@desk.example", "Anne", Role.EDITOR, PASSWORD)
    await create_token("anne@desk.example", "quarterly", timedelta(days=90))
    await create_token("anne@desk.example", "brief", timedelta(seconds=1))
    await create_token("anne@desk.example", "lasting")
    await asyncio.sleep(1.1)
    rows = {row.label: row for row in await ApiToken.all()}
    quarterly = rows["quarterly"].expires_at
    assert quarterly is not None
    page = (await client.get("/admin")).text
    # In the desk's way and time zone (it was UTC in ISO), like every time on the desk.
    local = quarterly.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert f"<td>{local.strftime('%d-%m-%Y %H:%M')}</td>" in page
    assert page.count("verlopen") == 1
    lasting = page[page.index("<td>lasting</td>") :]
    assert lasting[: lasting.index("</tr>")].count("<td>nooit</td>") == 2  # used, expires


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/admin/tokens", {"editor_id": "abc"}),
        ("/admin/tokens", {"editor_id": "99999"}),
        ("/admin/tokens", {"editor_id": "1", "label": "x" * 150}),
        ("/admin/editors/99999/role", {"role": "chief"}),
        ("/admin/tokens/99999/revoke", {}),
    ],
)
async def test_unknown_ids_and_long_labels_are_refused(
    client: httpx.AsyncClient, root: str, path: str, fields: dict[str, str]
) -> None:
    response = await client.post(path, data={"csrf_token": root, **fields})
    assert response.status_code in (303, 404)
    assert not await ApiToken.exists()
    assert await AuditEvent.filter(action__startswith="token.").count() == 0


async def test_account_forms_need_an_admin_and_the_csrf_token(client: httpx.AsyncClient) -> None:
    await create_editor("carla@desk.example", "Carla", Role.CHIEF, PASSWORD)
    await log_in_as(client, "carla@desk.example")
    token = await csrf(client, "/board")
    data = {"csrf_token": token, "email": "x@desk.example", "name": "X", "role": "admin"}
    assert (await client.post("/admin/editors", data=data)).status_code == 403
    await client.post("/logout", data={"csrf_token": token})
    await create_editor("root@desk.example", "Root", Role.ADMIN, PASSWORD)
    await log_in_as(client, "root@desk.example")
    assert (
        await client.post("/admin/editors", data={**data, "csrf_token": "x"})
    ).status_code == 403
    assert await Editor.all().count() == 2


async def test_an_admin_reset_shows_a_temporary_password_once_and_forces_a_change(
    app: Starlette, client: httpx.AsyncClient, root: str
) -> None:
    anne = await create_editor("anne@desk.example", "Anne", Role.EDITOR, PASSWORD)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("192.0.2.8", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as laptop:
        await log_in_as(laptop, "anne@desk.example")
        token = await csrf(client, "/admin")
        page = await client.post(
            f"/admin/editors/{anne.id}/reset-password", data={"csrf_token": token}
        )
        assert page.status_code == 200
        temporary = re.search(r"Wachtwoord voor anne@desk.example: (\S+?)<", page.text)
        assert temporary, page.text
        assert (await laptop.get("/board")).status_code == 303  # her session ended
        assert (await log_in_as(laptop, "anne@desk.example")).status_code == 400
        answer = await log_in_as(laptop, "anne@desk.example", temporary.group(1))
        assert answer.headers["location"] == "/account/password"
    assert (await Editor.get(id=anne.id)).must_change_password

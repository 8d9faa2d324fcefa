"""Login, sessions, CSRF and throttling over HTTP, and no editorial route without a login."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.audit.actions import AuditAction
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.search.jobs import rebuild
from tipdesk.settings import Settings
from tipdesk.tips.models import Tip

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
async def anne() -> None:
    await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)


async def log_in(
    client: httpx.AsyncClient, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    return await log_in_as(client, "Anne@desk.example", password, **extra)


async def test_the_board_asks_for_a_login_first(client: httpx.AsyncClient) -> None:
    response = await client.get("/board")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/board"


async def test_logging_in_opens_the_board_and_logging_out_closes_it(
    client: httpx.AsyncClient, anne: None
) -> None:
    response = await log_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/board"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    board = await client.get("/board")
    assert board.status_code == 200 and "Anne de Jong" in board.text
    token = await csrf(client, "/board")
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    assert (await client.get("/board")).status_code == 303


async def test_a_form_without_its_csrf_token_is_refused(
    client: httpx.AsyncClient, anne: None
) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "anne@desk.example", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert (
        await client.post(
            "/login",
            data={"csrf_token": "forged", "email": "anne@desk.example", "password": PASSWORD},
        )
    ).status_code == 403
    await log_in(client)
    assert (await client.post("/logout", data={})).status_code == 403


async def test_wrong_passwords_are_throttled(client: httpx.AsyncClient, anne: None) -> None:
    for _ in range(5):
        assert (await log_in(client, password="wrong password!")).status_code == 400
    throttled = await log_in(client)
    assert throttled.status_code == 429
    assert "Te veel pogingen, probeer het over 1 seconden opnieuw" in throttled.text


async def test_a_nul_in_the_form_is_dropped_not_a_database_error(
    client: httpx.AsyncClient, anne: None
) -> None:
    """Every board form goes through one reader that drops NUL (PostgreSQL's text refuses it)."""
    token = await csrf(client)
    response = await client.post(
        "/login",
        data={"csrf_token": token, "email": "anne@desk\x00.example", "password": PASSWORD},
    )
    assert response.status_code == 303 and response.headers["location"] == "/board"


async def test_next_never_leaves_the_desk(client: httpx.AsyncClient, anne: None) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = await log_in(client, next=target)
        assert response.headers["location"] == "/board"
        await client.post("/logout", data={"csrf_token": await csrf(client, "/board")})


async def test_the_api_through_a_session_needs_the_csrf_header(
    client: httpx.AsyncClient, settings: Settings, anne: None
) -> None:
    tip = await make_tip("<b>Brand</b>", phone="31600000001", name="<script>alert(1)</script>")
    await log_in(client)
    assert (await client.get(f"/api/v1/tips/{tip.id}")).status_code == 200
    assert (await client.post(f"/api/v1/tips/{tip.id}/claim")).status_code == 403
    token = await csrf(client, "/board")
    assert (
        await client.post(f"/api/v1/tips/{tip.id}/claim", headers={"x-csrf-token": token})
    ).status_code == 200
    board = (await client.get("/board")).text
    assert "<script>alert(1)</script>" not in board and "&lt;script&gt;" in board
    assert "<b>Brand</b>" not in board
    await rebuild(settings)
    found = (await client.get("/search", params={"q": "brand"})).text
    assert f'href="/tips/{tip.id}"' in found and "<mark" in found


def paths(app: Starlette) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, Route):
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            found += [
                (method, path) for method in sorted(route.methods or {"GET"}) if method != "HEAD"
            ]
        elif isinstance(route, Mount):
            found.append(("GET", f"{route.path}/anything"))
    return found


PUBLIC = (
    "/health",
    "/webhooks/",
    "/login",
    "/logout",
    "/sandbox",
    "/static/",
    "/privacy",  # the notice readers are sent: public on purpose
    "/tip/c/",  # a web form reader's private conversation: its link is the key
)
# The public tip form itself (not /tips/…, the board's).
PUBLIC_PAGES = ("/tip",)


async def test_every_editorial_route_needs_a_login(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    checked = 0
    for method, path in paths(app):
        if path == "/" or path in PUBLIC_PAGES or path.startswith(PUBLIC):
            continue
        response = await client.request(method, path)
        assert response.status_code in (401, 303), (method, path, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login")
        checked += 1
    assert checked >= 8


async def test_the_tip_page_shows_the_tip_and_its_forms_act(
    client: httpx.AsyncClient, anne: None
) -> None:
    tip = await make_tip("Brand <b>nu</b>")
    assert (await client.get(f"/tips/{tip.id}")).status_code == 303
    await log_in(client)
    page = await client.get(f"/tips/{tip.id}")
    assert page.status_code == 200
    assert "Brand &lt;b&gt;nu&lt;/b&gt;" in page.text and "31612345678" not in page.text
    token = await csrf(client, f"/tips/{tip.id}")
    assert (await client.post(f"/tips/{tip.id}/claim", data={})).status_code == 403
    claimed = await client.post(f"/tips/{tip.id}/claim", data={"csrf_token": token})
    assert claimed.status_code == 303
    assert (await Tip.get(id=tip.id)).claimed_by_id is not None
    changed = await client.post(
        f"/tips/{tip.id}/status", data={"csrf_token": token, "status": "verified", "note": "gebeld"}
    )
    assert changed.status_code == 303
    assert (await Tip.get(id=tip.id)).status.value == "verified"
    refused = await client.post(
        f"/tips/{tip.id}/status", data={"csrf_token": token, "status": "gepubliceerd"}
    )
    assert "Kies een status uit de lijst." in (await client.get(refused.headers["location"])).text
    page = await client.get(f"/tips/{tip.id}")
    assert "status gewijzigd" in page.text and "gebeld" in page.text
    assert (await client.get("/tips/999999")).status_code == 404
    assert (
        await client.post(f"/tips/{tip.id}/explode", data={"csrf_token": token})
    ).status_code == 404


async def test_admins_see_dead_jobs_and_webhook_errors_and_retry_them(
    client: httpx.AsyncClient, anne: None
) -> None:
    from tipdesk.intake.models import WebhookError
    from tipdesk.jobs.models import Job, JobState
    from tipdesk.jobs.queue import enqueue

    await enqueue("media.fetch", {"asset_id": 1}, max_attempts=1)
    await Job.all().update(
        state=JobState.DEAD,
        attempts=1,
        last_error="attempt 1: GraphAuthError: the Graph API refused the access token (401)",
    )
    await WebhookError.create(
        kind="invalid_message", detail="timestamp is missing <script>", excerpt={}
    )
    await log_in(client)
    assert (await client.get("/admin")).status_code == 403  # Anne is an editor
    await client.post("/logout", data={"csrf_token": await csrf(client, "/board")})
    await create_editor("root@desk.example", "Root", Role.ADMIN, PASSWORD)
    token = await csrf(client)
    await client.post(
        "/login", data={"csrf_token": token, "email": "root@desk.example", "password": PASSWORD}
    )
    page = await client.get("/admin")
    assert page.status_code == 200
    assert "refused the access token (401)" in page.text
    assert "timestamp is missing &lt;script&gt;" in page.text
    job = await Job.get()
    token = await csrf(client, "/admin")
    assert (await client.post(f"/admin/jobs/{job.id}/retry", data={})).status_code == 403
    assert (
        await client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token})
    ).status_code == 303
    assert (await Job.get(id=job.id)).state is JobState.QUEUED
    await Job.filter(id=job.id).update(state=JobState.DEAD)
    await client.post(f"/admin/jobs/{job.id}/discard", data={"csrf_token": token})
    assert not await Job.filter(id=job.id).exists()
    audited = await AuditEvent.filter(action__startswith="job.").order_by("id")
    assert [(e.action, e.detail) for e in audited] == [
        (AuditAction.JOB_RETRY, {"job_id": job.id}),
        (AuditAction.JOB_DISCARD, {"job_id": job.id}),
    ]


async def test_board_filters(client: httpx.AsyncClient, settings: Settings, anne: None) -> None:
    mine, verified, other = (
        await make_tip("Eerste tip", phone="31600000011"),
        await make_tip("Tweede tip", phone="31600000012"),
        await make_tip("Derde tip", phone="31600000013"),
    )
    await log_in(client)
    token = await csrf(client, "/board")
    await client.post(f"/api/v1/tips/{mine.id}/claim", headers={"x-csrf-token": token})
    await client.post(
        f"/api/v1/tips/{verified.id}/status",
        headers={"x-csrf-token": token},
        json={"status": "verified"},
    )
    await rebuild(settings)

    async def shown(**params: str) -> set[int]:
        page = (await client.get("/board", params=params)).text
        return {int(number) for number in re.findall(r'href="/tips/(\d+)"', page)}

    assert await shown() == {mine.id, verified.id, other.id}
    assert await shown(mine="1") == {mine.id}
    assert await shown(unclaimed="1") == {verified.id, other.id}
    assert await shown(status="verified") == {verified.id}
    assert await shown(status="verified", q="tweede") == {verified.id}
    assert await shown(status="<script>") == {mine.id, verified.id, other.id}


async def test_a_cookie_replayed_after_logout_opens_nothing(
    client: httpx.AsyncClient, anne: None
) -> None:
    await log_in(client)
    stolen = dict(client.cookies)
    token = await csrf(client, "/board")
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    client.cookies.clear()
    client.cookies.update(stolen)
    replay = await client.get("/board")
    assert replay.status_code == 303 and replay.headers["location"].startswith("/login")

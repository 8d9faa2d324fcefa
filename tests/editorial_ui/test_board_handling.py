"""Faster handling on the board, over HTTP: search and filters in one form with a shareable
URL, views with counts (built in and an editor's own), and bulk actions that go through the
one-tip actions, claim rule and audit trail included, with a summary of what was refused."""

from __future__ import annotations

import html
import re
import secrets

import httpx
import pytest
from starlette.applications import Starlette

from tests.editorial_ui.sessions import PASSWORD, csrf, log_in_as
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.clock import utcnow
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.search.jobs import rebuild
from tipdesk.tips.models import MediaAsset, MediaKind, MediaState, Message, Tip, TipStatus

pytestmark = pytest.mark.usefixtures("app")


async def editor(client: httpx.AsyncClient, email: str, role: Role = Role.EDITOR) -> str:
    """An editor logged in on `client`; their CSRF token."""
    await create_editor(email, email.split("@")[0].title(), role, PASSWORD)
    await log_in_as(client, email)
    return await csrf(client, "/board")


def flash_text(page: str) -> str:
    found = re.search(r'<div class="flash[^"]*"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""


async def test_search_and_filters_are_one_form_and_the_url_keeps_both(
    client: httpx.AsyncClient,
) -> None:
    await editor(client, "anne@desk.example")
    page = (await client.get("/board?q=brand&status=new&media=video")).text
    assert page.count('action="/board"') == 1  # one GET form: search box and filters
    start = page.index('class="search"')
    form = page[start : page.index("</form>", start)]
    assert 'name="q" value="brand"' in form
    assert '<option value="new" selected>' in form and '<option value="video" selected>' in form


async def test_views_show_live_counts_and_an_editor_keeps_their_own(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    token = await editor(client, "anne@desk.example")
    anne = await Editor.get(email="anne@desk.example")
    video = await make_tip("Filmpje van de brand")
    message = await Message.get(tip_id=video.id)
    await MediaAsset.create(
        token=secrets.token_hex(16), tip=video, message=message, kind=MediaKind.VIDEO,
        state=MediaState.READY,
    )  # fmt: skip
    mine = await make_tip("Boom op de weg", phone="31600000002")
    await Tip.filter(id=mine.id).update(claimed_by_id=anne.id, claimed_at=utcnow())
    await rebuild(app.state.settings)
    page = (await client.get("/board")).text
    start = page.index('class="views"')
    views = page[start : page.index("</nav>", start)]
    assert re.search(r"Mijn tips</a> <span[^>]*>1</span>", views), views
    assert re.search(r"Nieuw met video</a> <span[^>]*>1</span>", views), views
    assert re.search(r"Wacht op toestemming</a> <span[^>]*>0</span>", views), views
    assert "/board?q=claimed%3Aanne" in views  # a view is a link to share
    saved = await client.post(
        "/board/views", data={"csrf_token": token, "name": "Bomen", "query": "boom"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/board?q=boom"
    page = (await client.get(saved.headers["location"])).text
    assert "Weergave ‘Bomen’ bewaard." in flash_text(page)
    assert re.search(r'aria-current="page">Bomen</a> <span[^>]*>1</span>', page)
    # Another editor sees the built-in views only, and cannot delete Anne's.
    other = httpx.AsyncClient(transport=client._transport, base_url="http://desk.test")
    async with other:
        bert_token = await editor(other, "bert@desk.example")
        assert "Bomen" not in (await other.get("/board")).text
        view_id = re.search(r"/board/views/(\d+)/delete", page).group(1)  # type: ignore[union-attr]
        await other.post(f"/board/views/{view_id}/delete", data={"csrf_token": bert_token})
    assert "Bomen" in (await client.get("/board")).text
    await client.post(f"/board/views/{view_id}/delete", data={"csrf_token": token})
    assert "Bomen" not in (await client.get("/board")).text


async def test_bulk_archive_respects_each_tips_claim_and_says_what_was_refused(
    client: httpx.AsyncClient,
) -> None:
    token = await editor(client, "anne@desk.example")
    bert = await create_editor("bert@desk.example", "Bert", Role.EDITOR, PASSWORD)
    free = await make_tip("Brand", phone="31600000001")
    held = await make_tip("Storm", phone="31600000002")
    await Tip.filter(id=held.id).update(claimed_by_id=bert.id, claimed_at=utcnow())
    response = await client.post(
        "/board/bulk",
        data={"csrf_token": token, "action": "archive", "tip": [str(free.id), str(held.id)],
              "back": "/board?q=storm&status=new"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/board?q=storm&status=new"  # back as it was
    page = (await client.get("/board")).text
    said = flash_text(page)
    assert "1 tips bijgewerkt, 1 geweigerd" in said
    assert f"#{held.id}: Een andere redacteur heeft deze tip geclaimd." in said
    assert (await Tip.get(id=free.id)).status is TipStatus.ARCHIVED
    assert (await Tip.get(id=held.id)).status is TipStatus.NEW
    events = await AuditEvent.filter(action="tip.status_changed").values_list("tip_id", flat=True)
    assert list(events) == [free.id]  # each tip audited as one change of its own


async def test_bulk_tags_and_assignment_only_for_chiefs(client: httpx.AsyncClient) -> None:
    token = await editor(client, "anne@desk.example")
    tips = [await make_tip(f"Tip {n}", phone=f"3160000000{n}") for n in range(3)]
    ids = [str(tip.id) for tip in tips]
    await client.post(
        "/board/bulk", data={"csrf_token": token, "action": "tag", "tip": ids, "tags": "a2 Storm"}
    )
    assert [(await Tip.get(id=tip.id)).tags for tip in tips] == [["a2", "storm"]] * 3
    anne = await Editor.get(email="anne@desk.example")
    await client.post(
        "/board/bulk",
        data={"csrf_token": token, "action": "assign", "tip": ids, "editor_id": str(anne.id)},
    )
    page = (await client.get("/board")).text
    assert "Alleen een chef of beheerder mag tips toewijzen." in flash_text(page)
    assert 'value="assign"' not in page
    assert await Tip.filter(claimed_by_id=None).count() == 3
    chief = httpx.AsyncClient(transport=client._transport, base_url="http://desk.test")
    async with chief:
        chief_token = await editor(chief, "carla@desk.example", Role.CHIEF)
        assert 'value="assign"' in (await chief.get("/board")).text
        await chief.post(
            "/board/bulk",
            data={"csrf_token": chief_token, "action": "assign", "tip": ids,
                  "editor_id": str(anne.id)},
        )  # fmt: skip
    assert await Tip.filter(claimed_by_id=anne.id).count() == 3
    assert await AuditEvent.filter(action="tip.assigned").count() == 3


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"action": "archive"}, "Selecteer eerst een of meer tips"),
        ({"action": "explode", "tip": "1"}, "Kies archiveren, afwijzen"),
        ({"action": "tag", "tip": "1", "tags": ""}, "Geef een of meer labels"),
        ({"action": "tag", "tip": "1", "tags": "<b>"}, "is geen label"),
    ],
)
async def test_a_wrong_bulk_request_is_refused_whole(
    client: httpx.AsyncClient, fields: dict[str, str], says: str
) -> None:
    token = await editor(client, "anne@desk.example")
    response = await client.post("/board/bulk", data={"csrf_token": token, **fields})
    assert response.headers["location"] == "/board"
    assert says in flash_text((await client.get("/board")).text)


async def test_bulk_back_never_leaves_the_board(client: httpx.AsyncClient) -> None:
    token = await editor(client, "anne@desk.example")
    tip = await make_tip("Brand")
    for back in ("https://evil.example/", "//evil.example", "/tips/1", "/board/views"):
        response = await client.post(
            "/board/bulk",
            data={"csrf_token": token, "action": "reject", "tip": str(tip.id), "back": back},
        )
        assert response.headers["location"] == "/board"
    response = await client.post(
        "/board/bulk",
        data={"csrf_token": token, "action": "reject", "tip": str(tip.id), "back": "/search?q=a"},
    )
    assert response.headers["location"] == "/search?q=a"

"""Notes, tags, desk and assignment over /api/v1: audited, re-indexed, refused whole when wrong."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from tests.editors_factory import bearer
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation.models import ConsentRecord
from tipdesk.editors.models import Editor, Role
from tipdesk.jobs.models import Job
from tipdesk.tips.models import MediaAsset, MediaKind, Message, Tip, TipNote

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
async def anne() -> dict[str, str]:
    return await bearer("anne@desk.example", "Anne de Jong")


@pytest.fixture
async def chief() -> dict[str, str]:
    return await bearer("carla@desk.example", "Carla", Role.CHIEF)


async def post(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], body: Any
) -> httpx.Response:
    return await client.post(path, headers=headers, json=body)


async def test_notes_are_kept_with_author_and_time_and_shown_in_the_tip(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    tip = await make_tip("Brand in de haven")
    await Job.all().delete()
    response = await post(client, f"/api/v1/tips/{tip.id}/notes", anne, {"text": " Gebeld. "})
    assert response.status_code == 201
    notes = response.json()["notes"]
    assert [n["text"] for n in notes] == ["Gebeld."]
    assert notes[0]["editor"]["display_name"] == "Anne de Jong" and notes[0]["created_at"]
    shown = (await client.get(f"/api/v1/tips/{tip.id}", headers=anne)).json()
    assert shown["notes"] == notes
    assert await AuditEvent.filter(action="tip.note_added", tip_id=tip.id).count() == 1
    assert await Job.filter(kind="search.index").count() == 1


async def test_tags_are_normalised_added_removed_and_replaced(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    tip = await make_tip("Storm")
    path = f"/api/v1/tips/{tip.id}/tags"
    data = (await post(client, path, anne, {"add": ["#Storm", "A2", "storm"]})).json()
    assert data["tags"] == ["storm", "a2"]
    data = (await post(client, path, anne, {"add": ["café"], "remove": ["a2"]})).json()
    assert data["tags"] == ["storm", "café"]
    data = (await post(client, path, anne, {"tags": ["verkeer"]})).json()
    assert data["tags"] == ["verkeer"]
    changes = await AuditEvent.filter(action="tip.tags_changed").order_by("id")
    assert [e.detail["to"] for e in changes] == [["storm", "a2"], ["storm", "café"], ["verkeer"]]


async def test_the_desk_is_set_normalised_and_cleared(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    tip = await make_tip("Wedstrijd afgelast")
    path = f"/api/v1/tips/{tip.id}/desk"
    assert (await post(client, path, anne, {"desk": " Regio Noord "})).json()["desk"] == (
        "regio-noord"
    )
    assert (await post(client, path, anne, {"desk": None})).json()["desk"] is None
    assert await AuditEvent.filter(action="tip.desk_changed").count() == 2


async def test_chiefs_assign_tips_to_editors_and_editors_may_not(
    client: httpx.AsyncClient, anne: dict[str, str], chief: dict[str, str]
) -> None:
    tip = await make_tip("Lekkage")
    annes_id = (await Editor.get(email="anne@desk.example")).id
    path = f"/api/v1/tips/{tip.id}/assign"
    refused = await post(client, path, anne, {"editor_id": annes_id})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assigned = await post(client, path, chief, {"editor_id": annes_id})
    assert assigned.status_code == 200
    assert assigned.json()["claimed_by"]["display_name"] == "Anne de Jong"
    event = await AuditEvent.get(action="tip.assigned")
    assert event.detail["assignee_id"] == annes_id
    await Editor.filter(id=annes_id).update(active=False)
    inactive = await post(client, path, chief, {"editor_id": annes_id + 0})
    assert inactive.status_code == 400


HOSTILE = [
    ("notes", {"text": "x" * 5001}),
    ("notes", {"text": "   "}),
    ("notes", {"text": 12}),
    ("notes", {"text": ["a"]}),
    ("notes", {}),
    ("tags", {"add": "storm"}),
    ("tags", {"add": ["x" * 33]}),
    ("tags", {"add": ["<script>"]}),
    ("tags", {"add": ["a,b"]}),
    ("tags", {"add": ["two words"]}),
    ("tags", {"add": [1, 2]}),
    ("tags", {"tags": [f"t{n}" for n in range(21)]}),
    ("tags", {"nothing": True}),
    ("desk", {"desk": "<b>sport</b>"}),
    ("desk", {"desk": "x" * 33}),
    ("desk", {"desk": 7}),
    ("desk", {}),
    ("assign", {"editor_id": "1"}),
    ("assign", {"editor_id": True}),
    ("assign", {"editor_id": 999999}),
    # PostgreSQL's text cannot hold NUL: refused up front, not a 500 from the database.
    ("notes", {"text": "Brand\u0000"}),
    ("tags", {"add": ["bra\u0000nd"]}),
    ("split", {"wamid": "\u0000"}),
]


@pytest.mark.parametrize(("action", "body"), HOSTILE)
async def test_hostile_bodies_are_400_and_change_nothing(
    client: httpx.AsyncClient, chief: dict[str, str], action: str, body: Any
) -> None:
    tip = await make_tip("Brand")
    before = await AuditEvent.all().count()
    response = await post(client, f"/api/v1/tips/{tip.id}/{action}", chief, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_input"
    assert await AuditEvent.all().count() == before
    after = await Tip.get(id=tip.id)
    assert (after.tags, after.desk, after.claimed_by_id) == ([], None, None)
    assert not await TipNote.exists()


async def test_too_many_tags_in_total_are_refused_whole(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    tip = await make_tip("Brand")
    path = f"/api/v1/tips/{tip.id}/tags"
    await post(client, path, anne, {"tags": [f"t{n}" for n in range(20)]})
    refused = await post(client, path, anne, {"add": ["een-te-veel"]})
    assert refused.status_code == 400
    assert len((await Tip.get(id=tip.id)).tags) == 20


@pytest.mark.parametrize("raw", ["[1]", "not json", '"text"', "{" * 10000])
async def test_bodies_that_are_not_objects_are_400(
    client: httpx.AsyncClient, anne: dict[str, str], raw: str
) -> None:
    tip = await make_tip("Brand")
    response = await client.post(
        f"/api/v1/tips/{tip.id}/notes",
        headers={**anne, "content-type": "application/json"},
        content=raw,
    )
    assert response.status_code == 400


@pytest.mark.parametrize("action", ["notes", "tags", "desk", "assign", "merge", "split"])
@pytest.mark.parametrize("tip_id", ["999999", "abc", "1e3", "-1"])
async def test_unknown_tips_are_404(
    client: httpx.AsyncClient, chief: dict[str, str], action: str, tip_id: str
) -> None:
    body = {"text": "x", "tags": ["x"], "desk": "x", "editor_id": 1, "source_id": 1, "wamid": "w"}
    response = await post(client, f"/api/v1/tips/{tip_id}/{action}", chief, body)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_notes_with_markup_come_back_as_text(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    tip = await make_tip("Brand")
    text = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = await post(client, f"/api/v1/tips/{tip.id}/notes", anne, {"text": text})
    assert response.json()["notes"][0]["text"] == text  # JSON is data; pages escape it


async def test_every_api_route_is_in_the_openapi_document(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    from tipdesk.api.routes import routes

    document = (await client.get("/api/v1/openapi.json", headers=anne)).json()
    described = 0
    for route in routes:
        if route.path == "/api/v1/openapi.json":
            continue
        for method in set(route.methods or ()) - {"HEAD"}:
            assert method.lower() in document["paths"].get(route.path, {}), route.path
            described += 1
    assert described >= 12


async def test_what_changes_a_held_tip_or_writes_to_its_reader_follows_the_claim(
    client: httpx.AsyncClient, anne: dict[str, str], chief: dict[str, str]
) -> None:
    """Tags, desk, consent requests and blocking were open to any editor on a tip another
    editor held, unlike status and replies; now one rule holds (tipdesk/editors/permissions.py).
    Internal notes stay open to every editor on purpose."""
    bram = await bearer("bram@desk.example", "Bram")
    tip = await make_tip("Brand in de loods")
    message = await Message.get(tip_id=tip.id)
    await MediaAsset.create(
        token=secrets.token_urlsafe(24), tip=tip, message=message, kind=MediaKind.IMAGE
    )
    assert (await post(client, f"/api/v1/tips/{tip.id}/claim", anne, {})).status_code == 200
    changes = [
        (f"/api/v1/tips/{tip.id}/tags", {"add": ["brand"]}),
        (f"/api/v1/tips/{tip.id}/desk", {"desk": "regio"}),
        (f"/api/v1/tips/{tip.id}/consent-request", {}),
        (f"/api/v1/tips/{tip.id}/status", {"status": "in_review"}),
        (f"/api/v1/senders/{tip.sender_id}/block", {}),
    ]
    for path, body in changes:
        refused = await post(client, path, bram, body)
        assert refused.status_code == 409, path
        assert "claimed by another editor" in refused.json()["error"]["message"], path
    fresh = await Tip.get(id=tip.id).prefetch_related("sender")
    assert (fresh.tags, fresh.desk, fresh.sender.blocked_at) == ([], None, None)
    assert not await ConsentRecord.exists(tip_id=tip.id)
    note = await post(client, f"/api/v1/tips/{tip.id}/notes", bram, {"text": "Ken de eigenaar"})
    assert note.status_code == 201
    for path, body in changes:
        assert (await post(client, path, chief, body)).status_code in (200, 201), path
    assert await ConsentRecord.exists(tip_id=tip.id)
    unblock = await post(client, f"/api/v1/senders/{tip.sender_id}/unblock", bram, {})
    assert unblock.status_code == 409
    assert (await post(client, f"/api/v1/senders/{tip.sender_id}/unblock", anne, {})).is_success

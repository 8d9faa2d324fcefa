"""Merging two tips of one reader and splitting a message off, over /api/v1."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.editors_factory import bearer
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.conversation.models import ConsentRecord
from tipdesk.editors.models import Role
from tipdesk.jobs.models import Job
from tipdesk.search.schema import tip_document
from tipdesk.tips.models import (
    Direction,
    MediaAsset,
    MediaKind,
    Message,
    Tip,
    TipNote,
    TipStatus,
)  # fmt: skip

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
async def anne() -> dict[str, str]:
    return await bearer("anne@desk.example", "Anne de Jong")


async def with_photo(tip: Tip, wamid: str, text: str = "", minutes: int = 1) -> Message:
    """Another reader message on the tip, carrying a photo."""
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    message = await Message.create(
        channel="whatsapp",
        external_id=wamid, tip=tip, sender_id=tip.sender_id, direction=Direction.INBOUND,
        type="image", text=text, sent_at=at,
    )  # fmt: skip
    await MediaAsset.create(
        token=secrets.token_hex(16), tip=tip, message=message, kind=MediaKind.IMAGE
    )
    await Tip.filter(id=tip.id).update(last_message_at=at)
    return message


async def test_merging_moves_everything_and_archives_the_source(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    target, source = await make_tip("Brand in de haven"), await make_tip("Nog een foto")
    await with_photo(source, "w.photo", "rook")
    await ConsentRecord.create(
        tip=source, sender_id=source.sender_id, question_text="Mag het?",
        requested_at=datetime.now(UTC),
    )  # fmt: skip
    await TipNote.create(tip=source, text="eerder gebeld")
    await Tip.filter(id=source.id).update(tags=["haven"], desk="regio")
    await Job.all().delete()
    response = await client.post(
        f"/api/v1/tips/{target.id}/merge", headers=anne, json={"source_id": source.id}
    )
    assert response.status_code == 200, response.text
    merged = response.json()
    assert merged["text"] == "Brand in de haven\nNog een foto\nrook"
    assert len(merged["media"]) == 1 and merged["consent"]["state"] == "requested"
    assert [n["text"] for n in merged["notes"]] == ["eerder gebeld"]
    assert merged["tags"] == ["haven"] and merged["desk"] == "regio"
    left = (await client.get(f"/api/v1/tips/{source.id}", headers=anne)).json()
    assert left["status"] == "archived" and left["merged_into"] == target.id
    assert left["messages"] == [] and left["media"] == []
    actions = {(e.action, e.tip_id) for e in await AuditEvent.all()}
    assert {("tip.merged", target.id), ("tip.merged_away", source.id)} <= actions
    indexed = {job.payload["tip_id"] for job in await Job.filter(kind="search.index")}
    assert indexed == {target.id, source.id}
    assert await tip_document(source.id) is None  # gone from search: its target holds it all


async def test_merging_refuses_other_readers_itself_closed_and_merged_tips(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    tip, same, other = (
        await make_tip("Een"), await make_tip("Twee"), await make_tip("Drie", phone="31699999999"),
    )  # fmt: skip

    async def merge(target: int, source: object) -> httpx.Response:
        return await client.post(
            f"/api/v1/tips/{target}/merge", headers=anne, json={"source_id": source}
        )

    assert (await merge(tip.id, other.id)).status_code == 400
    assert (await merge(tip.id, tip.id)).status_code == 400
    assert (await merge(tip.id, "2")).status_code == 400
    assert (await merge(tip.id, 999999)).status_code == 404
    await Tip.filter(id=same.id).update(status=TipStatus.USED)
    closed = await merge(tip.id, same.id)
    assert closed.status_code == 409 and "reopen" in closed.json()["error"]["message"]
    await Tip.filter(id=same.id).update(status=TipStatus.NEW)
    assert (await merge(tip.id, same.id)).status_code == 200
    assert (await merge(tip.id, same.id)).status_code == 409  # already merged away
    assert (await merge(same.id, tip.id)).status_code == 409
    assert await Message.filter(tip_id=tip.id).count() == 2
    assert await AuditEvent.filter(action="tip.merged").count() == 1


async def test_merging_a_tip_another_editor_holds_needs_a_chief(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    bram = await bearer("bram@desk.example", "Bram")
    chief = await bearer("carla@desk.example", "Carla", Role.CHIEF)
    target, source = await make_tip("Een"), await make_tip("Twee")
    await client.post(f"/api/v1/tips/{source.id}/claim", headers=bram)
    body = {"source_id": source.id}
    path = f"/api/v1/tips/{target.id}/merge"
    assert (await client.post(path, headers=anne, json=body)).status_code == 409
    assert (await client.post(path, headers=chief, json=body)).status_code == 200
    assert (await Tip.get(id=source.id)).claimed_by_id is None


async def test_splitting_moves_one_message_and_its_media_into_a_new_tip(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    tip = await make_tip("Brand in de haven")
    message = await with_photo(tip, "w.other", "ander verhaal", minutes=5)
    await Job.all().delete()
    response = await client.post(
        f"/api/v1/tips/{tip.id}/split", headers=anne, json={"external_id": message.external_id}
    )
    assert response.status_code == 201, response.text
    new = response.json()
    assert new["id"] != tip.id and new["text"] == "ander verhaal" and len(new["media"]) == 1
    assert new["sender"]["id"] == tip.sender_id and new["status"] == "new"
    old = (await client.get(f"/api/v1/tips/{tip.id}", headers=anne)).json()
    assert old["text"] == "Brand in de haven" and old["media"] == []
    refreshed = await Tip.get(id=tip.id)
    assert refreshed.last_message_at == refreshed.first_message_at
    assert await AuditEvent.filter(action="tip.split", tip_id=tip.id).exists()
    assert await AuditEvent.filter(action="tip.split_from", tip_id=new["id"]).exists()
    indexed = {job.payload["tip_id"] for job in await Job.filter(kind="search.index")}
    assert indexed == {tip.id, new["id"]}


@pytest.mark.parametrize(
    ("body", "status"),
    [({"wamid": "w.nope"}, 404), ({"wamid": 5}, 400), ({}, 400), ({"wamid": "x" * 300}, 400),
     ({"external_id": "w.nope"}, 404), ({"external_id": 5}, 400)],
)  # fmt: skip
async def test_splitting_refuses_what_is_not_a_message_of_the_tip(
    client: httpx.AsyncClient, anne: dict[str, str], body: dict[str, object], status: int
) -> None:
    tip = await make_tip("Brand")
    await with_photo(tip, "w.second")
    response = await client.post(f"/api/v1/tips/{tip.id}/split", headers=anne, json=body)
    assert response.status_code == status
    assert await Tip.all().count() == 1 and await Message.filter(tip_id=tip.id).count() == 2


async def test_splitting_never_empties_a_tip_nor_moves_desk_messages(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    tip = await make_tip("Brand")
    only = await client.post(
        f"/api/v1/tips/{tip.id}/split", headers=anne, json={"wamid": f"w.{tip.id}"}
    )
    assert only.status_code == 400 and "only reader message" in only.json()["error"]["message"]
    await with_photo(tip, "w.second")
    await Message.create(
        channel="whatsapp",
        external_id="w.desk", tip=tip, sender_id=tip.sender_id, direction=Direction.OUTBOUND,
        type="text", text="Dank je!", sent_at=datetime.now(UTC),
    )  # fmt: skip
    desk = await client.post(f"/api/v1/tips/{tip.id}/split", headers=anne, json={"wamid": "w.desk"})
    assert desk.status_code == 400
    assert await Tip.all().count() == 1


async def test_two_editors_merging_two_tips_into_each_other_at_once_leave_one(
    client: httpx.AsyncClient, anne: dict[str, str]
) -> None:
    """Both databases: of A→B and B→A at the same instant, exactly one happens, whole."""
    bram = await bearer("bram@desk.example", "Bram")

    async def merge(target: int, source: int, headers: dict[str, str]) -> httpx.Response:
        path = f"/api/v1/tips/{target}/merge"
        return await client.post(path, headers=headers, json={"source_id": source})

    for _ in range(10):
        first, second = await make_tip("Een"), await make_tip("Twee")
        outcomes = await asyncio.gather(
            merge(first.id, second.id, anne),
            merge(second.id, first.id, bram),
        )  # fmt: skip
        assert sorted(r.status_code for r in outcomes) == [200, 409], [r.text for r in outcomes]
        tips = await Tip.filter(id__in=[first.id, second.id])
        assert sum(tip.merged_into_id is not None for tip in tips) == 1
        kept = next(tip for tip in tips if tip.merged_into_id is None)
        assert await Message.filter(tip_id=kept.id).count() == 2

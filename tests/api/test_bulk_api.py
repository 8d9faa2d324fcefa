"""`POST /api/v1/tips/bulk`: the board's bulk actions for scripts, each tip through its own
action (audited, refused on its own), the request refused whole when it is wrong."""

from __future__ import annotations

import httpx
import pytest

from tests.editors_factory import bearer
from tests.tips_factory import make_tip
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.models import Editor, Role
from tipdesk.settings import Settings
from tipdesk.tips.actions import claim_tip
from tipdesk.tips.models import Tip

pytestmark = pytest.mark.usefixtures("app")


async def test_a_refusal_for_one_tip_leaves_the_others_done(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    anne = await bearer("anne@desk.example", "Anne de Jong")
    await bearer("bram@desk.example", "Bram Visser")
    free, other, held = [await make_tip(text) for text in ("Brand", "Boom", "Storm")]
    bram = await Editor.get(email="bram@desk.example")
    await claim_tip(held.id, bram, settings)
    answer = await client.post(
        "/api/v1/tips/bulk", headers=anne,
        json={"action": "archive", "tip_ids": [free.id, other.id, held.id]},
    )  # fmt: skip
    assert answer.status_code == 200
    outcome = answer.json()
    assert outcome["done"] == [free.id, other.id]
    [refused] = outcome["refused"]
    assert (refused["id"], refused["code"]) == (held.id, "conflict")
    assert refused["reason"] == "held_by_another"
    assert refused["message"] == "this tip is claimed by another editor"
    assert {t.id: t.status for t in await Tip.all()} == {
        free.id: "archived",
        other.id: "archived",
        held.id: "new",
    }
    assert await AuditEvent.filter(action="tip.status_changed").count() == 2


async def test_tags_are_added_and_assigning_is_for_chiefs(client: httpx.AsyncClient) -> None:
    anne = await bearer("anne@desk.example", "Anne de Jong")
    chief = await bearer("carla@desk.example", "Carla", Role.CHIEF)
    one, two = await make_tip("Brand"), await make_tip("Boom")
    tagged = await client.post(
        "/api/v1/tips/bulk", headers=anne,
        json={"action": "tag", "tip_ids": [one.id, two.id], "tags": ["storm"]},
    )  # fmt: skip
    assert tagged.json() == {"done": [one.id, two.id], "refused": []}
    assert [t.tags for t in await Tip.all().order_by("id")] == [["storm"], ["storm"]]
    body = {"action": "assign", "tip_ids": [one.id], "editor_id": (await Editor.get(
        email="anne@desk.example")).id}  # fmt: skip
    refused = await client.post("/api/v1/tips/bulk", headers=anne, json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assigned = await client.post("/api/v1/tips/bulk", headers=chief, json=body)
    assert assigned.json()["done"] == [one.id]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "delete", "tip_ids": [1]},
        {"action": "archive", "tip_ids": []},
        {"action": "archive", "tip_ids": "1,2"},
        {"action": "archive", "tip_ids": [True]},
        {"action": "archive", "tip_ids": list(range(1, 102))},
        {"action": "tag", "tip_ids": [1], "tags": "storm"},
        {"action": "tag", "tip_ids": [1], "tags": []},
        {"action": "assign", "tip_ids": [1], "editor_id": "anne"},
    ],
)
async def test_a_wrong_request_is_refused_whole(client: httpx.AsyncClient, body: object) -> None:
    chief = await bearer("carla@desk.example", "Carla", Role.CHIEF)
    tip = await make_tip("Brand")
    answer = await client.post("/api/v1/tips/bulk", headers=chief, json=body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_input"
    assert (await Tip.get(id=tip.id)).status == "new"

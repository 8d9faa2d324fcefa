"""Not every inbound event is a tip (issue 18): the chat being opened, Flow and call-permission
answers open none; edits and deletions change the message they name; a retried body's error is
listed once; shared contacts, forwarding and unsupported types reach the editor's screen.
Shapes as Meta sends them (pywa's fixtures `chat_opened`, `flow_completion`,
`call_permission_update`, `edited_message`, `deleted_message`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.editorial_ui.sessions import PASSWORD, log_in_as
from tests.intake.builders import BASE_TIME, image_message, notification, text_message
from tests.intake.conftest import Meta, fixture
from tipdesk.audit.models import AuditEvent
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Role
from tipdesk.intake.models import WebhookError
from tipdesk.search.schema import tip_documents
from tipdesk.tips.models import Direction, Message, Tip, TipStatus

pytestmark = pytest.mark.usefixtures("app")
READER = "31612345678"
DESK = "31851234567"


def event(kind: str, at: int = BASE_TIME, **fields: Any) -> dict[str, Any]:
    return {
        "from": READER,
        "id": f"wamid.{kind}.{at}",
        "timestamp": str(at),
        "type": kind,
        **fields,
    }


FLOW = {
    "type": "nfm_reply",
    "nfm_reply": {
        "response_json": '{"flow_token":"x","rating":"4"}',
        "body": "Sent",
        "name": "flow",
    },
}
CALL = {"type": "call_permission_reply", "call_permission_reply": {"response": "accept"}}


@pytest.mark.parametrize(
    "message",
    [
        event("request_welcome"),
        event("interactive", interactive=FLOW, context={"from": DESK, "id": "wamid.flow"}),
        event("interactive", interactive=CALL, context={"from": DESK, "id": "wamid.call"}),
        event("button", button={"payload": "JA", "text": "Ja hoor"}, context={"id": "wamid.x"}),
    ],
    ids=["chat-opened", "flow", "call-permission", "template-button"],
)
async def test_events_that_say_nothing_new_open_no_tip(meta: Meta, message: dict[str, Any]) -> None:
    await meta.deliver(notification(message))
    stored = await Message.get(direction=Direction.INBOUND)
    assert stored.tip_id is None
    assert await Tip.all().count() == 0
    assert not await Message.filter(direction=Direction.OUTBOUND).exists()  # no confirmation


async def test_a_flow_answer_joins_the_active_tip_and_keeps_what_it_says(meta: Meta) -> None:
    await meta.deliver(notification(text_message("wamid.t", "Brand in de haven")))
    flow = event("interactive", BASE_TIME + 5, interactive=FLOW)
    await meta.deliver(notification(flow))
    tip = await Tip.get()
    answer = await Message.get(type="interactive")
    assert answer.tip_id == tip.id and answer.text == ""
    assert answer.content["reply_type"] == "nfm_reply"
    assert answer.content["response_json"] == '{"flow_token":"x","rating":"4"}'


async def test_the_chat_being_opened_never_joins_a_tip(meta: Meta) -> None:
    await meta.deliver(notification(text_message("wamid.t", "Brand in de haven")))
    await meta.deliver(notification(event("request_welcome", BASE_TIME + 5)))
    assert (await Message.get(type="request_welcome")).tip_id is None


def edit_of(original: str, at: int, new: dict[str, Any]) -> dict[str, Any]:
    return event("edit", at, edit={"original_message_id": original, "message": new})


async def test_an_edit_shows_the_new_text_and_keeps_every_version(meta: Meta) -> None:
    await meta.deliver(notification(text_message("wamid.t", "Brand in de Stationstraat")))
    first = edit_of(
        "wamid.t", BASE_TIME + 60, {"type": "text", "text": {"body": "Brand in de Stationsstraat"}}
    )
    second = edit_of(
        "wamid.t",
        BASE_TIME + 90,
        {"type": "text", "text": {"body": "Brand in de Stationsstraat 12"}},
    )
    # Out of order, and the later one twice (Meta's retry): the latest version wins.
    await meta.deliver(notification(second), notification(first), notification(second))
    original = await Message.get(external_id="wamid.t")
    assert original.text == "Brand in de Stationsstraat 12"
    assert [v["text"] for v in original.content["versions"]] == [
        "Brand in de Stationstraat", "Brand in de Stationsstraat", "Brand in de Stationsstraat 12",
    ]  # fmt: skip
    assert original.content["edited_at"] == datetime.fromtimestamp(BASE_TIME + 90, UTC).isoformat()
    assert await Tip.all().count() == 1
    assert await Message.filter(type="edit").count() == 2  # each edit once, with the tip
    assert await AuditEvent.filter(action="message.edited").count() == 2
    document = (await tip_documents([original.tip_id or 0]))[original.tip_id or 0]
    assert "Stationsstraat 12" in document.text and "Stationstraat" not in document.text


async def test_an_edited_caption_replaces_the_caption(meta: Meta) -> None:
    photo = image_message("wamid.p", "media-1")
    photo["image"]["caption"] = "Boom op de weg"
    await meta.deliver(notification(photo))
    new = {"type": "image", "image": {"caption": "Boom op de Dorpsweg", "id": "media-1"}}
    await meta.deliver(notification(edit_of("wamid.p", BASE_TIME + 30, new)))
    original = await Message.get(external_id="wamid.p")
    assert original.text == "Boom op de Dorpsweg"
    assert original.content["caption"] == "Boom op de Dorpsweg"


async def test_an_edit_of_an_unknown_message_is_kept_and_changes_nothing(meta: Meta) -> None:
    new = {"type": "text", "text": {"body": "nieuw"}}
    await meta.deliver(notification(edit_of("wamid.never", BASE_TIME, new)))
    kept = await Message.get(type="edit")
    assert kept.tip_id is None and kept.content["text"] == "nieuw"
    assert await Tip.all().count() == 0


async def test_a_hostile_edit_nesting_edits_is_kept_flat(meta: Meta) -> None:
    inner: dict[str, Any] = {"type": "text", "text": {"body": "x"}}
    for _ in range(200):
        inner = {"type": "edit", "edit": {"original_message_id": "wamid.t", "message": inner}}
    await meta.deliver(notification(text_message("wamid.t", "Brand")))
    await meta.deliver(notification(edit_of("wamid.t", BASE_TIME + 5, inner)))
    assert (await Message.get(external_id="wamid.t")).text == ""  # an empty new version, no crash
    assert not await WebhookError.exists()


async def test_a_deleted_message_is_hidden_from_the_board_and_search(
    meta: Meta, client: httpx.AsyncClient
) -> None:
    await meta.deliver(
        notification(
            text_message("wamid.a", "Brand bij de bakker"),
            text_message("wamid.b", "Mijn adres is Kerkstraat 4", at=BASE_TIME + 10),
        )
    )
    await meta.deliver(
        notification(event("revoke", BASE_TIME + 20, revoke={"original_message_id": "wamid.b"}))
    )
    deleted = await Message.get(external_id="wamid.b")
    assert deleted.text == "" and "Kerkstraat" not in str(deleted.content)
    assert deleted.content["revoked_at"]
    tip = await Tip.get()
    document = (await tip_documents([tip.id]))[tip.id]
    assert "bakker" in document.text and "Kerkstraat" not in document.text
    await create_editor("anne@desk.example", "Anne", Role.EDITOR, PASSWORD)
    await log_in_as(client, "anne@desk.example")
    page = (await client.get(f"/tips/{tip.id}")).text
    assert "De lezer heeft dit bericht verwijderd" in page and "Kerkstraat" not in page


async def test_a_deleted_message_of_a_used_tip_is_kept_as_evidence(meta: Meta) -> None:
    await meta.deliver(notification(text_message("wamid.a", "Brand bij de bakker")))
    await Tip.all().update(status=TipStatus.USED, used_at=datetime.now(UTC))
    await meta.deliver(
        notification(event("revoke", BASE_TIME + 20, revoke={"original_message_id": "wamid.a"}))
    )
    deleted = await Message.get(external_id="wamid.a")
    assert deleted.text == ""
    assert deleted.content["revoked"]["text"] == "Brand bij de bakker"


async def test_a_retried_value_error_is_listed_once(meta: Meta) -> None:
    await meta.deliver(fixture("value_errors"))
    # Meta's retry, taken by another web process (each process skips repeats it saw itself):
    # the same notification as a body of its own.
    retry = json.dumps(fixture("value_errors"), indent=1).encode()
    assert (await meta.post(retry)).status_code == 200
    await meta.worker.drain()
    error = await WebhookError.get()  # one, and seen again
    assert error.last_seen_at is not None
    other = fixture("value_errors")
    other["entry"][0]["changes"][0]["value"]["errors"][0]["code"] = 131000
    await meta.deliver(other)
    assert await WebhookError.all().count() == 2


async def test_the_tip_page_shows_contacts_forwarding_and_unsupported_types(
    meta: Meta, client: httpx.AsyncClient
) -> None:
    forwarded = text_message("wamid.f", "Kijk dit", context={"frequently_forwarded": True})
    await meta.deliver(notification(forwarded))
    await meta.deliver(fixture("contacts"), fixture("unsupported"))
    await create_editor("anne@desk.example", "Anne", Role.EDITOR, PASSWORD)
    await log_in_as(client, "anne@desk.example")
    contacts = await Message.get(type="contacts")
    card = contacts.content["contacts"][0]  # type: ignore[index]
    pages = ""
    for tip in await Tip.all():
        pages += (await client.get(f"/tips/{tip.id}")).text
    assert "vaak doorgestuurd" in pages
    assert card["phones"][0] in pages and card["emails"][0] in pages
    assert "een peiling" in pages and "poll_creation" not in pages
    api = await client.get(f"/api/v1/tips/{(await Message.get(external_id='wamid.f')).tip_id}")
    assert api.status_code in (200, 401)  # the API takes tokens; the page is what editors see

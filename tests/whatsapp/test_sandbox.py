"""The sandbox phone drives the real signed webhook path and the Graph API contract."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from tests.media_store import clips
from tipdesk.conversation.profile import schedule_profile
from tipdesk.desk import desk_worker
from tipdesk.settings import Settings
from tipdesk.tips.models import Direction, MediaAsset, MediaKind, MediaState, Message
from tipdesk.whatsapp.contract import graph_base_url

READER = {"from": "31611112222", "name": "Sandra Sandbox"}


async def settle(app: Starlette, settings: Settings) -> None:
    """Wait for the sandbox's deliveries, then let the workers process them."""
    deadline = time.monotonic() + 10
    while not app.state.sandbox.deliverer.idle:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    transport = httpx.ASGITransport(app=app)
    await desk_worker(settings, http_transport=transport).drain()


async def test_the_page_and_its_assets_are_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/sandbox")
    assert page.status_code == 200
    assert "sandbox.js" in page.text and "<script>" not in page.text
    assert (await client.get("/sandbox/static/sandbox.js")).status_code == 200
    assert (await client.get("/sandbox/static/sandbox.css")).status_code == 200


async def test_a_text_travels_the_signed_webhook_path_into_a_tip(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    response = await client.post(
        "/sandbox/api/send", json={**READER, "type": "text", "text": "Boom om!"}
    )
    assert response.status_code == 200
    await settle(app, settings)
    message = await Message.get(direction=Direction.INBOUND).prefetch_related("sender")
    assert message.text == "Boom om!"
    assert message.external_id == response.json()["id"]
    assert message.sender.display_name == "Sandra Sandbox"
    assert message.tip_id is not None
    # The desk's confirmation came back to the phone through the same Graph API contract.
    sent = app.state.sandbox.state.sent
    assert [m["body"]["text"]["body"][:12] for m in sent] == ["Dank je wel,"]


async def test_media_is_fetched_and_made_ready_through_the_sandbox_graph_api(
    client: httpx.AsyncClient, app: Starlette, settings: Settings, tmp_path: Path
) -> None:
    photo = (clips.png(tmp_path / "boom.png")).read_bytes()
    response = await client.post(
        "/sandbox/api/media",
        data={**READER, "caption": "De boom"},
        files={"file": ("boom.png", photo, "image/png")},
    )
    assert response.status_code == 200, response.text
    await settle(app, settings)
    asset = await MediaAsset.get()
    assert (asset.kind, asset.declared_mime) == (MediaKind.IMAGE, "image/png")
    assert asset.state is MediaState.READY, asset.error
    auth = {"authorization": f"Bearer {settings.graph_access_token}"}
    info = (
        await client.get(f"/sandbox/graph/v23.0/{asset.external_media_id}", headers=auth)
    ).json()
    assert info["file_size"] == str(len(photo))
    download = await client.get(info["url"], headers=auth)
    assert download.content == photo
    assert (await client.get(info["url"])).status_code == 401


async def test_desk_replies_and_buttons_show_in_the_thread(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    await client.post("/sandbox/api/send", json={**READER, "text": "Brand!"})
    auth = {"authorization": f"Bearer {settings.graph_access_token}"}
    ask = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+31611112222",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Mogen we je foto gebruiken?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "yes", "title": "Ja, met naam"}},
                    {"type": "reply", "reply": {"id": "no", "title": "Nee"}},
                ]
            },
        },
    }
    sent = await client.post(
        f"{graph_base_url(settings).removeprefix(settings.public_url)}/{settings.desk_phone_number_id}/messages",
        json=ask,
        headers=auth,
    )
    assert sent.status_code == 200, sent.text
    wamid = sent.json()["messages"][0]["id"]
    thread = (await client.get("/sandbox/api/thread", params={"from": READER["from"]})).json()[
        "events"
    ]
    assert [e["direction"] for e in thread] == ["reader", "desk"]
    assert thread[1]["buttons"] == [
        {"id": "yes", "title": "Ja, met naam"},
        {"id": "no", "title": "Nee"},
    ]
    tap = await client.post(
        "/sandbox/api/send",
        json={
            **READER,
            "type": "button_reply",
            "button_id": "yes",
            "title": "Ja, met naam",
            "reply_to": wamid,
        },
    )
    assert tap.status_code == 200
    await settle(app, settings)
    reply = await Message.get(type="interactive")
    assert reply.quoted_id == wamid
    assert reply.content["id"] == "yes"


@pytest.mark.parametrize(
    "body",
    [
        {"from": "0612", "text": "x"},
        {"from": "31611112222", "text": ""},
        {"from": "31611112222", "text": "x" * 5000},
        {"from": "31611112222", "type": "location", "latitude": "noord"},
        {"from": "31611112222", "type": "location", "latitude": 91, "longitude": 0},
        {"from": "31611112222", "type": "telegram"},
        ["not", "an", "object"],
    ],
)
async def test_bad_sandbox_input_is_a_clear_400(client: httpx.AsyncClient, body: object) -> None:
    response = await client.post("/sandbox/api/send", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


async def test_media_without_a_file_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/sandbox/api/media", data=READER)
    assert response.status_code == 400


async def test_only_this_host_may_use_the_sandbox(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as remote:
        assert (await remote.get("/sandbox")).status_code == 404
        assert (
            await remote.post("/sandbox/api/send", json={**READER, "text": "x"})
        ).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/sandbox", "/sandbox/api/thread", "/sandbox/static/sandbox.html", "/sandbox/graph/v23.0/1"],
)
async def test_a_stranger_is_judged_by_the_socket_peer_not_forwarded_headers(
    app: Starlette, path: str
) -> None:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.5", 1234))
    forged = {
        "x-forwarded-for": "127.0.0.1",
        "x-real-ip": "127.0.0.1",
        "forwarded": "for=127.0.0.1",
    }
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as remote:
        assert (await remote.get(path, headers=forged)).status_code == 404


async def test_a_forwarded_header_from_loopback_changes_nothing(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as local:
        page = await local.get("/sandbox", headers={"x-forwarded-for": "203.0.113.5"})
        assert page.status_code == 200


async def test_no_sandbox_when_whatsapp_is_configured(environ: dict[str, str], db: None) -> None:
    from tipdesk.app import create_app

    configured = Settings.from_env(
        {
            **environ,
            "TIPDESK_WHATSAPP_APP_SECRET": "s",
            "TIPDESK_WHATSAPP_PHONE_NUMBER_ID": "1",
            "TIPDESK_WHATSAPP_VERIFY_TOKEN": "v",
            "TIPDESK_WHATSAPP_ACCESS_TOKEN": "t",
        },
        env_file=None,
    )
    desk = create_app(configured)
    transport = httpx.ASGITransport(app=desk)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as http:
        assert (await http.get("/sandbox")).status_code == 404
        assert (await http.get("/sandbox/graph/v23.0/1")).status_code == 404


async def test_the_phone_shows_the_profile_text_the_desk_wrote(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    await schedule_profile(settings)
    await settle(app, settings)
    thread = (await client.get("/sandbox/api/thread", params={"from": READER["from"]})).json()
    assert thread["about"] == (
        "Tips for the newsroom: send text, photos or video. Editors answer Monday–Friday"
        " 09:00–17:00."
    )

"""The fake Graph API over real HTTP: media, sends, the 24-hour window, Meta-style delivery."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.servers import die_with_parent, free_port, serving
from tipdesk.settings import Settings
from tipdesk.whatsapp.contract import GRAPH_API_VERSION, graph_base_url
from tipdesk.whatsapp.fake import SEND_SCHEMA, FakeGraphConfig, create_fake_graph
from tipdesk.whatsapp.fake_delivery import DeliveryPolicy
from tipdesk.whatsapp.signature import signature_matches

SECRET, TOKEN, NUMBER = "fake-secret", "fake-token", "104567890123456"
AUTH = {"authorization": f"Bearer {TOKEN}"}
MESSAGE = {"messaging_product": "whatsapp", "recipient_type": "individual"}


class Target:
    """A webhook receiver that refuses the first `refuse` posts, then records the rest."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.bodies: list[bytes] = []
        self.signed = True

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        self.signed &= signature_matches(SECRET, body, request.headers.get("x-hub-signature-256"))
        if self.refuse > 0:
            self.refuse -= 1
            return Response(status_code=500)
        self.bodies.append(body)
        return Response("ok")

    def items(self, key: str) -> list[dict[str, Any]]:
        found = []
        for body in self.bodies:
            for entry in json.loads(body)["entry"]:
                for change in entry["changes"]:
                    found += change["value"].get(key, [])
        return found


async def until(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


@pytest.fixture
async def target() -> AsyncIterator[tuple[Target, str]]:
    receiver = Target()
    app = Starlette(routes=[Route("/hook", receiver.receive, methods=["POST"])])
    async with serving(app) as url:
        yield receiver, f"{url}/hook"


def fake_app(webhook_url: str | None, **policy: Any) -> Starlette:
    lifetime = policy.pop("url_lifetime", 300.0)
    return create_fake_graph(
        FakeGraphConfig(
            app_secret=SECRET,
            access_token=TOKEN,
            phone_number_id=NUMBER,
            webhook_url=webhook_url,
            url_lifetime=lifetime,
            policy=DeliveryPolicy(retry_base=0.01, **policy),
            seed=7,
            skip_delivered_rate=0.0,
        )
    )


async def test_media_is_served_through_id_then_short_lived_url_with_bearer() -> None:
    photo = b"\xff\xd8\xff\xe0 not really a jpeg"
    async with serving(fake_app(None, url_lifetime=0.5)) as base, httpx.AsyncClient() as http:
        media_id = (
            await http.post(
                f"{base}/_fake/media", content=photo, headers={"content-type": "image/jpeg"}
            )
        ).json()["id"]
        info = (await http.get(f"{base}/v23.0/{media_id}", headers=AUTH)).json()
        assert info["mime_type"] == "image/jpeg"
        assert info["file_size"] == str(len(photo))
        assert base64.b64decode(info["sha256"]) == hashlib.sha256(photo).digest()
        download = await http.get(info["url"], headers=AUTH)
        assert download.content == photo
        assert download.headers["content-type"] == "image/jpeg"
        assert (await http.get(info["url"])).status_code == 401
        await asyncio.sleep(0.6)
        assert (await http.get(info["url"], headers=AUTH)).status_code == 404


async def test_wrong_token_and_unknown_media_answer_graph_errors() -> None:
    async with serving(fake_app(None)) as base, httpx.AsyncClient() as http:
        refused = await http.get(f"{base}/v23.0/123", headers={"authorization": "Bearer nope"})
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == 190
        assert refused.json()["error"]["type"] == "OAuthException"
        missing = await http.get(f"{base}/v23.0/123", headers=AUTH)
        assert missing.status_code == 400
        assert missing.json()["error"]["code"] == 100


def text(to: str, body: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": body},
    }


def buttons(*titles: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+31612345678",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Mogen we je foto gebruiken?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": f"b{i}", "title": t}}
                    for i, t in enumerate(titles)
                ]
            },
        },
    }


def template(language: dict[str, str]) -> dict[str, Any]:
    return {
        **MESSAGE,
        "to": "+31612345678",
        "type": "template",
        "template": {"name": "tipdesk_reopen", "language": language},
    }


def test_the_send_schema_extract_names_its_source_and_the_desks_graph_version() -> None:
    extract = json.loads(SEND_SCHEMA.read_text(encoding="utf-8"))
    source = extract["source"]
    assert source["repository"] == "https://github.com/facebook/openapi"
    assert source["version"] == GRAPH_API_VERSION
    assert len(source["commit"]) == 40
    assert f"/{GRAPH_API_VERSION}" in graph_base_url(Settings.from_env({}, env_file=None))


@pytest.mark.parametrize(
    "body",
    [
        template({"code": "nl"}),  # v23.0's LanguageObject requires the policy
        template({"policy": "fallback", "code": "nl"}),
        {**text("+31612345678", "hoi"), "priority": "high"},
        {**text("+31612345678", "hoi"), "recipient_type": "everyone"},
        {key: value for key, value in text("+31612345678", "hoi").items() if key != "type"},
        {"messaging_product": "whatsapp", "status": "read"},
    ],
)
async def test_sends_that_break_metas_published_schema_are_refused(body: dict[str, Any]) -> None:
    async with serving(fake_app(None)) as base, httpx.AsyncClient() as http:
        response = await http.post(
            f"{base}/{GRAPH_API_VERSION}/{NUMBER}/messages", json=body, headers=AUTH
        )
        sent = (await http.get(f"{base}/_fake/sent")).json()
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] in (100, 131008)
    assert error["error_data"]["details"]
    assert sent == []


async def test_a_template_with_the_deterministic_policy_is_accepted() -> None:
    body = template({"policy": "deterministic", "code": "nl"})
    async with serving(fake_app(None)) as base, httpx.AsyncClient() as http:
        response = await http.post(
            f"{base}/{GRAPH_API_VERSION}/{NUMBER}/messages", json=body, headers=AUTH
        )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (text("+31612345678", "x" * 4097), 100),
        (text("+31612345678", ""), 131008),
        ({"messaging_product": "whatsapp", "type": "text", "text": {"body": "hoi"}}, 131008),
        ({"to": "+31612345678", "type": "text", "text": {"body": "hoi"}}, 100),
        (buttons("Ja, met naam", "Ja, anoniem", "Nee", "Misschien"), 100),
        (buttons("Ja, met naam en toenaam", "Nee"), 100),
        (buttons("Ja", "Ja"), 100),
        (
            {
                "messaging_product": "whatsapp",
                "to": "1",
                "type": "audio",
                "audio": {"id": "1", "caption": "x"},
            },
            100,
        ),
        (
            {
                "messaging_product": "whatsapp",
                "to": "1",
                "type": "image",
                "image": {"caption": "x"},
            },
            131008,
        ),
        ({"messaging_product": "whatsapp", "to": "1", "type": "hologram", "hologram": {}}, 100),
        (
            {
                "messaging_product": "whatsapp",
                "to": "1",
                "type": "interactive",
                "interactive": {
                    "type": "list",
                    "body": {"text": "Kies"},
                    "action": {
                        "button": "Kies",
                        "sections": [
                            {
                                "title": "A",
                                "rows": [{"id": f"r{i}", "title": f"Rij {i}"} for i in range(11)],
                            }
                        ],
                    },
                },
            },
            100,
        ),
    ],
)
async def test_sends_that_break_the_contract_get_its_error_body(
    body: dict[str, Any], code: int
) -> None:
    async with serving(fake_app(None)) as base, httpx.AsyncClient() as http:
        response = await http.post(f"{base}/v23.0/{NUMBER}/messages", json=body, headers=AUTH)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"(#{code})")
    assert error["error_data"]["messaging_product"] == "whatsapp"


async def test_valid_send_answers_the_documented_shape(target: tuple[Target, str]) -> None:
    receiver, hook = target
    async with serving(fake_app(hook)) as base, httpx.AsyncClient() as http:
        await http.post(
            f"{base}/_fake/inbound",
            json={
                "from": "31612345678",
                "name": "Sanne",
                "message": {"type": "text", "text": {"body": "Tip!"}},
            },
        )
        answer = await http.post(
            f"{base}/v23.0/{NUMBER}/messages",
            json=buttons("Ja, met naam", "Ja, anoniem", "Nee"),
            headers=AUTH,
        )
        assert answer.status_code == 200
        data = answer.json()
        assert data["messaging_product"] == "whatsapp"
        assert data["contacts"] == [{"input": "+31612345678", "wa_id": "31612345678"}]
        wamid = data["messages"][0]["id"]
        await until(lambda: len(receiver.items("statuses")) == 3)
        statuses = sorted(s["status"] for s in receiver.items("statuses"))
        assert statuses == ["delivered", "read", "sent"]  # delivered concurrently: any order
        assert {s["id"] for s in receiver.items("statuses")} == {wamid}
        sent = (await http.get(f"{base}/_fake/sent", params={"to": "31612345678"})).json()
        assert sent[0]["body"]["interactive"]["type"] == "button"
        read = await http.post(
            f"{base}/v23.0/{NUMBER}/messages",
            headers=AUTH,
            json={"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.x"},
        )
        assert read.json() == {"success": True}
    assert receiver.signed


async def test_outside_the_window_a_send_is_accepted_then_fails_with_131047(
    target: tuple[Target, str],
) -> None:
    receiver, hook = target
    async with serving(fake_app(hook)) as base, httpx.AsyncClient() as http:
        answer = await http.post(
            f"{base}/v23.0/{NUMBER}/messages", json=text("+31699999999", "Hallo?"), headers=AUTH
        )
        assert answer.status_code == 200
        await until(lambda: len(receiver.items("statuses")) == 1)
    (status,) = receiver.items("statuses")
    assert status["status"] == "failed"
    assert status["errors"][0]["code"] == 131047


async def test_refused_deliveries_are_retried_until_acknowledged(
    target: tuple[Target, str],
) -> None:
    receiver, hook = target
    receiver.refuse = 3
    async with serving(fake_app(hook)) as base, httpx.AsyncClient() as http:
        await http.post(
            f"{base}/_fake/inbound",
            json={"from": "31612345678", "message": {"type": "text", "text": {"body": "Één tip"}}},
        )
        await until(lambda: len(receiver.bodies) == 1)
        stats = (await http.get(f"{base}/_fake/stats")).json()
    assert stats["refused"] == 3 and stats["acked"] == 1
    assert b"\\u00c9\\u00e9n tip" in receiver.bodies[0]  # ASCII-escaped, as Meta sends
    assert receiver.signed


async def test_duplicates_and_concurrency_as_meta_does(target: tuple[Target, str]) -> None:
    receiver, hook = target
    async with (
        serving(fake_app(hook, duplicate_rate=1.0, concurrency=4)) as base,
        httpx.AsyncClient() as http,
    ):
        for n in range(20):
            await http.post(
                f"{base}/_fake/inbound",
                json={
                    "from": "31612345678",
                    "message": {"id": f"wamid.{n}", "type": "text", "text": {"body": str(n)}},
                },
            )
        await until(lambda: len(receiver.bodies) == 40)
    ids = [m["id"] for m in receiver.items("messages")]
    assert sorted(set(ids)) == sorted(f"wamid.{n}" for n in range(20))
    assert len(ids) == 40


def test_fake_graph_runs_on_its_own_as_a_command(cli_env: dict[str, str]) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tipdesk", "fake-graph", "--port", str(port), "--access-token", "t"],
        preexec_fn=die_with_parent,
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/_fake/stats", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.json()["submitted"] == 0
        assert (
            httpx.get(
                f"http://127.0.0.1:{port}/v23.0/1", headers={"authorization": "Bearer t"}
            ).json()["error"]["code"]
            == 100
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_refused_sends_are_recorded_for_the_tests_that_check_them() -> None:
    config = FakeGraphConfig(app_secret="s", access_token="t", phone_number_id="1")
    app = create_fake_graph(config)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url="http://graph.test", headers={"authorization": "Bearer t"}
        ) as http,
    ):
        buttons = [
            {"type": "reply", "reply": {"id": f"b{n}", "title": f"Knop {n}"}} for n in range(4)
        ]
        four = {"type": "button", "body": {"text": "Kies"}, "action": {"buttons": buttons}}
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+316",
            "type": "interactive",
            "interactive": four,
        }
        response = await http.post("/v23.0/1/messages", json=body)
        assert response.status_code == 400
        assert app.state.fake.state.rejected[0]["code"] == 100
        app.state.fake.fail_next_sends("31600000001", [131056, 500])
        text = {**MESSAGE, "to": "+31600000001", "type": "text", "text": {"body": "Hoi"}}
        codes = [(await http.post("/v23.0/1/messages", json=text)).status_code for _ in range(3)]
        assert codes == [400, 500, 200]

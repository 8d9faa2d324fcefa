"""The HTTP edge of intake: handshake, signature, size, envelope, durable storage."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from tests.intake.conftest import VERIFY_TOKEN, Meta, fixture, meta_bytes
from tipdesk.intake.models import InboundWebhook
from tipdesk.jobs.models import Job, JobState
from tipdesk.settings import Settings
from tipdesk.whatsapp.signature import sign

pytestmark = pytest.mark.usefixtures("app")
# Well formed, so the body is read (and capped) before the signature is found wrong.
WRONG_SIGNATURE = {"x-hub-signature-256": "sha256=" + "0" * 64}


async def test_handshake_echoes_the_challenge_as_plain_text(client: httpx.AsyncClient) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    response = await client.get("/webhooks/whatsapp", params=params)
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "x" * 5000},
        {},
    ],
)
async def test_handshake_refuses_anything_else(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/webhooks/whatsapp", params=params)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


async def test_signed_notification_is_stored_byte_for_byte_with_its_job(meta: Meta) -> None:
    body = meta_bytes(fixture("text"))
    response = await meta.post(body)
    assert response.status_code == 200
    stored = await InboundWebhook.get()
    assert bytes(stored.body) == body
    assert stored.body_sha256 == hashlib.sha256(body).hexdigest()
    job = await Job.get()
    assert (job.kind, job.payload, job.state) == (
        "intake.process",
        {"webhook_ids": [str(stored.id)]},
        JobState.QUEUED,
    )


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "garbage"])
async def test_unsigned_or_badly_signed_bodies_get_401_and_store_nothing(
    client: httpx.AsyncClient, signature: str | None
) -> None:
    headers = {"x-hub-signature-256": signature} if signature else {}
    response = await client.post(
        "/webhooks/whatsapp", content=meta_bytes(fixture("text")), headers=headers
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert await InboundWebhook.all().count() == 0
    assert await Job.all().count() == 0


@pytest.mark.parametrize(
    "signature", [None, "", "sha256=", "sha256=" + "g" * 64, "md5=" + "0" * 64]
)
async def test_malformed_signatures_get_401_before_the_body_is_read(
    client: httpx.AsyncClient, signature: str | None
) -> None:
    read = 0

    async def endless():  # type: ignore[no-untyped-def]
        nonlocal read
        for _ in range(400):
            read += 1
            yield b"x" * 50_000

    headers = {"x-hub-signature-256": signature} if signature is not None else {}
    response = await client.post("/webhooks/whatsapp", content=endless(), headers=headers)
    assert response.status_code == 401
    assert read <= 1
    assert await InboundWebhook.all().count() == 0


async def test_signature_over_other_bytes_is_refused(client: httpx.AsyncClient) -> None:
    body = meta_bytes(fixture("text"))
    tampered = body.replace(b"grote brand", b"kleine brand")
    response = await client.post(
        "/webhooks/whatsapp",
        content=tampered,
        headers={"x-hub-signature-256": sign("test-app-secret", body)},
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"not json at all", "not valid JSON"),
        (b'{"object":"whatsapp_business_account","entry":[', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"[]", "not a whatsapp_business_account"),
        (b'"just a string"', "not a whatsapp_business_account"),
        (b'{"object":"page","entry":[]}', "not a whatsapp_business_account"),
        (b'{"object":"whatsapp_business_account"}', "no entry list"),
        (b'{"object":"whatsapp_business_account","entry":{}}', "no entry list"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
async def test_malformed_bodies_get_400_and_store_nothing(
    meta: Meta, body: bytes, problem: str
) -> None:
    response = await meta.post(body)
    assert response.status_code == 400
    assert problem in response.json()["error"]["message"]
    assert await InboundWebhook.all().count() == 0


async def test_bodies_over_the_limit_get_413_before_the_signature_is_checked(
    client: httpx.AsyncClient,
) -> None:
    huge = b'{"object":"whatsapp_business_account","entry":[],"pad":"' + b"x" * 10_000_000 + b'"}'
    response = await client.post("/webhooks/whatsapp", content=huge, headers=WRONG_SIGNATURE)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert await InboundWebhook.all().count() == 0


async def test_a_lying_content_length_is_still_capped(client: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(200):
            yield b"x" * 50_000

    response = await client.post("/webhooks/whatsapp", content=chunks(), headers=WRONG_SIGNATURE)
    assert response.status_code == 413
    assert await InboundWebhook.all().count() == 0


async def test_the_desk_keeps_serving_after_hostile_requests(meta: Meta) -> None:
    for body in (b"{", b"\x00" * 1000, b'{"object":"whatsapp_business_account","entry":[1,2,3]}'):
        await meta.post(body)
    response = await meta.post(fixture("text"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("signature", "body", "status"),
    [
        ("good", fixture("text"), 200),
        ("wrong", fixture("text"), 401),
        ("good", b"{", 400),
    ],
)
async def test_notification_answers_carry_json_and_the_security_headers(
    settings: Settings, client: httpx.AsyncClient, signature: str, body: object, status: int
) -> None:
    raw = body if isinstance(body, bytes) else meta_bytes(body)  # type: ignore[arg-type]
    header = sign(settings.webhook_app_secret, raw) if signature == "good" else "sha256=00"
    response = await client.post(
        "/webhooks/whatsapp", content=raw, headers={"x-hub-signature-256": header}
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "set-cookie" not in response.headers
    assert ("id" in response.json()) == (status == 200)


async def test_a_client_gone_before_its_body_arrived_gets_400_and_nothing_is_stored(
    app: object,
) -> None:
    """The ASGI server reports the disconnect; the desk answers into the void and stores
    nothing, and keeps serving."""
    sent: list[dict[str, object]] = []
    messages = [{"type": "http.request", "body": b'{"object":', "more_body": True}]
    messages.append({"type": "http.disconnect"})

    async def receive() -> dict[str, object]:
        return messages.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/whatsapp",
        "raw_path": b"/webhooks/whatsapp",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"x-hub-signature-256", WRONG_SIGNATURE["x-hub-signature-256"].encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)  # type: ignore[operator]
    assert sent[0]["status"] == 400
    assert await InboundWebhook.all().count() == 0

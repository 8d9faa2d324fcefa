"""The app shell: health, and one error handler that speaks JSON to machines and HTML to people."""

from __future__ import annotations

import re

import httpx

from tipdesk.app import create_app
from tipdesk.errors import ErrorCode
from tipdesk.settings import Settings


async def test_health_answers_ok_when_the_database_does(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_health_is_503_without_a_database(settings: Settings) -> None:
    unreachable = create_app(settings)  # its lifespan never ran: no database connection
    transport = httpx.ASGITransport(app=unreachable, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as http:
        response = await http.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_unknown_api_path_is_a_json_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not Found"}}


async def test_webhook_paths_get_json_errors(client: httpx.AsyncClient) -> None:
    response = await client.get("/webhooks/unknown")
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == ErrorCode.NOT_FOUND


async def test_unknown_page_is_an_html_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/<script>page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>" not in response.text
    assert "not_found" in response.text


async def test_wrong_method_is_405_with_code(client: httpx.AsyncClient) -> None:
    response = await client.post("/health")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/login", "/nope", "/sandbox"):
        headers = (await client.get(path)).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"


def test_no_template_or_page_has_inline_script_or_style() -> None:
    from pathlib import Path

    root = Path(__file__).parents[1]
    pages = [
        *root.glob("editorial_ui/templates/*.html"),
        *root.glob("tipdesk/whatsapp/sandbox_assets/*.html"),
    ]
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>" not in text and "<style" not in text and " style=" not in text, page
        assert not re.search(r"\son[a-z]+=", text), page

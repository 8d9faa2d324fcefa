"""The app shell: health, and one error handler that speaks JSON to machines and HTML to people."""

from __future__ import annotations

import re

import httpx
import pytest

from tipdesk.app import create_app
from tipdesk.errors import ErrorCode
from tipdesk.errors_http import INTERNAL_MESSAGE
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
    # The desk's own page and styles, in the desk's language (Dutch before anyone logs in).
    assert "Niet gevonden." in response.text and "/static/desk.css" in response.text
    english = await client.get("/no/such/page", headers={"accept-language": "en-GB,en;q=0.9"})
    assert "Niet gevonden." in english.text and 'lang="nl"' in english.text


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
    # The evidence bundle's manifest is a file in a zip, opened from disk without the desk:
    # its style must travel inside it. It runs no script either.
    manifest = root / "editorial_ui" / "templates" / "evidence_manifest.html"
    pages = [
        *root.glob("editorial_ui/templates/*.html"),
        *root.glob("tipdesk/whatsapp/sandbox_assets/*.html"),
    ]
    assert manifest in pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>" not in text and not re.search(r"\son[a-z]+=", text), page
        if page != manifest:
            assert "<style" not in text and " style=" not in text, page


async def test_an_unexpected_error_is_a_500_with_the_headers_and_no_traceback(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A desk whose database never opened fails on a token lookup: the answer is the desk's
    500 (JSON for the API, HTML for the board) with the security headers, the log names the
    exception's type alone, and nothing is raised on to the server, which would log the
    traceback with the values in play."""
    broken = create_app(settings)  # its lifespan never ran: the ORM is not set up
    transport = httpx.ASGITransport(app=broken)  # raises whatever the app raises on
    token = {"authorization": "Bearer td_0000000000000000000000"}
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as http:
        api = await http.get("/api/v1/tips?q=31612345678", headers=token)
        page = await http.get("/board", headers=token)
    assert api.status_code == page.status_code == 500
    assert api.json() == {"error": {"code": "internal", "message": INTERNAL_MESSAGE}}
    assert page.headers["content-type"].startswith("text/html")
    for response in (api, page):
        assert response.headers["x-frame-options"] == "DENY"
        assert "script-src 'self'" in response.headers["content-security-policy"]
    logged = [r for r in caplog.records if r.name == "tipdesk.errors"]
    assert logged and all(r.exc_info is None for r in logged)
    assert "31612345678" not in caplog.text and "Traceback" not in caplog.text


async def test_strict_transport_security_only_when_the_desk_is_on_https(
    environ: dict[str, str], client: httpx.AsyncClient
) -> None:
    assert "strict-transport-security" not in (await client.get("/login")).headers
    secure = create_app(
        Settings.from_env(
            {**environ, "TIPDESK_PUBLIC_URL": "https://tips.omroep.example"}, env_file=None
        )
    )
    transport = httpx.ASGITransport(app=secure)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://tips.omroep.example"
    ) as http:
        for path in ("/login", "/nope"):
            headers = (await http.get(path)).headers
            assert headers["strict-transport-security"] == "max-age=31536000"

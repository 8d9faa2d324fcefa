"""The privacy notice readers are linked to: public, true to the desk's own settings."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from tipdesk.api.openapi import openapi_document


@pytest.fixture
def environ(environ: dict[str, str]) -> dict[str, str]:
    return {**environ, "TIPDESK_RETENTION": "30d", "TIPDESK_OPENING_HOURS": "mon-fri 08:00-18:00"}


async def test_the_privacy_page_is_public_and_states_the_desk_s_rules(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/privacy")
    assert page.status_code == 200
    assert "na 30 dagen" in page.text and "after 30 days" in page.text
    assert "maandag–vrijdag 08:00–18:00" in page.text
    assert "VERWIJDER" in page.text and "STOP" in page.text
    assert "<script>" not in page.text


async def test_the_openapi_document_names_every_api_route(app: Starlette) -> None:
    documented = openapi_document()["paths"]
    for route in app.routes:
        if not isinstance(route, Route) or not route.path.startswith("/api/v1/"):
            continue
        if route.path != "/api/v1/openapi.json":
            assert route.path in documented, route.path
            for method in route.methods or ():
                if method != "HEAD":
                    assert method.lower() in documented[route.path], (method, route.path)

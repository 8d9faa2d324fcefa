"""A fresh desk's board says where a first tip comes from, instead of showing nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette

from tests.editorial_ui.sessions import PASSWORD, log_in_as
from tipdesk.app import create_app
from tipdesk.editors.accounts import create_editor
from tipdesk.editors.models import Editor, Role
from tipdesk.settings import Settings


async def _board(app: Starlette, path: str = "/board") -> str:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as client:
        if not await Editor.exists(email="anne@desk.example"):
            await create_editor("anne@desk.example", "Anne de Jong", Role.EDITOR, PASSWORD)
        await log_in_as(client, "anne@desk.example")
        page = await client.get(path)
        assert page.status_code == 200
        return page.text


async def _desk(environ: dict[str, str], **values: str) -> AsyncIterator[Starlette]:
    app = create_app(Settings.from_env({**environ, **values}, env_file=None))
    async with app.router.lifespan_context(app):
        yield app


async def test_the_empty_board_links_the_sandbox_and_the_tip_form(app: Starlette) -> None:
    page = await _board(app)
    assert '<a href="/sandbox">' in page and '<a href="/tip">' in page
    assert "Geen tips gevonden" not in page


async def test_a_search_finding_nothing_says_so_without_the_pointers(app: Starlette) -> None:
    page = await _board(app, "/board?q=brand")
    assert "Geen tips gevonden" in page and '<a href="/sandbox">' not in page


async def test_the_pointers_follow_the_settings(environ: dict[str, str]) -> None:
    async for app in _desk(environ, TIPDESK_WEB_FORM="off"):
        page = await _board(app)
        assert '<a href="/sandbox">' in page and '<a href="/tip">' not in page
    async for app in _desk(environ, TIPDESK_SANDBOX="off"):
        page = await _board(app)
        assert '<a href="/sandbox">' not in page and '<a href="/tip">' in page


async def test_a_desk_with_no_way_in_says_only_that_it_is_empty(environ: dict[str, str]) -> None:
    async for app in _desk(environ, TIPDESK_SANDBOX="off", TIPDESK_WEB_FORM="off"):
        page = await _board(app)
        assert "Nog geen tips." in page and '<a href="/tip">' not in page

"""The newsroom frames the form in its own site (TIPDESK_FORM_EMBED); nothing else is framed."""

from __future__ import annotations

import httpx
import pytest

from tipdesk.errors import SettingsError
from tipdesk.settings import Settings

NEWSROOM = "https://www.omroep.example"


@pytest.fixture
def environ(environ: dict[str, str]) -> dict[str, str]:
    return {**environ, "TIPDESK_FORM_EMBED": NEWSROOM}


async def test_the_form_may_be_framed_by_the_newsroom_only(client: httpx.AsyncClient) -> None:
    form = await client.get("/tip")
    assert f"frame-ancestors 'self' {NEWSROOM};" in form.headers["content-security-policy"]
    board = await client.get("/login")
    assert "frame-ancestors 'none'" in board.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIPDESK_FORM_EMBED", "www.omroep.example"),
        ("TIPDESK_FORM_EMBED", "https://www.omroep.example/page"),
        ("TIPDESK_SMTP_URL", "http://mail.example"),
        ("TIPDESK_SMTP_URL", "smtp://"),
    ],
)
def test_a_bad_embed_origin_or_mail_url_stops_the_desk_at_start(
    environ: dict[str, str], name: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**environ, name: value}, env_file=None)


async def test_the_form_can_be_switched_off(environ: dict[str, str]) -> None:
    from tipdesk.app import create_app

    app = create_app(Settings.from_env({**environ, "TIPDESK_WEB_FORM": "off"}, env_file=None))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as http:
            assert (await http.get("/tip")).status_code == 404

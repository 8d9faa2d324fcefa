"""API tokens with a lifetime (`tipdesk create-token --expires 90d`): refused once it has passed,
with the API's usual 401; a token without one keeps working."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from tests.cli import tipdesk
from tests.editors_factory import PASSWORD
from tipdesk.clock import utcnow
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import ApiToken, Role
from tipdesk.errors import InvalidInput

pytestmark = pytest.mark.usefixtures("app")


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_a_token_past_its_lifetime_gets_the_apis_401(client: httpx.AsyncClient) -> None:
    await create_editor("bot@desk.example", "Bot", Role.EDITOR, PASSWORD)
    short = await create_token("bot@desk.example", "short", timedelta(seconds=1))
    lasting = await create_token("bot@desk.example", "lasting")
    assert (await client.get("/api/v1/tips", headers=bearer(short))).status_code == 200
    await asyncio.sleep(1.1)
    refused = await client.get("/api/v1/tips", headers=bearer(short))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    assert (await client.get("/api/v1/tips", headers=bearer(lasting))).status_code == 200


async def test_a_token_from_the_cli_expires_as_asked(
    client: httpx.AsyncClient, cli_env: dict[str, str]
) -> None:
    await create_editor("bot@desk.example", "Bot", Role.EDITOR, PASSWORD)
    asked = utcnow()
    made = tipdesk(cli_env, "create-token", "bot@desk.example", "--expires", "90d")
    assert made.returncode == 0, made.stderr
    row = await ApiToken.get(prefix=made.stdout.strip()[:8])
    assert row.expires_at is not None
    assert timedelta(days=90) <= row.expires_at - asked <= timedelta(days=90, minutes=1)
    assert (await client.get("/api/v1/tips", headers=bearer(made.stdout.strip()))).is_success
    brief = tipdesk(cli_env, "create-token", "bot@desk.example", "--expires", "1s")
    assert brief.returncode == 0, brief.stderr
    await asyncio.sleep(1.1)
    assert (await client.get("/api/v1/tips", headers=bearer(brief.stdout.strip()))).is_error


async def test_a_lifetime_must_be_longer_than_zero() -> None:
    await create_editor("bot@desk.example", "Bot", Role.EDITOR, PASSWORD)
    with pytest.raises(InvalidInput):
        await create_token("bot@desk.example", "never", timedelta(0))
    assert not await ApiToken.exists()

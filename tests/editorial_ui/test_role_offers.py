"""What each role's pages offer: the header's links and the tip page's chief-only fields follow
the same predicates as the routes behind them (tipdesk/editors/permissions.py)."""

from __future__ import annotations

import httpx
import pytest

from tests.editors_factory import bearer
from tests.tips_factory import make_tip
from tipdesk.editors.models import Role

pytestmark = pytest.mark.usefixtures("app")


@pytest.mark.parametrize(
    ("role", "administers", "runs_the_desk"),
    [(Role.EDITOR, False, False), (Role.CHIEF, False, True), (Role.ADMIN, True, True)],
)
async def test_each_role_is_offered_what_it_may_do(
    client: httpx.AsyncClient, role: Role, administers: bool, runs_the_desk: bool
) -> None:
    headers = await bearer(f"{role.value}@desk.example", role.value.title(), role)
    tip = await make_tip("Brand")
    page = (await client.get(f"/tips/{tip.id}", headers=headers)).text
    assert ('href="/admin"' in page) is administers
    assert ('href="/reports"' in page) is runs_the_desk
    assert ('id="status-override"' in page) is runs_the_desk
    assert (f'action="/tips/{tip.id}/assign"' in page) is runs_the_desk
    assert (f">{role.value.title()}</option>" in page) is runs_the_desk  # an assignee

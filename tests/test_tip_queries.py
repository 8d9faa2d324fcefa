"""tipdesk/tips/queries.py on the real database: what a plain query answered, without its scan."""

from __future__ import annotations

import pytest

from tests.tips_factory import make_tip
from tipdesk.tips.models import Tip
from tipdesk.tips.queries import desks_in_use


@pytest.mark.usefixtures("db")
async def test_desks_in_use_are_each_desk_once_in_order() -> None:
    assert await desks_in_use() == []
    for n, desk in enumerate(["sport", None, "regio-noord", "sport", "economie", None]):
        tip = await make_tip(f"tip {n}", phone=f"3161234567{n}")
        await Tip.filter(id=tip.id).update(desk=desk)
    assert await desks_in_use() == ["economie", "regio-noord", "sport"]
    assert await desks_in_use(limit=2) == ["economie", "regio-noord"]

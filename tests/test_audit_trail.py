"""The audit trail holds known actions only (tipdesk/audit/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.models import AuditEvent
from tipdesk.audit.trail import record

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = sorted({action.value.split(".")[0] for action in AuditAction})
QUOTED = re.compile(rf"'((?:{'|'.join(PREFIXES)})\.[a-z_]+)'")


@pytest.mark.usefixtures("db")
async def test_record_stores_the_value_and_refuses_a_free_string() -> None:
    event = await record(AuditAction.TIP_CREATED, detail={"why": "test"})
    assert (await AuditEvent.get(id=event.id)).action == "tip.created"
    with pytest.raises(ValueError, match=r"tip\.creeated"):
        await record("tip.creeated")  # type: ignore[arg-type]
    assert await AuditEvent.all().count() == 1


def test_actions_written_into_sql_are_known_actions() -> None:
    """The reports' triggers (migration 0006) and queries name actions inside SQL text, where
    the enum cannot reach: a renamed action would silently stop matching."""
    found = {
        match
        for path in sorted((ROOT / "tipdesk").rglob("*.py"))
        for match in QUOTED.findall(path.read_text())
    }
    assert {"tip.claimed", "tip.status_changed"} <= found
    assert found <= {action.value for action in AuditAction}

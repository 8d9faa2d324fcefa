"""Every code the board shows has words (editorial_ui/labels.py)."""

from __future__ import annotations

from editorial_ui.labels import AUDIT_ACTIONS, audit_label
from tipdesk.audit.actions import AuditAction


def test_every_audit_action_has_a_label_of_its_own() -> None:
    assert set(AUDIT_ACTIONS) == set(AuditAction)
    labels = list(AUDIT_ACTIONS.values())
    assert len(set(labels)) == len(labels), "two actions read the same in a tip's history"
    assert all(label.strip() and "." not in label for label in labels)


def test_a_stored_code_this_release_does_not_know_is_shown_as_it_is() -> None:
    assert audit_label("tip.claimed") == "opgepakt"
    assert audit_label("tip.archived_by_robot") == "tip.archived_by_robot"

"""Every code the board shows has words, in both languages (editorial_ui/labels.py), and every
key of the one message table has Dutch and English with the same placeholders."""

from __future__ import annotations

import re
import string

import pytest

from editorial_ui.i18n import TABLE, text
from editorial_ui.labels import AUDIT_ACTIONS, audit_label
from editorial_ui.pages import TEMPLATES
from tipdesk.audit.actions import AuditAction
from tipdesk.tips.models import TipStatus


@pytest.mark.parametrize("language", [0, 1])
def test_every_audit_action_has_a_label_of_its_own(language: int) -> None:
    assert set(AUDIT_ACTIONS) == set(AuditAction)
    labels = [words[language] for words in AUDIT_ACTIONS.values()]
    assert len(set(labels)) == len(labels), "two actions read the same in a tip's history"
    assert all(label.strip() and "." not in label for label in labels)


def test_a_stored_code_this_release_does_not_know_is_shown_as_it_is() -> None:
    assert audit_label("tip.claimed") == "opgepakt"
    assert audit_label("tip.claimed", "en") == "claimed"
    assert audit_label("tip.archived_by_robot") == "tip.archived_by_robot"


def _fields(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    for key, (dutch, english) in TABLE.items():
        assert dutch.strip() and english.strip(), key
        assert _fields(dutch) == _fields(english), key


def test_every_key_a_template_asks_for_is_in_the_table() -> None:
    asked = set()
    for page in TEMPLATES.glob("*.html"):
        asked |= set(re.findall(r"""\bt\(\s*["']([a-z_.0-9]+)["']\s*[,)]""", page.read_text()))
    assert asked, "the templates call t()"
    assert asked - set(TABLE) == set()


def test_every_status_has_words() -> None:
    for status in TipStatus:
        assert f"status.{status.value}" in TABLE
    assert text("status.in_review", "nl") == "in behandeling"
    assert text("status.in_review", "en") == "in review"


def test_every_key_the_code_names_is_in_the_table() -> None:
    named = set()
    for module in TEMPLATES.parent.glob("*.py"):
        source = module.read_text()
        keys = r"""\b(?:Notice|text|t)\(\s*["']([a-z_0-9]+\.[a-z_.0-9]+)["']"""
        named |= set(re.findall(keys, source))
    assert "flash.claimed" in named
    assert named - set(TABLE) == set()

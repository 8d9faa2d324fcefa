"""What a reader's message asks of the desk, if anything: a keyword, a tapped button, or a text
answer to the question the desk last asked. Pure: no database, so every rule is tested alone.

Keywords count only as a whole message (`stop`, `Stop!`), never inside a sentence, so a tip
that says "stop de bus" is a tip. Text answers count only while a question is pending and fresh;
consent answers are read in the reader's own words (`consent_answers.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from tipdesk.conversation.consent_answers import read_consent_answer
from tipdesk.conversation.satisfaction_answers import read_satisfaction_answer
from tipdesk.conversation.texts import ReaderTexts

# A question is answered within a day, or the next "ja" is something else.
QUESTION_FRESH_FOR = timedelta(hours=24)
# After a satisfaction answer the desk invites a comment: the reader's next text within this
# time is it; later, a text is a text again (perhaps their next tip).
COMMENT_FRESH_FOR = timedelta(minutes=30)
CREDIT_MAX = 80
_EDGE = re.compile(r"^[\s.,!?¡¿:;\"'()\-–—…]+|[\s.,!?¡¿:;\"'()\-–—…]+$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Intent:
    """`stop`, `start`, `info`, `erase` (asks), `erase_confirm`, `erase_cancel`, `revoke`,
    `credit` (with `credit`), `consent` (with `scope` and `record_id`), `consent_unclear`
    (with `record_id`: an answer the desk could not read), `satisfaction` (with `scope` good or
    bad and `answer_id`), `satisfaction_comment` (with `answer_id`)."""

    kind: str
    scope: str | None = None
    record_id: int | None = None
    credit: str | None = None
    answer_id: int | None = None


def normalise(text: str) -> str:
    return _SPACES.sub(" ", _EDGE.sub("", text)).strip()


def read_intent(
    message_type: str,
    text: str,
    choice: str | None,
    pending: str | None,
    pending_at: datetime | None,
    now: datetime,
    texts: ReaderTexts,
) -> Intent | None:
    if choice is not None:
        return _from_button(choice)
    if message_type != "text":
        return None
    words = normalise(text)
    if (keyword := _keyword(words, texts)) is not None:
        return keyword
    if (credit := _credit(words, texts)) is not None:
        return credit
    if pending is None or pending_at is None:
        return None
    comment = pending.startswith("satisfaction_comment:")
    if now - pending_at >= (COMMENT_FRESH_FOR if comment else QUESTION_FRESH_FOR):
        return None
    if comment:
        answer_id = pending.partition(":")[2]
        if not words or not answer_id.isdigit():
            return None
        return Intent("satisfaction_comment", answer_id=int(answer_id))
    return _answer(words, pending, texts)


def _from_button(button: str) -> Intent | None:
    """Button ids the desk itself sent: `erase:confirm`, `consent:<record id>:<scope>`."""
    kind, _, rest = button.partition(":")
    if kind == "erase" and rest in ("confirm", "cancel"):
        return Intent(f"erase_{rest}")
    record, _, scope = rest.partition(":")
    if kind == "consent" and record.isdigit() and scope in ("named", "anonymous", "refused"):
        return Intent("consent", scope=scope, record_id=int(record))
    if kind == "satisfaction" and record.isdigit() and scope in ("good", "bad"):
        return Intent("satisfaction", scope=scope, answer_id=int(record))
    return None


def _keyword(words: str, texts: ReaderTexts) -> Intent | None:
    upper = words.upper()
    for group in ("stop", "start", "erase", "info", "revoke"):
        if upper in texts.keywords[group]:
            return Intent(group)
    return None


def _credit(words: str, texts: ReaderTexts) -> Intent | None:
    head, _, rest = words.partition(" ")
    if head.upper().rstrip(":") in texts.keywords["credit_prefix"] and rest.strip():
        return Intent("credit", credit=rest.strip(" :")[:CREDIT_MAX])
    return None


def _answer(words: str, pending: str, texts: ReaderTexts) -> Intent | None:
    lower = words.lower()
    if pending == "erase":
        if lower in texts.consent_answers["named"]:
            return Intent("erase_confirm")
        if lower in texts.consent_answers["refused"]:
            return Intent("erase_cancel")
        return None
    kind, _, rest = pending.partition(":")
    record, _, again = rest.partition(":")
    if kind == "satisfaction" and record.isdigit():
        score = read_satisfaction_answer(words, texts.satisfaction_answers)
        return Intent("satisfaction", scope=score, answer_id=int(record)) if score else None
    if kind != "consent" or not record.isdigit():
        return None
    scope = read_consent_answer(words, texts.consent_answers)
    if scope is not None:
        return Intent("consent", scope=scope, record_id=int(record))
    # Unclear: asked once more with the buttons; after that the words are the reader's own.
    return None if again else Intent("consent_unclear", record_id=int(record))

"""Each number's profile text follows the desk's opening hours (`TIPDESK_PROFILE_ABOUT`).

Readers look at the account before they write: its WhatsApp "about" line says when editors
answer. The hours are a setting, so they change only when the desk restarts: `serve` and
`worker` enqueue the `conversation.profile` job at start (one waits at a time, its dedupe key).
The job asks the channel what readers see and writes only a text that differs, so several
workers starting together write it at most once each and a desk that keeps its hours writes
nothing; there is no local state to lose or keep in step.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from tipdesk.channels.base import Profiled, SendRefused
from tipdesk.channels.registry import profiled
from tipdesk.conversation.automatic import opening_hours_text
from tipdesk.conversation.texts import reader_texts
from tipdesk.jobs.kinds import JobContext, JobKind, NoPayload
from tipdesk.settings import DeskNumber, Settings

log = logging.getLogger("tipdesk.conversation")
CONVERSATION_PROFILE = "conversation.profile"
ELLIPSIS = "…"


def about_text(settings: Settings, number: DeskNumber) -> str:
    """The number's `profile_about` in its texts' default language (the profile has one text
    for every reader), the hours filled in."""
    texts = reader_texts(settings, number.phone_number_id)
    language = texts[texts.default_language]
    return language.render("profile_about", hours=opening_hours_text(language, settings))


def fitted(text: str, limit: int) -> str:
    """`text` within `limit` characters: cut after the last listed span (or else whole word)
    that fits, with an ellipsis, so a reader sees a shorter line rather than a broken one."""
    text = " ".join(text.split())  # the profile shows one line
    if len(text) <= limit:
        return text
    room = text[: limit - len(ELLIPSIS) + 1]
    # A day without its hours misleads, so a whole span goes before a whole word.
    for mark in (",", " "):
        cut = room.rfind(mark)
        if cut > limit // 2:
            return room[:cut].rstrip(" ,;:–-") + ELLIPSIS
    return room[:-1] + ELLIPSIS


async def keep_profile(context: JobContext, payload: NoPayload) -> None:
    settings = context.settings
    if not settings.profile_about:
        return
    for adapter in profiled(context.channel):
        for number in settings.numbers:
            await _keep_about(adapter, number, settings)


async def _keep_about(adapter: Profiled, number: DeskNumber, settings: Settings) -> None:
    wanted = about_text(settings, number)
    text = fitted(wanted, adapter.about_limit)
    if text != wanted:
        # The text itself stays out of the log: it is the newsroom's, but logs hold no texts.
        log.warning(
            "profile: the about text of number %s has %d characters, over the %d %s takes;"
            " shortened (set a shorter profile_about)",
            number.phone_number_id, len(wanted), adapter.about_limit, adapter.name,
        )  # fmt: skip
    if await adapter.about(number.phone_number_id) == text:
        return
    try:
        await adapter.set_about(number.phone_number_id, text)
    except SendRefused as exc:
        if exc.worth_retrying:
            raise
        # Retrying the same text cannot help; the next start tries again.
        log.warning(
            "profile: %s refused the about text of number %s (%s)",
            adapter.name, number.phone_number_id, exc.code,
        )  # fmt: skip
        return
    log.info("profile: the about text of number %s now follows the hours", number.phone_number_id)


async def schedule_profile(settings: Settings) -> None:
    """Enqueue the check at start; a no-op when the setting is off or one waits already."""
    if settings.profile_about:
        await PROFILE_JOB.enqueue(NoPayload(), settings, dedupe_key=CONVERSATION_PROFILE)


PROFILE_JOB = JobKind(
    CONVERSATION_PROFILE, NoPayload, keep_profile, priority=150, timeout=timedelta(minutes=2),
    concurrency=1,
)  # fmt: skip

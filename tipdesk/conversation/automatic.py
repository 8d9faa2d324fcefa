"""Messages the desk sends by itself: the confirmation of a new tip and status updates.

Never spam: one confirmation per tip (its key), nothing automatic after STOP, to a blocked reader
or to one writing faster than `TIPDESK_READER_RATE_LIMIT` per hour, and at most
`TIPDESK_AUTOMATIC_DAILY_CAP` automatic messages per reader per day.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.channels.base import Outbound
from tipdesk.clock import utcnow
from tipdesk.conversation.limits import within_daily_cap, within_rate_limit
from tipdesk.conversation.outbox import Outgoing, queue_message
from tipdesk.conversation.texts import LanguageTexts, reader_texts
from tipdesk.settings import Settings
from tipdesk.tips.events import StatusChanged
from tipdesk.tips.models import Message, Sender, Tip


def texts_for(sender: Sender, settings: Settings) -> LanguageTexts:
    """In the reader's language, as the desk's number they last wrote to words it."""
    texts = reader_texts(settings, sender.line)
    return texts[texts.language_for(sender.phone, sender.language)]


async def may_send_automatic(
    sender: Sender, settings: Settings, connection: BaseDBAsyncClient, *, new_reader: bool = False
) -> bool:
    if any((sender.opted_out_at, sender.blocked_at, sender.erased_at, sender.unreachable_at)):
        return False
    if new_reader:
        # One message in, nothing sent: within every limit there can be.
        return settings.reader_rate_limit >= 1 and settings.automatic_daily_cap >= 1
    return await within_rate_limit(sender, settings, connection) and await within_daily_cap(
        sender, settings, connection
    )


async def confirm_new_tip(
    sender: Sender,
    tip: Tip,
    settings: Settings,
    connection: BaseDBAsyncClient,
    *,
    new_reader: bool = False,
) -> None:
    """The one confirmation of a tip; on a reader's first contact ever with the privacy notice
    in the same message."""
    if not await may_send_automatic(sender, settings, connection, new_reader=new_reader):
        return
    texts = texts_for(sender, settings)
    now = utcnow()
    name = sender.display_name.strip()
    values = {"name": name, "name_suffix": f", {name}" if name else "", "tip_number": tip.id}
    opening = settings.opening_hours.next_opening(now, settings.timezone)
    if opening is None:
        body = texts.render("confirmation_open", **values)
    else:
        phrase = opening_phrase(opening, now, texts, settings)
        body = texts.render("confirmation_closed", next_opening=phrase, **values)
    first_contact = sender.privacy_notice_at is None
    if first_contact:
        body += "\n\n" + texts.render("privacy_notice", privacy_url=settings.privacy_url)
    queued = await _queue_automatic(
        sender, tip, "confirmation", body, f"confirmation:{tip.id}", settings, connection
    )
    if queued is not None and first_contact:
        await Sender.filter(id=sender.id).using_db(connection).update(privacy_notice_at=now)
        sender.privacy_notice_at = now


def opening_phrase(
    opening: datetime, now: datetime, texts: LanguageTexts, settings: Settings
) -> str:
    """'vandaag om 09:00', 'morgen om 09:00' or 'maandag om 09:00', in the desk's time zone."""
    local_open = opening.astimezone(settings.timezone)
    days_ahead = (local_open.date() - now.astimezone(settings.timezone).date()).days
    if days_ahead == 0:
        day = texts.texts["today"]
    elif days_ahead == 1:
        day = texts.texts["tomorrow"]
    else:
        day = texts.weekdays[local_open.weekday()]
    return texts.render("next_opening", day=day, time=local_open.strftime("%H:%M"))


def opening_hours_text(texts: LanguageTexts, settings: Settings) -> str:
    """The opening hours as readers read them: 'maandag–vrijdag 09:00–17:00'."""
    hours = settings.opening_hours
    if hours.always_open:
        return texts.texts["always_open"]
    # Consecutive days with the same hours read as one range.
    runs: list[tuple[int, int, int, int]] = []  # first day, last day, start, end
    for span in hours.spans:
        last = runs[-1] if runs else None
        if last and last[1] + 1 == span.weekday and (last[2], last[3]) == (span.start, span.end):
            runs[-1] = (last[0], span.weekday, last[2], last[3])
        else:
            runs.append((span.weekday, span.weekday, span.start, span.end))
    parts = []
    for first, last_day, start, end in runs:
        days = texts.weekdays[first]
        if last_day != first:
            days += f"–{texts.weekdays[last_day]}"
        parts.append(f"{days} {start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}")
    return ", ".join(parts)


async def tell_reader_of_status(event: StatusChanged) -> None:
    """The subscriber to a tip's StatusChanged (connected in tipdesk/desk.py)."""
    await status_update(event.tip, event.status.value, event.settings, event.connection)


async def status_update(
    tip: Tip, status: str, settings: Settings, connection: BaseDBAsyncClient
) -> None:
    """Tell the reader their tip moved on, for the statuses the newsroom chose."""
    if status not in settings.status_updates:
        return
    sender = await Sender.filter(id=tip.sender_id).using_db(connection).get()
    if not await may_send_automatic(sender, settings, connection):
        return
    texts = texts_for(sender, settings)
    text = f"status_{status}"
    if status == "used" and not tip.published_url:
        text = "status_used_without_link"
    body = texts.render(
        text, tip_number=tip.id, name=sender.display_name, published_url=tip.published_url or ""
    )
    key = f"status:{tip.id}:{status}"
    await _queue_automatic(sender, tip, "status_update", body, key, settings, connection)


async def _queue_automatic(
    sender: Sender,
    tip: Tip,
    purpose: str,
    body: str,
    key: str,
    settings: Settings,
    connection: BaseDBAsyncClient,
) -> Message | None:
    outgoing = Outgoing(
        purpose=purpose,
        message=Outbound(text=body),
        text=body,
        automatic=True,
        key=key,
        tip_id=tip.id,
    )
    return await queue_message(sender, outgoing, settings, connection)

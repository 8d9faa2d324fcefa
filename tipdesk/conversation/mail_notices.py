"""Telling a web form reader by mail that the desk answered (the mail says only that).

The web form channel asks for this notice when it "sends" (its reader reads the desk's messages
on their private page); the wording is the reader's texts, so it lives with the conversation.

The mail carries no message text: a mailbox is read by others, forwarded and kept for years. It
links to the reader's private conversation. One mail per stretch of answers the reader has not
seen: a reader who has not opened their page since the last mail gets no second one.

Sending is a job (`webform.notify`), a minute after the desk's message so a reply and the consent
question after it share one mail, and retried with backoff when the mail server is away.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

from tipdesk.clock import utcnow
from tipdesk.conversation.texts import reader_texts
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.mail import MailServer
from tipdesk.settings import Settings
from tipdesk.webform.links import link_token
from tipdesk.webform.models import WebformContact

log = logging.getLogger("tipdesk.webform")
WEBFORM_NOTIFY = "webform.notify"
GATHER_FOR = timedelta(seconds=60)


async def schedule_notice(address: str, settings: Settings) -> None:
    """After a message to `address` went out: mail them in a minute, if they want mail."""
    if settings.mail_url is None:
        return
    await NOTIFY_JOB.enqueue(
        ReaderNotice(address),
        settings,
        dedupe_key=f"{WEBFORM_NOTIFY}:{address}",
        run_at=utcnow() + GATHER_FOR,
    )


@dataclass(frozen=True)
class ReaderNotice:
    address: str


async def notify_reader(context: JobContext, payload: ReaderNotice) -> None:
    settings = context.settings
    contact = await WebformContact.get_or_none(address=payload.address)
    if contact is None or not contact.email or settings.mail_url is None:
        return
    if contact.notified_at is not None and (
        contact.seen_at is None or contact.seen_at < contact.notified_at
    ):
        return  # told already, and not been to look since
    mail = notice_mail(settings, contact)
    await asyncio.to_thread(MailServer.from_url(settings.mail_url).send, mail)
    await WebformContact.filter(id=contact.id).update(notified_at=utcnow())
    log.info("mailed web form reader %s that an answer waits", contact.id)


NOTIFY_JOB = JobKind(
    WEBFORM_NOTIFY, ReaderNotice, notify_reader, priority=60, timeout=timedelta(minutes=2),
    concurrency=1,
)  # fmt: skip


def notice_mail(settings: Settings, contact: WebformContact) -> EmailMessage:
    texts = reader_texts(settings)[contact.language]
    link = f"{settings.public_url}/tip/c/{link_token(settings.secret_key, contact.address)}"
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = formataddr(("", str(contact.email)))
    mail["Subject"] = texts.render("form_mail_subject", newsroom=texts.render("newsroom"))
    mail["Message-ID"] = make_msgid(domain=urlsplit(settings.public_url).hostname or "tipdesk")
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(
        texts.render("form_mail_body", newsroom=texts.render("newsroom"), link=link) + "\n"
    )
    return mail

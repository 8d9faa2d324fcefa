"""Telling a web form reader by mail that the desk answered (the mail says only that).

The mail carries no message text: a mailbox is read by others, forwarded and kept for years. It
links to the reader's private conversation. One mail per stretch of answers the reader has not
seen: a reader who has not opened their page since the last mail gets no second one.

Sending is a job (`webform.notify`), a minute after the desk's message so a reply and the consent
question after it share one mail, and retried with backoff when the mail server is away.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from tipdesk.clock import utcnow
from tipdesk.jobs import queue
from tipdesk.jobs.worker import JobContext
from tipdesk.settings import Settings
from tipdesk.webform.links import link_token
from tipdesk.webform.models import WebformContact

log = logging.getLogger("tipdesk.webform")
WEBFORM_NOTIFY = "webform.notify"
GATHER_FOR = timedelta(seconds=60)
SMTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    user: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> MailServer:
        parts = urlsplit(url)
        security = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}[parts.scheme]
        port = parts.port or {"plain": 25, "starttls": 587, "tls": 465}[security]
        return cls(
            host=parts.hostname or "localhost",
            port=port,
            security=security,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def send(self, message: EmailMessage) -> None:
        """Blocking: run in a thread."""
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


async def schedule_notice(address: str, settings: Settings) -> None:
    """After a message to `address` went out: mail them in a minute, if they want mail."""
    if settings.mail_url is None:
        return
    await queue.enqueue(
        WEBFORM_NOTIFY,
        {"address": address},
        max_attempts=settings.job_max_attempts,
        dedupe_key=f"{WEBFORM_NOTIFY}:{address}",
        run_at=utcnow() + GATHER_FOR,
    )


async def notify_reader(context: JobContext, payload: dict[str, object]) -> None:
    settings = context.settings
    contact = await WebformContact.get_or_none(address=str(payload.get("address", "")))
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


def notice_mail(settings: Settings, contact: WebformContact) -> EmailMessage:
    texts = settings.texts[contact.language]
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

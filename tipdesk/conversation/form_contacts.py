"""What the desk keeps of how to reach a web form reader, and when they last looked."""

from __future__ import annotations

from tipdesk.clock import utcnow
from tipdesk.webform.models import WebformContact


async def remember_contact(
    address: str, *, email: str | None, phone: str | None, language: str
) -> WebformContact:
    """Before the reader's first body is stored, so the mail notice finds it."""
    return await WebformContact.create(address=address, email=email, phone=phone, language=language)


async def contact_of(address: str | None) -> WebformContact | None:
    return await WebformContact.get_or_none(address=address) if address else None


async def conversation_seen(contact: WebformContact) -> None:
    """The reader opened their conversation: the next answer may be mailed again."""
    await WebformContact.filter(id=contact.id).update(seen_at=utcnow())

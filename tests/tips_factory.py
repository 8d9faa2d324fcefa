"""Tips made straight in the database, for tests about what happens after intake."""

from __future__ import annotations

from datetime import UTC, datetime

from tipdesk.tips.models import Direction, Message, Sender, Tip


async def make_tip(text: str, *, phone: str = "31612345678", name: str = "Sanne") -> Tip:
    """A tip with one inbound text message; readers are told apart by phone number."""
    now = datetime.now(UTC)
    sender, _ = await Sender.get_or_create(
        channel="whatsapp",
        address=phone,
        defaults={"phone": phone, "display_name": name, "first_contact_at": now},
    )
    tip = await Tip.create(sender=sender, first_message_at=now, last_message_at=now)
    await Message.create(
        channel="whatsapp",
        external_id=f"w.{tip.id}", tip=tip, sender=sender, direction=Direction.INBOUND, type="text",
        text=text, sent_at=now,
    )  # fmt: skip
    return tip

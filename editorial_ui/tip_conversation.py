"""The tip page's side of the reader conversation: reply, ask for consent, block or unblock, and
what the page needs to show it (delivery ticks, whether the 24-hour window is open)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tipdesk.conversation import consent, readers, replies
from tipdesk.conversation.outbox import window_open
from tipdesk.editors.models import Editor
from tipdesk.settings import Settings
from tipdesk.tips.models import Sender, Tip

Form = dict[str, str]
Handler = Callable[[Tip, Editor, Form, Settings], Awaitable[tuple[str, int]]]
# How WhatsApp shows delivery: one tick sent, two delivered, two blue read.
TICKS = {
    "queued": "🕓", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "played": "✓✓",
    "failed": "✗ mislukt", "held": "⏸ wacht op de lezer", "cancelled": "niet verstuurd",
}  # fmt: skip


async def conversation_view(tip: Tip) -> dict[str, Any]:
    sender = await Sender.get(id=tip.sender_id)
    return {"ticks": TICKS, "window_open": window_open(sender)}


async def _reply(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[str, int]:
    sent = await replies.reply_to_reader(
        tip.id, editor, settings, text=fields.get("text", ""), quote=fields.get("quote") or None
    )
    return sent.notice or "Antwoord verstuurd.", tip.id


async def _consent(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[str, int]:
    await consent.request_consent(tip.id, editor, settings)
    return "Toestemming gevraagd.", tip.id


async def _block(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[str, int]:
    await readers.set_blocked(tip.sender_id, editor, blocked=True)
    return "Lezer geblokkeerd: de desk stuurt deze lezer niets meer.", tip.id


async def _unblock(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[str, int]:
    await readers.set_blocked(tip.sender_id, editor, blocked=False)
    return "Lezer gedeblokkeerd.", tip.id


CONVERSATION_HANDLERS: dict[str, Handler] = {
    "reply": _reply, "consent": _consent, "block": _block, "unblock": _unblock,
}  # fmt: skip

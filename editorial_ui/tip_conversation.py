"""The tip page's side of the reader conversation: reply, ask for consent, block or unblock, and
what the page needs to show it (delivery ticks, whether the 24-hour window is open)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from editorial_ui.flash import Notice
from tipdesk.conversation import consent, readers, replies
from tipdesk.conversation.canned_replies import canned_replies, fill, first_name
from tipdesk.conversation.outbox import window_open
from tipdesk.editors.models import Editor
from tipdesk.settings import Settings
from tipdesk.tips.models import Sender, Tip

Form = dict[str, str]
Handler = Callable[[Tip, Editor, Form, Settings], Awaitable[tuple[Notice, int]]]
# How WhatsApp shows delivery: one tick sent, two delivered, two blue read.
TICKS = {
    "queued": "🕓", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "played": "✓✓",
    "failed": "✗", "held": "⏸", "cancelled": "–",  # the page adds these three's words
}  # fmt: skip


async def conversation_view(tip: Tip, editor: Editor | None = None) -> dict[str, Any]:
    sender = await Sender.get(id=tip.sender_id)
    return {
        "ticks": TICKS, "window_open": window_open(sender),
        "canned": await _canned(tip, sender, editor) if editor is not None else [],
    }  # fmt: skip


async def _canned(tip: Tip, sender: Sender, editor: Editor) -> list[dict[str, str]]:
    """The canned replies with this tip's variables filled in: the page's script only puts one
    in the reply box, where the editor edits it and sends it as any reply."""
    reader = first_name(sender.display_name)
    return [
        {"title": reply.title, "text": fill(
            reply.body, first_name=reader, tip_number=tip.id, editor_name=editor.display_name
        )}
        for reply in await canned_replies()
    ]  # fmt: skip


async def _reply(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    sent = await replies.reply_to_reader(
        tip.id, editor, settings, text=fields.get("text", ""), quote=fields.get("quote") or None
    )
    if not sent.window_open:
        return Notice("flash.replied_window"), tip.id
    return Notice("flash.replied_opted_out" if sent.opted_out else "flash.replied"), tip.id


async def _consent(
    tip: Tip, editor: Editor, fields: Form, settings: Settings
) -> tuple[Notice, int]:
    await consent.request_consent(tip.id, editor, settings)
    return Notice("flash.consent_asked"), tip.id


async def _block(tip: Tip, editor: Editor, fields: Form, settings: Settings) -> tuple[Notice, int]:
    await readers.set_blocked(tip.sender_id, editor, blocked=True)
    return Notice("flash.blocked"), tip.id


async def _unblock(
    tip: Tip, editor: Editor, fields: Form, settings: Settings
) -> tuple[Notice, int]:
    await readers.set_blocked(tip.sender_id, editor, blocked=False)
    return Notice("flash.unblocked"), tip.id


CONVERSATION_HANDLERS: dict[str, Handler] = {
    "reply": _reply, "consent": _consent, "block": _block, "unblock": _unblock,
}  # fmt: skip

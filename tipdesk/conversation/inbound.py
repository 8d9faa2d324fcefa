"""How the desk answers each message a reader sends, in the transaction that records it.

A keyword, button or answer is handled as the reader's request; the first message of a new tip
gets its confirmation; and any message reopens the 24-hour window, releasing what was held.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.conversation import requests
from tipdesk.conversation.automatic import confirm_new_tip
from tipdesk.conversation.intents import Intent
from tipdesk.conversation.outbox import release_held
from tipdesk.settings import Settings
from tipdesk.tips.models import Message, Sender, Tip


async def respond(
    sender: Sender,
    message: Message,
    tip: Tip | None,
    opened: bool,
    intent: Intent | None,
    settings: Settings,
    connection: BaseDBAsyncClient,
    *,
    new_reader: bool = False,
) -> None:
    """`new_reader`: the reader's row was created in this transaction, so nothing was held for
    them and nothing sent to them yet (two queries fewer for every new reader in a storm)."""
    if not new_reader:
        await release_held(sender, settings, connection)
    if intent is not None:
        await requests.handle(sender, intent, message, settings, connection)
    elif opened and tip is not None:
        await confirm_new_tip(sender, tip, settings, connection, new_reader=new_reader)

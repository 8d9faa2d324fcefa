"""Who has a tip on screen and who is typing on it: "Anne bekijkt deze tip", "Bram typt…".

One row per open tip page (a screen), in the database every web process shares, so editors
served by different processes see each other. The page's event stream refreshes its row every
HEARTBEAT_SECONDS and removes it when it closes; a row of a process that died unrefreshed
counts as gone after GONE_SECONDS. Nothing here is audited: presence is a courtesy, not a record.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from tipdesk.clock import utcnow
from tipdesk.editors.models import Editor
from tipdesk.tips.models import TipPresence

TYPING_SECONDS = 6.0
HEARTBEAT_SECONDS = 5.0
GONE_SECONDS = 3 * HEARTBEAT_SECONDS


async def arrive(tip_id: int, editor_id: int) -> str:
    """A page opened; the screen's key, for `stay` and `leave`. Old rows go on the way."""
    now = utcnow()
    await TipPresence.filter(seen_at__lt=now - timedelta(seconds=GONE_SECONDS)).delete()
    screen = secrets.token_hex(16)
    await TipPresence.create(screen=screen, tip_id=tip_id, editor_id=editor_id, seen_at=now)
    return screen


async def stay(screen: str) -> None:
    await TipPresence.filter(screen=screen).update(seen_at=utcnow())


async def leave(screen: str) -> None:
    await TipPresence.filter(screen=screen).delete()


async def typing(tip_id: int, editor_id: int) -> None:
    """Only an editor with the page open can be typing on it: no row, nothing changes."""
    until = utcnow() + timedelta(seconds=TYPING_SECONDS)
    await TipPresence.filter(tip_id=tip_id, editor_id=editor_id).update(typing_until=until)


async def others(tip_id: int, editor_id: int) -> list[tuple[str, bool]]:
    """The other editors on this tip, by name, and whether each is typing (two tabs of one
    editor are one viewer, typing if either is)."""
    now = utcnow()
    rows = (
        await TipPresence.filter(tip_id=tip_id, seen_at__gte=now - timedelta(seconds=GONE_SECONDS))
        .exclude(editor_id=editor_id)
        .values_list("editor_id", "typing_until")
    )
    busy: dict[int, bool] = {}
    for who, until in rows:
        busy[who] = busy.get(who, False) or (until is not None and until > now)
    if not busy:
        return []
    names = dict(await Editor.filter(id__in=list(busy)).values_list("id", "display_name"))
    return sorted((str(names[who]), typing) for who, typing in busy.items() if who in names)

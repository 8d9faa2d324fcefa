"""The one place that deletes what readers sent: used by erasure and by retention.

`delete_tips` removes tips with their messages, media rows, consent records and audit events;
`delete_content` removes only a tip's messages and media (erasure keeps a `used` tip's row and
its consent evidence). Both run in the caller's transaction and enqueue, in it, what must follow
outside the database: `media.discard` for the files (kept while another asset shares them) and
`search.forget` for the index. A crash before the commit changes nothing; after it, the jobs
finish the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet

from tipdesk.conversation.models import ConsentRecord
from tipdesk.media.discard import schedule_discard
from tipdesk.search.jobs import schedule_forgetting
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaAsset, Message, Tip

CHUNK = 500


@dataclass
class Deleted:
    """What a deletion removed, as counts (never contents: these go to logs and the audit)."""

    tips: int = 0
    messages: int = 0
    media: int = 0

    def add(self, other: Deleted) -> None:
        self.tips += other.tips
        self.messages += other.messages
        self.media += other.media

    def as_dict(self) -> dict[str, int]:
        return {"tips": self.tips, "messages": self.messages, "media": self.media}


async def delete_tips(
    tip_ids: list[int], settings: Settings, connection: BaseDBAsyncClient
) -> Deleted:
    """Delete these tips and everything they hold."""
    deleted = await delete_content(tip_ids, settings, connection)
    for chunk in _chunks(tip_ids):
        await ConsentRecord.filter(tip_id__in=chunk).using_db(connection).delete()
        deleted.tips += await _delete(Tip.filter(id__in=chunk).using_db(connection))
    return deleted


async def delete_content(
    tip_ids: list[int], settings: Settings, connection: BaseDBAsyncClient
) -> Deleted:
    """Delete these tips' messages and media, and take the tips out of the index."""
    deleted = Deleted()
    digests: list[str | None] = []
    for chunk in _chunks(tip_ids):
        media = MediaAsset.filter(tip_id__in=chunk).using_db(connection)
        digests += [str(d) for d in await media.values_list("sha256", flat=True) if d]
        deleted.media += await _delete(media)
        deleted.messages += await _delete(Message.filter(tip_id__in=chunk).using_db(connection))
    await schedule_discard(digests, settings, connection)
    await schedule_forgetting(tip_ids, settings, connection)
    return deleted


async def delete_messages(
    message_ids: list[int], settings: Settings, connection: BaseDBAsyncClient
) -> Deleted:
    """Delete messages outside tips (keywords, answers to the desk's questions) and any media."""
    deleted = Deleted()
    digests: list[str | None] = []
    for chunk in _chunks(message_ids):
        media = MediaAsset.filter(message_id__in=chunk).using_db(connection)
        digests += [str(d) for d in await media.values_list("sha256", flat=True) if d]
        deleted.media += await _delete(media)
        deleted.messages += await _delete(Message.filter(id__in=chunk).using_db(connection))
    await schedule_discard(digests, settings, connection)
    return deleted


async def _delete(rows: QuerySet[Any]) -> int:
    """Counted before deleting: SQLite's count after a DELETE includes the rows its foreign
    keys cascaded to (variants, audit events), which would overstate what went."""
    count = await rows.count()
    await rows.delete()
    return count


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]

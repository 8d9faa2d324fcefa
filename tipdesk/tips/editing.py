"""What editors add to a tip while handling it: internal notes, tags, the desk, and who holds it.

Each action validates first, then writes the change, its audit event and the tip's re-indexing
in one transaction, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record as record_event
from tipdesk.clock import utcnow
from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import check_may_work_on, may_assign
from tipdesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from tipdesk.search.jobs import schedule_indexing
from tipdesk.settings import Settings
from tipdesk.tips.models import Tip, TipNote

MAX_NOTE_LENGTH = 5000
MAX_TAGS = 20
MAX_TAG_LENGTH = 32
MAX_DESK_LENGTH = 32
# A tag: letters or digits (any script), then also `-` and `_`; no spaces, commas or markup.
_TAG = re.compile(rf"^[^\W_][\w-]{{0,{MAX_TAG_LENGTH - 1}}}$")
# A desk: a short plain name, e.g. `sport`, `regio-noord`, `binnenland`.
_DESK = re.compile(rf"^[a-z0-9][a-z0-9_-]{{0,{MAX_DESK_LENGTH - 1}}}$")


async def tip_for_change(tip_id: int, connection: BaseDBAsyncClient) -> Tip:
    """The tip about to change, inside the caller's transaction; a merged-away tip is frozen."""
    tip = await Tip.filter(id=tip_id).using_db(connection).first()
    if tip is None:
        raise NotFound("no such tip", reason="no_such_tip")
    if tip.merged_into_id is not None:
        raise Conflict(
            f"this tip was merged into tip {tip.merged_into_id}",
            reason="merged_into",
            values={"tip": tip.merged_into_id},
        )
    return tip


async def record(
    action: AuditAction, tip_id: int, editor: Editor, detail: dict[str, object],
    settings: Settings, connection: BaseDBAsyncClient,
) -> None:  # fmt: skip
    """The audit event and the re-indexing that go with every change to a tip."""
    await record_event(action, tip_id=tip_id, editor=editor, detail=detail, using_db=connection)
    await schedule_indexing(tip_id, settings, connection)


def clean_note(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidInput("the note must be text", reason="note_empty")
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("the note is empty", reason="note_empty")
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            f"a note may have at most {MAX_NOTE_LENGTH:,} characters",
            reason="note_too_long",
            values={"limit": MAX_NOTE_LENGTH},
        )
    return cleaned


async def add_note(tip_id: int, editor: Editor, settings: Settings, text: object) -> TipNote:
    """An internal note; any editor may add one, whoever holds the tip."""
    cleaned = clean_note(text)
    async with in_transaction() as connection:
        tip = await tip_for_change(tip_id, connection)
        note = await TipNote.create(tip=tip, editor=editor, text=cleaned, using_db=connection)
        await Tip.filter(id=tip_id).using_db(connection).update(updated_at=utcnow())
        detail: dict[str, object] = {"note_id": note.id}
        await record(AuditAction.TIP_NOTE_ADDED, tip_id, editor, detail, settings, connection)
    return note


def clean_tags(raw: object) -> list[str]:
    """Tags as given (a list of strings), lower-cased, `#` dropped, duplicates removed."""
    if not isinstance(raw, list) or not all(isinstance(tag, str) for tag in raw):
        raise InvalidInput("tags must be a list of strings", reason="tags_not_a_list")
    if len(raw) > MAX_TAGS:
        raise InvalidInput(
            f"a tip may have at most {MAX_TAGS} tags",
            reason="too_many_tags",
            values={"limit": MAX_TAGS},
        )
    tags: list[str] = []
    for given in raw:
        tag = given.strip().lstrip("#").lower()
        if not _TAG.match(tag):
            raise InvalidInput(
                f"'{given[:40]}' is not a tag: up to {MAX_TAG_LENGTH} letters, digits, - or _",
                reason="not_a_tag",
                values={"given": given[:40], "limit": MAX_TAG_LENGTH},
            )
        if tag not in tags:
            tags.append(tag)
    return tags


def split_tags(text: str) -> list[str]:
    """Tags typed in one field, separated by commas or spaces."""
    return [part for part in re.split(r"[,\s]+", text) if part]


async def change_tags(
    tip_id: int, editor: Editor, settings: Settings, *,
    replace: object = None, add: object = None, remove: object = None,
) -> Tip:  # fmt: skip
    """Replaces a tip's tags (`replace`), or adds and removes some; at most MAX_TAGS remain."""
    added = clean_tags(add) if add is not None else []
    removed = clean_tags(remove) if remove is not None else []
    async with in_transaction() as connection:
        tip = await tip_for_change(tip_id, connection)
        check_may_work_on(tip.claimed_by_id, editor)
        start = clean_tags(replace) if replace is not None else list(tip.tags)
        tags = [tag for tag in _merged(start, added) if tag not in removed]
        if len(tags) > MAX_TAGS:
            raise InvalidInput(
                f"a tip may have at most {MAX_TAGS} tags",
                reason="too_many_tags",
                values={"limit": MAX_TAGS},
            )
        if tags != tip.tags:
            await Tip.filter(id=tip_id).using_db(connection).update(tags=tags, updated_at=utcnow())
            detail: dict[str, object] = {"from": tip.tags, "to": tags}
            await record(AuditAction.TIP_TAGS_CHANGED, tip_id, editor, detail, settings, connection)
    return await Tip.get(id=tip_id)


def _merged(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def clean_desk(raw: object) -> str | None:
    """A desk name, lower-cased, spaces as `-`; empty or null clears the desk."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidInput("the desk must be text or null", reason="desk_not_text")
    desk = "-".join(raw.strip().lower().split())
    if not desk:
        return None
    if not _DESK.match(desk):
        raise InvalidInput(
            f"'{raw[:40]}' is not a desk name: up to {MAX_DESK_LENGTH} letters a-z, digits, - or _",
            reason="not_a_desk",
            values={"given": raw[:40], "limit": MAX_DESK_LENGTH},
        )
    return desk


async def set_desk(tip_id: int, editor: Editor, settings: Settings, desk: object) -> Tip:
    chosen = clean_desk(desk)
    async with in_transaction() as connection:
        tip = await tip_for_change(tip_id, connection)
        check_may_work_on(tip.claimed_by_id, editor)
        if chosen != tip.desk:
            await (
                Tip.filter(id=tip_id).using_db(connection).update(desk=chosen, updated_at=utcnow())
            )
            detail: dict[str, object] = {"from": tip.desk, "to": chosen}
            await record(AuditAction.TIP_DESK_CHANGED, tip_id, editor, detail, settings, connection)
    return await Tip.get(id=tip_id)


async def assign_tip(tip_id: int, chief: Editor, settings: Settings, assignee_id: object) -> Tip:
    """A chief or admin hands a tip to another (active) editor: the claim becomes theirs."""
    if not may_assign(chief):
        raise Forbidden("only a chief or an admin may assign tips", reason="assign_chiefs")
    if (
        not isinstance(assignee_id, int)
        or isinstance(assignee_id, bool)
        or not 0 < assignee_id < 2**31
    ):
        raise InvalidInput("editor_id must be an editor's id", reason="choose_assignee")
    async with in_transaction() as connection:
        assignee = await Editor.filter(id=assignee_id, active=True).using_db(connection).first()
        if assignee is None:
            raise InvalidInput("no active editor with that id", reason="no_active_editor")
        tip = await tip_for_change(tip_id, connection)
        if tip.claimed_by_id != assignee.id:
            now = utcnow()
            await (
                Tip.filter(id=tip_id)
                .using_db(connection)
                .update(claimed_by_id=assignee.id, claimed_at=now, updated_at=now)
            )
            detail: dict[str, object] = {
                "previous_editor_id": tip.claimed_by_id, "assignee_id": assignee.id,
                "note": f"toegewezen aan {assignee.display_name}",
            }  # fmt: skip
            await record(AuditAction.TIP_ASSIGNED, tip_id, chief, detail, settings, connection)
    return await Tip.get(id=tip_id)

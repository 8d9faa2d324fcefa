"""Bulk handling from the board: one action on several tips, each through the action that
changes one tip (its audit event, indexing, claim rule and reader update as ever), so a
refusal for one tip — claimed by another editor, merged away — leaves the others done.

What the board may do in bulk is deliberately short: archive, reject, add tags, assign.
Nothing here speaks to a reader in the desk's own words: replies are one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tipdesk.editors.models import Editor
from tipdesk.editors.permissions import may_assign
from tipdesk.errors import Conflict, Forbidden, InvalidInput, NotFound, TipdeskError
from tipdesk.settings import Settings
from tipdesk.tips import actions, editing

MAX_TIPS = 100


class BulkAction(StrEnum):
    ARCHIVE = "archive"
    REJECT = "reject"
    TAG = "tag"
    ASSIGN = "assign"


@dataclass
class BulkOutcome:
    done: list[int] = field(default_factory=list)
    # (tip id, the refusal): its reason for the board, its message for a script
    refused: list[tuple[int, TipdeskError]] = field(default_factory=list)


def bulk_action(raw: str) -> BulkAction:
    try:
        return BulkAction(raw)
    except ValueError:
        raise InvalidInput(
            "choose archive, reject, tag or assign", reason="unknown_bulk_action"
        ) from None


def _checked_ids(tip_ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(tip_ids))
    if not ids:
        raise InvalidInput("select one or more tips", reason="select_tips")
    if len(ids) > MAX_TIPS:
        raise InvalidInput(
            f"select at most {MAX_TIPS} tips at once",
            reason="too_many_selected",
            values={"limit": MAX_TIPS},
        )
    return ids


async def apply_to_tips(
    tip_ids: list[int], editor: Editor, settings: Settings, action: BulkAction, *,
    tags: list[str] | None = None, assignee_id: int | None = None,
) -> BulkOutcome:  # fmt: skip
    """Checks the request once (what is wrong for one tip is wrong for all), then acts on
    each tip in its own transaction and says what was done and what was refused."""
    ids = _checked_ids(tip_ids)
    if action is BulkAction.TAG:
        tags = editing.clean_tags(tags or [])
        if not tags:
            raise InvalidInput("give one or more tags to add", reason="tags_to_add")
    if action is BulkAction.ASSIGN and not may_assign(editor):
        raise Forbidden("only a chief or an admin may assign tips", reason="assign_chiefs")
    if action is BulkAction.ASSIGN and assignee_id is None:
        raise InvalidInput("choose the editor to assign the tips to", reason="choose_assignee")
    outcome = BulkOutcome()
    for tip_id in ids:
        try:
            await _one(tip_id, editor, settings, action, tags, assignee_id)
        except (Conflict, Forbidden, InvalidInput, NotFound) as refusal:
            outcome.refused.append((tip_id, refusal))
        else:
            outcome.done.append(tip_id)
    return outcome


async def _one(
    tip_id: int, editor: Editor, settings: Settings, action: BulkAction,
    tags: list[str] | None, assignee_id: int | None,
) -> None:  # fmt: skip
    if action is BulkAction.ARCHIVE:
        await actions.change_status(tip_id, editor, settings, status="archived")
    elif action is BulkAction.REJECT:
        await actions.change_status(tip_id, editor, settings, status="rejected")
    elif action is BulkAction.TAG:
        await editing.change_tags(tip_id, editor, settings, add=tags)
    else:
        await editing.assign_tip(tip_id, editor, settings, assignee_id)

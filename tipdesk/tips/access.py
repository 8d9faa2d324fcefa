"""Who may do what to a tip: the claim rule, in one place.

- Every editor reads every tip and may add internal notes, whoever holds it: a colleague's note
  on a tip someone else works is how a desk hands on what it knows.
- Whatever changes a tip or speaks to its reader — status, reply, tags, desk, a consent
  request, merge and split, blocking or unblocking its reader — is for the editor who holds it,
  or for anyone while nobody does. Chiefs and admins may always: they run the desk.
- Assigning, taking over a claim and using media without consent are for chiefs and admins.
"""

from __future__ import annotations

from tipdesk.editors.models import Editor, Role
from tipdesk.errors import Conflict

HELD_BY_ANOTHER = "this tip is claimed by another editor"


def is_chief(editor: Editor) -> bool:
    return editor.role in (Role.CHIEF, Role.ADMIN)


def may_work_on(holder_id: int | None, editor: Editor) -> bool:
    """The claim rule: nobody holds the tip, this editor does, or a chief or admin asks."""
    return holder_id is None or holder_id == editor.id or is_chief(editor)


def check_may_work_on(holder_id: int | None, editor: Editor) -> None:
    if not may_work_on(holder_id, editor):
        raise Conflict(HELD_BY_ANOTHER)

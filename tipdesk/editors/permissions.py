"""Who may do what: every rule that turns an editor's role or claim into a yes or a no.

- Every editor reads every tip and may add internal notes, whoever holds it: a colleague's note
  on a tip someone else works is how a desk hands on what it knows. Every editor may export a
  tip's evidence bundle too: it holds nothing the tip page does not show them.
- Whatever changes a tip or speaks to its reader — status, reply, tags, desk, a consent
  request, merge and split, blocking or unblocking its reader — is for the editor who holds it,
  or for anyone while nobody does. Chiefs and admins may always: they run the desk.
- Assigning, taking over a claim, using media without consent, reading the reports and keeping
  the canned replies are for chiefs and admins.
- Managing accounts and tokens, another editor's password and the `/admin` page are for admins.

Callers ask these predicates and never compare roles themselves, so a rule changes here once;
tests/editors/test_permissions.py fails when a role comparison appears anywhere else. Who is
asking (session or token) is settled before, in editors/access.py.
"""

from __future__ import annotations

from tipdesk.editors.models import Editor, Role
from tipdesk.errors import Conflict

HELD_BY_ANOTHER = "this tip is claimed by another editor"


def runs_the_desk(editor: Editor) -> bool:
    """Chiefs and admins: the people who may overrule a claim."""
    return editor.role in (Role.CHIEF, Role.ADMIN)


def may_administer(editor: Editor) -> bool:
    """Accounts, tokens, other editors' passwords, dead jobs: the `/admin` page."""
    return editor.role is Role.ADMIN


def may_see_reports(editor: Editor) -> bool:
    return runs_the_desk(editor)


def may_assign(editor: Editor) -> bool:
    """Hand a tip to another editor, whoever holds it now."""
    return runs_the_desk(editor)


def may_take_over(editor: Editor) -> bool:
    """Take a live claim from the editor who holds it."""
    return runs_the_desk(editor)


def may_keep_canned_replies(editor: Editor) -> bool:
    """Write and delete the canned replies every editor may start a reply from."""
    return runs_the_desk(editor)


def may_override_consent(editor: Editor) -> bool:
    """Use a tip's media without the reader's consent, giving a reason (audited)."""
    return runs_the_desk(editor)


def may_export_evidence(editor: Editor) -> bool:
    """The evidence bundle (`GET /api/v1/tips/{id}/export`): any active editor. It holds what
    the tip page already shows every editor (originals, variants, consent, the trail), and
    the reporter who worked a disputed photo is the one legal asks first; the claim does not
    matter, since an export changes nothing. What guards a file leaving the desk is the audit
    trail: every export is recorded as `tip.exported`."""
    return editor.active


def may_work_on(holder_id: int | None, editor: Editor) -> bool:
    """The claim rule: nobody holds the tip, this editor does, or a chief or admin asks."""
    return holder_id is None or holder_id == editor.id or runs_the_desk(editor)


def check_may_work_on(holder_id: int | None, editor: Editor) -> None:
    if not may_work_on(holder_id, editor):
        raise Conflict(HELD_BY_ANOTHER, reason="held_by_another")


def may_reply_without_claiming(holder_id: int | None, editor: Editor) -> bool:
    """A reply claims the tip first unless this editor holds it already or runs the desk."""
    return holder_id == editor.id or runs_the_desk(editor)

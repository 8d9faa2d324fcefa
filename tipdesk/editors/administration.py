"""What admins do to accounts: add editors, change roles, switch editors off and on, issue and
revoke API tokens. Each writes an audit event. A switched-off editor can no longer log in, and
their session and tokens stop working at once (editors/access.py checks `active` every time),
and the tips they held are released.
An admin cannot change their own role or switch themselves off, so a desk always keeps one."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.clock import utcnow
from tipdesk.editors.accounts import (
    create_editor,
    create_token_for,
    generated_password,
    new_password_hash,
)
from tipdesk.editors.models import ApiToken, Editor, Role
from tipdesk.editors.permissions import may_administer
from tipdesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from tipdesk.search.jobs import schedule_indexing
from tipdesk.settings import Settings
from tipdesk.tips.models import Tip


def _require_admin(admin: Editor) -> None:
    if not may_administer(admin):
        raise Forbidden("only admins manage editors and tokens", reason="admins_only")


def parse_role(raw: object) -> Role:
    try:
        return Role(str(raw))
    except ValueError:
        raise InvalidInput("role must be editor, chief or admin", reason="unknown_role") from None


async def add_editor(
    admin: Editor, email: str, name: str, role: object, password: str = ""
) -> tuple[Editor, str | None]:
    """The new editor, and the password when the desk made one up (to show once)."""
    _require_admin(admin)
    made_up = generated_password() if not password else None
    async with in_transaction():
        editor = await create_editor(email, name, parse_role(role), password or str(made_up))
        detail: dict[str, object] = {"editor_id": editor.id, "role": editor.role.value}
        await _audit(admin, AuditAction.EDITOR_CREATED, detail)
    return editor, made_up


async def _other_editor(admin: Editor, editor_id: int) -> Editor:
    _require_admin(admin)
    editor = await Editor.get_or_none(id=editor_id)
    if editor is None:
        raise NotFound("no such editor", reason="no_such_editor")
    if editor.id == admin.id:
        raise Conflict(
            "an admin cannot change their own role or switch themselves off",
            reason="own_role",
        )
    return editor


async def change_role(admin: Editor, editor_id: int, role: object) -> Editor:
    chosen = parse_role(role)
    editor = await _other_editor(admin, editor_id)
    if editor.role is not chosen:
        async with in_transaction():
            await Editor.filter(id=editor.id).update(
                role=chosen, session_version=F("session_version") + 1
            )
            detail: dict[str, object] = {
                "editor_id": editor.id,
                "from": editor.role.value,
                "to": chosen.value,
            }
            await _audit(admin, AuditAction.EDITOR_ROLE_CHANGED, detail)
    return await Editor.get(id=editor.id)


async def set_active(admin: Editor, editor_id: int, active: bool, settings: Settings) -> Editor:
    """Switching an editor off also releases the tips they held, so none stays claimed by
    someone who can no longer work on it (each release audited and re-indexed)."""
    editor = await _other_editor(admin, editor_id)
    if editor.active is not active:
        async with in_transaction() as connection:
            await (
                Editor.filter(id=editor.id)
                .using_db(connection)
                .update(active=active, session_version=F("session_version") + 1)
            )
            action = AuditAction.EDITOR_REACTIVATED if active else AuditAction.EDITOR_DEACTIVATED
            released: list[int] = []
            if not active:
                released = await _release_claims(admin, editor, settings, connection)
            detail = {"editor_id": editor.id, "released_tips": released}
            await _audit(admin, action, detail, connection)
    return await Editor.get(id=editor.id)


async def _release_claims(
    admin: Editor, editor: Editor, settings: Settings, connection: BaseDBAsyncClient
) -> list[int]:
    held = [
        int(str(tip_id))
        for tip_id in await Tip.filter(claimed_by_id=editor.id)
        .using_db(connection)
        .values_list("id", flat=True)
    ]
    if not held:
        return held
    await (
        Tip.filter(id__in=held)
        .using_db(connection)
        .update(claimed_by_id=None, claimed_at=None, updated_at=utcnow())
    )
    for tip_id in held:
        await record(
            AuditAction.TIP_RELEASED, tip_id=tip_id, editor=admin,
            detail={"previous_editor_id": editor.id, "reason": "editor switched off"},
            using_db=connection,
        )  # fmt: skip
        await schedule_indexing(tip_id, settings, connection)
    return held


async def issue_token(admin: Editor, editor_id: int, label: str) -> str:
    """A new token for an active editor; the only time anyone sees it."""
    _require_admin(admin)
    editor = await Editor.get_or_none(id=editor_id, active=True)
    if editor is None:
        raise InvalidInput("tokens are only for active editors", reason="token_for_inactive")
    async with in_transaction():
        token, row = await create_token_for(editor, label)
        await _audit(admin, AuditAction.TOKEN_CREATED, {"token_id": row.id, "editor_id": editor.id})
    return token


async def revoke_token(admin: Editor, token_id: int) -> None:
    _require_admin(admin)
    async with in_transaction():
        revoked = await ApiToken.filter(id=token_id, revoked_at=None).update(revoked_at=utcnow())
        if not revoked:
            raise NotFound("no such token, or it was revoked already", reason="no_such_token")
        await _audit(admin, AuditAction.TOKEN_REVOKED, {"token_id": token_id})


async def _audit(
    admin: Editor,
    action: AuditAction,
    detail: dict[str, object],
    connection: BaseDBAsyncClient | None = None,
) -> None:
    await record(action, editor=admin, detail=detail, using_db=connection)


async def reset_password(admin: Editor, editor_id: int) -> tuple[Editor, str]:
    """A random temporary password (to show once) that must be changed at the next login;
    every session of the editor ends."""
    editor = await _other_editor(admin, editor_id)
    temporary = generated_password()
    password_hash = await new_password_hash(temporary)
    async with in_transaction():
        await Editor.filter(id=editor.id).update(
            password_hash=password_hash,
            must_change_password=True,
            session_version=F("session_version") + 1,
        )
        await record(
            AuditAction.EDITOR_PASSWORD_RESET, editor=admin, detail={"editor_id": editor.id}
        )
    return editor, temporary

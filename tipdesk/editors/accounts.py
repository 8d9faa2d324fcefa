"""Editor accounts: creation, passwords (argon2) and API tokens (shown once, stored hashed)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from datetime import timedelta
from enum import StrEnum
from functools import cache
from weakref import WeakKeyDictionary

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tipdesk.audit.actions import AuditAction
from tipdesk.audit.trail import record
from tipdesk.clock import utcnow
from tipdesk.editors.models import ApiToken, Editor, Role
from tipdesk.editors.permissions import may_administer
from tipdesk.errors import Conflict, Forbidden, InvalidInput, NotFound

MIN_PASSWORD_LENGTH = 10
# A password an editor chooses for themselves (set-password, the account page).
MIN_NEW_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "td_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$|^[^@\s]{1,64}@localhost$")
# Two hashes at once: each takes ~50 ms of a core and 64 MiB, so a burst of logins queues here
# instead of taking every core and the memory of a small desk.
PASSWORD_WORKERS = 2
_hasher = PasswordHasher()
_password_slots: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    WeakKeyDictionary()
)


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise InvalidInput(
            f"'{email.strip()[:80]}' is not an e-mail address",
            reason="not_an_email",
            values={"given": email.strip()[:80]},
        )
    return cleaned


class PasswordRule(StrEnum):
    """Which rule a password broke; the board words it in the editor's language."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    IS_EMAIL = "is_email"


class PasswordRefused(InvalidInput):
    """A password that breaks a rule: the rule as the reason (`password_<rule>`) and its figure
    for the board, and an English message for the CLI and the API."""

    def __init__(self, rule: PasswordRule, limit: int = 0) -> None:
        message = _ENGLISH[rule].format(limit=limit)
        super().__init__(message, reason=f"password_{rule.value}", values={"limit": limit})
        self.rule = rule
        self.limit = limit


_ENGLISH = {
    PasswordRule.TOO_SHORT: "the password needs at least {limit} characters",
    PasswordRule.TOO_LONG: "the password may have at most {limit} characters",
    PasswordRule.IS_EMAIL: "the password may not be the e-mail address",
}


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(PasswordRule.TOO_SHORT, MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRefused(PasswordRule.TOO_LONG, MAX_PASSWORD_LENGTH)


def password_matches(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _slots() -> asyncio.Semaphore:
    """The semaphore of the running loop (a semaphore belongs to one loop; tests run many)."""
    loop = asyncio.get_running_loop()
    return _password_slots.setdefault(loop, asyncio.Semaphore(PASSWORD_WORKERS))


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


async def verify_password(password_hash: str | None, password: str) -> bool:
    """argon2 off the event loop, at most PASSWORD_WORKERS at once, so /health and the board
    keep answering during a burst of logins (one took 5.2 s). No hash (an unknown e-mail
    address) verifies against a dummy hash, so it costs as long as a known one."""
    async with _slots():
        if password_hash is None:
            await asyncio.to_thread(password_matches, _dummy_hash(), password)
            return False
        return await asyncio.to_thread(password_matches, password_hash, password)


async def new_password_hash(password: str) -> str:
    """hash_password off the event loop, behind the same semaphore."""
    check_password_rules(password)
    async with _slots():
        return await asyncio.to_thread(_hasher.hash, password)


async def create_editor(
    email: str, display_name: str, role: Role, password: str, *, must_change_password: bool = False
) -> Editor:
    """`must_change_password`: the password was chosen for them (the console's first admin)."""
    address = normalise_email(email)
    name = display_name.strip()
    if not name or len(name) > 128:
        raise InvalidInput(
            "the display name must have 1 to 128 characters",
            reason="display_name_length",
            values={"limit": 128},
        )
    password_hash = await new_password_hash(password)
    if await Editor.exists(email=address):
        raise Conflict(
            f"an editor with e-mail {address} already exists",
            reason="editor_exists",
            values={"email": address},
        )
    try:
        return await Editor.create(
            email=address, display_name=name, role=role, password_hash=password_hash,
            must_change_password=must_change_password,
        )  # fmt: skip
    except IntegrityError:  # created at the same moment by another process
        raise Conflict(
            f"an editor with e-mail {address} already exists",
            reason="editor_exists",
            values={"email": address},
        ) from None


def check_new_password(password: str, email: str) -> None:
    """The rules for a password an editor sets: at least 12 characters, and not their address."""
    if len(password) < MIN_NEW_PASSWORD_LENGTH:
        raise PasswordRefused(PasswordRule.TOO_SHORT, MIN_NEW_PASSWORD_LENGTH)
    if password.strip().lower() == email.strip().lower():
        raise PasswordRefused(PasswordRule.IS_EMAIL)
    check_password_rules(password)


async def set_password(email: str, password: str, by: Editor | None = None) -> Editor:
    """A new password for the editor; every session of theirs ends (a stolen cookie with it).
    `by` is who changed it: the editor themself, an admin, or None for the console (`tipdesk
    set-password`); every path writes the one `password.changed` audit event here."""
    editor = await Editor.get_or_none(email=normalise_email(email))
    if editor is None:
        raise NotFound(
            f"no editor with e-mail {email.strip()[:80]}",
            reason="no_editor_with_email",
            values={"email": email.strip()[:80]},
        )
    changer = _changer(editor, by)
    check_new_password(password, editor.email)
    password_hash = await new_password_hash(password)
    async with in_transaction():
        await Editor.filter(id=editor.id).update(
            password_hash=password_hash,
            session_version=F("session_version") + 1,
            must_change_password=False,
        )
        detail: dict[str, object] = {"editor_id": editor.id, "by": changer}
        await record(AuditAction.PASSWORD_CHANGED, editor=by, detail=detail)
    await editor.refresh_from_db()
    return editor


async def set_language(editor: Editor, language: str) -> None:
    """The editor's own choice of language for the board; a preference, so not audited."""
    await Editor.filter(id=editor.id).update(language=language)
    editor.language = language


def _changer(editor: Editor, by: Editor | None) -> str:
    """ "self", "admin" or "console", for the audit trail; nobody else changes a password."""
    if by is None:
        return "console"
    if by.id == editor.id:
        return "self"
    if may_administer(by):
        return "admin"
    raise Forbidden("only admins change another editor's password", reason="admins_only")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_token(email: str, label: str, expires_in: timedelta | None = None) -> str:
    """A new bearer token for the editor; only its digest is stored, so this is its one showing.
    With `expires_in` it stops working that long from now; without, when it is revoked."""
    editor = await Editor.get_or_none(email=normalise_email(email), active=True)
    if editor is None:
        raise NotFound(
            f"no active editor with e-mail {email.strip()[:80]}",
            reason="no_active_editor_with_email",
            values={"email": email.strip()[:80]},
        )
    token, _ = await create_token_for(editor, label, expires_in)
    return token


async def create_token_for(
    editor: Editor, label: str, expires_in: timedelta | None = None
) -> tuple[str, ApiToken]:
    """The token itself (to show once) and its stored row."""
    if len(label) > 128:
        raise InvalidInput(
            "the token label may have at most 128 characters",
            reason="token_label_too_long",
            values={"limit": 128},
        )
    if expires_in is not None and expires_in <= timedelta(0):
        raise InvalidInput("a token's lifetime must be longer than zero", reason="token_lifetime")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = await ApiToken.create(
        editor=editor, label=label.strip(), token_hash=token_digest(token), prefix=token[:8],
        expires_at=utcnow() + expires_in if expires_in is not None else None,
    )  # fmt: skip
    return token, row


def generated_password() -> str:
    """A password for a new editor to change: 20 URL-safe random characters."""
    return secrets.token_urlsafe(15)

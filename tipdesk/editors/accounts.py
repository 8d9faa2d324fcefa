"""Editor accounts: creation, passwords (argon2) and API tokens (shown once, stored hashed)."""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError

from tipdesk.editors.models import ApiToken, Editor, Role
from tipdesk.errors import Conflict, InvalidInput, NotFound

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "td_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$|^[^@\s]{1,64}@localhost$")
_hasher = PasswordHasher()


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise InvalidInput(f"'{email.strip()[:80]}' is not an e-mail address")
    return cleaned


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"the password may have at most {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def create_editor(email: str, display_name: str, role: Role, password: str) -> Editor:
    address = normalise_email(email)
    name = display_name.strip()
    if not name or len(name) > 128:
        raise InvalidInput("the display name must have 1 to 128 characters")
    password_hash = hash_password(password)
    if await Editor.exists(email=address):
        raise Conflict(f"an editor with e-mail {address} already exists")
    try:
        return await Editor.create(
            email=address, display_name=name, role=role, password_hash=password_hash
        )
    except IntegrityError:  # created at the same moment by another process
        raise Conflict(f"an editor with e-mail {address} already exists") from None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_token(email: str, label: str) -> str:
    """A new bearer token for the editor; only its digest is stored, so this is its one showing."""
    editor = await Editor.get_or_none(email=normalise_email(email), active=True)
    if editor is None:
        raise NotFound(f"no active editor with e-mail {email.strip()[:80]}")
    token, _ = await create_token_for(editor, label)
    return token


async def create_token_for(editor: Editor, label: str) -> tuple[str, ApiToken]:
    """The token itself (to show once) and its stored row."""
    if len(label) > 128:
        raise InvalidInput("the token label may have at most 128 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = await ApiToken.create(
        editor=editor, label=label.strip(), token_hash=token_digest(token), prefix=token[:8]
    )
    return token, row


def generated_password() -> str:
    """A password for a new editor to change: 20 URL-safe random characters."""
    return secrets.token_urlsafe(15)

"""Editors and their API tokens made through the same functions the CLI uses."""

from __future__ import annotations

from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role

PASSWORD = "long enough password"


async def bearer(email: str, name: str, role: Role = Role.EDITOR) -> dict[str, str]:
    """A new editor's Authorization header."""
    await create_editor(email, name, role, PASSWORD)
    return {"authorization": f"Bearer {await create_token(email, 'tests')}"}

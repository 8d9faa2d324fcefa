"""Editors who work the desk, and the API tokens their scripts use."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    EDITOR = "editor"
    CHIEF = "chief"
    ADMIN = "admin"


class Editor(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=128)
    role = fields.CharEnumField(Role, max_length=16, default=Role.EDITOR)
    password_hash = fields.CharField(max_length=255)
    active = fields.BooleanField(default=True)
    # Raised to end every session of this editor at once (access.end_sessions).
    session_version = fields.IntField(default=0)
    # A password someone else chose (the first-start console): changed at the next login.
    must_change_password = fields.BooleanField(default=False)
    last_login_at = fields.DatetimeField(null=True)
    # The language of the board's pages for this editor: "nl" (the desk's) or "en".
    language = fields.CharField(max_length=8, default="nl")
    created_at = fields.DatetimeField(auto_now_add=True)

    tokens: fields.ReverseRelation[ApiToken]
    saved_views: fields.ReverseRelation[SavedView]

    class Meta:
        table = "editors"


# An editor's own board view: a name and a search query (the board's one language), so a view
# is also a link anyone can share. The built-in views live in code (editors/saved_views.py).
class SavedView(Model):
    id = fields.IntField(primary_key=True)
    editor: fields.ForeignKeyRelation[Editor] = fields.ForeignKeyField(
        "tipdesk.Editor", related_name="saved_views", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=64)
    query = fields.CharField(max_length=500)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "saved_views"


# Only the token's SHA-256 is kept: tokens are long random strings, so a slow hash buys
# nothing, and a fast one keeps bearer-token requests cheap.
class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    editor: fields.ForeignKeyRelation[Editor] = fields.ForeignKeyField(
        "tipdesk.Editor", related_name="tokens", on_delete=fields.CASCADE
    )
    label = fields.CharField(max_length=128, default="")
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    # None: the token works until revoked (`tipdesk create-token --expires 90d` sets one).
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_tokens"


# Login attempts per key ("ip:<address>", "account:<e-mail digest>", "device:<cookie nonce>"),
# counted in one statement so parallel attempts cannot slip past the count
# (tipdesk.editors.login_throttle). retry_at is epoch seconds: plain arithmetic on both databases.
class LoginThrottle(Model):
    key = fields.CharField(max_length=160, primary_key=True)
    failures = fields.IntField(default=0)
    last_failure = fields.DatetimeField()
    retry_at = fields.FloatField(default=0)

    class Meta:
        table = "login_throttle"

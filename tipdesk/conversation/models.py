"""Consent records: the evidence that a reader allowed (or refused) the use of their media."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from tipdesk.editors.models import Editor
    from tipdesk.tips.models import MediaAsset, Sender, Tip


class ConsentState(StrEnum):
    NOT_ASKED = "not_asked"
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"
    REVOKED = "revoked"


class ConsentScope(StrEnum):
    NAMED = "named"
    ANONYMOUS = "anonymous"


class ConsentRecord(Model):
    id = fields.IntField(primary_key=True)
    tip: fields.ForeignKeyRelation[Tip] = fields.ForeignKeyField(
        "tipdesk.Tip", related_name="consents", on_delete=fields.CASCADE
    )
    sender: fields.ForeignKeyRelation[Sender] = fields.ForeignKeyField(
        "tipdesk.Sender", related_name="consents", on_delete=fields.CASCADE
    )
    media: fields.ManyToManyRelation[MediaAsset] = fields.ManyToManyField(
        "tipdesk.MediaAsset", related_name="consents", through="consent_media"
    )
    state = fields.CharEnumField(ConsentState, max_length=16, default=ConsentState.REQUESTED)
    scope = fields.CharEnumField(ConsentScope, max_length=16, null=True)
    credit_name = fields.CharField(max_length=256, null=True)
    question_text = fields.TextField()
    request_external_id = fields.CharField(max_length=255, null=True)
    answer_text = fields.TextField(null=True)
    answer_external_id = fields.CharField(max_length=255, null=True)
    requested_by: fields.ForeignKeyNullableRelation[Editor] = fields.ForeignKeyField(
        "tipdesk.Editor", related_name="consent_requests", null=True, on_delete=fields.SET_NULL
    )
    requested_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    tip_id: int
    sender_id: int

    class Meta:
        table = "consent_records"


# A starting point for a reply, kept by chiefs and admins: the tip page fills its variables
# ({voornaam}, {tipnummer}, {redacteur}) into the reply box for the editor to edit; nothing
# sends it as it stands (conversation/canned_replies.py).
class CannedReply(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=80)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "canned_replies"


class SatisfactionScore(StrEnum):
    GOOD = "good"
    BAD = "bad"


class SatisfactionAnswer(Model):
    """One satisfaction question to a reader after their tip closed, and what they said. The
    desk is kept here because the tip may be purged long before the week's figures are read."""

    id = fields.IntField(primary_key=True)
    sender: fields.ForeignKeyRelation[Sender] = fields.ForeignKeyField(
        "tipdesk.Sender", related_name="satisfaction", on_delete=fields.CASCADE
    )
    tip: fields.ForeignKeyNullableRelation[Tip] = fields.ForeignKeyField(
        "tipdesk.Tip", related_name="satisfaction", null=True, on_delete=fields.SET_NULL
    )
    desk = fields.CharField(max_length=64, null=True)
    asked_at = fields.DatetimeField(db_index=True)
    score = fields.CharEnumField(SatisfactionScore, max_length=8, null=True)
    answered_at = fields.DatetimeField(null=True)
    # The reader's own words after answering; erased with the reader.
    comment = fields.TextField(null=True)
    commented_at = fields.DatetimeField(null=True)

    sender_id: int
    tip_id: int | None

    class Meta:
        table = "satisfaction_answers"

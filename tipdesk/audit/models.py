"""The audit trail: who did what to which tip or sender, and when. Append-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from tipdesk.editors.models import Editor
    from tipdesk.tips.models import Sender, Tip


class AuditEvent(Model):
    id = fields.IntField(primary_key=True)
    action = fields.CharField(max_length=64, db_index=True)
    tip: fields.ForeignKeyNullableRelation[Tip] = fields.ForeignKeyField(
        "tipdesk.Tip", related_name="audit_events", null=True, on_delete=fields.CASCADE
    )
    sender: fields.ForeignKeyNullableRelation[Sender] = fields.ForeignKeyField(
        "tipdesk.Sender", related_name="audit_events", null=True, on_delete=fields.CASCADE
    )
    editor: fields.ForeignKeyNullableRelation[Editor] = fields.ForeignKeyField(
        "tipdesk.Editor", related_name="audit_events", null=True, on_delete=fields.SET_NULL
    )
    detail = fields.JSONField[dict[str, object]](default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    tip_id: int | None
    sender_id: int | None

    class Meta:
        table = "audit_events"

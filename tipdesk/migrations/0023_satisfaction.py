"""Satisfaction after a tip closes: each question asked, its answer and the reader's comment."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops



class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0022_tip_presence")]

    initial = False

    operations = [
        ops.CreateModel(
            name="SatisfactionAnswer",
            fields=[
                ("id", fields.IntField(primary_key=True)),
                (
                    "sender",
                    fields.ForeignKeyField(
                        "tipdesk.Sender", source_field="sender_id", db_constraint=True,
                        to_field="id", related_name="satisfaction", on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "tip",
                    fields.ForeignKeyField(
                        "tipdesk.Tip", source_field="tip_id", db_constraint=True, null=True,
                        to_field="id", related_name="satisfaction", on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("desk", fields.CharField(null=True, max_length=64)),
                ("asked_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("score", fields.CharField(null=True, max_length=8)),
                ("answered_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("comment", fields.TextField(null=True)),
                ("commented_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "satisfaction_answers", "app": "tipdesk", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]

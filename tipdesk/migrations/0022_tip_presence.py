"""Who has a tip page open, shared by every web process (it lived in one process's memory)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0021_views_and_canned_replies")]

    initial = False

    operations = [
        ops.CreateModel(
            name="TipPresence",
            fields=[
                ("id", fields.IntField(primary_key=True)),
                ("screen", fields.CharField(max_length=32, unique=True)),
                (
                    "tip",
                    fields.ForeignKeyField(
                        "tipdesk.Tip", source_field="tip_id", db_constraint=True,
                        to_field="id", related_name="presence", on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "editor",
                    fields.ForeignKeyField(
                        "tipdesk.Editor", source_field="editor_id", db_constraint=True,
                        to_field="id", related_name="presence", on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("seen_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("typing_until", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "tip_presence", "app": "tipdesk", "pk_attr": "id",
                "indexes": [Index(fields=["tip_id", "seen_at"])],
            },
            bases=["Model"],
        ),
    ]

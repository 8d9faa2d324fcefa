"""When each editor last had a tip on screen, for the board's unread markers."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0019_editor_language")]

    initial = False

    operations = [
        ops.CreateModel(
            name="TipView",
            fields=[
                ("id", fields.IntField(primary_key=True)),
                ("tip", fields.ForeignKeyField("tipdesk.Tip", source_field="tip_id", db_constraint=True, to_field="id", related_name="views", on_delete=OnDelete.CASCADE)),  # noqa: E501
                ("editor", fields.ForeignKeyField("tipdesk.Editor", source_field="editor_id", db_constraint=True, to_field="id", related_name="tip_views", on_delete=OnDelete.CASCADE)),  # noqa: E501
                ("seen_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "tip_views", "app": "tipdesk", "unique_together": (("tip", "editor"),), "pk_attr": "id"},  # noqa: E501
            bases=["Model"],
        ),
    ]

"""Editors' own board views (a name and a search query) and the canned replies chiefs keep."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    # At merge: depend on the latest migration on main (another branch may add 0020).
    dependencies = [("tipdesk", "0020_tip_views")]

    initial = False

    operations = [
        ops.CreateModel(
            name="SavedView",
            fields=[
                ("id", fields.IntField(primary_key=True)),
                (
                    "editor",
                    fields.ForeignKeyField(
                        "tipdesk.Editor", source_field="editor_id", db_constraint=True,
                        to_field="id", related_name="saved_views", on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=64)),
                ("query", fields.CharField(max_length=500)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "saved_views", "app": "tipdesk", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CannedReply",
            fields=[
                ("id", fields.IntField(primary_key=True)),
                ("title", fields.CharField(max_length=80)),
                ("body", fields.TextField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "canned_replies", "app": "tipdesk", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]

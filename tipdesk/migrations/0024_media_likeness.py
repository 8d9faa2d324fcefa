"""Perceptual hashes per medium (a photo, or each keyframe of a video), cut into indexed
16-bit bands so that "lijkt op" asks the index for a few hundred values, not every hash."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0023_satisfaction")]

    initial = False

    operations = [
        ops.CreateModel(
            name="MediaLikeness",
            fields=[
                ("id", fields.IntField(primary_key=True)),
                ("asset", fields.ForeignKeyField("tipdesk.MediaAsset", source_field="asset_id", db_constraint=True, to_field="id", related_name="likeness", on_delete=OnDelete.CASCADE)),  # noqa: E501
                ("frame", fields.CharField(max_length=32)),
                ("phash", fields.CharField(max_length=16)),
                ("dhash", fields.CharField(max_length=16)),
                *[(f"{kind}_{band}", fields.IntField(db_index=True)) for kind in ("phash", "dhash") for band in range(4)],  # noqa: E501
            ],
            options={"table": "media_likeness", "app": "tipdesk", "unique_together": (("asset", "frame"),), "pk_attr": "id"},  # noqa: E501
            bases=["Model"],
        ),
    ]

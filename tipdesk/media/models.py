"""What makes a medium recognisable after it has been recompressed, resized or captioned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from tipdesk.tips.models import MediaAsset


# One picture's perceptual hashes: a photo's own, or each keyframe of a video (`frame`). The
# hashes are also kept cut into 16-bit bands, each indexed, so that finding look-alikes asks
# the index for a few hundred band values instead of reading every hash (media/likeness.py).
class MediaLikeness(Model):
    id = fields.IntField(primary_key=True)
    asset: fields.ForeignKeyRelation[MediaAsset] = fields.ForeignKeyField(
        "tipdesk.MediaAsset", related_name="likeness", on_delete=fields.CASCADE
    )
    frame = fields.CharField(max_length=32)
    phash = fields.CharField(max_length=16)
    dhash = fields.CharField(max_length=16)
    phash_0 = fields.IntField(db_index=True)
    phash_1 = fields.IntField(db_index=True)
    phash_2 = fields.IntField(db_index=True)
    phash_3 = fields.IntField(db_index=True)
    dhash_0 = fields.IntField(db_index=True)
    dhash_1 = fields.IntField(db_index=True)
    dhash_2 = fields.IntField(db_index=True)
    dhash_3 = fields.IntField(db_index=True)

    asset_id: int

    class Meta:
        table = "media_likeness"
        unique_together = (("asset", "frame"),)

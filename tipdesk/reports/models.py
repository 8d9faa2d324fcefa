"""Daily roll-ups: what each closed local day adds to a report, stored once (see rollups.py)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


# One local day's figures under one basis (time zone rules, opening hours, bucket size). The
# triggers of migration 0006 delete a row as soon as a change touches its day, so a row that
# exists is current.
class ReportDay(Model):
    id = fields.IntField(primary_key=True)
    # A digest of what the figures depend on besides the rows: the format, the time zone and
    # its rules, the opening hours (business time).
    basis = fields.CharField(max_length=64)
    # Seconds per UTC bucket the day's local hours were read from (3600, or 900).
    bucket = fields.IntField()
    day = fields.DateField()
    # The day's first instant and the first instant after it, in seconds since the epoch: what
    # the triggers look a changed row's moment up by.
    start_at = fields.BigIntField()
    end_at = fields.BigIntField()
    # The day's figures depend on the period it is read in (a status change older than the tip
    # it belongs to), so reports measure it live; kept so the check is not repeated.
    live = fields.BooleanField()
    counts = fields.TextField()
    replies_overall = fields.BinaryField()
    replies_business = fields.BinaryField()
    claims_overall = fields.BinaryField()
    claims_business = fields.BinaryField()
    writers = fields.BinaryField()
    writers_first_contact = fields.BinaryField()
    computed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "report_days"
        unique_together = (("basis", "bucket", "day"),)
        indexes = (("start_at",),)

"""When a tip was first marked `used` (`tips.used_at`), kept when its status moves on, and
when its reader refused or withdrew consent after that use (`tips.consent_alert_at`), and when
the reader's answer to the consent question was unclear (`tips.consent_unclear_at`).

Retention and erasure kept only tips whose status was `used` at that moment: a used tip that was
archived later was purged with its consent record, the evidence a newsroom needs most. Existing
tips that are `used`, or carry a published URL, are taken as used when they last changed.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0010_sessions_and_logins")]

    initial = False

    operations = [
        ops.AddField(model_name="Tip", name="used_at", field=fields.DatetimeField(null=True)),
        ops.AddField(
            model_name="Tip", name="consent_alert_at", field=fields.DatetimeField(null=True)
        ),
        ops.AddField(
            model_name="Tip", name="consent_unclear_at", field=fields.DatetimeField(null=True)
        ),
        ops.RunSQL(
            'UPDATE "tips" SET "used_at"="updated_at" '
            "WHERE \"status\"='used' OR \"published_url\" IS NOT NULL",
            reverse_sql="SELECT 1",
        ),
    ]

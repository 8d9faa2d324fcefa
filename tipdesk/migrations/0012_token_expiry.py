"""API tokens may expire: `tipdesk create-token --expires 90d` sets `expires_at`, and a token
past it is refused like a revoked one. Existing tokens keep working (NULL: no expiry)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0011_tip_evidence")]

    initial = False

    operations = [
        ops.AddField(
            model_name="ApiToken",
            name="expires_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]

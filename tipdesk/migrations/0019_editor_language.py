"""Each editor reads the board in Dutch (the default, so existing editors need no change) or
English."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    # At merge: depend on the latest migration on main (another branch adds 0018).
    dependencies = [("tipdesk", "0018_channel_identities")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Editor",
            name="language",
            field=fields.CharField(max_length=8, default="nl"),
        ),
    ]

"""Several WhatsApp numbers on one desk: which number a reader wrote to, a tip came in on and a
message went out from. NULL is the desk's main number, so existing rows need no change."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0016_webform")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Sender", name="line", field=fields.CharField(max_length=32, null=True)
        ),
        ops.AddField(
            model_name="Tip",
            name="line",
            field=fields.CharField(max_length=32, null=True, db_index=True),
        ),
        ops.AddField(
            model_name="Message", name="line", field=fields.CharField(max_length=32, null=True)
        ),
    ]

"""The web tip form: its readers' contact details and its limits per address and per link."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0015_outbound_messages")]

    initial = False

    operations = [
        ops.CreateModel(
            name="WebformContact",
            fields=[
                ("id", fields.IntField(primary_key=True)),
                ("address", fields.CharField(max_length=64, unique=True)),
                ("email", fields.CharField(max_length=254, null=True)),
                ("phone", fields.CharField(max_length=32, null=True)),
                ("language", fields.CharField(max_length=8)),
                ("created_at", fields.DatetimeField(auto_now_add=True)),
                ("seen_at", fields.DatetimeField(null=True)),
                ("notified_at", fields.DatetimeField(null=True)),
            ],
            options={"table": "webform_contacts", "app": "tipdesk", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="WebformThrottle",
            fields=[
                ("key", fields.CharField(primary_key=True, max_length=80)),
                ("window_start", fields.FloatField()),
                ("count", fields.IntField()),
            ],
            options={"table": "webform_throttle", "app": "tipdesk", "pk_attr": "key"},
            bases=["Model"],
        ),
    ]

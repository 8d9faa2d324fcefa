"""A session version per editor: the cookie carries the version it was issued under, and every
request compares it with the row, so logout, switching an editor off and a role change end all
of that editor's sessions at once (a replayed cookie used to work for 12 h after logout).

login_throttle counts login attempts per address, account and device in one atomic upsert
(30 parallel wrong passwords used to all be checked)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0009_job_crashes")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Editor",
            name="session_version",
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name="Editor",
            name="must_change_password",
            field=fields.BooleanField(default=False),
        ),
        ops.CreateModel(
            name="LoginThrottle",
            fields=[
                ("key", fields.CharField(primary_key=True, max_length=160)),
                ("failures", fields.IntField(default=0)),
                ("last_failure", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("retry_at", fields.FloatField(default=0)),
            ],
            options={"table": "login_throttle", "app": "tipdesk", "pk_attr": "key"},
            bases=["Model"],
        ),
    ]

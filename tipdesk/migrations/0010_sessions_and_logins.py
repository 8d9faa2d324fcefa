"""A session version per editor: the cookie carries the version it was issued under, and every
request compares it with the row, so logout, switching an editor off and a role change end all
of that editor's sessions at once (a replayed cookie used to work for 12 h after logout)."""

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
    ]

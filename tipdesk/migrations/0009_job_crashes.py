"""How many attempts of a job died with their worker (`jobs.crashes`): the lease counts one
each time it takes over an expired lease, and the worker gives a job up after two instead of
letting it kill worker after worker (the poison-pill guard of issue #17).

Written by hand, like 0004: the column needs a database default (0), since jobs are written in
plain SQL that names only the columns it sets (`queue.JOB_COLUMNS`, the inbox's rows), and
tortoise's AddField declares none; the field is recorded in the migration state only.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class AddFieldStateOnly(ops.AddField):
    async def database_forward(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        return None

    async def database_backward(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        return None


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0008_job_lease_index")]

    initial = False

    operations = [
        ops.RunSQL(
            'ALTER TABLE "jobs" ADD COLUMN "crashes" SMALLINT NOT NULL DEFAULT 0',
            reverse_sql='ALTER TABLE "jobs" DROP COLUMN "crashes"',
        ),
        AddFieldStateOnly(model_name="Job", name="crashes", field=fields.SmallIntField(default=0)),
    ]

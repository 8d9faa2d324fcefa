from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('tipdesk', '0002_conversation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TipNote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('tipdesk.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('editor', fields.ForeignKeyField('tipdesk.Editor', source_field='editor_id', null=True, db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.SET_NULL)),
                ('text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_notes', 'app': 'tipdesk', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Tip',
            name='merged_into',
            field=fields.ForeignKeyField('tipdesk.Tip', source_field='merged_into_id', null=True, db_constraint=True, to_field='id', related_name='merged_from', on_delete=OnDelete.SET_NULL),
        ),
    ]

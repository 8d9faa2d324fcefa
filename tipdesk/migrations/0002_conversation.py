from tortoise import migrations
from tortoise.migrations import operations as ops
from tipdesk.tips.models import DeliveryState
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('tipdesk', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Message',
            name='delivery',
            field=fields.CharEnumField(default=DeliveryState.RECEIVED, description='RECEIVED: received\nQUEUED: queued\nSENT: sent\nDELIVERED: delivered\nREAD: read\nPLAYED: played\nFAILED: failed\nHELD: held\nCANCELLED: cancelled', enum_type=DeliveryState, max_length=16),
        ),
        ops.AddField(
            model_name='Message',
            name='automatic',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Message',
            name='outbound_key',
            field=fields.CharField(null=True, unique=True, max_length=128),
        ),
        ops.AddField(
            model_name='Message',
            name='purpose',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Sender',
            name='language',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Sender',
            name='pending_question',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Sender',
            name='pending_question_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Sender',
            name='privacy_notice_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Sender',
            name='unreachable_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]

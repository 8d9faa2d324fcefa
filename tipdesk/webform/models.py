"""What the web form keeps of a reader beyond the desk's reader record: how to reach them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


# A web form reader's contact details (all optional) and the state of their mail notices.
class WebformContact(Model):
    id = fields.IntField(primary_key=True)
    # The reader's address in the web form channel (`wf.` and 32 hex digits).
    address = fields.CharField(max_length=64, unique=True)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=32, null=True)
    language = fields.CharField(max_length=8)
    created_at = fields.DatetimeField(auto_now_add=True)
    # When the reader last opened their conversation, and when they were last told by mail:
    # one mail per stretch of answers they have not seen yet.
    seen_at = fields.DatetimeField(null=True)
    notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webform_contacts"


# How many tips or messages came from one key (a keyed hash of an IP address, or a reader's
# link) in its current window: the form's limits hold across web processes.
class WebformThrottle(Model):
    key = fields.CharField(max_length=80, primary_key=True)
    window_start = fields.FloatField()
    count = fields.IntField()

    class Meta:
        table = "webform_throttle"

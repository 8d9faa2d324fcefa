"""Senders, tips, their messages and media: what a reader sent, as the desk keeps it."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from tipdesk.channels.events import MediaKind as MediaKind

if TYPE_CHECKING:
    from tipdesk.editors.models import Editor


class TipStatus(StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    VERIFIED = "verified"
    USED = "used"
    REJECTED = "rejected"
    ARCHIVED = "archived"

    @property
    def is_closed(self) -> bool:
        """A closed tip never takes new messages; the reader starts a new one."""
        return self in (TipStatus.USED, TipStatus.REJECTED, TipStatus.ARCHIVED)


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class DeliveryState(StrEnum):
    """Where an outbound message is; inbound messages stay `received`."""

    RECEIVED = "received"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"
    # Outbound only: waiting for the reader to reopen the 24-hour window, or not sent at all
    # (the reader stopped, was blocked or erased before it went out).
    HELD = "held"
    CANCELLED = "cancelled"


class MediaState(StrEnum):
    PENDING = "pending"
    FETCHED = "fetched"
    READY = "ready"
    FAILED = "failed"


# A reader who wrote to the desk. Personal data: masked on the board, erasable.
# Known by the channel they wrote through and where it reaches them (`address`: for WhatsApp the
# phone number, Meta's wa_id) or the channel's own id for them (`user_id`), unique per channel.
class Sender(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    address = fields.CharField(max_length=128, null=True)
    user_id = fields.CharField(max_length=128, null=True)
    phone = fields.CharField(max_length=32, null=True)
    display_name = fields.CharField(max_length=256, default="")
    first_contact_at = fields.DatetimeField()
    last_inbound_at = fields.DatetimeField(null=True)
    opted_out_at = fields.DatetimeField(null=True)
    blocked_at = fields.DatetimeField(null=True)
    erased_at = fields.DatetimeField(null=True)
    # An editor's choice of language for this reader; otherwise the country code decides.
    language = fields.CharField(max_length=16, null=True)
    # WhatsApp said the number cannot be reached (131026) or refuses our messages (131050).
    unreachable_at = fields.DatetimeField(null=True)
    # The earliest moment the next message may go to this reader: claimed by one conditional
    # UPDATE per send, so two workers can never take the same slot (Meta's pair rate limit).
    next_send_at = fields.DatetimeField(null=True)
    privacy_notice_at = fields.DatetimeField(null=True)
    # The question the desk last asked and waits for (`erase`, `consent:<record id>`), so a text
    # answer like "ja" is read against it.
    pending_question = fields.CharField(max_length=64, null=True)
    pending_question_at = fields.DatetimeField(null=True)
    # The desk's number the reader last wrote to (a WhatsApp phone_number_id), None for the
    # main number and for channels with one address.
    line = fields.CharField(max_length=32, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    tips: fields.ReverseRelation[Tip]

    class Meta:
        table = "senders"
        unique_together = (("channel", "address"), ("channel", "user_id"))


# One story lead: the messages a reader sent about one thing, and what the desk did with it.
class Tip(Model):
    id = fields.IntField(primary_key=True)
    sender: fields.ForeignKeyRelation[Sender] = fields.ForeignKeyField(
        "tipdesk.Sender", related_name="tips", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(TipStatus, max_length=16, default=TipStatus.NEW, db_index=True)
    desk = fields.CharField(max_length=64, null=True, db_index=True)
    tags = fields.JSONField[list[str]](default=list)
    claimed_by: fields.ForeignKeyNullableRelation[Editor] = fields.ForeignKeyField(
        "tipdesk.Editor", related_name="claims", null=True, on_delete=fields.SET_NULL
    )
    claimed_at = fields.DatetimeField(null=True)
    published_url = fields.CharField(max_length=2048, null=True)
    # When it was first marked `used`, never cleared: a used tip and its consent records are
    # evidence, kept by retention (`TIPDESK_EVIDENCE_RETENTION`) whatever its status is now.
    used_at = fields.DatetimeField(null=True)
    # The reader refused or withdrew consent after the tip was used: the most urgent thing a desk
    # can learn. Shown on the board, the tip and /admin until an editor has handled it.
    consent_alert_at = fields.DatetimeField(null=True)
    # The reader's answer to the consent question was unclear: an editor should read it.
    consent_unclear_at = fields.DatetimeField(null=True)
    # Set when an editor merged this tip into another: it is archived and points there.
    merged_into: fields.ForeignKeyNullableRelation[Tip] = fields.ForeignKeyField(
        "tipdesk.Tip", related_name="merged_from", null=True, on_delete=fields.SET_NULL
    )
    first_message_at = fields.DatetimeField()
    last_message_at = fields.DatetimeField(db_index=True)
    # The desk's number the tip came in on (None: the main number); the desk answers from it.
    line = fields.CharField(max_length=32, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    messages: fields.ReverseRelation[Message]
    media: fields.ReverseRelation[MediaAsset]
    notes: fields.ReverseRelation[TipNote]
    # The foreign keys' columns, which tortoise adds as attributes.
    sender_id: int
    claimed_by_id: int | None
    merged_into_id: int | None

    class Meta:
        table = "tips"


# One message, from the reader or from the desk. The channel's id for it (`external_id`, for
# WhatsApp the wamid) is unique per channel, which makes intake idempotent.
class Message(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    external_id = fields.CharField(max_length=255)
    tip: fields.ForeignKeyNullableRelation[Tip] = fields.ForeignKeyField(
        "tipdesk.Tip", related_name="messages", null=True, on_delete=fields.CASCADE
    )
    sender: fields.ForeignKeyRelation[Sender] = fields.ForeignKeyField(
        "tipdesk.Sender", related_name="messages", on_delete=fields.CASCADE
    )
    tip_id: int | None
    sender_id: int
    editor_id: int | None
    direction = fields.CharEnumField(Direction, max_length=4)
    type = fields.CharField(max_length=32)
    text = fields.TextField(default="")
    content = fields.JSONField[dict[str, object]](default=dict)
    # The channel's id of the message this one quotes or answers.
    quoted_id = fields.CharField(max_length=255, null=True, db_index=True)
    forwarded = fields.BooleanField(default=False)
    editor: fields.ForeignKeyNullableRelation[Editor] = fields.ForeignKeyField(
        "tipdesk.Editor", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    delivery = fields.CharEnumField(DeliveryState, max_length=16, default=DeliveryState.RECEIVED)
    delivery_at = fields.DatetimeField(null=True)
    delivery_error = fields.JSONField[dict[str, object]](null=True)
    # Outbound: why the desk sent it, whether a person wrote it, and a natural key that makes
    # queueing it idempotent (`confirmation:<tip id>`: one confirmation per tip, however often
    # the job that queues it runs).
    purpose = fields.CharField(max_length=32, null=True)
    automatic = fields.BooleanField(default=False)
    outbound_key = fields.CharField(max_length=128, null=True, unique=True)
    # The desk's number it came in on or went out from (None: the main number).
    line = fields.CharField(max_length=32, null=True)
    sent_at = fields.DatetimeField(db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "messages"
        unique_together = (("channel", "external_id"),)


# A photo, video, voice note or document a reader sent; its token makes its URL unguessable.
class MediaAsset(Model):
    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=64, unique=True)
    tip: fields.ForeignKeyRelation[Tip] = fields.ForeignKeyField(
        "tipdesk.Tip", related_name="media", on_delete=fields.CASCADE
    )
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "tipdesk.Message", related_name="media", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(MediaKind, max_length=16)
    state = fields.CharEnumField(MediaState, max_length=16, default=MediaState.PENDING)
    error = fields.TextField(null=True)
    # The channel's id of the file, to download it by.
    external_media_id = fields.CharField(max_length=255, null=True)
    declared_mime = fields.CharField(max_length=128, null=True)
    detected_mime = fields.CharField(max_length=128, null=True)
    declared_sha256 = fields.CharField(max_length=128, null=True)
    sha256 = fields.CharField(max_length=64, null=True, db_index=True)
    size = fields.BigIntField(null=True)
    filename = fields.CharField(max_length=512, null=True)
    details = fields.JSONField[dict[str, object]](default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    variants: fields.ReverseRelation[MediaVariant]
    tip_id: int
    message_id: int

    class Meta:
        table = "media_assets"


# A browser-ready rendition of an asset (web video, poster, thumbnail, audio), beside it.
class MediaVariant(Model):
    id = fields.IntField(primary_key=True)
    asset: fields.ForeignKeyRelation[MediaAsset] = fields.ForeignKeyField(
        "tipdesk.MediaAsset", related_name="variants", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=32)
    path = fields.CharField(max_length=512)
    mime = fields.CharField(max_length=128)
    size = fields.BigIntField()
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    duration = fields.FloatField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "media_variants"
        unique_together = (("asset", "name"),)


# An editor's internal note on a tip: never shown to the reader.
class TipNote(Model):
    id = fields.IntField(primary_key=True)
    tip: fields.ForeignKeyRelation[Tip] = fields.ForeignKeyField(
        "tipdesk.Tip", related_name="notes", on_delete=fields.CASCADE
    )
    editor: fields.ForeignKeyNullableRelation[Editor] = fields.ForeignKeyField(
        "tipdesk.Editor", related_name="notes", null=True, on_delete=fields.SET_NULL
    )
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    tip_id: int
    editor_id: int | None

    class Meta:
        table = "tip_notes"


# When an editor last had a tip on screen: the board marks a tip unread for them when the
# reader wrote after that (or they never opened it). One row per editor and tip.
class TipView(Model):
    id = fields.IntField(primary_key=True)
    tip: fields.ForeignKeyRelation[Tip] = fields.ForeignKeyField(
        "tipdesk.Tip", related_name="views", on_delete=fields.CASCADE
    )
    editor: fields.ForeignKeyRelation[Editor] = fields.ForeignKeyField(
        "tipdesk.Editor", related_name="tip_views", on_delete=fields.CASCADE
    )
    seen_at = fields.DatetimeField()
    tip_id: int
    editor_id: int

    class Meta:
        table = "tip_views"
        unique_together = (("tip", "editor"),)


class TipPresence(Model):
    """One open tip page (a screen): who has it open and until when they are typing.

    Rows live while the page's event stream does; a stream that died with its process stops
    refreshing `seen_at` and counts as gone after a short while. Shared by every web process."""

    id = fields.IntField(primary_key=True)
    screen = fields.CharField(max_length=32, unique=True)
    tip: fields.ForeignKeyRelation[Tip] = fields.ForeignKeyField(
        "tipdesk.Tip", related_name="presence", on_delete=fields.CASCADE
    )
    editor: fields.ForeignKeyRelation[Editor] = fields.ForeignKeyField(
        "tipdesk.Editor", related_name="presence", on_delete=fields.CASCADE
    )
    seen_at = fields.DatetimeField()
    typing_until = fields.DatetimeField(null=True)
    tip_id: int
    editor_id: int

    class Meta:
        table = "tip_presence"
        indexes = (("tip_id", "seen_at"),)

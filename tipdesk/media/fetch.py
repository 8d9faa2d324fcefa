"""The fetch job: a reader's photo, video, voice note or document, from WhatsApp to the store.

The file streams to disk, is checked against its declared SHA-256 and sniffed from its bytes,
then moves into the content-addressed store; the asset goes `pending → fetched` and its
transcode job is enqueued in the same transaction. Every way a fetch can fail ends in either a
retry (with backoff, re-resolving the short-lived URL) or `failed` with a reason an editor can
read; a failed fetch never touches the rest of the tip.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import timedelta

from tortoise.transactions import in_transaction

from media_store.paths import MediaStore
from media_store.sniff import sniff
from tipdesk.channels.base import (
    ChannelAuthError,
    ChannelError,
    MediaFile,
    MediaGone,
    MediaNotAllowed,
    MediaTooLarge,
)
from tipdesk.clock import utcnow
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.media.discard import schedule_discard
from tipdesk.media.states import AssetJob, fail_asset, give_up_asset, media_store, revive_asset
from tipdesk.media.transcode import TRANSCODE_JOB
from tipdesk.tips.models import MediaAsset, MediaState, Message

log = logging.getLogger("tipdesk.media")
MEDIA_FETCH = "media.fetch"
MEDIA_TRANSCODE = TRANSCODE_JOB.name
MEDIA_ID_LIFETIME = timedelta(days=7)
CHECKSUM_ATTEMPTS = 3


class ChecksumMismatch(ChannelError):
    """The bytes differ from the declared SHA-256: a broken transfer, or a different file."""


async def fetch_media(context: JobContext, payload: AssetJob) -> None:
    asset = await MediaAsset.get_or_none(id=payload.asset_id)
    if asset is None or asset.state is not MediaState.PENDING:
        return
    if not asset.external_media_id:
        await fail_asset(asset, "the message carried no media id")
        return
    store = media_store(context.settings)
    try:
        await _fetch(asset, context, store)
    except MediaNotAllowed as exc:
        # Retrying would ask the same forbidden place again: fail now, once.
        await fail_asset(asset, refused_reason(exc))
    except MediaTooLarge as exc:
        await fail_asset(asset, f"The file is too large to fetch ({exc}).")
    except MediaGone as exc:
        if await _media_id_expired(asset):
            await fail_asset(asset, "WhatsApp no longer keeps this file (media ids last 7 days).")
            return
        await _retry_or_fail(asset, context, exc, "WhatsApp could not find the file")
    except ChannelAuthError as exc:
        await _retry_or_fail(
            asset, context, exc,
            "The Graph API refused our access token (401): an admin must check "
            "TIPDESK_WHATSAPP_ACCESS_TOKEN",
        )  # fmt: skip
    except ChecksumMismatch as exc:
        if context.attempt >= CHECKSUM_ATTEMPTS:
            await fail_asset(asset, "The file did not match its checksum, several times over.")
            return
        raise exc
    except ChannelError as exc:
        await _retry_or_fail(asset, context, exc, "The file could not be downloaded")


async def _fetch(asset: MediaAsset, context: JobContext, store: MediaStore) -> None:
    client = context.channel
    location = await client.locate_media(str(asset.external_media_id))
    temporary = store.temporary()
    try:
        download = await client.download(location, temporary, context.settings.media_max_bytes)
        declared = asset.declared_sha256 or location.sha256
        if declared and not checksum_matches(download.sha256, declared):
            raise ChecksumMismatch("the downloaded bytes do not match the declared SHA-256")
        detected = sniff(download.head)
        if detected is None:
            await fail_asset(asset, "This is not a photo, video, audio file or document we accept.")
            return
        store.place(temporary, store.original(download.sha256))
    finally:
        temporary.unlink(missing_ok=True)
    await _fetched(asset, context, download.sha256, download.size, detected.mime, location)


async def _fetched(
    asset: MediaAsset,
    context: JobContext,
    sha256: str,
    size: int,
    mime: str,
    location: MediaFile,
) -> None:
    async with in_transaction() as connection:
        updated = await (
            MediaAsset.filter(id=asset.id, state=MediaState.PENDING)
            .using_db(connection)
            .update(
                state=MediaState.FETCHED, sha256=sha256, size=size, detected_mime=mime,
                declared_mime=asset.declared_mime or location.mime_type, error=None,
            )
        )  # fmt: skip
        if updated:
            await TRANSCODE_JOB.enqueue(
                AssetJob(asset.id), context.settings, using_db=connection,
                dedupe_key=f"{MEDIA_TRANSCODE}:{asset.id}",
            )  # fmt: skip
        elif not await MediaAsset.filter(id=asset.id).using_db(connection).exists():
            # Erased or purged while it downloaded: the file goes too, unless shared.
            await schedule_discard([sha256], context.settings, connection)


def refused_reason(error: MediaNotAllowed) -> str:
    return (
        f"The file was not downloaded: its address is not an allowed media host ({error}). "
        f"/ Het bestand is niet gedownload: het adres is geen toegestane mediahost ({error})."
    )


def checksum_matches(hex_digest: str, declared: str) -> bool:
    """WhatsApp declares SHA-256 in base64 in webhooks and sometimes in hex elsewhere."""
    cleaned = declared.strip()
    if len(cleaned) == 64 and all(c in "0123456789abcdefABCDEF" for c in cleaned):
        return cleaned.lower() == hex_digest
    try:
        return base64.b64decode(cleaned, validate=True).hex() == hex_digest
    except (binascii.Error, ValueError):
        return False


async def _retry_or_fail(
    asset: MediaAsset, context: JobContext, error: ChannelError, reason: str
) -> None:
    """Show why the file is still missing; give up with that reason after the last attempt."""
    if context.last_attempt:
        await fail_asset(asset, f"{reason} ({error}); gave up after {context.attempt} attempts.")
        return
    await MediaAsset.filter(id=asset.id, state=MediaState.PENDING).update(
        error=f"{reason}; trying again ({error})."
    )
    raise error


async def _media_id_expired(asset: MediaAsset) -> bool:
    message = await Message.get_or_none(id=asset.message_id)
    if message is None:
        return True
    return utcnow() - message.sent_at > MEDIA_ID_LIFETIME


# A download of up to MAX_MEDIA_BYTES; four at once per process.
FETCH_JOB = JobKind(
    MEDIA_FETCH,
    AssetJob,
    fetch_media,
    priority=50,
    timeout=timedelta(minutes=15),
    concurrency=4,
    give_up=give_up_asset,
    revive=revive_asset(MediaState.PENDING),
)

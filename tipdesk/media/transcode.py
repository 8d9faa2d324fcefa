"""The transcode job: a fetched original becomes browser-ready variants, then `ready`.

Dispatch follows what the bytes are (sniffed at fetch), not what the message claimed: a photo
sent as a document gets photo variants, a JPEG declared as video is handled as the JPEG it is.
Nothing here decodes reader bytes: ffmpeg runs as a subprocess, Pillow and PDFium in the
darkroom's limited child process (media_store/darkroom.py).
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from media_store.darkroom import develop
from media_store.ffmpeg import Ffmpeg
from media_store.paths import MediaStore
from media_store.renditions import MediaRejected, Processed
from media_store.video import transcode_audio, transcode_video
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.media.discard import schedule_discard
from tipdesk.media.likeness import keep_likeness
from tipdesk.media.states import AssetJob, fail_asset, give_up_asset, media_store, revive_asset
from tipdesk.media.transcripts import schedule_transcript
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaAsset, MediaState, MediaVariant


async def transcode_media(context: JobContext, payload: AssetJob) -> None:
    asset = await MediaAsset.get_or_none(id=payload.asset_id)
    if asset is None or asset.state is not MediaState.FETCHED or asset.sha256 is None:
        return
    store = media_store(context.settings)
    time_limit = context.settings.transcode_time_limit.total_seconds()
    try:
        processed = await render(store, asset, time_limit)
    except MediaRejected as exc:
        await fail_asset(asset, exc.reason)
        return
    try:
        await keep_renditions(store, asset, processed, context.settings)
    finally:
        processed.discard()  # the workroom, and anything not moved into place


async def render(store: MediaStore, asset: MediaAsset, time_limit: float) -> Processed:
    original = store.original(str(asset.sha256))
    mime = asset.detected_mime or ""
    if mime.startswith("video/"):
        ffmpeg = Ffmpeg.locate().pinned(mime)
        return await transcode_video(ffmpeg, store, original, time_limit=time_limit)
    if mime.startswith("audio/"):
        ffmpeg = Ffmpeg.locate().pinned(mime)
        return await transcode_audio(ffmpeg, store, original, time_limit=time_limit)
    if mime.startswith("image/"):
        return await develop("image", store, original, deadline=time_limit)
    if mime == "application/pdf":
        return await develop("pdf", store, original, deadline=time_limit)
    return Processed()  # other documents: kept as sent, offered for download


async def keep_renditions(
    store: MediaStore, asset: MediaAsset, processed: Processed, settings: Settings
) -> None:
    """Move the renditions into place and record them; a second run replaces, never adds."""
    sha256 = str(asset.sha256)
    likeness = _list(processed.details.pop("likeness", None))
    variants = []
    for rendition in processed.renditions:
        target = store.variant(sha256, rendition.name, rendition.extension)
        store.place(rendition.path, target)
        variants.append(
            MediaVariant(
                asset_id=asset.id, name=rendition.name, path=store.relative(target),
                mime=rendition.mime, size=target.stat().st_size, width=rendition.width,
                height=rendition.height, duration=rendition.duration,
            )
        )  # fmt: skip
    async with in_transaction() as connection:
        if not await MediaAsset.filter(id=asset.id).using_db(connection).exists():
            # Erased or purged while it was transcoded: its renditions go too, unless shared.
            await schedule_discard([sha256], settings, connection)
            return
        await MediaVariant.filter(asset_id=asset.id).using_db(connection).delete()
        if variants:
            await MediaVariant.bulk_create(variants, using_db=connection)
        await keep_likeness(asset.id, likeness, connection)
        details = {**asset.details, **processed.details}
        await (
            MediaAsset.filter(id=asset.id)
            .using_db(connection)
            .update(state=MediaState.READY, error=None, details=details)
        )
        await schedule_transcript(asset.id, details, settings, connection)


def _list(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# No time limit of its own: each ffmpeg run stops at TIPDESK_TRANSCODE_TIME_LIMIT. At most
# TIPDESK_TRANSCODE_CONCURRENCY at once, so videos never starve the confirmations.
TRANSCODE_JOB = JobKind(
    "media.transcode",
    AssetJob,
    transcode_media,
    priority=60,
    timeout=None,
    concurrency=lambda settings: settings.transcode_concurrency,
    give_up=give_up_asset,
    revive=revive_asset(MediaState.FETCHED),
)

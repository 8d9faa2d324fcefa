"""Media made ready before a pipeline learnt something new (perceptual hashes, keyframes,
QuickTime facts) are made again from their original: `tipdesk backfill-media` queues them.

The asset stays `ready` throughout and its variants are replaced in place, so the tip page
never shows it as missing; the jobs rank behind everything a reader or an editor waits for.
"""

from __future__ import annotations

import logging

from tortoise.expressions import Subquery

from media_store.renditions import MediaRejected
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.media.models import MediaLikeness
from tipdesk.media.states import AssetJob, media_store
from tipdesk.media.transcode import keep_renditions, render
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaAsset, MediaState

log = logging.getLogger("tipdesk.media")
MEDIA_REFRESH = "media.refresh"
PICTURES = ("image/", "video/")


async def refresh_media(context: JobContext, payload: AssetJob) -> None:
    asset = await MediaAsset.get_or_none(id=payload.asset_id)
    if asset is None or asset.state is not MediaState.READY or asset.sha256 is None:
        return
    store = media_store(context.settings)
    time_limit = context.settings.transcode_time_limit.total_seconds()
    try:
        processed = await render(store, asset, time_limit)
    except MediaRejected as exc:
        # It was made once; the old variants stay, and so does the asset's state.
        log.info("media asset %d not refreshed: %s", asset.id, exc.reason[:200])
        return
    try:
        await keep_renditions(store, asset, processed, context.settings)
    finally:
        processed.discard()


async def queue_backfill(settings: Settings) -> int:
    """Queue every ready photo and video without perceptual hashes; how many were queued.
    Queued twice, an asset is still made once (its dedupe key)."""
    hashed = Subquery(MediaLikeness.all().values("asset_id"))
    queued = 0
    ready = MediaAsset.filter(state=MediaState.READY, sha256__isnull=False).exclude(id__in=hashed)
    for asset_id, mime in await ready.values_list("id", "detected_mime"):
        if str(mime or "").startswith(PICTURES):
            await REFRESH_JOB.enqueue(
                AssetJob(int(str(asset_id))), settings, dedupe_key=f"{MEDIA_REFRESH}:{asset_id}"
            )
            queued += 1
    return queued


# Behind live work (transcodes are 60, purges 200): a backfill of a large archive never
# delays a reader's photo. Concurrency as transcodes, so it never starves confirmations.
REFRESH_JOB = JobKind(
    MEDIA_REFRESH,
    AssetJob,
    refresh_media,
    priority=180,
    timeout=None,
    concurrency=lambda settings: settings.transcode_concurrency,
)

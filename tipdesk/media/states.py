"""Where an asset's files live, and the one way an asset ends `failed`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from media_store.paths import MediaStore
from tipdesk.jobs.kinds import JobContext
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaAsset, MediaState

log = logging.getLogger("tipdesk.media")


@dataclass(frozen=True)
class AssetJob:
    """The payload of the jobs that move one asset on (fetch, transcode)."""

    asset_id: int


def media_store(settings: Settings) -> MediaStore:
    return MediaStore(settings.data_dir / "media")


async def fail_asset(asset: MediaAsset, reason: str) -> None:
    """`failed` with a reason an editor can read; the rest of the tip is untouched."""
    await (
        MediaAsset.filter(id=asset.id)
        .exclude(state=MediaState.READY)
        .update(state=MediaState.FAILED, error=reason[:1000])
    )
    log.info("media asset %d failed: %s", asset.id, reason[:200])


UNSAFE = (
    "This file could not be processed safely: working on it stopped the desk's worker twice. "
    "/ Dit bestand kon niet veilig verwerkt worden: de worker liep er twee keer op vast."
)


async def give_up_asset(context: JobContext, payload: AssetJob) -> None:
    """A fetch or transcode that kept killing its workers: the asset fails, the tip stays."""
    asset = await MediaAsset.get_or_none(id=payload.asset_id)
    if asset is not None:
        await fail_asset(asset, UNSAFE)


def revive_asset(state: MediaState) -> Callable[[AssetJob, BaseDBAsyncClient], Awaitable[None]]:
    """An admin retries a given-up fetch or transcode: the asset waits for that step again."""

    async def revive(payload: AssetJob, connection: BaseDBAsyncClient) -> None:
        await (
            MediaAsset.filter(id=payload.asset_id, state=MediaState.FAILED, error=UNSAFE)
            .using_db(connection)
            .update(state=state, error=None)
        )

    return revive

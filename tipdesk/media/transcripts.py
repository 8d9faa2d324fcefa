"""The transcription job: a ready voice note or video with sound gets its words as text.

A job of its own, queued when the transcode is kept and run after it at a lower priority, one at
a time per worker: a slow transcription never holds up the transcode, the reader's confirmation
or the board. The transcript lives in the asset's `details["transcript"]` (language, whether
detection was sure, timed segments, the text), is shown under the player and indexed with the
tip. Without a model the job does nothing and /admin says why; a recording that cannot be
transcribed keeps its reason there, and the asset stays `ready` either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from media_store.ffmpeg import Ffmpeg
from media_store.renditions import MediaRejected
from media_store.voice import NoModel, Transcription, find_model, transcribe
from tipdesk.jobs.kinds import JobContext, JobKind
from tipdesk.media.states import AssetJob, media_store
from tipdesk.search.jobs import schedule_indexing
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaAsset, MediaState

MEDIA_TRANSCRIBE = "media.transcribe"
# Loading the model and the pauses of a shared machine, on top of the recording's own length:
# on two busy cores the bundled model hears a minute in well under one.
DEADLINE_BASE = timedelta(minutes=2)
DEADLINE_PER_SECOND = 2.0
UNSAFE = "transcribing stopped the desk's worker twice"


def wants_transcript(details: dict[str, object], settings: Settings) -> bool:
    """Sound a model may hear: a voice note, audio, or a video with a sound track."""
    return bool(details.get("audio_codec")) and settings.whisper_model != "off"


async def schedule_transcript(
    asset_id: int, details: dict[str, object], settings: Settings, connection: BaseDBAsyncClient
) -> None:
    """In the transaction that makes the asset ready (media/transcode.py)."""
    if wants_transcript(details, settings):
        await TRANSCRIBE_JOB.enqueue(
            AssetJob(asset_id), settings, using_db=connection,
            dedupe_key=f"{MEDIA_TRANSCRIBE}:{asset_id}",
        )  # fmt: skip


@dataclass(frozen=True)
class TranscriptionStatus:
    """For /admin: the model the desk transcribes with, or why it cannot."""

    model: str | None
    problem: str | None


def transcription_status(settings: Settings) -> TranscriptionStatus:
    try:
        model = find_model(settings.whisper_model)
    except NoModel as exc:
        return TranscriptionStatus(None, exc.reason)
    return TranscriptionStatus(model.name, None)


async def transcribe_media(context: JobContext, payload: AssetJob) -> None:
    asset = await MediaAsset.get_or_none(id=payload.asset_id)
    settings = context.settings
    if asset is None or asset.state is not MediaState.READY or asset.sha256 is None:
        return
    if not wants_transcript(asset.details, settings):
        return
    limit = settings.transcribe_max_seconds
    duration = _seconds(asset.details.get("duration"))
    if limit == 0 or (duration is not None and duration > limit):
        await keep_transcript(asset.id, {"skipped": "too_long", "limit": limit}, settings)
        return
    try:
        model = find_model(settings.whisper_model)
    except NoModel:
        return  # /admin says why; an admin who adds a model can transcribe again
    how = Transcription(
        model, settings.transcribe_threads, limit,
        deadline=DEADLINE_BASE.total_seconds() + DEADLINE_PER_SECOND * (duration or limit),
    )  # fmt: skip
    store = media_store(settings)
    ffmpeg = Ffmpeg.locate().pinned(asset.detected_mime or "")
    try:
        transcript = await transcribe(ffmpeg, store, store.original(asset.sha256), how)
    except MediaRejected as exc:
        await keep_transcript(asset.id, {"error": exc.reason}, settings)
        return
    await keep_transcript(asset.id, {**transcript, "model": model.name}, settings)


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and value >= 0 else None


async def keep_transcript(asset_id: int, transcript: dict[str, Any], settings: Settings) -> None:
    """Store the transcript beside what the transcode learned, and index the tip again."""
    async with in_transaction() as connection:
        asset = await MediaAsset.filter(id=asset_id).using_db(connection).first()
        if asset is None:
            return  # erased while it was heard
        details = {**asset.details, "transcript": transcript}
        await MediaAsset.filter(id=asset_id).using_db(connection).update(details=details)
        if transcript.get("text"):
            await schedule_indexing(asset.tip_id, settings, connection)


async def give_up_transcript(context: JobContext, payload: AssetJob) -> None:
    await keep_transcript(payload.asset_id, {"error": UNSAFE}, context.settings)


# Bounded by the child's own deadline; one at a time, so two cores keep one for the desk.
TRANSCRIBE_JOB = JobKind(
    MEDIA_TRANSCRIBE,
    AssetJob,
    transcribe_media,
    priority=90,
    timeout=None,
    concurrency=1,
    give_up=give_up_transcript,
)

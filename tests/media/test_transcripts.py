"""The transcription job end to end: a reader's spoken voice note and video through the fake
Graph API, the real worker and the bundled Whisper model, then the tip page, /admin and search
over real HTTP."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from tests.editorial_ui.sessions import PASSWORD, log_in_as
from tests.media.conftest import Desk
from tests.media_store import clips, speech
from tests.servers import serving
from tipdesk.app import create_app
from tipdesk.editors.accounts import create_editor, create_token
from tipdesk.editors.models import Role
from tipdesk.jobs.models import Job, JobState
from tipdesk.settings import Settings
from tipdesk.tips.models import MediaAsset, MediaKind, MediaState

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("db")]


@pytest.fixture
def environ(environ: dict[str, str]) -> dict[str, str]:
    return {**environ, "TIPDESK_WHISPER_MODEL": "bundled"}


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """The desk on a real loopback port, and an admin logged in to it."""
    await create_editor("anne@desk.example", "Anne de Jong", Role.ADMIN, PASSWORD)
    async with serving(app, lifespan="off") as base, httpx.AsyncClient(base_url=base) as client:
        await log_in_as(client, "anne@desk.example")
        yield client


async def found(http: httpx.AsyncClient, query: str) -> list[int]:
    token = await create_token("anne@desk.example", "tests")
    response = await http.get(
        "/api/v1/tips", params={"q": query}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def transcript(asset: MediaAsset) -> dict[str, object]:
    heard = asset.details.get("transcript")
    assert isinstance(heard, dict), asset.details
    return heard


async def test_a_dutch_voice_note_and_an_english_video_are_heard_shown_and_found(
    desk: Desk, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    note = speech.voice_note(tmp_path, "nl", speech.DUTCH)
    voice = await desk.asset(note.read_bytes(), "audio/ogg; codecs=opus", MediaKind.VOICE)
    film = speech.spoken_video(tmp_path, "en", speech.ENGLISH)
    video = await desk.asset(film.read_bytes(), "video/mp4", MediaKind.VIDEO, sender="31687654321")
    await desk.settle(timeout=240)
    voice, video = [await MediaAsset.get(id=asset.id) for asset in (voice, video)]
    assert (voice.state, video.state) == (MediaState.READY, MediaState.READY)
    dutch, english = transcript(voice), transcript(video)
    assert dutch["language"] == "nl" and english["language"] == "en", (dutch, english)
    assert speech.heard("boom", str(dutch["text"])), dutch
    assert speech.heard("brigade", str(english["text"])), english
    assert await Job.filter(kind="media.transcribe").count() == 2

    page = (await http.get(f"/tips/{voice.tip_id}")).text
    assert 'class="transcript-lines" lang="nl"' in page
    first = dutch["segments"][0]  # type: ignore[index]
    assert f"0:00</span> {first['text']}" in page, page  # type: ignore[index]
    assert "Nederlands" in page and "Uitgeschreven" in page

    assert voice.tip_id in await found(http, "boom")
    assert await found(http, "spraak:boom") == [voice.tip_id]
    assert await found(http, "spraak:brigade") == [video.tip_id]
    assert await found(http, "spraak:politie") == []


async def admin_page(settings: Settings) -> str:
    """/admin as an admin sees it, on a desk served with these settings."""
    await create_editor("bram@desk.example", "Bram", Role.ADMIN, PASSWORD)
    app = create_app(settings)
    async with serving(app, lifespan="off") as base, httpx.AsyncClient(base_url=base) as client:
        await log_in_as(client, "bram@desk.example")
        return (await client.get("/admin")).text


async def test_without_a_model_notes_are_ready_untranscribed_and_admin_says_why(
    desk: Desk, tmp_path: Path
) -> None:
    missing = tmp_path / "no-model-here"
    desk = Desk(replace(desk.settings, whisper_model=str(missing)), desk.fake)
    note = speech.voice_note(tmp_path, "nl", "boom")
    voice = await desk.asset(note.read_bytes(), "audio/ogg", MediaKind.VOICE)
    await desk.settle()
    voice = await MediaAsset.get(id=voice.id)
    assert voice.state is MediaState.READY and "transcript" not in voice.details
    assert await Job.filter(kind="media.transcribe", state=JobState.DONE).count() == 1
    page = await admin_page(desk.settings)
    assert "er is geen model" in page and f"no Whisper model (model.bin) in {missing}" in page


async def test_with_transcription_off_no_job_is_queued(desk: Desk, tmp_path: Path) -> None:
    desk = Desk(replace(desk.settings, whisper_model="off"), desk.fake)
    note = speech.voice_note(tmp_path, "nl", "boom")
    voice = await desk.asset(note.read_bytes(), "audio/ogg", MediaKind.VOICE)
    await desk.settle()
    assert (await MediaAsset.get(id=voice.id)).state is MediaState.READY
    assert not await Job.filter(kind="media.transcribe").exists()
    assert "TIPDESK_WHISPER_MODEL=off" in await admin_page(desk.settings)


async def test_a_note_longer_than_the_limit_is_not_transcribed(
    desk: Desk, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    desk = Desk(replace(desk.settings, transcribe_max_seconds=1), desk.fake)
    note = speech.voice_note(tmp_path, "nl", speech.DUTCH)
    voice = await desk.asset(note.read_bytes(), "audio/ogg", MediaKind.VOICE)
    await desk.settle()
    voice = await MediaAsset.get(id=voice.id)
    assert voice.state is MediaState.READY
    assert transcript(voice) == {"skipped": "too_long", "limit": 1}
    page = (await http.get(f"/tips/{voice.tip_id}")).text
    assert "Niet uitgeschreven: langer dan 1 seconden." in page


async def test_hostile_sound_never_fails_the_asset_or_the_desk(
    desk: Desk, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    noise = tmp_path / "noise.ogg"
    clips.ffmpeg(
        "-f", "lavfi", "-i", "anoisesrc=duration=6:color=white:amplitude=1", "-af", "volume=20",
        "-c:a", "libopus", "-ac", "1", str(noise),
    )  # fmt: skip
    loud = await desk.asset(noise.read_bytes(), "audio/ogg", MediaKind.VOICE)
    # A voice note's first Ogg page, then noise: the transcode refuses it, with a reason.
    damaged = bytearray(speech.voice_note(tmp_path, "nl", "boom").read_bytes())
    damaged[200:] = os.urandom(len(damaged) - 200)
    broken = await desk.asset(bytes(damaged), "audio/ogg", MediaKind.VOICE, sender="31600000001")
    await desk.settle()
    loud, broken = [await MediaAsset.get(id=asset.id) for asset in (loud, broken)]
    assert loud.state is MediaState.READY
    heard = transcript(loud)
    assert isinstance(heard.get("segments"), list) or "error" in heard, heard
    assert broken.state is MediaState.FAILED and broken.error
    for asset in (loud, broken):
        assert (await http.get(f"/tips/{asset.tip_id}")).status_code == 200

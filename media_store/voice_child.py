"""The child side of transcription: hard limits and a low priority, then faster-whisper.

Run as `python -m media_store.voice_child MODEL PCM THREADS`, MODEL being the JSON of a
`WhisperModelFiles` and PCM 16 kHz mono signed 16-bit samples that a pinned ffmpeg made from the
reader's file (media_store/voice.py): nothing here opens what the reader sent. The answer is one
JSON line on stdout, as in the darkroom child.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from media_store.darkroom_child import limit

# CTranslate2 maps the model and reserves per-thread scratch: 1 GiB is too tight for `base`.
ADDRESS_SPACE = 6 * 1024 * 1024 * 1024
CPU_SECONDS = 3600
OUTPUT_BYTES = 16 * 1024 * 1024
# The desk's languages, the first its own: a Dutch desk hears Dutch unless Whisper is clearly
# sure of English. The small model takes Dutch for English readily (synthetic Dutch speech
# scored English up to 0.77), real English speech scores above 0.9; never Latin or Welsh.
DESK_LANGUAGES = ("nl", "en")
CLEARLY = 0.85
SURE = 0.5


def load_model(spec: dict[str, Any], threads: int) -> Any:
    from faster_whisper import WhisperModel

    options = {"device": "cpu", "compute_type": "int8", "cpu_threads": threads}
    if "folder" in spec:
        return WhisperModel(spec["folder"], **options)
    # A model shipped in parts across packages: joined in memory, never written anywhere.
    files = {
        name: b"".join(Path(part).read_bytes() for part in parts)
        for name, parts in spec["files"].items()
    }
    return WhisperModel(spec["name"], files=files, **options)


def decode(model: Any, audio: Any, language: str) -> list[dict[str, Any]]:
    # Greedy and without fallback temperatures: a hostile file cannot make it decode again and
    # again; without the previous text as prompt, one misheard phrase does not repeat for ever.
    segments, _ = model.transcribe(
        audio, language=language, beam_size=1, temperature=0.0,
        condition_on_previous_text=False, vad_filter=False,
    )  # fmt: skip
    return [
        {"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text.strip()}
        for s in segments if s.text.strip()
    ]  # fmt: skip


def language(model: Any, audio: Any) -> tuple[str, bool]:
    """The desk language to decode in, and whether Whisper was sure of it."""
    if not model.model.is_multilingual:
        return "en", True
    _, _, ranked = model.detect_language(audio)
    probability = {name: p for name, p in ranked if name in DESK_LANGUAGES}
    home, *others = DESK_LANGUAGES
    for other in others:
        if probability.get(other, 0.0) >= CLEARLY:
            return other, True
    return home, probability.get(home, 0.0) >= SURE


def transcribe(model: Any, audio: Any) -> dict[str, Any]:
    heard_in, sure = language(model, audio)
    return {"language": heard_in, "sure": sure, "segments": decode(model, audio, heard_in)}


def main(argv: list[str]) -> int:
    spec, pcm, threads = json.loads(argv[0]), Path(argv[1]), int(argv[2])
    limit(ADDRESS_SPACE, CPU_SECONDS, OUTPUT_BYTES)
    os.nice(10)  # the desk's own work (confirmations, the board) goes first on a shared core
    import numpy as np

    audio = np.fromfile(pcm, dtype=np.int16).astype(np.float32) / 32768.0
    try:
        result = transcribe(load_model(spec, threads), audio) if len(audio) else {"segments": []}
    except MemoryError:
        result = {"rejected": "the recording needs too much memory to transcribe"}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

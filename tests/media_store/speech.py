"""Speech made on the spot: espeak-ng says a sentence, ffmpeg makes it a phone's voice note or
video. A synthetic voice is harder to hear than a person, so the checks match words loosely."""

from __future__ import annotations

import difflib
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.media_store.clips import ffmpeg

DUTCH = "Er is een boom omgevallen in de Stationsstraat. De weg is helemaal versperd."
ENGLISH = (
    "A tree has fallen across the road near the railway station. The fire brigade is on its way."
)


def espeak(path: Path, language: str, text: str) -> Path:
    binary = shutil.which("espeak-ng")
    if binary is None:
        pytest.fail("espeak-ng is missing: apt-get install espeak-ng (.ci/run installs it)")
    subprocess.run([binary, "-v", language, "-w", str(path), text], check=True, timeout=60)
    return path


def voice_note(folder: Path, language: str, text: str) -> Path:
    """WhatsApp's kind of voice note: Opus in Ogg, mono, 48 kHz."""
    wav = espeak(folder / f"{language}.wav", language, text)
    target = folder / f"{language}.ogg"
    ffmpeg(
        "-i", str(wav), "-c:a", "libopus", "-ac", "1", "-ar", "48000", "-b:a", "24k", str(target)
    )
    return target


def spoken_video(folder: Path, language: str, text: str) -> Path:
    """A phone video whose sound is the sentence."""
    wav = espeak(folder / f"{language}-video.wav", language, text)
    target = folder / f"{language}.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-i", str(wav),
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(target),
    )  # fmt: skip
    return target


def heard(word: str, text: str, cutoff: float = 0.75) -> bool:
    """`word` or something close to it is in `text`, also written as two words
    ("Stationsstraat" heard as "station straat")."""
    words = re.findall(r"\w+", text.lower())
    candidates = words + [a + b for a, b in itertools.pairwise(words)]
    return bool(difflib.get_close_matches(word.lower(), candidates, n=1, cutoff=cutoff))

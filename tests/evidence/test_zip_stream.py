"""The streaming zip writer: bytes leave as they are written, and what it writes is a zip that
Info-ZIP's `unzip -t` and Python's zipfile both accept, ZIP64 data descriptors included."""

from __future__ import annotations

import io
import secrets
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from tipdesk.evidence.zip_stream import ZipStream

MOMENT = datetime(2026, 12, 4, 21, 30, 12)
MIB = 1024 * 1024


def test_each_chunk_leaves_as_it_is_written() -> None:
    archive = ZipStream(MOMENT)
    chunks = [secrets.token_bytes(MIB) for _ in range(3)]
    handed_on = []
    with archive.entry("originals/video.mp4", 3 * MIB) as target:
        for chunk in chunks:
            target.write(chunk)
            handed_on.append(len(archive.take()))
    # The local header comes with the first chunk; nothing waits for the archive's end.
    assert handed_on[0] > MIB and handed_on[1:] == [MIB, MIB]
    archive.add("manifest.json", b'{"files": []}')
    archive.close()
    rest = archive.take()
    assert len(rest) < 1024 and archive.take() == b""


def test_the_stream_is_a_zip_unzip_and_zipfile_read(tmp_path: Path) -> None:
    archive = ZipStream(MOMENT)
    photo, page = secrets.token_bytes(300_000), ("<p>Bewijsbundel</p>" * 500).encode()
    with archive.entry("originals/1-foto.jpg", len(photo)) as target:
        target.write(photo)
    # Declared past 4 GiB, so the entry takes the ZIP64 path: its extra field and 8-byte sizes.
    with archive.entry("variants/1/web.mp4", 5 * 1024**3) as target:
        target.write(b"small after all")
    archive.add("manifest.html", page)
    archive.close()
    written = archive.take()
    saved = tmp_path / "bundle.zip"
    saved.write_bytes(written)

    with zipfile.ZipFile(io.BytesIO(written)) as bundle:
        assert bundle.testzip() is None
        assert bundle.read("originals/1-foto.jpg") == photo
        assert bundle.read("variants/1/web.mp4") == b"small after all"
        assert bundle.read("manifest.html") == page
        infos = {info.filename: info for info in bundle.infolist()}
    assert infos["originals/1-foto.jpg"].compress_type == zipfile.ZIP_STORED
    assert infos["manifest.html"].compress_type == zipfile.ZIP_DEFLATED
    assert infos["manifest.html"].compress_size < len(page) // 10
    assert infos["originals/1-foto.jpg"].date_time == (2026, 12, 4, 21, 30, 12)
    if shutil.which("unzip") is None:
        pytest.skip("no unzip on PATH (apt-get install unzip)")
    tested = subprocess.run(["unzip", "-t", str(saved)], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "No errors detected" in tested.stdout

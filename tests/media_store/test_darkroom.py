"""The darkroom decodes in a limited child: hostile files cost the child, never the desk."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from media_store.darkroom import develop
from media_store.paths import MediaStore
from media_store.renditions import MediaRejected
from tests.media_store import clips, hostile


def peak_memory_mb() -> float:
    """VmHWM of this process: the high-water mark of its resident memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


async def test_a_photo_is_developed_in_the_child(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    processed = await develop("image", store, clips.exif_jpeg(tmp_path / "photo.jpg"))
    assert [r.name for r in processed.renditions] == ["web", "thumb"]
    assert processed.workroom is not None and processed.workroom.parent == store.root / "tmp"
    assert all(r.path.parent == processed.workroom for r in processed.renditions)
    assert "camera" in processed.details
    processed.discard()
    assert list((store.root / "tmp").iterdir()) == []


async def test_a_pdf_is_developed_in_the_child(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    processed = await develop("pdf", store, clips.pdf(tmp_path / "letter.pdf", pages=3))
    assert processed.details["pages"] == 3
    assert [r.name for r in processed.renditions] == ["thumb"]
    processed.discard()


async def test_a_nested_xobject_pdf_is_killed_not_the_desk(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    source = hostile.nested_xobject_pdf(tmp_path / "bomb.pdf")
    assert source.stat().st_size < 8_000
    before, started = peak_memory_mb(), time.monotonic()
    with pytest.raises(MediaRejected, match="could not be opened safely"):
        await develop("pdf", store, source, deadline=4)
    assert time.monotonic() - started < 8
    assert peak_memory_mb() - before < 50
    assert list((store.root / "tmp").iterdir()) == [], "the child's workroom went with it"


async def test_a_pixel_heavy_png_costs_the_child_not_the_desk(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    source = hostile.heavy_png(tmp_path / "heavy.png")
    assert source.stat().st_size < 2_000_000
    before = peak_memory_mb()
    try:
        processed = await develop("image", store, source, deadline=20)
    except MediaRejected as exc:
        assert "picture" in exc.reason
    else:  # within the child's limits it may well succeed: the point is where it ran
        assert processed.details["width"] == 7700
        processed.discard()
    assert peak_memory_mb() - before < 50


async def test_a_picture_that_outlives_its_deadline_is_rejected(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    source = hostile.heavy_png(tmp_path / "heavy.png")
    with pytest.raises(MediaRejected, match="could not be opened safely"):
        await develop("image", store, source, deadline=0.05)
    assert list((store.root / "tmp").iterdir()) == []

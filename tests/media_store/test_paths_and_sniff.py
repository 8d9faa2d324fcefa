from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from media_store.paths import MediaStore, UnsafePath
from media_store.sniff import sniff

DIGEST = hashlib.sha256(b"tip").hexdigest()


def test_paths_are_content_addressed_inside_the_root(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    original = store.original(DIGEST)
    assert (
        original == (tmp_path / "media" / "originals" / DIGEST[:2] / DIGEST[2:4] / DIGEST).resolve()
    )
    assert store.variant(DIGEST, "web", "mp4").name == "web.mp4"
    assert store.temporary("jpg").parent == (tmp_path / "media" / "tmp").resolve()


def test_a_workroom_holds_one_decode_and_goes_as_a_whole(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    room, other = store.with_workroom(), store.with_workroom()
    partial = room.temporary("jpg")
    assert partial.parent == room.scratch and room.scratch.parent == store.scratch
    partial.write_bytes(b"\xff\xd8half a picture, its writer killed")
    other.temporary("mp4").write_bytes(b"")
    room.clear_workroom()
    assert [p.name for p in store.scratch.iterdir()] == [other.workroom]
    store.clear_workroom()  # the store itself has no workroom: tmp/ stays
    assert store.scratch.is_dir()
    with pytest.raises(UnsafePath):
        MediaStore(store.root, "../../etc")


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("original", ("../../etc/passwd",)),
        ("original", (DIGEST.upper(),)),
        ("original", (DIGEST[:-1] + "/",)),
        ("variant", (DIGEST, "../x", "mp4")),
        ("variant", (DIGEST, "web", "mp4/../../x")),
        ("variant", (DIGEST, "", "mp4")),
        ("resolve_stored", ("../../secret_key",)),
        ("resolve_stored", ("/etc/passwd",)),
    ],
)
def test_anything_outside_the_store_is_refused(
    tmp_path: Path, method: str, arguments: tuple[str, ...]
) -> None:
    store = MediaStore(tmp_path / "media")
    with pytest.raises(UnsafePath):
        getattr(store, method)(*arguments)


def test_a_symlink_out_of_the_store_is_refused(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    (tmp_path / "media" / "variants").mkdir(parents=True)
    (tmp_path / "media" / "variants" / DIGEST).symlink_to(tmp_path)
    with pytest.raises(UnsafePath):
        store.variant(DIGEST, "web", "mp4")


def test_originals_are_written_once(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    first, second = store.temporary(), store.temporary()
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    target = store.original(DIGEST)
    store.place(first, target)
    store.place(second, target)
    assert target.read_bytes() == b"first"
    assert not second.exists()


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypmp42\x00", "video/mp4"),
        (b"\x00\x00\x00\x18ftyp3gp5\x00", "video/3gpp"),
        (b"\x00\x00\x00\x18ftypM4A \x00", "audio/mp4"),
        (b"\x00\x00\x00\x18ftypheic\x00", "image/heic"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"#!AMR\n", "audio/amr"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"\xff\xf1\x50\x80", "audio/aac"),
        (b"%PDF-1.7\n", "application/pdf"),
        (
            b"PK\x03\x04....word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("Verslag van de raadsvergadering, café De Zwaan 🙂\n".encode(), "text/plain"),
    ],
)
def test_sniffing_reads_the_bytes(head: bytes, mime: str) -> None:
    found = sniff(head)
    assert found is not None and found.mime == mime


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"<!DOCTYPE html><html>",
        b"  <svg xmlns='http://www.w3.org/2000/svg'>",
        b"\x00\x01\x02\x03" * 10,
        b"MZ\x90\x00\x03\x00",
        b"\x7fELF\x02\x01",
    ],
)
def test_unwanted_or_unknown_bytes_are_not_accepted(head: bytes) -> None:
    assert sniff(head) is None

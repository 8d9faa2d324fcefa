"""What a file really is, from its first bytes; the declared MIME type is never trusted."""

from __future__ import annotations

from dataclasses import dataclass

HEAD_BYTES = 4096


@dataclass(frozen=True)
class Detected:
    mime: str
    family: str  # image, video, audio, document


def sniff(head: bytes) -> Detected | None:
    """The type of a file whose first bytes are `head`; None for anything we do not accept."""
    for check in (_image, _iso_media, _riff_or_ogg, _audio, _matroska, _document):
        found = check(head)
        if found is not None:
            return found
    return None


def _image(head: bytes) -> Detected | None:
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("image/jpeg", "image")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image/png", "image")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Detected("image/gif", "image")
    return None


def _iso_media(head: bytes) -> Detected | None:
    """MP4, MOV, 3GP, M4A and HEIC all start with an `ftyp` box naming their brand."""
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in (b"heic", b"heix", b"mif1", b"msf1"):
        return Detected("image/heic", "image")
    if brand.startswith(b"3g"):
        return Detected("video/3gpp", "video")
    if brand in (b"M4A ", b"M4B "):
        return Detected("audio/mp4", "audio")
    if brand == b"qt  ":
        return Detected("video/quicktime", "video")
    return Detected("video/mp4", "video")


def _riff_or_ogg(head: bytes) -> Detected | None:
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Detected("image/webp", "image")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return Detected("audio/wav", "audio")
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return Detected("video/x-msvideo", "video")
    if head.startswith(b"OggS"):
        return Detected("audio/ogg", "audio")
    return None


def _audio(head: bytes) -> Detected | None:
    if head.startswith(b"#!AMR"):
        return Detected("audio/amr", "audio")
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return Detected("audio/mpeg", "audio")
    if head[:2] in (b"\xff\xf1", b"\xff\xf9"):
        return Detected("audio/aac", "audio")
    if head.startswith(b"fLaC"):
        return Detected("audio/flac", "audio")
    return None


def _matroska(head: bytes) -> Detected | None:
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Detected("video/webm" if b"webm" in head[:64] else "video/x-matroska", "video")
    return None


def _document(head: bytes) -> Detected | None:
    if head.startswith(b"%PDF-"):
        return Detected("application/pdf", "document")
    if head.startswith(b"PK\x03\x04"):
        return Detected(_office_zip(head), "document")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Detected("application/x-ole-storage", "document")
    if _plain_text(head):
        return Detected("text/plain", "document")
    return None


def _office_zip(head: bytes) -> str:
    if b"word/" in head:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if b"xl/" in head:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if b"ppt/" in head:
        return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return "application/zip"


def _utf8(data: bytes) -> str:
    """The text, or "" when it is not UTF-8 (the head may cut a character in half)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _plain_text(head: bytes) -> bool:
    """Readable UTF-8 without markup: HTML or SVG claiming to be a photo is refused, not kept."""
    if not head or b"\x00" in head:
        return False
    text = _utf8(head) or _utf8(head[:-1]) or _utf8(head[:-2]) or _utf8(head[:-3])
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype", "<html", "<?xml", "<svg", "<script")):
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return bool(text) and printable / len(text) > 0.97

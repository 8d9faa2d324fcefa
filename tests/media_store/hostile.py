"""Hostile media written byte by byte, so the tests never decode what they make."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def nested_xobject_pdf(path: Path, depth: int = 9, fan_out: int = 8) -> Path:
    """A one-page PDF whose form XObject n draws form n-1 `fan_out` times: fan_out**depth
    paths from a file of a few KB (the one that grew a desk to 23 GB)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R"
        + f" /Resources << /XObject << /X{depth} {5 + depth} 0 R >> >> >>".encode(),
        _stream(f"/X{depth} Do".encode()),
        _form(b"", b"0 0 m 600 800 l 600 0 l h f " * 4),
    ]
    for level in range(1, depth + 1):
        draw = b" ".join(b"q 0.9 0 0 0.9 1 1 cm /X%d Do Q" % (level - 1) for _ in range(fan_out))
        objects.append(_form(b"/XObject << /X%d %d 0 R >>" % (level - 1, 4 + level), draw))
    path.write_bytes(_pdf(objects))
    return path


def _form(resources: bytes, content: bytes) -> bytes:
    head = b"/Type /XObject /Subtype /Form /BBox [0 0 600 800] /Resources << " + resources
    return _stream(content, head + b" >>")


def _stream(content: bytes, head: bytes = b"") -> bytes:
    return b"<< " + head + b" /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )  # fmt: skip
    return bytes(out)


def heavy_png(path: Path, side: int = 7700) -> Path:
    """A real RGBA picture of side×side pixels (about 240 MB decoded) compressed to a few
    hundred KB, written row by row so the test never holds it decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\x80\x40\x20\xff" * side
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path

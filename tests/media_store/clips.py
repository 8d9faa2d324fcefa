"""Small media made on the spot with the real ffmpeg and Pillow: no binaries in the repo."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

from PIL import Image

from media_store.ffmpeg import Ffmpeg

FFMPEG = Ffmpeg.locate()


def ffmpeg(*arguments: str) -> None:
    subprocess.run(
        [FFMPEG.binary, "-hide_banner", "-loglevel", "error", "-y", *arguments],
        check=True,
        timeout=120,
    )


def has_encoder(name: str) -> bool:
    result = subprocess.run(
        [FFMPEG.binary, "-hide_banner", "-encoders"], capture_output=True, text=True, check=True
    )
    return f" {name} " in result.stdout


def video(path: Path, size: str = "320x240", seconds: float = 2, codec: str = "libx264") -> Path:
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size={size}:rate=25:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:duration={seconds}",
        "-c:v",
        codec,
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(path),
    )
    return path


def portrait_phone_video(path: Path, landscape: Path) -> Path:
    """A phone's portrait clip: landscape frames plus a 90° display rotation, and a GPS tag."""
    ffmpeg(
        "-display_rotation",
        "90",
        "-i",
        str(landscape),
        "-c",
        "copy",
        "-metadata",
        "location=+52.3731+004.8922/",
        str(path),
    )
    return path


def phone_3gp(path: Path) -> Path:
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=176x144:rate=15:duration=2",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=300:duration=2:sample_rate=8000",
        "-c:v",
        "h263",
        "-c:a",
        "libopencore_amrnb",
        "-ar",
        "8000",
        "-ac",
        "1",
        "-b:a",
        "12.2k",
        "-shortest",
        str(path),
    )
    return path


def voice_note(path: Path, seconds: float = 3) -> Path:
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=220:duration={seconds}:sample_rate=48000",
        "-c:a",
        "libopus",
        "-ac",
        "1",
        "-b:a",
        "24k",
        str(path),
    )
    return path


def amr_voice(path: Path) -> Path:
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=220:duration=2:sample_rate=8000",
        "-c:a",
        "libopencore_amrnb",
        "-ar",
        "8000",
        "-ac",
        "1",
        "-b:a",
        "12.2k",
        str(path),
    )
    return path


def exif_jpeg(path: Path) -> Path:
    """400×200 pixels stored, orientation 6 (shown 200×400), with camera, time and GPS."""
    picture = Image.new("RGB", (400, 200), (200, 30, 30))
    picture.paste((30, 30, 200), (0, 0, 50, 200))  # a blue band on the stored left edge
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Fairphone"
    exif[0x0110] = "FP5"
    exif.get_ifd(0x8769)[0x9003] = "2026:11:23 14:31:07"
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 22.0, 23.16), 3: "E", 4: (4.0, 53.0, 31.92)})
    picture.save(path, "JPEG", exif=exif)
    return path


def png(path: Path, size: tuple[int, int] = (640, 480), alpha: bool = True) -> Path:
    Image.new(
        "RGBA" if alpha else "RGB", size, (10, 120, 10, 128) if alpha else (10, 120, 10)
    ).save(path, "PNG")
    return path


def webp_sticker(path: Path) -> Path:
    Image.new("RGBA", (512, 512), (250, 200, 0, 200)).save(path, "WEBP")
    return path


def pdf(path: Path, pages: int = 2) -> Path:
    sheets = [Image.new("RGB", (595, 842), (255, 255, 255)) for _ in range(pages)]
    sheets[0].save(path, "PDF", save_all=True, append_images=sheets[1:])
    return path


def png_bomb(path: Path, side: int = 100_000) -> Path:
    """A tiny file that claims to be 100,000 × 100,000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * (side // 8)
    data = zlib.compress(row * 64)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


def ten_hour_video(path: Path) -> Path:
    """Two frames ten hours apart: a declared duration of 10 h in a file of a few kilobytes."""
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=1:duration=2",
        "-vf",
        "setpts='if(eq(N,0),0,36000/TB)'",
        "-fps_mode",
        "passthrough",
        "-c:v",
        "libx264",
        str(path),
    )
    return path


def top_level_atoms(path: Path) -> list[str]:
    """The MP4 boxes in file order, to check that `moov` comes before `mdat` (faststart)."""
    names, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size = struct.unpack(">I", data[offset : offset + 4])[0]
        names.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        if size < 8:
            break
        offset += size
    return names

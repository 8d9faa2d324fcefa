"""Playlists sent as video never open another file or URL: every ffmpeg run is pinned."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from media_store.demuxers import DEMUXERS, input_options
from media_store.ffmpeg import Ffmpeg
from media_store.paths import MediaStore
from media_store.renditions import MediaRejected
from media_store.sniff import sniff
from media_store.video import transcode_audio, transcode_video
from tests.media_store import clips

EXTENSIONS = {"ffconcat": "ffconcat", "ffconcat-near": "ffconcat", "hls": "m3u8", "dash": "mpd"}
ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00"


class Listener:
    def __init__(self) -> None:
        self.requests: list[str] = []


def segments(folder: Path) -> dict[str, bytes]:
    """Real media for every URL the playlists name: unpinned, ffmpeg would fetch and use it."""
    clip = clips.video(folder / "remote.mp4", seconds=1)
    clips.ffmpeg("-i", str(clip), "-c", "copy", "-f", "mpegts", str(folder / "remote.ts"))
    mp4, ts = clip.read_bytes(), (folder / "remote.ts").read_bytes()
    return {"/concat.mp4": mp4, "/hls.ts": ts}


@pytest.fixture
def listener(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Listener, str]]:
    heard = Listener()
    served = segments(tmp_path_factory.mktemp("remote"))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            heard.requests.append(self.path)
            body = served.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield heard, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def playlists(marker: Path, url: str) -> dict[str, bytes]:
    return {
        "ffconcat": f"ffconcat version 1.0\nfile '{marker}'\nfile '{url}/concat.mp4'\n".encode(),
        # What ffconcat's own safe mode lets through: a plain name beside the playlist.
        "ffconcat-near": f"ffconcat version 1.0\nfile '{marker.name}'\n".encode(),
        "hls": (
            f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{marker}\n"
            f"#EXTINF:10,\n{url}/hls.ts\n#EXT-X-ENDLIST\n"
        ).encode(),
        # ffmpeg's DASH probe wants a profile; a file playlist may then name local files.
        "dash": (
            '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
            'profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" minBufferTime="PT1S" '
            'mediaPresentationDuration="PT1S"><Period><AdaptationSet><Representation id="1" '
            f'bandwidth="1000" mimeType="video/mp4"><BaseURL>{marker}</BaseURL></Representation>'
            "</AdaptationSet></Period></MPD>"
        ).encode(),
    }


@pytest.mark.parametrize("prefix", [b"", ID3])
@pytest.mark.parametrize("kind", ["ffconcat", "ffconcat-near", "hls", "dash"])
async def test_a_playlist_sent_as_video_opens_nothing_else(
    tmp_path: Path, listener: tuple[Listener, str], kind: str, prefix: bytes
) -> None:
    heard, url = listener
    marker = clips.video(tmp_path / "marker.mp4")
    before = marker.stat().st_atime_ns
    # Named as ffmpeg's probes want them: the file name is the reader's to choose.
    source = tmp_path / f"tip.{EXTENSIONS[kind]}"
    source.write_bytes(prefix + playlists(marker, url)[kind])
    store = MediaStore(tmp_path / "store")
    detected = sniff(source.read_bytes()[:64])
    for mime in ("video/mp4", "audio/mpeg", detected.mime if detected else "video/mp4"):
        if mime not in DEMUXERS:
            continue
        ffmpeg = Ffmpeg.locate().pinned(mime)
        run = transcode_video if mime.startswith("video/") else transcode_audio
        with pytest.raises(MediaRejected):
            await run(ffmpeg, store, source, time_limit=20)
    await asyncio.sleep(0.1)
    assert heard.requests == []
    assert marker.stat().st_atime_ns == before


@pytest.mark.parametrize("kind", ["ffconcat-near", "hls", "dash"])
async def test_unpinned_ffmpeg_would_open_what_the_playlist_names(
    tmp_path: Path, listener: tuple[Listener, str], kind: str
) -> None:
    """The control: left to probe the input itself, ffmpeg turns these playlists into the local
    video they name, so the test above has teeth. ffmpeg refuses the absolute-path ffconcat
    (its safe mode) and every ID3-prefixed playlist on its own; those stay above for the sniffer,
    which reads the ID3 prefix as audio and must pin the audio demuxer."""
    _, url = listener
    marker = clips.video(tmp_path / "marker.mp4")
    source = tmp_path / f"tip.{EXTENSIONS[kind]}"
    source.write_bytes(playlists(marker, url)[kind])
    out = tmp_path / "out.mp4"
    await Ffmpeg.locate().run(["-i", str(source), "-t", "1", str(out)], time_limit=60)
    info = await Ffmpeg.locate().probe(out)
    assert info.video_codec is not None


def test_unknown_types_get_no_demuxer() -> None:
    with pytest.raises(MediaRejected, match="not a kind of video or audio"):
        input_options("application/x-mpegurl")
    assert input_options("video/webm")[:2] == ("-f", "matroska")


async def test_a_pinned_real_video_still_transcodes(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    source = clips.video(tmp_path / "v.mp4")
    processed = await transcode_video(
        Ffmpeg.locate().pinned("video/mp4"), store, source, time_limit=120
    )
    assert {r.name for r in processed.renditions} == {"web", "poster", "keyframe_01"}
    processed.discard()

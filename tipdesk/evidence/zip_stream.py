"""A zip written as a stream: each entry leaves as it is read, never the archive whole.

The standard library's `zipfile` writes to a sink it cannot seek by putting every entry's CRC
and sizes in a data descriptor after its bytes (ZIP64 where the size asks for it), which every
unzip tool and `zipfile` itself read back; the sink here hands on what was written since it was
last asked. The price of no seeking is 16 to 24 bytes an entry.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class _Sink(io.RawIOBase):
    """Keeps what zipfile writes until `take`; it can tell its position but never seek."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer, /) -> int:
        part = bytes(data)
        self._parts.append(part)
        self._written += len(part)
        return len(part)

    def tell(self) -> int:
        return self._written

    def take(self) -> bytes:
        taken = b"".join(self._parts)
        self._parts.clear()
        return taken


class ZipStream:
    """`entry` (or `add`) the files one after another, `take` what is ready after each write,
    and `close` for the central directory; `take` once more for the last bytes."""

    def __init__(self, moment: datetime) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", allowZip64=True)
        # Zip keeps local wall-clock times to two seconds, from 1980 on.
        self._stamp = moment.timetuple()[:6]

    def entry(self, name: str, size: int, *, compress: bool = False) -> IO[bytes]:
        """A file of `size` bytes (known ahead, so ZIP64 is used when it must be). Photos and
        videos are compressed already and go in as they are."""
        info = zipfile.ZipInfo(name, self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.file_size = size
        return self._zip.open(info, "w")

    def add(self, name: str, data: bytes) -> None:
        """A small file made here (the manifests), compressed."""
        with self.entry(name, len(data), compress=True) as target:
            target.write(data)

    def take(self) -> bytes:
        return self._sink.take()

    def close(self) -> None:
        self._zip.close()

"""A reader's form, read as it streams in: fields in memory (small), files straight to disk.

Starlette's own form parser keeps files in memory up to a megabyte and then in the system's
temporary folder, without a cap on a file's size. A tip form takes videos from strangers, so
here every part is counted as it arrives and the request is refused the moment a cap is passed;
files land in the desk's private staging folder (mode 0600), hashed on the way, with their first
bytes kept for sniffing. Nothing is decoded here: what a file really is, the media jobs decide in
their limited child processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from python_multipart.multipart import MultipartParser, parse_options_header

from media_store.sniff import HEAD_BYTES
from tipdesk.errors import BadRequest, PayloadTooLarge

STAGED_NAME = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class FormLimits:
    file_bytes: int
    files: int = 10
    total_bytes: int = 0  # 0: files * file_bytes
    field_bytes: int = 16 * 1024
    fields: int = 20

    @property
    def request_bytes(self) -> int:
        files = self.total_bytes or self.files * self.file_bytes
        # Part headers and boundaries are small; this slack only keeps honest requests in.
        return files + self.fields * (self.field_bytes + 1024) + 64 * 1024


@dataclass
class StagedFile:
    """An uploaded file in the staging folder, known by `name` (32 hex digits)."""

    name: str
    filename: str
    declared_type: str
    size: int = 0
    head: bytes = b""
    sha256: str = ""


@dataclass
class Submission:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[StagedFile] = field(default_factory=list)

    def text(self, name: str) -> str:
        return self.fields.get(name, "").strip()


class _Part:
    def __init__(self) -> None:
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.file: StagedFile | None = None
        self.data = bytearray()
        self.pending: list[bytes] = []
        self.digest = hashlib.sha256()


class FormReader:
    """Reads one request's multipart body into a `Submission`, under `limits`."""

    def __init__(self, staging: Path, limits: FormLimits) -> None:
        self.staging = staging
        self.limits = limits
        self.submission = Submission()
        self._part: _Part | None = None
        self._finished: list[_Part] = []
        self._handles: dict[str, int] = {}
        self._total = 0
        self._problem: Exception | None = None

    async def read(self, content_type: str, chunks: AsyncIterator[bytes]) -> Submission:
        boundary = _boundary(content_type)
        callbacks = cast(Any, self._callbacks())  # python-multipart types them privately
        parser = MultipartParser(boundary, callbacks, max_size=self.limits.request_bytes)
        try:
            async for chunk in chunks:
                try:
                    parser.write(chunk)
                except Exception as exc:
                    raise self._problem or BadRequest(
                        "The form could not be read.", reason="form_malformed"
                    ) from exc
                if self._problem is not None:
                    raise self._problem
                self._flush()
            parser.finalize()
            if self._part is not None:
                raise BadRequest("The form ended in the middle of a part.", reason="form_malformed")
            self._flush()
        except BaseException:
            self.discard()
            raise
        finally:
            self._close_all()
        return self.submission

    def discard(self) -> None:
        """Remove every file this reader staged (a refused or abandoned form)."""
        self._close_all()
        for staged in self.submission.files:
            with contextlib.suppress(FileNotFoundError):
                (self.staging / staged.name).unlink()

    def _callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _current(self) -> _Part:
        if self._part is None:
            raise BadRequest("The form has data outside its parts.", reason="form_malformed")
        return self._part

    def _begin(self) -> None:
        self._part = _Part()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._current().header_field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._current().header_value += data[start:end]

    def _header_end(self) -> None:
        part = self._current()
        if len(part.headers) > 8 or len(part.header_value) > 1024:
            self._refuse(
                BadRequest(
                    "A part of the form has too many or too long headers.", reason="form_malformed"
                )
            )
        part.headers[part.header_field.lower()] = part.header_value
        part.header_field = part.header_value = b""

    def _headers_finished(self) -> None:
        part = self._current()
        _, options = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            if len(self.submission.fields) >= self.limits.fields:
                self._refuse(
                    PayloadTooLarge("The form has too many fields.", reason="form_too_large")
                )
            return
        if not filename:
            return  # a file input left empty: browsers still send the part
        if len(self.submission.files) >= self.limits.files:
            self._refuse(
                PayloadTooLarge(
                    f"At most {self.limits.files} files per tip.", reason="form_too_large"
                )
            )
            return
        declared = part.headers.get(b"content-type", b"application/octet-stream")
        part.file = StagedFile(
            name=secrets.token_hex(16),
            filename=safe_filename(filename.decode("utf-8", "replace")),
            declared_type=declared.decode("latin-1")[:100],
        )
        self.submission.files.append(part.file)
        self._handles[part.file.name] = os.open(
            self.staging / part.file.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
        )

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self._current()
        piece = data[start:end]
        if part.file is None:
            part.data += piece
            if len(part.data) > self.limits.field_bytes:
                self._refuse(
                    PayloadTooLarge(
                        f"The field {part.name!r} is too long.", reason="form_too_large"
                    )
                )
            return
        part.file.size += len(piece)
        self._total += len(piece)
        if part.file.size > self.limits.file_bytes:
            self._refuse(
                PayloadTooLarge(
                    _too_large(part.file, self.limits.file_bytes), reason="form_too_large"
                )
            )
        elif self.limits.total_bytes and self._total > self.limits.total_bytes:
            self._refuse(
                PayloadTooLarge("The files together are too large.", reason="form_too_large")
            )
        if len(part.file.head) < HEAD_BYTES:
            part.file.head += piece[: HEAD_BYTES - len(part.file.head)]
        part.digest.update(piece)
        part.pending.append(piece)

    def _end(self) -> None:
        part = self._current()
        self._part = None
        if part.file is None:
            if part.name:
                self.submission.fields[part.name] = part.data.decode("utf-8", "replace")
            return
        part.file.sha256 = part.digest.hexdigest()
        self._finished.append(part)

    def _refuse(self, problem: Exception) -> None:
        # A callback's exception would surface as the parser's; keep ours to raise instead.
        if self._problem is None:
            self._problem = problem
        raise problem

    def _flush(self) -> None:
        for part in [self._part, *self._finished]:
            if part is None or part.file is None or not part.pending:
                continue
            handle = self._handles[part.file.name]
            for piece in part.pending:
                os.write(handle, piece)
            part.pending.clear()
        for part in self._finished:
            if part.file is not None:
                with contextlib.suppress(KeyError):
                    os.close(self._handles.pop(part.file.name))
        self._finished.clear()

    def _close_all(self) -> None:
        for handle in self._handles.values():
            with contextlib.suppress(OSError):
                os.close(handle)
        self._handles.clear()


def _boundary(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary or len(boundary) > 200:
        raise BadRequest(
            "The tip form must be sent as multipart/form-data.", reason="form_malformed"
        )
    return boundary


def _too_large(staged: StagedFile, limit: int) -> str:
    return f"{staged.filename} is larger than {limit // (1024 * 1024)} MB."


def safe_filename(name: str) -> str:
    """A reader's file name as the desk shows it: the last path part, printable, short."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return cleaned[:120] or "bestand"


def staged_path(staging: Path, name: str) -> Path:
    """Where a staged file is; refuses any name the reader could have chosen."""
    if not STAGED_NAME.fullmatch(name):
        raise ValueError("not a staged file's name")
    return staging / name


def staging_folder(data_dir: Path) -> Path:
    """Where the form's uploads wait for their fetch job: inside the private data folder."""
    folder = data_dir / "webform"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def sweep_staging(data_dir: Path, older_than: float, now: float) -> int:
    """Remove staged files no fetch job took (a submission cut off by a crash): a form's files
    move into the store within moments, so a day-old one belongs to nothing."""
    folder = data_dir / "webform"
    removed = 0
    for path in folder.iterdir() if folder.exists() else ():
        if STAGED_NAME.fullmatch(path.name) and path.stat().st_mtime < now - older_than:
            path.unlink(missing_ok=True)
            removed += 1
    return removed

"""The one place that builds media paths. Everything it returns lies inside the store's root.

Originals are content-addressed (`originals/ab/cd/<sha256>`), written once and never changed;
identical files from different readers are the same file. Variants live beside them under
`variants/<sha256>/<name>.<ext>`. Work in progress goes to `tmp/` and is renamed into place, so
a crash never leaves half a file where a finished one is expected. Each decode gets a workroom
of its own, `tmp/<random>/`, removed as a whole afterwards: a child killed halfway through a
write leaves its partial file there, never loose in `tmp/`.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")
_WORKROOM = re.compile(r"^[0-9a-f]{24}$")


class UnsafePath(ValueError):
    """A path was asked for that would lie outside the store."""


class MediaStore:
    def __init__(self, root: Path, workroom: str | None = None) -> None:
        self.root = root.resolve()
        self.workroom = _checked(workroom, _WORKROOM, "workroom") if workroom else None

    @property
    def scratch(self) -> Path:
        """Where `temporary` puts files: `tmp/`, or `tmp/<workroom>/`."""
        folder = self.root / "tmp"
        return self._inside(folder / self.workroom if self.workroom else folder)

    def with_workroom(self) -> MediaStore:
        """This store with a fresh `tmp/<random>/` for one decode's temporary files."""
        return MediaStore(self.root, secrets.token_hex(12))

    def clear_workroom(self) -> None:
        """Blocking: remove the workroom and whatever is still in it (nothing without one)."""
        if self.workroom:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def original(self, sha256: str) -> Path:
        digest = _checked(sha256, _SHA256, "sha256")
        return self._inside(self.root / "originals" / digest[:2] / digest[2:4] / digest)

    def variant(self, sha256: str, name: str, extension: str) -> Path:
        digest = _checked(sha256, _SHA256, "sha256")
        stem = _checked(name, _NAME, "variant name")
        suffix = _checked(extension, _EXTENSION, "extension")
        return self._inside(self.root / "variants" / digest / f"{stem}.{suffix}")

    def variant_folder(self, sha256: str) -> Path:
        digest = _checked(sha256, _SHA256, "sha256")
        return self._inside(self.root / "variants" / digest)

    def discard(self, sha256: str) -> int:
        """Blocking: remove an original and all its variants; how many files went. The caller
        checks first that no asset still refers to `sha256` (identical files are shared)."""
        removed = 0
        original = self.original(sha256)
        if original.exists():
            original.unlink()
            removed += 1
        folder = self.variant_folder(sha256)
        if folder.is_dir():
            for rendition in folder.iterdir():
                rendition.unlink()
                removed += 1
            folder.rmdir()
        for parent in (original.parent, original.parent.parent):
            with contextlib.suppress(OSError):  # not empty: another original lives there
                parent.rmdir()
        return removed

    def temporary(self, suffix: str = "") -> Path:
        """A fresh path for work in progress; the caller removes or renames it."""
        extension = _checked(suffix, _EXTENSION, "extension") if suffix else ""
        folder = self.scratch
        folder.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(12) + (f".{extension}" if extension else "")
        return self._inside(folder / name)

    def resolve_stored(self, relative: str) -> Path:
        """A path recorded in the database (relative to the root), checked again on the way out."""
        return self._inside(self.root / relative)

    def relative(self, path: Path) -> str:
        return str(self._inside(path).relative_to(self.root))

    def place(self, source: Path, target: Path) -> None:
        """Move finished work into place atomically; an existing original is never replaced."""
        self._inside(source)
        self._inside(target).parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.is_relative_to(self.root / "originals"):
            source.unlink(missing_ok=True)
            return
        source.replace(target)
        if target.is_relative_to(self.root / "originals"):
            target.chmod(0o400)  # the desk's user alone, and never written again

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise UnsafePath(f"{path} lies outside the media store")
        return resolved


def _checked(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.match(value):
        raise UnsafePath(f"{what} {value[:80]!r} is not allowed in a media path")
    return value

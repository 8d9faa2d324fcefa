"""What a pipeline hands back: browser-ready files in the store's tmp/, and what it learned."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from media_store.paths import MediaStore


class MediaRejected(ValueError):
    """The file cannot be made browser-ready; `reason` is fit to show an editor. Not retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rendition:
    name: str
    path: Path
    mime: str
    extension: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None


@dataclass
class Processed:
    renditions: list[Rendition] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)
    workroom: Path | None = None  # the renditions' own folder in tmp/, if they have one

    def discard(self) -> None:
        """Remove what is left in tmp/: renditions not moved into place, and their workroom."""
        for rendition in self.renditions:
            rendition.path.unlink(missing_ok=True)
        if self.workroom is not None:
            shutil.rmtree(self.workroom, ignore_errors=True)


async def in_workroom(
    store: MediaStore, work: Callable[[MediaStore], Awaitable[Processed]]
) -> Processed:
    """Run `work` with a fresh workroom in tmp/: on any failure, cancellation included, the
    workroom goes at once with whatever partial file is in it; on success it travels with the
    result and goes with `Processed.discard` once the renditions are in place."""
    room = store.with_workroom()
    room.scratch.mkdir(parents=True)
    try:
        processed = await work(room)
    except BaseException:
        room.clear_workroom()
        raise
    processed.workroom = room.scratch
    return processed

"""What a pipeline hands back: browser-ready files in the store's tmp/, and what it learned."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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

    def discard(self) -> None:
        for rendition in self.renditions:
            rendition.path.unlink(missing_ok=True)

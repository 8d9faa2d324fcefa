"""Who has a tip on screen and who is typing on it: "Anne bekijkt deze tip", "Bram typt…".

Kept in this web process's memory: an editor is present while their tip page holds its event
stream open, and typing for TYPING_SECONDS after their page last said so. With several web
processes behind a proxy, editors see only colleagues served by the same process; sharing it
would go over PostgreSQL LISTEN/NOTIFY, as the job queue's doorbells do (tipdesk/jobs/wakeup.py).
Nothing here is written to the database: presence is a courtesy, not a record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from starlette.applications import Starlette

TYPING_SECONDS = 6.0


@dataclass
class Viewer:
    name: str
    screens: int = 0  # the same editor in two tabs is one viewer
    typing_until: float = 0.0


@dataclass
class Presence:
    tips: dict[int, dict[int, Viewer]] = field(default_factory=dict)

    def arrive(self, tip_id: int, editor_id: int, name: str) -> None:
        viewer = self.tips.setdefault(tip_id, {}).setdefault(editor_id, Viewer(name))
        viewer.screens += 1

    def leave(self, tip_id: int, editor_id: int) -> None:
        viewers = self.tips.get(tip_id, {})
        viewer = viewers.get(editor_id)
        if viewer is None:
            return
        viewer.screens -= 1
        if viewer.screens <= 0:
            del viewers[editor_id]
        if not viewers:
            self.tips.pop(tip_id, None)

    def typing(self, tip_id: int, editor_id: int) -> None:
        viewer = self.tips.get(tip_id, {}).get(editor_id)
        if viewer is not None:  # only an editor with the page open can be typing on it
            viewer.typing_until = time.monotonic() + TYPING_SECONDS

    def others(self, tip_id: int, editor_id: int) -> list[tuple[str, bool]]:
        """The other editors on this tip, by name, and whether each is typing."""
        now = time.monotonic()
        viewers = self.tips.get(tip_id, {})
        return sorted(
            (viewer.name, viewer.typing_until > now)
            for who, viewer in viewers.items()
            if who != editor_id
        )


def presence_of(app: Starlette) -> Presence:
    """The process's one Presence, made on first use."""
    if not hasattr(app.state, "presence"):
        app.state.presence = Presence()
    found: Presence = app.state.presence
    return found

"""Reader media is decoded in a child process with hard limits, never in the desk itself.

A hostile file (a nested-XObject PDF that wants 23 GB, a 7700×7700 PNG) can then cost at most
the child's address space, CPU seconds and output size, and a wall-clock deadline kills the
child's whole process group. The desk's event loop only waits on a pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path

from media_store.paths import MediaStore
from media_store.renditions import MediaRejected, Processed, Rendition, in_workroom

DEADLINE_SECONDS = 60.0
KINDS = ("image", "pdf", "likeness")

_REASONS = {
    "image": "the picture could not be opened safely (it needs too much memory or time)",
    "pdf": "the PDF could not be opened safely (it needs too much memory or time)",
    "likeness": "the video's keyframes could not be compared safely",
}


async def develop(
    kind: str, store: MediaStore, source: Path, *, deadline: float = DEADLINE_SECONDS
) -> Processed:
    """Decode `source` in a limited child; a child killed by a limit becomes MediaRejected.
    The child writes only into a workroom of its own (see `in_workroom`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown darkroom kind {kind!r}")

    async def work(room: MediaStore) -> Processed:
        output, returncode = await _run(kind, room, source, deadline)
        return _read(kind, room, output, returncode)

    return await in_workroom(store, work)


async def _run(
    kind: str, room: MediaStore, source: Path, deadline: float
) -> tuple[bytes, int | None]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "media_store.darkroom_child",
        kind, str(room.root), str(room.workroom), str(source),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(child.communicate(), deadline)
    except TimeoutError:
        _kill(child.pid)
        await child.wait()
        raise MediaRejected(_REASONS[kind]) from None
    finally:
        _kill(child.pid)  # anything the child left behind in its group goes too
    return output, child.returncode


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _read(kind: str, room: MediaStore, output: bytes, returncode: int | None) -> Processed:
    try:
        result = json.loads(output.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = None
    if returncode != 0 or not isinstance(result, dict):
        raise MediaRejected(_REASONS[kind])
    if "rejected" in result:
        raise MediaRejected(str(result["rejected"]))
    processed = Processed(details=dict(result["details"]))
    for item in result["renditions"]:
        path = Path(item["path"]).resolve()
        if not path.is_relative_to(room.scratch):
            raise MediaRejected(_REASONS[kind])
        processed.renditions.append(
            Rendition(
                item["name"], path, item["mime"], item["extension"],
                item["width"], item["height"], item["duration"],
            )
        )  # fmt: skip
    return processed

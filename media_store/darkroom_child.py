"""The child side of the darkroom: set hard limits on itself, then decode one file.

Run as `python -m media_store.darkroom_child KIND STORE_ROOT WORKROOM SOURCE`, or with
`exec COMMAND...` to run ffmpeg/ffprobe under the (larger) video limits. The limits are set here,
in the child, rather than with preexec_fn, which is unsafe in a process that runs threads. The
answer is one JSON line on stdout; a rejection is `{"rejected": reason}`.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

from media_store.renditions import MediaRejected, Processed

ADDRESS_SPACE = 1024 * 1024 * 1024  # 1 GiB: a 60 MP photo decodes in well under half of that
CPU_SECONDS = 60
OUTPUT_BYTES = 256 * 1024 * 1024
# x264 reserves address space per thread; CPU seconds add up over its threads.
FFMPEG_ADDRESS_SPACE = 4 * 1024 * 1024 * 1024
FFMPEG_CPU_SECONDS = 3600
FFMPEG_OUTPUT_BYTES = 2 * 1024 * 1024 * 1024


def limit(
    address_space: int = ADDRESS_SPACE, cpu: int = CPU_SECONDS, output: int = OUTPUT_BYTES
) -> None:
    for which, value in (
        (resource.RLIMIT_AS, address_space),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, output),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))


def develop(kind: str, root: Path, workroom: str, source: Path) -> Processed:
    # Imported after the limits are set: the decoders never load in the desk's own process.
    from media_store.paths import MediaStore

    store = MediaStore(root, workroom)
    if kind == "image":
        from media_store.images import process_image

        return process_image(store, source)
    if kind == "likeness":
        from media_store.likeness import hash_folder

        return hash_folder(store, source)
    from media_store.documents import process_pdf

    return process_pdf(store, source)


def answer(processed: Processed) -> dict[str, object]:
    return {
        "details": processed.details,
        "renditions": [
            {
                "name": r.name, "path": str(r.path), "mime": r.mime, "extension": r.extension,
                "width": r.width, "height": r.height, "duration": r.duration,
            }
            for r in processed.renditions
        ],
    }  # fmt: skip


def main(argv: list[str]) -> int:
    if argv[0] == "exec":
        limit(FFMPEG_ADDRESS_SPACE, FFMPEG_CPU_SECONDS, FFMPEG_OUTPUT_BYTES)
        # The command is our own ffmpeg/ffprobe argv from media_store/ffmpeg.py, no shell.
        os.execv(argv[1], argv[1:])  # noqa: S606
    kind, root, workroom, source = argv
    limit()
    try:
        result = answer(develop(kind, Path(root), workroom, Path(source)))
    except MediaRejected as exc:
        result = {"rejected": exc.reason}
    except MemoryError:
        result = {"rejected": "the file needs too much memory to open safely"}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The desk's files are for the desk's user alone: readers' numbers, words and media live there.

Every `tipdesk` command sets the umask to 077 before it touches a file, so the database, its
write-ahead log, the search index, the media store and the secret key are created 0600 and
their folders 0700, whatever the shell's umask was, and child processes (the index process,
ffmpeg) inherit it. Files made before that, or by hand, are only warned about at start: the
desk does not change modes behind an operator's back.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from tipdesk.db import sqlite_path
from tipdesk.settings import Settings

log = logging.getLogger("tipdesk.files")
PRIVATE_UMASK = 0o077


def keep_files_private() -> None:
    os.umask(PRIVATE_UMASK)


def exposed_paths(settings: Settings) -> list[tuple[Path, int]]:
    """The desk's folders and database files that other users of the machine can open.

    A private data directory shields everything below it, so only its own mode counts, and the
    SQLite files' when they lie elsewhere."""
    paths = [settings.data_dir]
    database = sqlite_path(settings.database_url)
    if database and not Path(database).resolve().is_relative_to(settings.data_dir):
        paths += [Path(database).parent, *(Path(database + s) for s in ("", "-wal", "-shm"))]
    found = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            found.append((path, mode))
    return found


def warn_if_exposed(settings: Settings) -> None:
    for path, mode in exposed_paths(settings):
        log.warning(
            "%s is open to other users of this machine (mode %s): run `chmod go-rwx %s`",
            path,
            oct(mode)[2:],
            path,
        )

"""The tip index on disk: one writer at a time, readers always on the latest commit, and a
rebuild that swaps in atomically while the desk keeps serving.

`<data dir>/search/current` is a symlink to the live index directory. A rebuild writes a new
directory from the database and replaces the symlink in one rename; readers that opened the old
directory finish their query there. A missing, unreadable or outdated index (one built for
another `SCHEMA_VERSION`) is rebuilt from the database, which stays the source of truth.

Every write, forget and rebuild holds `<data dir>/search/desk.lock` (`exclusive`), an flock
that every process on every host sharing the data directory takes: a write always lands in the
index that is live while it holds the lock, and a rebuild holds it from its snapshot of the
database until its swap, so no write can go into an index that is about to be replaced and no
two rebuilds overlap (two workers that both found no index each built one and the later swap
dropped what had been written to the first).

Each desk process writes through one index process of its own (`IndexProcess`). whoosh is pure
Python: a commit of a busy second's tips holds the interpreter lock for tens of milliseconds,
and in a thread beside the event loop it made every webhook, confirmation and database reply of
the desk wait its turn (a quarter of the worker's time under a storm). In its own process it runs
on another core and the desk's event loop never waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import multiprocessing
import os
import secrets
import shutil
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from whoosh import index as whoosh_index
from whoosh.index import FileIndex, LockError
from whoosh.searching import Searcher

from tipdesk.search.schema import TipDocument, tip_schema

log = logging.getLogger("tipdesk.search")
WRITE_LOCK_TIMEOUT = 30.0
# How long a write or rebuild waits for the search folder's lock: a rebuild of a large desk
# takes minutes, and a write that waits for it is what keeps it from being lost.
LOCK_PATIENCE = 600.0
LOCK_POLL = 0.02
# Segments as separate files, not one compound file: whoosh copies a compound segment's terms
# and postings into memory on every searcher it opens (some 200 MB, 0.2-0.8 s, at 100,000
# tips), and the board opens one for each view's count on every render (bench/board.py).
COMPOUND = False
# Raise it whenever what a document holds changes (fields, analysers, which text goes in): an
# index built for another version is rebuilt from the database when it is next used.
# 2: reader text only (no desk messages), editors' notes, `number` to break ties, media `none`.
# 3: what voice notes and videos say (`transcripts`, and in the tip's text).
# 4: `newest` (received second and tip id, one sortable number) in place of `number`.
SCHEMA_VERSION = 4
VERSION_FILE = "tipdesk-schema-version"


class IndexUnavailable(RuntimeError):
    """The index is missing or unreadable; it must be rebuilt from the database."""


class IndexBusy(RuntimeError):
    """Another process holds the write lock; try again shortly."""


class TipIndex:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.folder = data_dir / "search"
        self.current = self.folder / "current"
        self._index: FileIndex | None = None
        self._opened: Path | None = None

    def exists(self) -> bool:
        """There is a live index, built for this version of the schema."""
        if not self.current.exists():
            return False
        target = self.current.resolve()
        return whoosh_index.exists_in(str(target)) and _version(target) == SCHEMA_VERSION

    def usable(self) -> bool:
        """Blocking: the live index exists and opens."""
        try:
            self.open()
        except IndexUnavailable:
            return False
        return True

    def open(self) -> FileIndex:
        """The live index, reopened when a rebuild has swapped in a new one."""
        if not self.current.exists():
            raise IndexUnavailable("there is no search index yet")
        target = self.current.resolve()
        if _version(target) != SCHEMA_VERSION:
            raise IndexUnavailable("the search index was built by an older version of the desk")
        if self._index is None or self._opened != target:
            try:
                self._index = whoosh_index.open_dir(str(target), schema=tip_schema())
            except Exception as exc:  # whoosh raises many kinds for a damaged directory
                raise IndexUnavailable(f"the search index cannot be opened ({exc})") from exc
            self._opened = target
        return self._index

    def searcher(self) -> Searcher:
        return self.open().searcher()

    def write(self, documents: Iterable[TipDocument], gone: Iterable[int] = ()) -> None:
        """Blocking: add or replace documents and delete vanished tips in one commit."""
        writer = self.open().writer(timeout=WRITE_LOCK_TIMEOUT, compound=COMPOUND)
        try:
            for document in documents:
                writer.update_document(**document.fields())
            for tip_id in gone:
                writer.delete_by_term("tip_id", str(tip_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def forget(self, tip_ids: Iterable[int]) -> None:
        """Blocking: delete tips' documents and rewrite the index without them (an optimizing
        commit), so their words leave the files on disk too, not only the search results. The
        index a rebuild replaced (kept one round for running queries) is rewritten too."""
        ids = list(tip_ids)
        _forget_in(self.open(), ids)
        live = self.current.resolve()
        for old in self.folder.glob("index-*"):
            if old.resolve() == live or not whoosh_index.exists_in(str(old)):
                continue
            if _version(old) != SCHEMA_VERSION:
                shutil.rmtree(old, ignore_errors=True)  # not readable with today's schema
                continue
            try:
                _forget_in(whoosh_index.open_dir(str(old), schema=tip_schema()), ids, 0.5)
            except LockError:
                log.info("search index %s is being written; left as it is", old.name)

    def build(self, documents: Iterable[TipDocument]) -> Path:
        """Blocking: a complete new index directory beside the live one (not yet live)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"index-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        target.mkdir()
        built = whoosh_index.create_in(str(target), tip_schema())
        writer = built.writer(compound=COMPOUND)
        for document in documents:
            writer.add_document(**document.fields())
        writer.commit()
        (target / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n", encoding="ascii")
        return target

    def swap(self, target: Path) -> None:
        """Make `target` live in one atomic rename. The index it replaced stays one more round,
        so a query that opened it just before the swap can finish there."""
        previous = self.current.resolve() if self.current.exists() else None
        link = self.folder / f".current-{secrets.token_hex(4)}"
        link.symlink_to(target.name)
        link.replace(self.current)
        for old in self.folder.glob("index-*"):
            if old not in (target, previous):
                shutil.rmtree(old, ignore_errors=True)
        self._index = None


def _version(folder: Path) -> int | None:
    try:
        return int((folder / VERSION_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None  # built before versions were written, or damaged


@contextlib.asynccontextmanager
async def exclusive(index: TipIndex, patience: float = LOCK_PATIENCE) -> AsyncIterator[None]:
    """Hold the search folder's lock (see the module's docstring); IndexBusy after `patience` s.

    An flock, so the kernel lets go when its process dies, and (Linux maps it onto POSIX locks
    over NFS) it holds across hosts on a shared data directory like whoosh's own lock. Polled,
    so a waiting job never blocks the event loop or the index process."""
    index.folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + patience
    while (held := _try_lock(index.folder / "desk.lock")) is None:
        if time.monotonic() > deadline:
            raise IndexBusy("another process is writing or rebuilding the search index")
        await asyncio.sleep(LOCK_POLL)
    try:
        yield
    finally:
        os.close(held)  # closing the descriptor releases the flock


def _try_lock(path: Path) -> int | None:
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def _forget_in(index: FileIndex, tip_ids: list[int], timeout: float = WRITE_LOCK_TIMEOUT) -> None:
    writer = index.writer(timeout=timeout, compound=COMPOUND)
    try:
        for tip_id in tip_ids:
            writer.delete_by_term("tip_id", str(tip_id))
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=True)


Result = TypeVar("Result")


class IndexProcess:
    """The process this desk process writes the index in, started at its first write.

    A spawned process, not a fork: the desk has threads (the database's, the inbox's) whose locks
    a fork would copy held. It keeps each data directory's index open between writes. If it
    dies, the write fails (its job is retried) and the next write starts a new one. It ends
    with the desk process: `close` at a clean shutdown, and on its own when the desk process is
    gone (uvicorn ends on SIGTERM's default action and a SIGKILL ends anything, both without
    the pool's own shutdown)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, work: Callable[..., Result], *args: object) -> Result:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_leave_with_parent,
                initargs=(os.getpid(),),
            )
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, work, *args)
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None
            pool.shutdown(wait=False)
            raise
        except LockError as exc:
            raise IndexBusy("another process is writing the search index") from exc

    async def close(self) -> None:
        """Let a running write finish and end the process (a later write starts a new one)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True)


def _leave_with_parent(parent: int) -> None:
    """In the index process: exit once the desk process that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="tipdesk-index-parent", daemon=True).start()


# One per desk process, like its database connections: every job of the process shares it.
INDEX_PROCESS = IndexProcess()
# In the index process: each data directory's index, kept open between writes.
_open_indexes: dict[Path, TipIndex] = {}


def _index_in_this_process(data_dir: Path) -> TipIndex:
    if data_dir not in _open_indexes:
        if len(_open_indexes) >= 8:  # the test suite's many data directories
            _open_indexes.clear()
        _open_indexes[data_dir] = TipIndex(data_dir)
    return _open_indexes[data_dir]


def _write_here(data_dir: Path, documents: list[TipDocument], gone: list[int]) -> None:
    _index_in_this_process(data_dir).write(documents, gone)


def _forget_here(data_dir: Path, tip_ids: list[int]) -> None:
    _index_in_this_process(data_dir).forget(tip_ids)


def _build_here(data_dir: Path, documents: list[TipDocument]) -> Path:
    return _index_in_this_process(data_dir).build(documents)


async def forget_async(index: TipIndex, tip_ids: list[int], *, locked: bool = False) -> None:
    """`locked`: the caller holds `exclusive` already (a rebuild)."""
    async with contextlib.nullcontext() if locked else exclusive(index):
        await INDEX_PROCESS.run(_forget_here, index.data_dir, tip_ids)


async def write_async(index: TipIndex, documents: list[TipDocument], gone: list[int]) -> None:
    async with exclusive(index):
        await INDEX_PROCESS.run(_write_here, index.data_dir, documents, gone)


async def build_async(index: TipIndex, documents: list[TipDocument]) -> Path:
    """A new index directory, not yet live: call it holding `exclusive` and swap it in."""
    return await INDEX_PROCESS.run(_build_here, index.data_dir, documents)

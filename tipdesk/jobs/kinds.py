"""Job kinds: each declared once, beside its handler, with everything a job of it needs.

A `JobKind` names the kind (the `kind` column: names never change, so rows queued by an older
release still run), its priority, its attempts (by default `TIPDESK_JOB_MAX_ATTEMPTS`), how long
one attempt may run, and its payload type: a frozen dataclass of JSON values. A payload is
checked when it is enqueued (a programming error fails in the caller, before anything is
written) and again when it is leased (a row written by hand, or by a release that wrote another
shape, ends `dead` at once with the reason: no retry can fix it). The desk's registry is the
list in `tipdesk/desk.py`; the queue below stays a table of names and JSON.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.jobs import queue
from tipdesk.settings import Settings

if TYPE_CHECKING:
    from tipdesk.channels.base import Channel

P = TypeVar("P")


class PayloadError(ValueError):
    """A payload does not fit its kind's type; the message names the kind and the field."""


class UnknownJobKind(LookupError):
    """No kind of that name is registered."""


async def carry_on() -> None:
    return None


@dataclass(frozen=True)
class JobContext:
    """What a handler gets besides its payload: the settings, which attempt of how many this
    is, and the worker's channel to readers (in the sandbox, WhatsApp reaches the desk's own
    fake Graph API)."""

    settings: Settings
    job_id: int
    attempt: int
    max_attempts: int
    channel: Channel
    # A handler that works through many items awaits this between them (see Worker.give_way).
    give_way: Callable[[], Awaitable[None]] = field(default=carry_on)

    @property
    def last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


@dataclass(frozen=True)
class NoPayload:
    """The payload of a kind that needs nothing but its name (purges, sweeps, roll-ups)."""


@dataclass(frozen=True)
class JobKind(Generic[P]):
    """A kind of job. `give_up` is what giving one up means for the desk (the asset failed,
    the body kept as unprocessable, the message failed), called instead of the handler when
    the job kept killing its workers; `revive` takes that back in the transaction of an
    admin's retry (`jobs/revival.py`). `concurrency` caps how many one process runs at once."""

    name: str
    payload: type[P]
    handler: Callable[[JobContext, P], Awaitable[None]]
    priority: int
    # The longest one attempt may run; None where the handler bounds itself (ffmpeg's limit).
    timeout: timedelta | None
    # None: TIPDESK_JOB_MAX_ATTEMPTS.
    max_attempts: int | None = None
    concurrency: int | Callable[[Settings], int] | None = None
    give_up: Callable[[JobContext, P], Awaitable[None]] | None = None
    revive: Callable[[P, BaseDBAsyncClient], Awaitable[None]] | None = None

    def attempts(self, settings: Settings) -> int:
        return settings.job_max_attempts if self.max_attempts is None else self.max_attempts

    def limit(self, settings: Settings) -> int | None:
        """How many jobs of this kind one process runs at once (None: as many as it has slots)."""
        return self.concurrency(settings) if callable(self.concurrency) else self.concurrency

    def dump(self, payload: P) -> dict[str, object]:
        """The payload as the row's JSON, checked against the kind's type."""
        if not isinstance(payload, self.payload):
            raise PayloadError(
                f"{self.name} takes a {self.payload.__name__}, not {type(payload).__name__}"
            )
        raw = payload_json(payload)
        self.load(raw)  # the payload's own rules, and types mypy cannot see (Any)
        return raw

    def load(self, raw: Mapping[str, object]) -> P:
        """The row's JSON as the kind's payload; PayloadError saying what does not fit."""
        return read_payload(self.payload, raw, self.name)

    async def enqueue(
        self,
        payload: P,
        settings: Settings,
        *,
        using_db: BaseDBAsyncClient | None = None,
        dedupe_key: str | None = None,
        run_at: datetime | None = None,
        priority: int | None = None,
    ) -> None:
        """Add a job of this kind (see `queue.enqueue`: the caller's transaction, the dedupe
        key). `priority` overrides the kind's for one job (intake ranks bodies by content)."""
        await queue.enqueue(
            self.name,
            self.dump(payload),
            max_attempts=self.attempts(settings),
            using_db=using_db,
            dedupe_key=dedupe_key,
            run_at=run_at,
            priority=self.priority if priority is None else priority,
        )


def registry(*kinds: JobKind[Any]) -> dict[str, JobKind[Any]]:
    """Kinds by name; a name declared twice is a mistake caught at start."""
    found: dict[str, JobKind[Any]] = {}
    for kind in kinds:
        if kind.name in found:
            raise ValueError(f"job kind {kind.name} is declared twice")
        found[kind.name] = kind
    return found


def kind_named(kinds: Mapping[str, JobKind[Any]], name: str) -> JobKind[Any]:
    kind = kinds.get(name)
    if kind is None:
        known = ", ".join(sorted(kinds))
        raise UnknownJobKind(f"no job kind '{name}' (known: {known})")
    return kind


def read_payload(cls: type[P], raw: Mapping[str, object], kind: str) -> P:
    if not isinstance(raw, Mapping):
        raise PayloadError(f"{kind}: the payload is not an object")
    hints = _hints(cls)
    unknown = sorted(set(raw) - set(hints))
    if unknown:
        raise PayloadError(f"{kind}: '{unknown[0]}' is not a field of {cls.__name__}")
    values: dict[str, object] = {}
    for name, (hint, required) in hints.items():
        if name not in raw:
            if required:
                raise PayloadError(f"{kind} needs {name}")
            continue
        try:
            values[name] = _fit(raw[name], hint)
        except TypeError as exc:
            raise PayloadError(f"{kind}: {name} must be {exc}") from None
    try:
        return cls(**values)
    except ValueError as exc:  # the payload's own rules (__post_init__)
        raise PayloadError(f"{kind}: {exc}") from None


_HINTS: dict[type[Any], dict[str, tuple[object, bool]]] = {}


def _hints(cls: type[Any]) -> dict[str, tuple[object, bool]]:
    """Each field's type and whether it must be given (worked out once per type: every lease
    reads a payload)."""
    known = _HINTS.get(cls)
    if known is not None:
        return known
    resolved = typing.get_type_hints(cls)
    _HINTS[cls] = {
        f.name: (
            resolved[f.name],
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    }
    return _HINTS[cls]


def _fit(value: object, hint: object) -> object:
    """The JSON value as `hint` (lists become tuples); TypeError naming what was expected."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _fit(value, inner[0])
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise TypeError(f"a list, not {type(value).__name__}")
        return tuple(_fit(item, args[0]) for item in value)
    # bool is an int to Python, never to a payload.
    if hint in (int, str, float, bool) and type(value) is hint:
        return value
    name = getattr(hint, "__name__", str(hint))
    raise TypeError(f"{'an' if name == 'int' else 'a'} {name}, not {type(value).__name__}")


def payload_json(payload: object) -> dict[str, object]:
    """A payload dataclass as a row's JSON: tuples as lists, fields at their default left out
    (a field added later with a default reads old rows the same way)."""
    raw: dict[str, object] = {}
    for f in dataclasses.fields(payload):  # type: ignore[arg-type]
        value = getattr(payload, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        raw[f.name] = list(value) if isinstance(value, tuple) else value
    return raw

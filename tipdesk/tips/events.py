"""What a tip's actions tell the rest of the desk, and who listens.

An action publishes an event inside its transaction, after its own writes and its audit event.
Every subscriber runs right there, on the event's connection, so the change and all that
follows from it (a message to the reader, say) commit or roll back together, and a subscriber
that raises undoes the action. The tips package never imports its listeners: the composition
root (tipdesk/desk.py) connects them, once per process, before any action runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from tipdesk.settings import Settings
from tipdesk.tips.models import Tip, TipStatus


@dataclass(frozen=True)
class StatusChanged:
    """A tip moved from one status to another (never published for the same status again).
    `tip` is the row as the action read it, with its new published URL."""

    tip: Tip
    previous: TipStatus
    status: TipStatus
    settings: Settings
    connection: BaseDBAsyncClient


TipEvent = StatusChanged
Event = TypeVar("Event", bound=TipEvent)
Subscriber = Callable[[Event], Awaitable[None]]

_subscribers: dict[type[TipEvent], list[Callable[[Any], Awaitable[None]]]] = {}


def subscribe(event: type[Event], subscriber: Subscriber[Event]) -> None:
    """Run `subscriber` on every `event` from now on; subscribing twice runs it once."""
    listeners = _subscribers.setdefault(event, [])
    if subscriber not in listeners:
        listeners.append(subscriber)


def unsubscribe(event: type[Event], subscriber: Subscriber[Event]) -> None:
    if subscriber in _subscribers.get(event, ()):
        _subscribers[event].remove(subscriber)


def subscribers(event: type[TipEvent]) -> list[Callable[[Any], Awaitable[None]]]:
    return list(_subscribers.get(event, ()))


async def publish(event: TipEvent) -> None:
    """In the order they subscribed, each awaited before the next."""
    for subscriber in _subscribers.get(type(event), ()):
        await subscriber(event)

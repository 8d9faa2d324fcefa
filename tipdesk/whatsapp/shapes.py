"""Reading WhatsApp JSON defensively: a field of the wrong type reads as empty, never raises."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def as_object(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""

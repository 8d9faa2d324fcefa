"""The desk's one clock: every "now" is timezone-aware UTC, read here, so every module agrees."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)

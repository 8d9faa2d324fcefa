"""Logging for operators. Log lines never carry message text or full phone numbers."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format=FORMAT, stream=sys.stderr, force=True)
    # tortoise logs SQL with its parameters at debug level, and that is reader data.
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)


def mask_phone(number: str | None) -> str:
    """`+31612345678` → `+31••••••78`: enough to tell readers apart, not to call them."""
    if not number:
        return ""
    digits = number.strip()
    if len(digits) <= 4:
        return "•" * len(digits)
    return digits[:3] + "•" * (len(digits) - 5) + digits[-2:]

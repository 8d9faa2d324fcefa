"""The fake Graph API's business profiles (`/{phone-number-id}/whatsapp_business_profile`):
Meta's rules for the fields and their lengths, and every accepted change recorded."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

# What Meta's profile takes (its reference), and the longest each text may be.
LIMITS = {"about": 139, "address": 256, "description": 512, "email": 128}
WRITABLE = frozenset(
    {*LIMITS, "messaging_product", "vertical", "websites", "profile_picture_handle"}
)
READABLE = frozenset({*LIMITS, "vertical", "websites", "profile_picture_url"})


class ProfileRefused(ValueError):
    """What Meta answers with (#100) Invalid parameter."""


@dataclass
class FakeProfiles:
    by_number: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Every accepted POST: number, time and the fields it set (tests count the writes).
    changes: list[dict[str, Any]] = field(default_factory=list)

    def about(self, number: str) -> str | None:
        value = self.by_number.get(number, {}).get("about")
        return value if isinstance(value, str) else None

    def read(self, number: str, fields: str) -> dict[str, Any]:
        """The GET answer for `?fields=a,b`: Meta leaves out a field that was never set."""
        wanted = [f for f in fields.split(",") if f]
        unknown = sorted(set(wanted) - READABLE)
        if unknown:
            raise ProfileRefused(f"Tried accessing nonexisting field ({unknown[0][:40]})")
        profile = self.by_number.get(number, {})
        data = {name: profile[name] for name in wanted or sorted(READABLE) if name in profile}
        return {"data": [{**data, "messaging_product": "whatsapp"}]}

    def write(self, number: str, body: Any) -> None:
        _check(body)
        changed = {k: v for k, v in body.items() if k != "messaging_product"}
        self.by_number.setdefault(number, {}).update(changed)
        self.changes.append({"number": number, "at": time.time(), "fields": changed})


def _check(body: Any) -> None:
    if not isinstance(body, dict):
        raise ProfileRefused("the request body must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise ProfileRefused("Param messaging_product must be 'whatsapp'")
    unknown = sorted(set(body) - WRITABLE)
    if unknown:
        raise ProfileRefused(f"Param {unknown[0][:40]} is not a profile field")
    for name, limit in LIMITS.items():
        value = body.get(name)
        if name in body and not isinstance(value, str):
            raise ProfileRefused(f"Param {name} must be a string")
        if isinstance(value, str) and not 1 <= len(value) <= limit:
            raise ProfileRefused(f"Param {name} must be between 1 and {limit} characters long")

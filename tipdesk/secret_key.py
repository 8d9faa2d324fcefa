"""The key that signs editors' sessions and CSRF tokens: generated once, or given and checked.

Whoever knows the key can forge a session cookie for any editor, admins included, so a guessable
key is as bad as none. A given key must be long (32 bytes at least), must not be the example
file's placeholder, and must look random: a key that repeats a few characters, or spells a
short pattern over and over, is refused at start with one line that says how to make a good one.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from pathlib import Path

MIN_KEY_BYTES = 32
# An estimate, not a proof: the character distribution's Shannon entropy times the length.
# 48 random URL-safe bytes estimate ~330 bits; 32 random hex digits (`openssl rand -hex 16`)
# 97 to 125 in 2,000 draws; "x" * 40 zero, "password" four times 88.
MIN_ESTIMATED_BITS = 90
PLACEHOLDERS = ("change-me", "changeme", "replace-me", "secret-key", "your-secret")
HOW_TO_MAKE_ONE = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def key_problem(key: str) -> str | None:
    """Why `key` must not sign sessions, or None when it is fit."""
    lowered = key.lower()
    if any(placeholder in lowered for placeholder in PLACEHOLDERS):
        return "is the example placeholder, which anyone can read"
    if len(key.encode("utf-8")) < MIN_KEY_BYTES:
        return f"must be at least {MIN_KEY_BYTES} bytes long"
    if estimated_bits(key) < MIN_ESTIMATED_BITS or _repeats_a_pattern(key):
        return "is too easy to guess (too few different characters, or a repeated pattern)"
    return None


def estimated_bits(key: str) -> float:
    counts = Counter(key)
    per_character = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_character * len(key)


def _repeats_a_pattern(key: str) -> bool:
    """`abcdefgh` eight times has many characters but is one short word repeated."""
    for period in range(1, min(16, len(key) // 2) + 1):
        if all(key[i] == key[i % period] for i in range(len(key))):
            return True
    return False


def stored_secret_key(data_dir: Path) -> str:
    """A key generated on first start and kept in the data dir, so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.is_file():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key

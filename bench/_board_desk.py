"""The desk bench/board.py measures: years of tips as a busy newsroom would have them, written
with multi-row INSERTs so that 100,000 tips take seconds, not the minutes of one ORM save each.

Readers who come back; statuses, desks, tags and claims by several editors; two to six messages
a tip with replies and delivery ticks (some failed); media of every kind, some still pending or
failed, with their variants; consent asked, granted, refused, revoked; internal notes; what each
editor has seen. Every LONG_EVERY-th tip is a long conversation with many media: the tip pages
the bench opens.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections

from tipdesk.reports.sql import dialect

YEARS = 3
LONG_EVERY = 5000
LONG_MESSAGES = 120
LONG_MEDIA = 30
WORDS = (
    "brand ongeluk storm politie markt station school rook water fiets weg kade gemeente "
    "ambulance file trein bus wijk buren lawaai overlast stroom storing boom dak hagel"
).split()
STATUSES = ["new", "in_review", "verified", "used", "rejected", "archived"]
STATUS_WEIGHTS = [10, 20, 15, 10, 35, 10]
# Kind, its share, and the variants a ready medium of that kind has (media_store's names).
KINDS = {
    "image": (55, ["thumb", "display"]), "video": (20, ["poster", "720p"]),
    "voice": (10, ["m4a"]), "audio": (3, ["m4a"]), "document": (8, ["thumb"]),
    "sticker": (4, []),
}  # fmt: skip
MEDIA_STATES = ["ready", "failed", "pending"]
MEDIA_STATE_WEIGHTS = [92, 6, 2]
CONSENT = [
    ("requested", None), ("granted", "named"), ("granted", "anonymous"), ("refused", None),
    ("revoked", "named"),
]  # fmt: skip
Row = tuple[Any, ...]
COLUMNS = {
    "senders": "id, channel, address, phone, display_name, first_contact_at, last_inbound_at,"
    " opted_out_at, blocked_at, created_at, updated_at, language",
    "tips": "id, sender_id, status, desk, tags, claimed_by_id, claimed_at, first_message_at,"
    " last_message_at, created_at, updated_at, used_at",
    "messages": "id, channel, external_id, tip_id, sender_id, direction, type, text, content,"
    " forwarded, editor_id, delivery, delivery_at, delivery_error, purpose, automatic, sent_at,"
    " created_at",
    "media_assets": "id, token, tip_id, message_id, kind, state, error, sha256, size, filename,"
    " details, created_at, updated_at",
    "media_variants": "asset_id, name, path, mime, size, width, height, created_at",
    "consent_records": "tip_id, sender_id, state, scope, question_text, answer_text,"
    " requested_by_id, requested_at, answered_at, revoked_at",
    "tip_notes": "tip_id, editor_id, text, created_at",
    "audit_events": "tip_id, editor_id, action, detail, created_at",
    "tip_views": "tip_id, editor_id, seen_at",
}
# Parents before children: the order of the INSERTs.
TABLES = tuple(COLUMNS)


@dataclass
class Desk:
    """The rows to write, and the tips worth opening."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    long_tips: list[int] = field(default_factory=list)
    _ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self._ids[table] = self._ids.get(table, 0) + 1
        return self._ids[table]

    def total(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def newsroom(count: int, editors: list[int], now: datetime, seed: int = 20) -> Desk:
    """`count` tips over YEARS years ending at `now`, handled by `editors` (their ids)."""
    rng, desk = random.Random(seed), Desk()
    readers = max(count * 6 // 10, 1)
    first: dict[int, datetime] = {}
    last: dict[int, datetime] = {}
    for tip_id in range(1, count + 1):
        # Tip ids follow time, as they do on a real desk.
        at = now - timedelta(days=YEARS * 365 * (count - tip_id) / count, minutes=rng.random())
        sender = rng.randint(1, readers)
        first[sender], last[sender] = min(first.get(sender, at), at), max(last.get(sender, at), at)
        _tip(desk, rng, tip_id, sender, at, editors, long=tip_id % LONG_EVERY == 0)
    for sender, at in first.items():
        odd = rng.random()
        desk.rows["senders"].append((
            sender, "whatsapp", f"316{sender:08d}", f"316{sender:08d}", f"Lezer {sender}", at,
            last[sender], at + timedelta(days=3) if odd < 0.02 else None,
            at + timedelta(days=5) if 0.02 <= odd < 0.03 else None, at, last[sender],
            "nl" if odd < 0.9 else "en",
        ))  # fmt: skip
    desk.rows["senders"].sort()
    return desk


def _tip(
    desk: Desk, rng: random.Random, tip_id: int, sender: int, at: datetime, editors: list[int],
    *, long: bool,
) -> None:  # fmt: skip
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    holder = rng.choice(editors) if rng.random() < 0.7 else None
    claimed_at = at + timedelta(minutes=rng.expovariate(1 / 30)) if holder else None
    tags = json.dumps(rng.sample(WORDS, rng.randint(0, 3)))
    messages = LONG_MESSAGES if long else rng.randint(2, 6)
    media = LONG_MEDIA if long else (rng.choice([0, 0, 1, 1, 2]))
    last = _conversation(desk, rng, tip_id, sender, at, holder, messages, media)
    used = last if status == "used" else None
    desk.rows["tips"].append((
        tip_id, sender, status, rng.choice(["news", "sport", "regio", None]), tags, holder,
        claimed_at, at, last, at, last, used,
    ))  # fmt: skip
    if long:
        desk.long_tips.append(tip_id)
    _handling(desk, rng, tip_id, sender, at, holder, status, notes=20 if long else None)


def _conversation(
    desk: Desk, rng: random.Random, tip_id: int, sender: int, at: datetime, holder: int | None,
    messages: int, media: int,
) -> datetime:  # fmt: skip
    """The reader's messages and the desk's replies, media on the reader's first ones."""
    moment = at
    for n in range(messages):
        inbound = n == 0 or rng.random() < 0.55
        medium = inbound and media > 0 and (n == 0 or rng.random() < 0.5)
        kind = rng.choices(list(KINDS), [w for w, _ in KINDS.values()])[0] if medium else "text"
        message_id = desk.next_id("messages")
        text = " ".join(rng.choices(WORDS, k=rng.randint(4, 40)))
        failed = not inbound and rng.random() < 0.03
        delivery = "received" if inbound else ("failed" if failed else rng.choice(
            ["sent", "delivered", "read"]))  # fmt: skip
        purpose = None if inbound else ("confirmation" if n == 1 else "reply")
        desk.rows["messages"].append((
            message_id, "whatsapp", f"wamid.{message_id}", tip_id, sender,
            "in" if inbound else "out", kind, text, "{}", False,
            None if inbound or purpose == "confirmation" else holder, delivery,
            None if inbound else moment + timedelta(seconds=5),
            json.dumps({"code": 131047}) if failed else None, purpose,
            purpose == "confirmation", moment, moment,
        ))  # fmt: skip
        if medium:
            media -= 1
            _medium(desk, rng, tip_id, message_id, kind, moment)
        moment += timedelta(minutes=rng.expovariate(1 / 20))
    return moment


def _medium(
    desk: Desk, rng: random.Random, tip_id: int, message_id: int, kind: str, at: datetime
) -> None:
    asset_id = desk.next_id("media_assets")
    state = rng.choices(MEDIA_STATES, MEDIA_STATE_WEIGHTS)[0]
    # Some photos go round: the same file from several readers.
    digest = f"{rng.randint(1, 500):064x}" if rng.random() < 0.02 else f"{asset_id:064x}"
    filename = f"verslag-{asset_id}.pdf" if kind == "document" else None
    error = "download failed: 404" if state == "failed" else None
    desk.rows["media_assets"].append((
        asset_id, f"tok{asset_id:029d}", tip_id, message_id, kind, state, error,
        None if state == "pending" else digest, 200_000, filename, "{}", at, at,
    ))  # fmt: skip
    if state == "ready":
        for name in KINDS[kind][1]:
            desk.rows["media_variants"].append(
                (asset_id, name, f"v/{asset_id}/{name}", "image/jpeg", 20_000, 640, 480, at)
            )


def _handling(
    desk: Desk, rng: random.Random, tip_id: int, sender: int, at: datetime, holder: int | None,
    status: str, *, notes: int | None,
) -> None:  # fmt: skip
    """Claims, status changes, consent, notes and seen marks."""
    later = at + timedelta(hours=2)
    audit = desk.rows["audit_events"]
    if holder:
        audit.append((tip_id, holder, "tip.claimed", "{}", at + timedelta(minutes=5)))
    if status != "new":
        detail = json.dumps({"from": "new", "to": status})
        audit.append((tip_id, holder, "tip.status_changed", detail, later))
    if notes or rng.random() < 0.15:
        for n in range(notes or 1):
            text = " ".join(rng.choices(WORDS, k=12))
            desk.rows["tip_notes"].append((tip_id, holder, text, later + timedelta(minutes=n)))
    if notes or rng.random() < 0.2:
        state, scope = rng.choice(CONSENT)
        answered = later if state != "requested" else None
        desk.rows["consent_records"].append((
            tip_id, sender, state, scope, "Mogen we uw foto gebruiken?",
            "ja" if state == "granted" else None, holder, at + timedelta(hours=1), answered,
            later + timedelta(days=1) if state == "revoked" else None,
        ))  # fmt: skip
        audit.append((tip_id, holder, f"consent.{state}", "{}", at + timedelta(hours=1)))
    if holder and rng.random() < 0.5:
        desk.rows["tip_views"].append((tip_id, holder, later))


async def write(desk: Desk, batch: int = 400) -> None:
    """Multi-row INSERTs, parents first; PostgreSQL then analyses and moves its sequences on."""
    d, connection = dialect(), connections.get("default")
    for name in TABLES:
        width = len(COLUMNS[name].split(","))
        rows = desk.rows[name]
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            marks = ", ".join("(" + ", ".join("?" * width) + ")" for _ in chunk)
            values = [value for row in chunk for value in row]
            await connection.execute_query(
                d.sql(f"INSERT INTO {name} ({COLUMNS[name]}) VALUES {marks}"), values
            )
    if d.is_postgres:
        for name in TABLES:
            sequence = f"pg_get_serial_sequence('{name}', 'id')"
            await connection.execute_query(
                f"SELECT setval({sequence}, (SELECT MAX(id) FROM {name}))"
            )
        await connection.execute_script("ANALYZE")  # as autovacuum would after a bulk load
    # SQLite gets no ANALYZE: the desk never runs one, so its planner works without statistics.


def ends_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)

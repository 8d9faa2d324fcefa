"""The editors' query language, turned into a whoosh query. It never fails: whatever cannot be
read as syntax is read as plain words, and `QueryPlan.notice` says so.

    video brand Stationsstraat      all words must match (any form: brand, branden, brandje…)
    "fallen tree"                   a phrase
    storm OR onweer                 either
    NOT politie, -politie           without
    verkeer*                        words starting with
    status:new media:video desk:sport tag:a2 from:sanne consent:granted claimed:anne
    note:verifiëren, note:"belt terug"  words in editors' notes (plain words never search them)
    spraak:boom, transcript:boom    words said in a voice note or video (plain words find them too)
    since:2026-11-01 until:2026-11-20, since:gisteren, vandaag, yesterday
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from whoosh import query as q

from tipdesk.search.analysis import (
    compound_analyzer,
    dutch_analyzer,
    english_analyzer,
    folded_analyzer,
)

MAX_QUERY_CHARS = 500
MIN_HEAD = 5
FIELD_BOOSTS = {"parts": 0.4, "facts": 0.7}
MAX_TERMS = 32
FILTER_FIELDS = {
    "status": "status", "media": "media", "desk": "desk", "tag": "tags", "tags": "tags",
    "from": "sender", "consent": "consent", "claimed": "claimed", "note": "notes",
    "notes": "notes", "spraak": "transcripts", "transcript": "transcripts",
}  # fmt: skip
BRACKETS = "()[]{}"
DAY_WORDS = {"vandaag": 0, "today": 0, "gisteren": 1, "yesterday": 1, "eergisteren": 2}
_TOKEN = re.compile(r'-?(?:\w+:)?"[^"]*"|\S+')  # a quoted phrase, also after a field
_ANALYZERS = {
    "body_nl": dutch_analyzer(),
    "body_en": english_analyzer(),
    "parts": compound_analyzer(),
    "words": folded_analyzer(),
    "sender": folded_analyzer(),
    "facts": dutch_analyzer(),
}
_NOTES = dutch_analyzer()  # not among the fields plain words search


@dataclass
class QueryPlan:
    query: q.Query
    has_words: bool
    notice: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    words: list[str] = field(default_factory=list)


def parse(text: str, *, now: datetime, tz: ZoneInfo) -> QueryPlan:
    cleaned, notice = _clean(text)
    tokens = _TOKEN.findall(cleaned)[:MAX_TERMS]
    if cleaned.count('"') % 2:
        notice = "An unmatched quote was ignored."
        tokens = cleaned.replace('"', " ").split()[:MAX_TERMS]
    reader = _Reader(now=now, tz=tz)
    clauses = reader.read(tokens)
    notice = notice or reader.notice
    required = [clause for clause in clauses if clause is not None]
    if reader.excluded:
        required.append(q.Not(q.Or(reader.excluded)))
    if reader.since or reader.until:
        start = reader.since or datetime(2000, 1, 1, tzinfo=tz)
        end = reader.until or now + timedelta(days=1)
        required.append(q.DateRange("received", _naive_utc(start), _naive_utc(end)))
    query = q.And(required) if required else q.Every()
    return QueryPlan(query, bool(reader.words), notice, reader.since, reader.until, reader.words)


def _clean(text: str) -> tuple[str, str | None]:
    notice = None
    if len(text) > MAX_QUERY_CHARS:
        text, notice = (
            text[:MAX_QUERY_CHARS],
            "The search was shortened to its first 500 characters.",
        )
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return printable.replace("“", '"').replace("”", '"'), notice


class _Reader:
    def __init__(self, *, now: datetime, tz: ZoneInfo) -> None:
        self.now, self.tz = now, tz
        self.excluded: list[q.Query] = []
        self.words: list[str] = []
        self.since: datetime | None = None
        self.until: datetime | None = None
        self.notice: str | None = None

    def read(self, tokens: list[str]) -> list[q.Query | None]:
        clauses: list[q.Query | None] = []
        pending_or = negate = False
        for index, piece in enumerate(tokens):
            if piece == "OR":
                if not clauses or index == len(tokens) - 1:
                    self.notice = "A lone OR was ignored."
                pending_or = bool(clauses)
                continue
            if piece in ("NOT", "-"):
                negate = True
                if index == len(tokens) - 1:
                    self.notice = "A lone NOT was ignored."
                continue
            if piece.startswith("-") and len(piece) > 1:
                piece, negate = piece[1:], True
            clause = self.clause(piece)
            if clause is None:
                pending_or = negate = False
                continue
            if negate:
                self.excluded.append(clause)
            elif pending_or and clauses and clauses[-1] is not None:
                clauses[-1] = q.Or([clauses[-1], clause])
            else:
                clauses.append(clause)
            pending_or = negate = False
        return clauses

    def clause(self, token: str) -> q.Query | None:
        if any(bracket in token for bracket in BRACKETS):
            self.notice = "Brackets are not search syntax: the search was read as plain words."
        if token.startswith('"') and token.endswith('"') and len(token) >= 2:
            return self.phrase(token[1:-1])
        lowered = token.lower()
        if lowered in DAY_WORDS:
            self.day(DAY_WORDS[lowered])
            return None
        name, sep, value = token.partition(":")
        if sep and value and name.lower() in ("since", "until"):
            return self.date_bound(name.lower(), value)
        if sep and value and name.lower() in FILTER_FIELDS:
            return self.field_filter(FILTER_FIELDS[name.lower()], value.strip('"'))
        if token.endswith("*") and len(token.rstrip("*")) >= 2:
            return self.prefix(token.rstrip("*"))
        return self.word(token)

    def word(self, word: str) -> q.Query | None:
        analysed = {name: [t.text for t in analyzer(word)] for name, analyzer in _ANALYZERS.items()}
        if not analysed["words"]:
            self.notice = self.notice or f"'{word[:20]}' has no letters or digits; it was ignored."
            return None
        if not analysed["body_nl"] or not analysed["body_en"]:
            return None  # a stop word in Dutch or English
        alternatives = [
            _all_terms(name, terms, FIELD_BOOSTS.get(name, 1.0))
            for name, terms in analysed.items()
            if terms and name != "parts"
        ]
        # Compounds: the word as the tail (verkeersongeluk) or the head (marathonloper).
        alternatives.append(_all_terms("parts", analysed["body_nl"], FIELD_BOOSTS["parts"]))
        folded = analysed["words"]
        if len(folded) == 1 and len(folded[0]) >= MIN_HEAD:
            alternatives.append(q.Prefix("words", folded[0], boost=FIELD_BOOSTS["parts"]))
        self.words.append(word)
        return q.Or(alternatives)

    def phrase(self, text: str) -> q.Query | None:
        words = [token.text for token in _ANALYZERS["words"](text)]
        if not words:
            return None
        self.words.extend(words)
        if len(words) == 1:
            return self.word(words[0])
        stems = [token.text for token in _ANALYZERS["body_nl"](text)]
        options: list[q.Query] = [q.Phrase("words", words)]
        if len(stems) > 1:
            options.append(q.Phrase("body_nl", stems))
        return q.Or(options)

    def prefix(self, stem: str) -> q.Query | None:
        folded = [token.text for token in _ANALYZERS["words"](stem)]
        if not folded:
            return None
        self.words.append(stem)
        return q.Or([q.Prefix("words", folded[0]), q.Prefix("sender", folded[0])])

    def field_filter(self, field_name: str, value: str) -> q.Query:
        if field_name == "sender":
            words = [token.text for token in _ANALYZERS["sender"](value)] or [value.lower()]
            return q.Or([_all_terms("sender", words, 1.0), q.Term("words", value.lower())])
        if field_name in ("notes", "transcripts"):
            stems = [token.text for token in _NOTES(value)]
            return _all_terms(field_name, stems, 1.0) if stems else q.NullQuery
        return q.Term(field_name, value.lower())

    def date_bound(self, which: str, value: str) -> q.Query | None:
        day = _day(value.lower(), self.now, self.tz)
        if day is None:
            self.notice = f"'{value[:20]}' is not a date; use YYYY-MM-DD, vandaag or gisteren."
            return None
        start = datetime.combine(day, time.min, tzinfo=self.tz)
        if which == "since":
            self.since = start
        else:
            self.until = start + timedelta(days=1)
        return None

    def day(self, days_ago: int) -> None:
        start = datetime.combine(
            self.now.astimezone(self.tz).date() - timedelta(days=days_ago), time.min, tzinfo=self.tz
        )
        self.since, self.until = start, start + timedelta(days=1)


def _all_terms(field_name: str, terms: list[str], boost: float) -> q.Query:
    if len(terms) == 1:
        return q.Term(field_name, terms[0], boost=boost)
    return q.And([q.Term(field_name, term, boost=boost) for term in terms])


def _day(value: str, now: datetime, tz: ZoneInfo) -> date | None:
    if value in DAY_WORDS:
        return now.astimezone(tz).date() - timedelta(days=DAY_WORDS[value])
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)

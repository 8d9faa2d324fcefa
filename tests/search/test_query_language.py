"""Filters, date words, sorting, facets, snippets, pages, and queries that are not queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.search.conftest import AMSTERDAM, IDS, KEYS, NOW, TIPS, run
from tipdesk.search.engine import count
from tipdesk.search.index import TipIndex
from tipdesk.search.query import parse
from tipdesk.search.schema import newest_key


def keys(results: object) -> set[str]:
    return {KEYS[hit.tip_id] for hit in results.hits}  # type: ignore[attr-defined]


def everything(index: TipIndex, text: str) -> set[str]:
    found: set[str] = set()
    page = 1
    while hits := keys(run(index, text, page=page, per_page=100)):
        found |= hits
        page += 1
    return found


@pytest.mark.parametrize(
    ("text", "predicate"),
    [
        ("status:verified", lambda tip: tip.status == "verified"),
        ("media:video", lambda tip: "video" in tip.media),
        ("media:voice", lambda tip: "voice" in tip.media),
        ("desk:politiek", lambda tip: tip.desk == "politiek"),
        ("tag:politie", lambda tip: "politie" in tip.tags),
        ("consent:refused", lambda tip: tip.consent == "refused"),
        ("claimed:anne", lambda tip: "anne" in tip.claimed),
        (
            "claimed:nobody desk:evenementen",
            lambda tip: not tip.claimed and tip.desk == "evenementen",
        ),
        ('from:"Sanne de Vries"', lambda tip: tip.sender == "Sanne de Vries"),
    ],
)
def test_every_filter_selects_exactly_its_tips(
    index: TipIndex, text: str, predicate: object
) -> None:
    expected = {tip.key for tip in TIPS if predicate(tip)}  # type: ignore[operator]
    assert everything(index, text) == expected
    # The board's counts beside its views: unsorted, unscored, the same number.
    assert count(index, text, now=NOW, tz=AMSTERDAM) == len(expected)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("vandaag", 0, 15),  # today in Amsterdam began 15 hours before NOW
        ("today", 0, 15),
        ("gisteren", 15, 39),
        ("yesterday", 15, 39),
        ("since:2026-11-22", 0, 39),
        ("until:2026-11-20", 63, 10_000),  # the 20th ends at 23:00 UTC
        ("since:gisteren until:gisteren", 15, 39),
    ],
)
def test_date_words_and_ranges_use_the_desk_time_zone(
    index: TipIndex, text: str, low: float, high: float
) -> None:
    expected = {tip.key for tip in TIPS if low <= tip.hours_ago < high}
    assert everything(index, text) == expected


def test_newest_first_without_words_and_relevance_with_words(index: TipIndex) -> None:
    newest = run(index, "", per_page=5)
    # Tips received at the same moment: the newer tip (higher id) first.
    ordered = sorted(TIPS, key=lambda tip: (tip.hours_ago, -IDS[tip.key]))[:5]
    assert [KEYS[h.tip_id] for h in newest.hits] == [tip.key for tip in ordered]
    by_time = run(index, "brand", sort="newest", per_page=50)
    hours = [next(t.hours_ago for t in TIPS if t.key == KEYS[h.tip_id]) for h in by_time.hits]
    assert hours == sorted(hours)


def test_the_newest_key_orders_by_second_then_by_tip_id() -> None:
    second = NOW.replace(microsecond=0)
    late_in_the_second = second.replace(microsecond=999_999)
    assert newest_key(late_in_the_second, 7) < newest_key(second, 8)
    assert newest_key(second, 2**32 - 1) < newest_key(second + timedelta(seconds=1), 1)
    assert newest_key(second.astimezone(AMSTERDAM), 5) == newest_key(second, 5)


def test_facets_count_the_whole_result(index: TipIndex) -> None:
    results = run(index, "brand", per_page=2)
    matching = everything(index, "brand")
    assert results.total == len(matching)
    assert sum(results.facets["status"].values()) == len(matching)
    assert results.facets["status"]["verified"] == 2
    assert results.facets["media"]["video"] >= 1


def test_the_board_asks_for_no_facets_and_gets_the_same_tips(index: TipIndex) -> None:
    faceted, plain = run(index, "media:video"), run(index, "media:video", facets=False)
    assert plain.facets == {} and faceted.facets["media"]
    assert (plain.hits, plain.total) == (faceted.hits, faceted.total)


def test_segments_are_plain_files_a_searcher_reads_in_place(index: TipIndex) -> None:
    """A compound segment is copied into memory by every searcher opened on it (bench/board.py:
    0.2-0.8 s at 100,000 tips); separate files are read where they lie."""
    assert not list(index.current.resolve().glob("*.seg"))


def test_snippets_mark_the_matches_and_escape_html(index: TipIndex) -> None:
    hit = run(index, "Stationsstraat omgewaaid").hits[0]
    assert '<mark class="match term1">Stationsstraat</mark>' in hit.snippet


def test_pages(index: TipIndex) -> None:
    first, second = run(index, "", page=1, per_page=10), run(index, "", page=2, per_page=10)
    assert len(first.hits) == len(second.hits) == 10
    assert not {h.tip_id for h in first.hits} & {h.tip_id for h in second.hits}
    assert run(index, "", page=10_000, per_page=10).hits == []
    assert len(run(index, "", per_page=10_000).hits) == 100


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote brand',
        'brand "',
        "OR",
        "OR brand",
        "brand OR",
        "NOT",
        "brand NOT",
        "-",
        "- - -",
        "*",
        "a*",
        "status:",
        ":",
        "since:morgen",
        "until:2026-13-45",
        "brand\x00\x07\x1b[31m",
        "x" * 5000,
        "brand " * 1000,
        "((((brand",
        "field:value:with:colons",
        "𝕓𝕣𝕒𝕟𝕕 🔥",
    ],
)
def test_malformed_queries_never_fail(index: TipIndex, text: str) -> None:
    results = run(index, text)
    assert results.total >= 0


def test_malformed_queries_fall_back_to_words_and_say_so(index: TipIndex) -> None:
    results = run(index, '"brand Stationsstraat')
    assert results.notice is not None and "quote" in results.notice
    assert KEYS[results.hits[0].tip_id] == "fire_station_video"
    assert run(index, "since:morgen brand").notice is not None
    assert run(index, "x" * 5000).notice is not None
    assert run(index, "brand").notice is None


def test_long_queries_are_capped() -> None:
    plan = parse("brand " * 1000, now=NOW, tz=AMSTERDAM)
    assert len(plan.words) <= 32

"""Relevance on a corpus of 322 tips: for each query the expected tips rank in the top 3."""

from __future__ import annotations

import pytest

from tests.search.conftest import TIPS, top
from tipdesk.search.index import TipIndex


def test_the_corpus_is_large_enough() -> None:
    assert len(TIPS) >= 300


QUERIES = [
    ("video brand Stationsstraat", ["fire_station_video"]),
    ("brand Stationsstraat", ["fire_station_video"]),
    ("boom Stationsstraat", ["tree_station"]),
    ("bomen Stationsstraat", ["tree_station"]),
    ("aanrijding A2", ["crash_a2"]),
    ("aanrijdingen A2 gisteren", ["crash_a2"]),
    ("fiets gestolen", ["bikes_stolen"]),
    ("fietsen station", ["bikes_stolen"]),
    ("ongeluk", ["traffic_accident"]),
    ("verkeersongelukken", ["traffic_accident"]),
    ("cafe brand", ["cafe_fire"]),
    ("Café De Zwaan", ["cafe_fire"]),
    ("foto's van de storm met toestemming", ["storm_photos"]),
    ("storm foto", ["storm_photos", "storm_no_consent"]),
    ("burglary Amstelveen", ["burglary_english"]),
    ("burglaries", ["burglary_english"]),
    ("flooded basement", ["flood_english"]),
    ("basements flooding", ["flood_english"]),
    ("fire harbour", ["fire_english"]),
    ('"Markt 12"', ["market_address"]),
    ("politie NOT drugs", ["police_traffic"]),
    ("brand -oefening brandweer", ["verified_fire"]),
    ("storm OR onweer", ["thunder", "today_storm", "storm_photos", "storm_no_consent"]),
    ("verkeersl*", ["traffic_light"]),
    ("status:verified brand", ["verified_fire", "fire_station_video"]),
    ("media:video brand", ["fire_station_video"]),
    ("desk:sport Ajax", ["sport_ajax"]),
    ("tag:a2", ["crash_a2"]),
    ("from:sanne", ["fire_station_video", "sanne_second"]),
    ("consent:granted storm", ["storm_photos"]),
    ("claimed:anne", ["claimed_anne"]),
    ("raadsvergadering windmolens", ["council_meeting"]),
    ("kapotte lantaarnpaal", ["lamp_posts"]),
    ("wateroverlast kelder", ["water_cellar"]),
    ("marathon", ["sport_marathon"]),
    ("demonstratie Malieveld", ["demo_malieveld"]),
    ("zwaan vijver", ["swans"]),
    ("kermis", ["funfair"]),
    ("carnaval optocht", ["carnival"]),
    ("stroomstoring", ["power_cut"]),
    ("gaslek Dorpsstraat", ["gas_leak"]),
    ("juwelier overval", ["jeweller"]),
    ("reunie", ["reunion"]),
    ("Zoe Eindhoven", ["accent_eindhoven"]),
    ("🔥 brand pand", ["fire_station_video"]),
    ("schoolbus", ["school_bus"]),
    ("fallen tree station", ["english_tree"]),
    ("spraakbericht haven", ["voice_fire"]),
    ("afsluiting brug", ["document_letter"]),
    ("since:2026-11-22 brand Zaandam", ["verified_fire"]),
    ("vandaag storm kust", ["today_storm"]),
    ("yesterday accident", ["yesterday_accident"]),
    ("dijk Lobith", ["old_flood"]),
]


@pytest.mark.parametrize(("text", "expected"), QUERIES, ids=[text for text, _ in QUERIES])
def test_expected_tips_rank_in_the_top_three(
    index: TipIndex, text: str, expected: list[str]
) -> None:
    found = top(index, text)
    assert (found and found[0] in expected) or set(expected) & set(found), (text, found)
    assert set(found[: len(expected)]) & set(expected)


def test_at_least_forty_relevance_queries() -> None:
    assert len(QUERIES) >= 40

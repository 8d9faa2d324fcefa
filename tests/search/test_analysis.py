from __future__ import annotations

import pytest

from tipdesk.search.analysis import compound_analyzer, dutch_analyzer, dutch_stem, english_analyzer


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("fiets", "fietsen"),
        ("huis", "huizen"),
        ("boom", "bomen"),
        ("ongeluk", "ongelukken"),
        ("aanrijding", "aanrijdingen"),
        ("foto", "foto's"),
        ("auto", "auto's"),
        ("straat", "straten"),
        ("lantaarnpaal", "lantaarnpalen"),
        ("zwaan", "zwanen"),
        ("storm", "stormen"),
    ],
)
def test_dutch_singular_and_plural_meet(singular: str, plural: str) -> None:
    analyse = dutch_analyzer()
    assert [t.text for t in analyse(singular)] == [t.text for t in analyse(plural)]


def test_the_plain_snowball_stemmer_would_not_have_met() -> None:
    from whoosh.lang import stemmer_for_language

    snowball = stemmer_for_language("nl")
    assert snowball("fiets") != snowball("fietsen")  # why dutch_stem exists
    assert dutch_stem("fiets") == dutch_stem("fietsen")


@pytest.mark.parametrize(
    ("accented", "plain"), [("café", "cafe"), ("reünie", "reunie"), ("Zoë", "zoe"), ("ÉÉN", "een")]
)
def test_case_and_accents_fold(accented: str, plain: str) -> None:
    analyse = english_analyzer()
    assert [t.text for t in analyse(accented)] == [t.text for t in analyse(plain)]


def test_compounds_index_their_tails() -> None:
    parts = {t.text for t in compound_analyzer()("verkeersongelukken stroomstoringen")}
    assert {"ongeluk", "storing"} <= parts


def test_english_stems() -> None:
    analyse = english_analyzer()
    assert [t.text for t in analyse("accidents flooded")] == [
        t.text for t in analyse("accident flooding")
    ]

"""Consent answers as readers write them: 80 real-world answers in Dutch and English, with
sentences, emoji, capitals and typos, read by the same function intake uses."""

from __future__ import annotations

import pytest

from tipdesk.conversation.consent_answers import read_consent_answer
from tipdesk.conversation.texts import load_texts

N, A, R, U = "named", "anonymous", "refused", None
ANSWERS: list[tuple[str, str | None]] = [
    # Dutch, yes with a name
    ("Ja graag!", N), ("ja hoor prima", N), ("JA", N), ("jaaaa", N), ("Jazeker", N),
    ("Prima hoor", N), ("Is goed 👍", N), ("Oké, gebruik maar", N), ("tuurlijk!", N),
    ("Ja hoor, met mijn naam erbij", N), ("Mag gebruikt worden", N), ("akoord", N),
    ("Natuurlijk mag dat", N), ("geen probleem", N), ("Geen bezwaar hoor", N),
    ("Ja, niet anoniem", N), ("prma", N), ("ja met naam", N), ("Goed!", N),
    ("Ja dat mag, succes ermee", N),
    # English, yes with a name
    ("Yes please", N), ("sure", N), ("Of course!", N), ("yeah fine", N), ("OK", N),
    ("no problem", N), ("Absolutely, go ahead", N), ("yes with my name", N), ("yep", N),
    ("👍", N), ("✅", N), ("Sure, why not", N),
    # Anonymous
    ("liever anoniem graag", A), ("Anoniem", A), ("ja maar anoniem", A),
    ("Prima, maar zonder naam", A), ("Ja, niet met mijn naam", A),
    ("ja maar niet met m'n naam aub", A), ("anonim graag", A), ("Nee, liever anoniem", A),
    ("mag, zonder naam", A), ("Yes but anonymous please", A), ("anonymously", A),
    ("sure, but don't use my name", A), ("Without my name please", A), ("ANONIEM!!", A),
    ("Graag anoniem 🙏", A), ("ok, no name", A),
    # Refused
    ("nee liever niet", R), ("Nee", R), ("neeee", R), ("Liever niet.", R),
    ("nee dank je", R), ("Dat mag niet", R), ("ik wil dat niet", R), ("Geen toestemming", R),
    ("niet doen aub", R), ("No thanks", R), ("no", R), ("Rather not", R), ("nope", R),
    ("👎", R), ("❌", R), ("Please don't", R), ("Not ok", R), ("nooit", R),
    # Unclear: asked again
    ("misschien", U), ("Wat bedoel je?", U), ("maybe later", U), ("hoe laat is het", U),
    ("Ja nee", U), ("yes no", U), ("Er staat nog een video aan te komen", U),
    ("eerst even overleggen", U), ("waarom?", U), ("🚗", U), ("De brand is nu uit", U),
    ("Why do you need it?", U),
]  # fmt: skip


def test_the_table_is_large_and_covers_every_outcome() -> None:
    assert len(ANSWERS) >= 60
    assert {outcome for _, outcome in ANSWERS} == {N, A, R, U}


@pytest.mark.parametrize(("answer", "expected"), ANSWERS)
def test_an_answer_is_read_as_the_reader_meant_it(answer: str, expected: str | None) -> None:
    texts = load_texts(None)
    assert read_consent_answer(answer, texts.consent_answers) == expected

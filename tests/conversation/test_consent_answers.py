"""Consent answers as readers write them: over 100 real-world answers in Dutch and English,
with sentences, emoji, capitals and typos, read by the same function intake uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    # A negation that does not refuse: the reader does not mind, has no objection
    ("ik vind het niet erg", N), ("vind ik niet erg hoor", N), ("maakt niet uit", N),
    ("maakt me niet uit", N), ("I don't mind", N), ("no objection", N), ("Not a problem", N),
    ("Geen enkel probleem", N), ("helemaal niet erg", N), ("geen bezwaar", N),
    # ... but "erg" before a word it qualifies is "very", and the negation stays a no
    ("ik vind het niet erg fijn", R),
    # "not at all" is no to "may we?" and yes to "do you mind?": readers mean both, so ask
    ("not at all", U),
    # A negation next to the name leaves the name out, and is no refusal
    ("vermeld mijn naam niet", A), ("noem mijn naam niet", A), ("zonder mijn naam", A),
    ("niet met naam", A), ("don't mention my name", A), ("leave my name out", A),
    ("Ja, laat mijn naam maar weg", A), ("Ja, maar mijn naam liever niet", A),
    # A typo is forgiven only into an answer word no other word is as close to
    ("Piet", U), ("Ja hoor, groetjes Piet", N), ("hope", U), ("I hope so", U), ("zever", U),
    ("I don't know", U), ("geen idee", U),
    # A yes to something else, a question back or a condition: asked again
    ("Ja, de brand is nu uit", U), ("Ja, hoe laat komen jullie?", U),
    ("Ja, alleen als mijn naam er niet bij staat", U), ("Yes, unless you show my face", U),
    ("ja mits anoniem", U), ("Ja, maar niet met mijn gezicht", U), ("Ja, waarom niet?", N),
]  # fmt: skip


def test_the_table_is_large_and_covers_every_outcome() -> None:
    assert len(ANSWERS) >= 60
    assert {outcome for _, outcome in ANSWERS} == {N, A, R, U}


@pytest.mark.parametrize(("answer", "expected"), ANSWERS)
def test_an_answer_is_read_as_the_reader_meant_it(answer: str, expected: str | None) -> None:
    texts = load_texts(None)
    assert read_consent_answer(answer, texts.consent_answers) == expected


def test_the_reading_does_not_depend_on_the_order_of_sets() -> None:
    """Set order changes with PYTHONHASHSEED: when typos were matched in set order, "zever"
    became "zeker" under one seed and "never" under another."""
    script = (
        "import json, sys\n"
        "from tipdesk.conversation.consent_answers import read_consent_answer\n"
        "from tipdesk.conversation.texts import load_texts\n"
        "answers = load_texts(None).consent_answers\n"
        "print(json.dumps([read_consent_answer(text, answers) for text in json.load(sys.stdin)]))"
    )
    table = json.dumps([answer for answer, _ in ANSWERS])
    readings = [
        subprocess.run(
            [sys.executable, "-c", script],
            input=table,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=Path(__file__).parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "3")
    ]
    assert readings[0] == readings[1]
    assert json.loads(readings[0]) == [expected for _, expected in ANSWERS]

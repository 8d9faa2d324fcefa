"""Reading a reader's own words as an answer to the consent question: "Ja graag!", "ja hoor
prima", "nee liever niet", "liever anoniem graag", "👍", "sure but not my name", typos and all.

Pure and small on purpose: the configured answers (`[consent_answers]` in the texts) match
whole messages first; past those, the message's words are looked up in the word lists below,
with a negation flipping the word after it ("niet anoniem" is a name, "niet goed" a no) and one
typo forgiven in words of four letters or more. Anything contradictory or unknown is unclear
(None): the desk then asks once more with the buttons instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

NAMED, ANONYMOUS, REFUSED = "named", "anonymous", "refused"

YES = frozenset(
    "ja jawel jazeker zeker prima goed oke ok okay okido akkoord mag graag uiteraard natuurlijk"
    " tuurlijk tof top gerust best prima vanzelfsprekend jep jup yes yep yeah yup sure fine"
    " agree agreed absolutely certainly definitely allowed okey".split()
)
NO = frozenset("nee neen nope nah no never nooit weiger weigeren refuse".split())
NEGATORS = frozenset("niet geen not dont never nooit".split())
ANON = frozenset("anoniem anonieme anonymous anonymously anon naamloos incognito".split())
UNSURE = frozenset("misschien maybe perhaps twijfel weet eerst wat waarom hoezo why what".split())
# Phrases read before the words: what they mean as a whole is not what their words say.
PHRASES: tuple[tuple[str, str], ...] = (
    ("geen probleem", "ja"), ("geen bezwaar", "ja"), ("no problem", "yes"),
    ("no worries", "yes"), ("of course", "yes"), ("why not", "yes"), ("waarom niet", "ja"),
    ("zonder naam", "anon"), ("zonder mijn naam", "anon"), ("geen naam", "anon"),
    ("niet met naam", "anon"), ("niet met mijn naam", "anon"), ("niet mijn naam", "anon"),
    ("without my name", "anon"), ("without name", "anon"), ("no name", "anon"),
    ("not my name", "anon"), ("dont use my name", "anon"), ("dont mention my name", "anon"),
    ("not with my name", "anon"), ("liever niet", "nee"), ("rather not", "no"),
    ("niet doen", "nee"), ("niet gebruiken", "nee"), ("dont use", "no"), ("do not", "no"),
    ("met naam", "named"), ("met mijn naam", "named"), ("with my name", "named"),
    ("with name", "named"),
)  # fmt: skip
YES_EMOJI = frozenset("👍 👌 ✅ 🙏 🙂 😊 😀 😃 👏 💪 ❤ ♥ ✔ ☺ 🆗".split())
NO_EMOJI = frozenset("👎 ❌ 🚫 🙅 ✋ ⛔ ✖".split())
_NOT_WORD = re.compile(r"[^a-z0-9_ ]+")
_RUN = re.compile(r"(.)\1{2,}")
VOCABULARY = YES | NO | ANON | NEGATORS | UNSURE | {"naam", "name", "zonder", "without"}


def read_consent_answer(text: str, answers: Mapping[str, frozenset[str]]) -> str | None:
    """`named`, `anonymous`, `refused`, or None when the words do not say which."""
    lowered = " ".join(text.lower().split()).strip(" .,!?")
    for scope in (ANONYMOUS, REFUSED, NAMED):
        if lowered in answers.get(scope, frozenset()):
            return scope
    return _from_words(words_of(text))


def words_of(text: str) -> list[str]:
    """Casefolded words without accents and punctuation; emoji become the word they mean;
    known phrases become one word; stretched letters ("jaaaa") shrink back."""
    emoji = ["ja" for ch in text if ch in YES_EMOJI] + ["nee" for ch in text if ch in NO_EMOJI]
    plain = unicodedata.normalize("NFKD", text.casefold().replace("'", "").replace("’", ""))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    plain = " " + " ".join(_NOT_WORD.sub(" ", plain).split()) + " "
    for phrase, meaning in PHRASES:
        plain = plain.replace(f" {phrase} ", f" {meaning} ")
    return [_known(word) for word in plain.split()] + emoji


def _known(word: str) -> str:
    """The word as the lists spell it: stretched letters shrunk, one typo forgiven."""
    for candidate in (word, _RUN.sub(r"\1", word), _RUN.sub(r"\1\1", word)):
        if candidate in VOCABULARY or candidate in ("anon", "named"):
            return candidate
    if len(word) >= 4:
        for known in VOCABULARY:
            if len(known) >= 4 and _one_edit(word, known):
                return known
    return word


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        # One letter changed, or two neighbours swapped ("prmia").
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _from_words(words: list[str]) -> str | None:
    """Count yes and no; a negation flips the word it stands before ("niet anoniem", "not
    ok") or, at the end of a clause, the yes before it ("dat mag niet"); a negation or
    "zonder"/"without" near "naam"/"name" asks for anonymity."""
    yes = no = 0
    anonymous = named = False
    last_yes = False
    index = 0
    while index < len(words):
        word = words[index]
        after = words[index + 1] if index + 1 < len(words) else None
        if word in NEGATORS or word in ("zonder", "without"):
            if any(w in ("naam", "name", "naming") for w in words[index + 1 : index + 4]):
                anonymous = True
            elif after in ANON or after == "anon":
                named, index = True, index + 1
            elif after in YES:
                no, index = no + 1, index + 1
            elif after in NO:
                return None  # "not no": too clever to guess
            elif word in NEGATORS:
                if last_yes:
                    yes, no = yes - 1, no + 1
                else:
                    no += 1
            last_yes = False
        elif word in ANON or word == "anon":
            anonymous = True
        elif word == "named":
            named = True
        elif word in YES:
            yes, last_yes = yes + 1, True
        elif word in NO:
            no, last_yes = no + 1, False
        elif word in UNSURE:
            return None
        index += 1
    if anonymous:
        return ANONYMOUS if not named else None
    if no and not (yes or named):
        return REFUSED
    if (yes or named) and not no:
        return NAMED
    return None

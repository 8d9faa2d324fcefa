"""Reading a reader's own words as an answer to the consent question: "Ja graag!", "ja hoor
prima", "nee liever niet", "liever anoniem graag", "👍", "sure but not my name", typos and all.

Pure and small on purpose. The configured answers (`[consent_answers]` in the texts) match
whole messages first; then idioms become one word (PHRASES); then a message that asks back,
sets a condition or talks about something else is unclear; past those, each word's meaning
is looked up, a negation reads the next meaningful word ("niet anoniem" is a name, "niet erg"
a yes, "niet goed" a no) and a typo is forgiven only where it cannot change the answer.
Anything contradictory or unknown is unclear (None): the desk then asks once more with the
buttons instead of guessing, since a wrong yes publishes a photo the reader kept back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

NAMED, ANONYMOUS, REFUSED = "named", "anonymous", "refused"

YES = frozenset(
    "ja jawel jazeker zeker prima goed oke ok okay okido akkoord mag graag uiteraard natuurlijk"
    " tuurlijk tof top gerust best vanzelfsprekend jep jup yes yep yeah yup sure fine"
    " agree agreed absolutely certainly definitely allowed okey".split()
)
NO = frozenset("nee neen nope nah no weiger weigeren refuse".split())
# A negation is no answer by itself: it turns the word it reads ("niet goed", "geen bezwaar").
NEGATORS = frozenset("niet geen not dont doesnt never nooit".split())
# Words against using the photo; negated ("niet erg", "no objection") they grant it.
OBJECTIONS = frozenset(
    "erg probleem problemen bezwaar bezwaren mind problem problems objection objections"
    " worries issue matter".split()
)
ANON = frozenset("anoniem anonieme anonymous anonymously anon naamloos incognito".split())
NAME = frozenset("naam name naming".split())
# Near a name these leave it out ("zonder mijn naam", "leave my name out", "naam weglaten").
OMIT = frozenset("zonder without weg weglaten eruit out omit".split())
UNSURE = frozenset(
    "misschien maybe perhaps twijfel weet eerst wat waarom hoezo idee why what know idea".split()
)
# A reply that asks back ("?" is kept as a word) or sets a condition is no answer yet.
CONDITIONS = frozenset("? mits tenzij unless provided if".split())
# Words that carry no answer but often come with one; any other word is about something else.
FILLER = frozenset(
    "ik je jij u we jullie het dat dit die de een enkel er mijn mn me mij hoor he hoi hallo hey"
    " maar en dan wel ook even nog liever gewoon helemaal zo echt heel aub alsjeblieft"
    " alstublieft svp dank bedankt dankjewel dankje thanks thank thx please sorry groet"
    " groetjes foto fotos video videos beeld beelden filmpje toestemming permission consent"
    " gebruik gebruiken gebruikt worden wordt wil vind vinden maakt met erbij ermee bij mee"
    " succes vermeld vermelden noem noemen i you it my the a an and but then is its that this"
    " photo photos use used using mention with for me at all really so very hi"
    " hello cheers leave can kan kunnen may mogen doe".split()
)
# Read before the words: what they mean as a whole is not what their words say.
PHRASES: tuple[tuple[str, str], ...] = (
    ("waarom niet ?", "ja"), ("why not ?", "yes"), ("waarom niet", "ja"), ("why not", "yes"),
    ("of course", "yes"), ("go ahead", "yes"), ("ga je gang", "ja"), ("maakt niet uit", "ja"),
    ("maakt me niet uit", "ja"), ("maakt mij niet uit", "ja"), ("maakt niks uit", "ja"),
    ("maakt niets uit", "ja"), ("liever niet", "niet"), ("rather not", "not"),
    ("do not", "dont"), ("does not", "dont"), ("no name", "anon"),
    ("met naam", "named"), ("met mijn naam", "named"), ("met mn naam", "named"),
    ("with my name", "named"), ("with name", "named"), ("niet doen", "niet"),
    ("alleen als", "mits"), ("op voorwaarde", "mits"), ("only if", "mits"),
    ("on condition", "mits"), ("not sure", "maybe"), ("niet zeker", "misschien"),
    # To "may we?" it is no, to "do you mind?" yes: readers answer both, so ask again.
    ("not at all", "?"),
)  # fmt: skip
YES_EMOJI = frozenset("👍 👌 ✅ 🙏 🙂 😊 😀 😃 👏 💪 ❤ ♥ ✔ ☺ 🆗".split())
NO_EMOJI = frozenset("👎 ❌ 🚫 🙅 ✋ ⛔ ✖".split())
_NOT_WORD = re.compile(r"[^a-z0-9_? ]+")
_RUN = re.compile(r"(.)\1{2,}")
_ANSWER_WORDS = YES | NO | OBJECTIONS | ANON | UNSURE
KNOWN = _ANSWER_WORDS | NEGATORS | NAME | OMIT | CONDITIONS | FILLER | {"named"}
_MEANINGS: tuple[tuple[str, frozenset[str]], ...] = (
    ("yes", YES), ("no", NO), ("objection", OBJECTIONS), ("anon", ANON),
    ("named", frozenset({"named"})), ("name", NAME), ("negator", NEGATORS), ("omit", OMIT),
    ("unsure", UNSURE),
)  # fmt: skip
# Sorted, so that which typo wins never depends on the order of a set (PYTHONHASHSEED).
_TYPO_NEIGHBOURS = tuple(sorted(word for word in KNOWN if len(word) >= 3))
_TYPO_TARGETS = frozenset(w for w in _ANSWER_WORDS - NEGATORS if len(w) >= 5)


def read_consent_answer(text: str, answers: Mapping[str, frozenset[str]]) -> str | None:
    """`named`, `anonymous`, `refused`, or None when the words do not say which."""
    lowered = " ".join(text.lower().split()).strip(" .,!?")
    for scope in (ANONYMOUS, REFUSED, NAMED):
        if lowered in answers.get(scope, frozenset()):
            return scope
    words = words_of(text)
    if CONDITIONS.intersection(words):
        return None
    # One unknown word may be a name or a typo; two are a message about something else
    # ("Ja, de brand is nu uit" answers another question).
    if sum(word not in KNOWN for word in words) > 1:
        return None
    return _from_words(words)


def words_of(text: str) -> list[str]:
    """Casefolded words without accents and punctuation ("?" stays a word); emoji become
    the word they mean; known phrases become one word; stretched letters shrink back."""
    emoji = ["ja" for ch in text if ch in YES_EMOJI] + ["nee" for ch in text if ch in NO_EMOJI]
    plain = unicodedata.normalize("NFKD", text.casefold().replace("'", "").replace("’", ""))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).replace("?", " ? ")
    plain = " " + " ".join(_NOT_WORD.sub(" ", plain).split()) + " "
    for phrase, meaning in PHRASES:
        plain = plain.replace(f" {phrase} ", f" {meaning} ")
    return [_known(word) for word in plain.split()] + emoji


def _known(word: str) -> str:
    """The word as the lists spell it: stretched letters shrunk, and one typo forgiven, but
    only into an answer word of five letters or more that is the word's only close
    neighbour in meaning: "Piet" stays "Piet" (not "niet"), "hope" stays "hope" (not "nope")."""
    for candidate in (word, _RUN.sub(r"\1", word), _RUN.sub(r"\1\1", word)):
        if candidate in KNOWN:
            return candidate
    close = [known for known in _TYPO_NEIGHBOURS if _one_edit(word, known)]
    agree = len({_meaning(known) for known in close}) == 1
    if close and agree and all(known in _TYPO_TARGETS for known in close):
        return close[0]
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


def _meaning(word: str) -> str | None:
    """What one word says about the answer, or None for filler and unknown words."""
    for meaning, group in _MEANINGS:
        if word in group:
            return meaning
    return None


def _next_meaning(words: list[str], index: int) -> tuple[str | None, int]:
    """The meaning of the first word after `index` that is not filler, and where it is."""
    for later in range(index + 1, len(words)):
        if words[later] not in FILLER:
            return _meaning(words[later]), later
    return None, len(words)


def _from_words(words: list[str]) -> str | None:
    """Count yes and no, reading each negation together with the word it turns."""
    yes = no = 0
    anonymous = named = last_yes = False
    index = 0
    while index < len(words):
        meaning = _meaning(words[index])
        if meaning in ("negator", "omit") or (meaning == "no" and _objection_next(words, index)):
            turned, index = _negation(words, index, meaning)
            if turned is None:
                return None
            if turned == "not" and last_yes:
                yes -= 1  # "dat mag niet": the negation takes back the yes before it
            yes += turned == "yes"
            no += turned in ("no", "not")
            anonymous |= turned == "anon"
            named |= turned == "named"
            last_yes = False
        elif meaning == "unsure":
            return None
        else:
            yes += meaning == "yes"
            no += meaning in ("no", "objection")  # "ik heb bezwaar"
            anonymous |= meaning == "anon"
            named |= meaning == "named"
            last_yes = meaning == "yes" or (last_yes and meaning is None)
        index += 1
    if anonymous:
        return ANONYMOUS if not named else None
    if no and not (yes or named):
        return REFUSED
    if (yes or named) and not no:
        return NAMED
    return None


def _objection_next(words: list[str], index: int) -> bool:
    return _next_meaning(words, index)[0] == "objection"


def _negation(words: list[str], index: int, meaning: str | None) -> tuple[str | None, int]:
    """What a negation (or "zonder", "out") at `index` says, with the last word it read:
    "yes", "no", "anon", "named", "not" when it ends the message (and takes back a yes just
    before it), "" for nothing, None for a negated no."""
    turned, at = _next_meaning(words, index)
    name_before = not NAME.isdisjoint(words[max(0, index - 2) : index])
    if turned in ("name", "named") or (turned is None and name_before):
        return "anon", at  # "zonder mijn naam", "niet met naam", "vermeld mijn naam niet"
    if meaning == "omit":
        return "", index  # "zonder" with no name in reach says nothing
    if turned == "anon":
        return "named", at
    if turned == "yes":
        return "no", at
    if turned in ("no", "unsure"):
        return None, at  # "not no", "geen idee": too clever to guess
    if turned == "objection" and _unknown_after(words, at):
        return "no", at  # "niet erg fijn": "erg" means "very" there, and the no stays
    if turned == "objection":
        return "yes", at  # "niet erg", "geen bezwaar", "I don't mind", "no objection"
    if at < len(words):
        return "no", index  # of a word not in the lists: "ja, maar niet mijn gezicht" is unclear
    return "not", index  # ending the clause: "ik wil dat niet", "dat mag niet"


def _unknown_after(words: list[str], index: int) -> bool:
    return index + 1 < len(words) and words[index + 1] not in KNOWN

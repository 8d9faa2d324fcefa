"""Reading a reader's own words as an answer to the satisfaction question: "top", "👍",
"slecht", "5", "niet zo goed", "heel tevreden hoor". Pure, in the style of consent_answers.py.

The configured answers (`[satisfaction_answers]` in the texts) match whole messages first; a
mark from 1 to 5 is a mark (4 and 5 good, 1 and 2 bad, 3 says neither); then each word's
meaning, a negation turning the next one ("niet goed" is bad, "niet slecht" good). Anything
mixed, unknown or long is no answer (None): such a message is the reader's next tip, and the
desk handles it as one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tipdesk.conversation.consent_answers import FILLER, NEGATORS, NO_EMOJI, YES_EMOJI, words_of

GOOD, BAD = "good", "bad"
GOOD_WORDS = frozenset(
    "goed prima top super tevreden fijn prettig uitstekend geweldig fantastisch perfect snel"
    " vriendelijk netjes keurig mooi leuk tof good great fine excellent perfect happy nice"
    " helpful quick fast satisfied ok oke okay".split()
)
BAD_WORDS = frozenset(
    "slecht matig waardeloos traag ontevreden teleurgesteld teleurstellend jammer beroerd"
    " bad poor terrible awful slow disappointed disappointing unhappy meh".split()
)
# Words that only soften or strengthen ("heel", "zo"), or name what was good: no answer.
NEUTRAL = frozenset(
    "heel erg zeer best wel zo echt redelijk vrij very quite so really pretty geholpen helped"
    " contact antwoord antwoorden reactie service hulp help answer answers reply".split()
)
BAD_EMOJI = NO_EMOJI | frozenset("😞 🙁 ☹ 😠 😡 😕 😒".split())
# A longer message is about something else: the answer is a word or a short phrase.
MOST_WORDS = 6
_MARK = re.compile(r"^\s*([1-5])\s*(?:/\s*5|van de 5|out of 5|sterren|stars?)?\s*[.!]*\s*$")


def read_satisfaction_answer(text: str, answers: Mapping[str, frozenset[str]]) -> str | None:
    """`good`, `bad`, or None when the message does not say which."""
    # A question mark stays: "goed?" asks back.
    lowered = " ".join(text.lower().split()).strip(" .,!")
    for score in (BAD, GOOD):
        if lowered in answers.get(score, frozenset()):
            return score
    if (mark := _MARK.match(text.lower())) is not None:
        return {"1": BAD, "2": BAD, "4": GOOD, "5": GOOD}.get(mark[1])
    if any(ch in BAD_EMOJI for ch in text):
        return None if any(ch in YES_EMOJI for ch in text) else BAD
    words = words_of(text)  # a thumb becomes "ja" or "nee"
    if not words or len(words) > MOST_WORDS or "?" in words:
        return None
    return _from_words(words)


def _from_words(words: list[str]) -> str | None:
    found: set[str] = set()
    turned = False
    for word in words:
        if word in NEGATORS:
            turned = not turned
        elif word in GOOD_WORDS or word == "ja":
            found.add(BAD if turned else GOOD)
            turned = False
        elif word in BAD_WORDS or word == "nee":
            found.add(GOOD if turned else BAD)
            turned = False
        elif word not in FILLER and word not in NEUTRAL:
            return None  # a word about something else
    return found.pop() if len(found) == 1 else None

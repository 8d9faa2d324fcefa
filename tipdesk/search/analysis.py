"""Dutch and English text analysis for the tip index.

Every text is indexed three ways: Dutch-stemmed, English-stemmed, and as compound parts, and a
query word is looked up in all three. Case and accents fold (café = cafe, ë = e). Dutch
singular and plural meet: the Snowball stemmer alone gives fiets → fiet but fietsen → fiets, and
huis → huis but huizen → huiz, so its stems are normalised once more (final z → s, final s
dropped). Long Dutch compounds also index their tails, so `ongeluk` finds `verkeersongeluk`.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.lang import stemmer_for_language
from whoosh.lang.porter import stem as english_stem
from whoosh.support.charset import accent_map

WORDS = r"\w+(?:['’]\w+)*"
DUTCH_STOP = frozenset(
    "de het een en van in op te dat die is er met voor aan bij of om als dan ook maar zijn was "
    "niet nog wel naar uit door over tot je ik we wij hij zij ze u mijn ons jullie".split()
)
ENGLISH_STOP = frozenset(
    "the a an and of in on to that is are was were it with for at by or as be this from".split()
)
MIN_PART, MIN_COMPOUND = 5, 8
_dutch_snowball = stemmer_for_language("nl")


def dutch_stem(word: str) -> str:
    stem: str = _dutch_snowball(word)
    if stem.endswith("z"):
        stem = stem[:-1] + "s"
    if stem.endswith("v"):
        stem = stem[:-1] + "f"
    if len(stem) > 3 and stem.endswith("s"):
        stem = stem[:-1]
    return stem


class ApostropheFilter(Filter):  # type: ignore[misc]
    """foto's → fotos, so the plural meets foto after stemming."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = token.text.replace("'", "").replace("’", "")
            yield token


class CompoundPartsFilter(Filter):  # type: ignore[misc]
    """For long words, also the tails of at least MIN_PART letters (stemmed the Dutch way)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            word = token.text
            if len(word) < MIN_COMPOUND:
                continue
            for start in range(3, len(word) - MIN_PART + 1):
                part = dutch_stem(word[start:])
                if len(part) >= MIN_PART:
                    token.text = part
                    yield token


def _base() -> Analyzer:
    return (
        RegexTokenizer(WORDS) | LowercaseFilter() | CharsetFilter(accent_map) | ApostropheFilter()
    )


def dutch_analyzer() -> Analyzer:
    return _base() | StopFilter(DUTCH_STOP, minsize=1) | StemFilter(dutch_stem, cachesize=50_000)


def english_analyzer() -> Analyzer:
    return (
        _base() | StopFilter(ENGLISH_STOP, minsize=1) | StemFilter(english_stem, cachesize=50_000)
    )


def compound_analyzer() -> Analyzer:
    return _base() | CompoundPartsFilter()


def folded_analyzer() -> Analyzer:
    """Names and places: folded, not stemmed."""
    return _base()

"""The search corpus, indexed once per module, and a way to query it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from tests.search.corpus import NOW, corpus, documents
from tipdesk.search.engine import SearchResults, search
from tipdesk.search.index import TipIndex

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TIPS = corpus()
DOCUMENTS, IDS = documents(TIPS)
KEYS = {number: key for key, number in IDS.items()}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> TipIndex:
    tip_index = TipIndex(tmp_path_factory.mktemp("search"))
    tip_index.swap(tip_index.build(DOCUMENTS))
    return tip_index


def run(index: TipIndex, text: str, **options: object) -> SearchResults:
    return search(index, text, now=NOW, tz=AMSTERDAM, **options)  # type: ignore[arg-type]


def top(index: TipIndex, text: str, n: int = 3) -> list[str]:
    return [KEYS[hit.tip_id] for hit in run(index, text, per_page=n).hits]

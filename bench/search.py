"""Search latency on 10,000 tips: Tipdesk's engine (three analyses per word, filters, facets,
highlights) against bare whoosh (one standard-analysed field, its own QueryParser) on the same
texts and queries, in the same run.

    .venv/bin/python bench/search.py [TIPS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser

from tests.search.corpus import NOW, corpus, documents
from tests.search.test_relevance import QUERIES
from tipdesk.search.engine import search
from tipdesk.search.index import TipIndex

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def scaled(count: int):  # type: ignore[no-untyped-def]
    base, _ = documents(corpus())
    return [replace(base[n % len(base)], tip_id=n + 1) for n in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main(count: int) -> None:
    docs = scaled(count)
    queries = [text for text, _ in QUERIES]
    with tempfile.TemporaryDirectory() as folder:
        ours = TipIndex(Path(folder) / "tipdesk")
        start = time.perf_counter()
        ours.swap(ours.build(docs))
        our_build = time.perf_counter() - start

        bare_dir = Path(folder) / "bare"
        bare_dir.mkdir()
        schema = Schema(tip_id=ID(stored=True), body=TEXT(analyzer=StandardAnalyzer(), stored=True))
        start = time.perf_counter()
        bare = whoosh_index.create_in(str(bare_dir), schema)
        writer = bare.writer()
        for doc in docs:
            writer.add_document(tip_id=str(doc.tip_id), body=doc.text)
        writer.commit()
        bare_build = time.perf_counter() - start

        our_times, bare_times = [], []
        parser = QueryParser("body", schema)
        for _ in range(3):
            for text in queries:
                start = time.perf_counter()
                search(ours, text, now=NOW, tz=AMSTERDAM, per_page=25)
                our_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                with bare.searcher() as searcher:
                    hits = searcher.search(parser.parse(text), limit=25)
                    [hit.highlights("body") for hit in hits]
                bare_times.append(time.perf_counter() - start)
    print(f"search: {count} tips, {len(queries)} queries × 3")
    print(
        f"  build        Tipdesk {our_build:6.1f} s   bare whoosh {bare_build:6.1f} s"
        f"   ratio {our_build / bare_build:4.1f}"
    )
    for name, share in (("p50", 0.5), ("p95", 0.95)):
        o, b = percentile(our_times, share) * 1000, percentile(bare_times, share) * 1000
        print(f"  query {name}    Tipdesk {o:6.1f} ms  bare whoosh {b:6.1f} ms  ratio {o / b:4.1f}")
    print(f"  query mean   Tipdesk {statistics.mean(our_times) * 1000:6.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

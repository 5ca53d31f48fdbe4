"""Time the viewer's list queries (wiretrace.index_lists) on an index.

    PYTHONPATH=src python bench/bench_viewer_lists.py INDEX.duckdb

First the calls that make the reader's in-memory tables (the viewer's start, the
first conflicts page, a new text search), then the best of 3 runs of each list.
"""

from __future__ import annotations

import sys
import time

from wiretrace.index import Index
from wiretrace.index_lists import ConflictFilter, PairFilter


def main(path: str) -> None:
    ix = Index.open(path, read_only=True)
    ix.con.execute("SET enable_progress_bar = false")
    story = ix.con.execute(
        "SELECT s.story FROM pairs p JOIN doc_story s ON s.doc = p.a JOIN doc_story t ON t.doc = p.b "
        "AND t.story = s.story WHERE p.related ORDER BY json_array_length(p.result, '$.conflicts') DESC, p.a "
        "LIMIT 1").fetchone()[0]
    outlet = ix.con.execute("SELECT source FROM documents WHERE source IS NOT NULL GROUP BY 1 "
                            "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    t = time.perf_counter()
    n = len(ix.related_pairs())
    print(f"{'related_pairs (viewer start; makes wt_pair_facts)':52s} {time.perf_counter() - t:7.2f}s  rows={n}")
    t = time.perf_counter()
    ix.conflict_list(ConflictFilter(), limit=1, offset=0)
    print(f"{'first conflicts page (makes wt_conflicts)':52s} {time.perf_counter() - t:7.2f}s")
    firsts = []
    for q in ("wheat", "dollar", "shares"):
        t = time.perf_counter()
        ix.pair_list(PairFilter(q=q), limit=50, offset=0)
        firsts.append(time.perf_counter() - t)
    print(f"{'pairs, q (first page of a new query: one text pass)':52s} {min(firsts):7.3f}s  "
          f"(min of 3 queries; max {max(firsts):.3f}s)")
    cases = [
        ("pairs, no filter, page 1", lambda: ix.pair_list(PairFilter(), limit=50, offset=0)),
        ("pairs, no filter, page 2000", lambda: ix.pair_list(PairFilter(), limit=50, offset=50 * 1999)),
        ("pairs, relation=wholly-derived",
         lambda: ix.pair_list(PairFilter(relation="wholly-derived"), limit=50, offset=0)),
        ("pairs, kind=verbatim", lambda: ix.pair_list(PairFilter(kind="verbatim"), limit=50, offset=0)),
        ("pairs, conflicts=yes", lambda: ix.pair_list(PairFilter(conflicts="yes"), limit=50, offset=0)),
        ("pairs, outlet + from/to", lambda: ix.pair_list(
            PairFilter(outlet=outlet, date_from="1987-03", date_to="1987-03"), limit=50, offset=0)),
        ("pairs, q=tonnes (same query again: kept)", lambda: ix.pair_list(PairFilter(q="tonnes"), limit=50, offset=0)),
        ("conflicts, all, page 1", lambda: ix.conflict_list(ConflictFilter(), limit=50, offset=0)),
        ("conflicts, all, page 1000", lambda: ix.conflict_list(ConflictFilter(), limit=50, offset=50 * 999)),
        ("conflicts, q=pct", lambda: ix.conflict_list(ConflictFilter(q="pct"), limit=50, offset=0)),
        ("conflicts of the story with most conflicts",
         lambda: ix.conflict_list(ConflictFilter(story=story), limit=20, offset=0)),
    ]
    for name, run in cases:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            got = run()
            times.append(time.perf_counter() - t)
        print(f"{name:52s} {min(times):7.3f}s  total={got['total']}")


if __name__ == "__main__":
    main(sys.argv[1])

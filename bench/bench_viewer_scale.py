"""Scale an index up K times, for timing the viewer's list queries on a large index.

    python bench/bench_viewer_scale.py SRC.duckdb DST.duckdb K

Copies documents, pairs, passages, doc_story and stories K times, shifting the
document numbers and suffixing the ids and story ids with ``#i`` per copy. Only
what the viewer's lists read is copied (no postings, no candidates).
"""

from __future__ import annotations

import sys
import time

import duckdb


def main(src: str, dst: str, k: int) -> None:
    con = duckdb.connect(dst)
    con.execute(f"ATTACH '{src}' AS s (READ_ONLY)")
    t = time.time()
    for table in ("meta", "documents", "pairs", "passages", "doc_story", "stories"):
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM s.{table} LIMIT 0")
    con.execute("INSERT INTO meta SELECT * FROM s.meta")
    n = con.execute("SELECT max(doc) + 1 FROM s.documents").fetchone()[0]
    con.execute(f"INSERT INTO documents SELECT d.* REPLACE (d.doc + r.i * {n} AS doc, d.id || '#' || r.i AS id) "
                f"FROM s.documents d, range({k}) r(i)")
    for table in ("pairs", "passages"):
        con.execute(f"INSERT INTO {table} SELECT p.* REPLACE (p.a + r.i * {n} AS a, p.b + r.i * {n} AS b) "
                    f"FROM s.{table} p, range({k}) r(i)")
    con.execute(f"INSERT INTO doc_story SELECT doc + r.i * {n}, story || '#' || r.i FROM s.doc_story, range({k}) r(i)")
    con.execute(f"INSERT INTO stories SELECT t.* REPLACE (t.story || '#' || r.i AS story) "
                f"FROM s.stories t, range({k}) r(i)")
    con.execute("CHECKPOINT")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "pairs", "passages")}
    print(counts, f"{time.time() - t:.0f}s")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

"""How much the two-pass ``query`` (lexical pass first, full comparison only
where a hit can make the list) changes the answer against comparing every
candidate in full, on a built index and held-out texts.

    python bench/eval_query_rank.py /work/scratch/scale/scan_100000/index.duckdb \\
        /work/scratch/scale/synth_100000.heldout.jsonl --n 100

Per query: whether the set of hits and the top hit are the same, the Jaccard
overlap of the two lists, and the share of the two-pass hits that explain as
much of the query (derived or not, literal share to 2 digits: the first keys
of ``wiretrace.rank.hit_order``) as the 20th hit of the full answer, i.e. that
differ only by a tie-break. Both answers are put in order by ``Searcher.rank``
(sources lifted above their copies). Also times both.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import _common as C


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index")
    ap.add_argument("heldout", help="JSONL with text (and date) per line")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--limit", type=int, default=20)
    args = ap.parse_args(argv)

    from wiretrace.candidates import body_hash
    from wiretrace.compare import compare_tokens
    from wiretrace.engines.search import QueryHit, Searcher
    from wiretrace.rank import hit_order
    from wiretrace.fingerprint import document_fingerprints
    from wiretrace.normalize import tokenize

    items = [json.loads(line) for line in open(args.heldout, encoding="utf-8")][:args.n]
    def key(h):  # hit_order's first keys: derived or not, literal share to 2 digits
        return hit_order(h.comparison, h.id, h.explains)[:2]

    rows, fast_ms, full_ms = [], [], []
    with Searcher(args.index) as s:
        cfg = s.cfg
        s.query(items[0]["text"], date=items[0].get("date"))  # warm-up
        for it in items:
            t = time.perf_counter()
            fast = s.query(it["text"], date=it.get("date"), limit=args.limit)
            fast_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            ta = tokenize(it["text"], strip_boilerplate=cfg.compare.strip_boilerplate)
            docs = s.candidates(document_fingerprints(ta, cfg.ngram), body_hash(ta),
                                max(args.limit * 5, 50))
            full = []
            if docs:
                listed = ",".join(map(str, docs))
                for doc_id, source, ddate, title, text, story in s.ix.con.execute(
                        "SELECT d.id, d.source, d.date, d.title, d.text, s.story FROM documents d "
                        f"LEFT JOIN doc_story s USING (doc) WHERE d.doc IN ({listed})").fetchall():
                    tb = tokenize(text, strip_boilerplate=cfg.compare.strip_boilerplate)
                    r = compare_tokens(ta, tb, cfg.compare, a_date=it.get("date"), b_date=ddate)
                    if r.passages or r.similarity >= cfg.story_similarity:
                        full.append(QueryHit(doc_id, source, ddate, title, story, r))
            full = s.rank(ta, full)[:args.limit]
            full_ms.append((time.perf_counter() - t) * 1000)
            a, b = {h.id for h in fast}, {h.id for h in full}
            worst = key(full[-1]) if full else None
            rows.append({"same_set": a == b, "same_top": [h.id for h in fast[:1]] == [h.id for h in full[:1]],
                         "jaccard": len(a & b) / max(1, len(a | b)),
                         "as_derived": (sum(key(h) <= worst for h in fast) / len(fast)
                                        if fast and worst else float(not fast))})
    n = len(rows)
    res = {"queries": n, "same_set": sum(r["same_set"] for r in rows) / n,
           "same_top_hit": sum(r["same_top"] for r in rows) / n,
           "mean_jaccard": round(statistics.fmean(r["jaccard"] for r in rows), 4),
           "hits_as_derived_as_full_20th": round(statistics.fmean(r["as_derived"] for r in rows), 4),
           "two_pass_ms_p50": round(statistics.median(fast_ms), 1),
           "full_ms_p50": round(statistics.median(full_ms), 1)}
    print(json.dumps(res, indent=1))
    C.write_json("eval_query_rank", {"env": C.environment(), "index": args.index, **res})
    return 0


if __name__ == "__main__":
    sys.exit(main())

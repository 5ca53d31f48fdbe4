"""Story grouping checks on real corpora (issue 4), beside bench/eval_ecb.py.

``seed-bbc``  the seed pair (../shared/seeds/000_*.txt, a newspaper version, and
              001_*.txt, the Reuters original) scanned together with the 2,225 BBC
              News articles (Greene & Cunningham 2006; first line = headline, no
              dates, no outlets): the two seeds must form one story of exactly two
              documents (no BBC article swallowed, although BBC politics of 2004-05
              has plenty of John Kerry) with 001 as the source of 000 (a primary
              provenance edge 001 -> 000, or 001 as the earliest witness). Also
              reports the BBC's own stories: how many, the largest, and whether the
              100 exact-duplicate pairs share a story.
``reuters``   the story stage alone on a scanned Reuters-21578 index (``--index``,
              e.g. bench/out/reuters_scan/index.duckdb from bench/bench_reuters.py, which
              also writes bench/out/reuters.jsonl; the index is copied, never changed):
              wall and CPU seconds (workers included) per run, story and pair counts,
              and the check of bench_reuters.py: each of the 279 exact-duplicate
              groups lies in one story and its pairs are wholly-derived.

    python bench/bench_stories.py seed-bbc
    python bench/bench_stories.py reuters --index bench/out/reuters_scan/index.duckdb --runs 3
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402


def seed_bbc(out: Path, options: dict) -> dict:
    wire_copy, wire = C.seeds()  # 000 (newspaper), 001 (Reuters)
    recs = [{"id": "seed-000", "text": wire_copy}, {"id": "seed-001", "text": wire}]
    for art in C.bbc_articles():
        head, _, body = art["text"].partition("\n")
        recs.append({"id": f"bbc/{art['id']}", "title": head.strip(), "text": body.strip(),
                     "category": art["category"]})
    out.mkdir(parents=True, exist_ok=True)
    corpus = out / "seeds+bbc.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    summary, wall, story = C.scan_stories(corpus, out / "scan", options)
    rows = {}
    for line in open(out / "scan" / "stories.jsonl", encoding="utf-8"):
        s = json.loads(line)
        rows[s["story"]] = s
    seed = rows[story["seed-000"]]
    edges = [e for e in seed["provenance"] if e["primary"]]
    sizes = sorted((s["size"] for s in rows.values()), reverse=True)
    bbc = [r for r in recs if r["id"].startswith("bbc/")]
    dup_pairs = C.bbc_duplicate_pairs([{"id": r["id"], "text": r["title"] + "\n" + r["text"]}
                                       for r in bbc])
    dups_together = sum(story[a["id"]] == story[b["id"]] for a, b in dup_pairs)
    mixed_categories = 0
    by_story: dict[str, set[str]] = {}
    for r in bbc:
        by_story.setdefault(story[r["id"]], set()).add(r["category"])
    mixed_categories = sum(1 for cats in by_story.values() if len(cats) > 1)
    ok = (story["seed-000"] == story["seed-001"] and seed["size"] == 2
          and (any(e["source"] == "seed-001" and e["derived"] == "seed-000" for e in edges)
               or seed["earliest"] == "seed-001"))
    return {"ok": ok, "seed_story": {k: seed[k] for k in ("size", "documents", "earliest")},
            "seed_primary_edges": edges, "documents": summary.documents, "stories": summary.stories,
            "multi_doc_stories": summary.multi_doc_stories, "largest_stories": sizes[:10],
            "bbc_duplicate_pairs": len(dup_pairs), "bbc_duplicate_pairs_in_one_story": dups_together,
            "stories_mixing_bbc_categories": mixed_categories, "seconds": round(wall, 2),
            "timings": summary.timings}


def reuters(index: Path, jsonl: Path, runs: int, options: dict) -> dict:
    from wiretrace import ScanConfig
    from wiretrace.engines.pool import Runner
    from wiretrace.index import Index
    from wiretrace.pipeline.plan import effective_config
    from wiretrace.pipeline.stories import stories_stage

    cfg = effective_config(ScanConfig(**options))
    work = C.OUT / "bench_stories_reuters.duckdb"
    results = []
    for _ in range(runs):
        shutil.copy(index, work)
        runner = Runner(cfg.workers)
        with Index.open(str(work)) as ix:
            ix.con.execute("DELETE FROM story_terms")  # measure the whole stage
            me0, kids0 = (resource.getrusage(resource.RUSAGE_SELF),
                          resource.getrusage(resource.RUSAGE_CHILDREN))
            t = time.perf_counter()
            info = stories_stage(ix, cfg, runner)
            wall = time.perf_counter() - t
            runner.close()
            me1, kids1 = (resource.getrusage(resource.RUSAGE_SELF),
                          resource.getrusage(resource.RUSAGE_CHILDREN))
            cpu = sum(getattr(b, f) - getattr(a, f) for a, b in ((me0, me1), (kids0, kids1))
                      for f in ("ru_utime", "ru_stime"))
            n, multi = ix.con.execute("SELECT count(*), count(*) FILTER (WHERE size > 1) "
                                      "FROM stories").fetchall()[0]
            story = dict(ix.con.execute("SELECT d.id, s.story FROM documents d JOIN doc_story s "
                                        "ON s.doc = d.doc").fetchall())
            rel = {frozenset((a, b)): r for a, b, r in ix.con.execute(
                "SELECT x.id, y.id, p.relation FROM pairs p JOIN documents x ON x.doc = p.a "
                "JOIN documents y ON y.doc = p.b WHERE p.related").fetchall()}
        results.append({"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "stories": n,
                        "multi_doc_stories": multi, "info": info})
        print(json.dumps(results[-1]), flush=True)
    # the groups bench_reuters.py checks: identical bodies after whitespace normalisation
    by_body: dict[str, list[str]] = {}
    for line in open(jsonl, encoding="utf-8"):
        d = json.loads(line)
        by_body.setdefault(C.ws_norm(d["text"]), []).append(d["id"])
    groups = [g for g in by_body.values() if len(g) > 1]
    split = [g for g in groups if len({story[i] for i in g}) != 1]
    not_wholly = [(a, b) for g in groups for a, b in itertools.combinations(g, 2)
                  if rel.get(frozenset((a, b))) != "wholly-derived"]
    work.unlink(missing_ok=True)
    return {"runs": results, "median_wall_s": statistics.median(r["wall_s"] for r in results),
            "median_cpu_s": statistics.median(r["cpu_s"] for r in results),
            "duplicate_groups": len(groups), "split_groups": len(split),
            "pairs_not_wholly_derived": len(not_wholly), "ok": not split and not not_wholly}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("check", choices=("seed-bbc", "reuters"))
    ap.add_argument("--index", help="a scanned Reuters index (reuters)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("-o", "--option", action="append", default=[], metavar="KEY=VALUE",
                    help="ScanConfig option, e.g. -o workers=2")
    args = ap.parse_args()
    options = C.scan_options(args.option)
    if args.check == "seed-bbc":
        res = seed_bbc(C.OUT / "bench_stories_seed_bbc", options)
    else:
        if not args.index:
            ap.error("reuters needs --index (scan Reuters first: python bench/bench_reuters.py --runs 1)")
        res = reuters(Path(args.index), C.OUT / "reuters.jsonl", args.runs, options)
    print(json.dumps(res, indent=1, default=str))
    C.write_json(f"bench_stories_{args.check.replace('-', '_')}", {"env": C.environment(), **res})
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

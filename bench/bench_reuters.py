"""Corpus scan on Reuters-21578 (19,043 documents): speed, memory, duplicates,
and the candidate step against MinHash-LSH.

1. Converts the SGML with bench/reuters_to_jsonl.py (bench/out/reuters.jsonl).
2. Runs ``wiretrace.engines.local.scan`` --runs times (force=True, a fresh
   subprocess each, so peak RSS is per run: the scan process and, separately,
   its largest worker) and reports the median wall time, per-stage timings,
   CPU seconds (scan process + workers; on a shared machine CPU / cores is
   what the scan needs alone) and counts.
3. Checks that each of the 279 groups of exact-duplicate bodies (identical
   after whitespace normalisation) lies in one story and that every pair the
   plan makes inside a group is in pairs.jsonl as wholly-derived.
4. Candidate step on --sample consecutive documents from a random start
   (wire copy clusters in time, so a window holds related pairs): brute force (all
   pairs with Jaccard of distinct 5-gram sets >= 0.3 or containment >= 0.5)
   versus the postings plan (DuckDB SQL, with and without the outlet
   boilerplate filter) and datasketch MinHashLSH (128 permutations, threshold
   0.3): time, candidate pairs and recall. datasketch is a bench-only
   dependency (pip install datasketch).

    python bench/bench_reuters.py                 # 3 runs
    python bench/bench_reuters.py --runs 1 -o workers=2
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

JSONL = C.OUT / "reuters.jsonl"
SCAN_OUT = C.OUT / "reuters_scan"

_RUN = r"""
import json, resource, sys, time
from wiretrace import ScanConfig, CompareConfig
from wiretrace.engines.local import scan
opts = json.loads(sys.argv[3])
cmp = {k: v for k, v in opts.items() if k in CompareConfig.__dataclass_fields__}
cfg = ScanConfig(compare=CompareConfig(**cmp), **{k: v for k, v in opts.items() if k not in cmp})
t = time.perf_counter()
s = scan(sys.argv[1], sys.argv[2], config=cfg, force=True)
wall = time.perf_counter() - t
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "summary": s.to_dict(), "rss_self_mb": me.ru_maxrss / 1024,
                  "rss_worker_mb": kids.ru_maxrss / 1024,
                  "cpu_self_s": me.ru_utime + me.ru_stime, "cpu_workers_s": kids.ru_utime + kids.ru_stime}))
"""


def convert() -> None:
    C.require_shared("data", "reuters21578")
    subprocess.run([sys.executable, str(C.BENCH / "reuters_to_jsonl.py"), str(C.DATA / "reuters21578"),
                    str(JSONL)], check=True)


def run_scans(runs: int, options: dict) -> list[dict]:
    out = []
    for k in range(runs):
        load = os.getloadavg()[0]
        p = subprocess.run([sys.executable, "-c", _RUN, str(JSONL), str(SCAN_OUT), json.dumps(options)],
                           capture_output=True, text=True, check=True)
        res = json.loads(p.stdout.strip().splitlines()[-1])
        res["loadavg_before"] = round(load, 2)
        res["cpu_total_s"] = round(res["cpu_self_s"] + res["cpu_workers_s"], 2)
        out.append(res)
        print(f"run {k + 1}: {res['wall']:.2f} s  stages {res['summary']['timings']}  "
              f"cpu {res['cpu_total_s']:.1f} s  rss {res['rss_self_mb']:.0f} MB "
              f"(+ worker {res['rss_worker_mb']:.0f} MB)  load before {load:.1f}", flush=True)
    return out


def check_duplicates() -> dict:
    docs = [json.loads(line) for line in open(JSONL, encoding="utf-8")]
    groups: dict[str, list[str]] = {}
    for d in docs:
        groups.setdefault(C.ws_norm(d["text"]), []).append(d["id"])
    groups = {k: v for k, v in groups.items() if len(v) > 1}
    story = {}
    for line in open(SCAN_OUT / "documents.jsonl", encoding="utf-8"):
        d = json.loads(line)
        story[d["id"]] = d["story"]
    pairs = {}
    for line in open(SCAN_OUT / "pairs.jsonl", encoding="utf-8"):
        p = json.loads(line)
        pairs[frozenset((p["a"], p["b"]))] = p["relation"]
    split, missing, not_wholly = [], [], []
    for ids in groups.values():
        if len({story[i] for i in ids}) != 1:
            split.append(ids)
        for a, b in itertools.combinations(ids, 2):
            rel = pairs.get(frozenset((a, b)))
            if rel is None:
                missing.append((a, b))
            elif rel != "wholly-derived":
                not_wholly.append((a, b, rel))
    ok = not split and not missing and not not_wholly
    return {"groups": len(groups), "documents": sum(map(len, groups.values())), "split_groups": split,
            "missing_pairs": missing, "not_wholly_derived": not_wholly, "ok": ok}


def candidate_comparison(sample_size: int, seed: int) -> dict:
    import duckdb
    import pyarrow as pa

    from wiretrace import ScanConfig
    from wiretrace.candidates import ReusePlan, body_hash, candidate_steps, postings_arrays
    from wiretrace.fingerprint import document_fingerprints
    from wiretrace.normalize import tokenize
    from wiretrace.stories import parse_when

    cfg = ScanConfig()
    docs = [json.loads(line) for line in open(JSONL, encoding="utf-8")]
    start = random.Random(seed).randrange(max(1, len(docs) - sample_size))
    docs = docs[start:start + sample_size]
    toks = [tokenize(d["text"]) for d in docs]
    grams = [document_fingerprints(t, cfg.ngram) for t in toks]
    sets = [set(g.tolist()) for g in grams]

    t = time.perf_counter()
    truth = set()
    for i, j in itertools.combinations(range(len(docs)), 2):
        a, b = sets[i], sets[j]
        if not a or not b:
            continue
        inter = len(a & b)
        if inter and (inter / len(a | b) >= 0.3 or inter / min(len(a), len(b)) >= 0.5):
            truth.add((i, j))
    brute_s = time.perf_counter() - t

    def plan(min_docs: int) -> tuple[set, float]:
        con = duckdb.connect()
        d, g = postings_arrays(enumerate(grams))
        t0 = time.perf_counter()
        con.register("p", pa.table({"doc": d, "gram": g}))
        con.execute("CREATE TABLE postings AS SELECT * FROM p")
        con.register("m", pa.table({"doc": pa.array(range(len(docs)), pa.int32()),
                                    "source": [x.get("source") for x in docs],
                                    "ts": pa.array([parse_when(x.get("date")) for x in docs],
                                                   pa.timestamp("us")),
                                    "body_hash": pa.array([body_hash(x) for x in toks], pa.int64())}))
        con.execute("CREATE TABLE doc_meta AS SELECT * FROM m")
        plan = ReusePlan(max_df=cfg.max_df, min_shared=cfg.min_shared, boilerplate_min_docs=min_docs,
                         story_max_days=cfg.story_max_days)
        for name, sql in candidate_steps(plan):
            con.execute(f"CREATE TABLE {name} AS {sql}")
        got = {tuple(r) for r in con.execute("SELECT a, b FROM candidates").fetchall()}
        return got, time.perf_counter() - t0

    def minhash() -> tuple[set, float]:
        from datasketch import MinHash, MinHashLSH

        t0 = time.perf_counter()
        lsh = MinHashLSH(threshold=0.3, num_perm=128)
        sigs = []
        for i, g in enumerate(grams):
            m = MinHash(num_perm=128)
            m.update_batch([int(x).to_bytes(8, "little", signed=True) for x in g])
            sigs.append(m)
            if len(g):
                lsh.insert(i, m)
        got = set()
        for i, m in enumerate(sigs):
            if len(grams[i]):
                got.update((min(i, j), max(i, j)) for j in lsh.query(m) if j != i)
        return got, time.perf_counter() - t0

    def score(name: str, got: set, secs: float) -> dict:
        hit = len(got & truth)
        return {"method": name, "seconds": round(secs, 3), "candidates": len(got),
                "recall": round(hit / len(truth), 4) if truth else None,
                "precision_vs_truth": round(hit / len(got), 4) if got else None}

    rows = [score("brute force (all pairs)", truth, brute_s),
            score("postings plan (default)", *plan(cfg.boilerplate_min_docs)),
            score("postings plan, no outlet filter", *plan(10**9))]
    try:
        rows.append(score("datasketch MinHashLSH (128 perm, t=0.3)", *minhash()))
    except ImportError:
        rows.append({"method": "datasketch MinHashLSH", "skipped": "pip install datasketch"})
    return {"sample": sample_size, "truth_pairs": len(truth), "rows": rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sample", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-convert", action="store_true", help="reuse bench/out/reuters.jsonl")
    ap.add_argument("-o", "--option", action="append", default=[], metavar="KEY=VALUE",
                    help="ScanConfig/CompareConfig option, e.g. -o workers=2")
    args = ap.parse_args()
    options = C.scan_options(args.option)
    if not (args.no_convert and JSONL.exists()):
        convert()
    runs = run_scans(args.runs, options)
    walls = [r["wall"] for r in runs]
    dups = check_duplicates()
    print(f"exact-duplicate groups: {dups['groups']} ({dups['documents']} docs), ok={dups['ok']}, "
          f"split={len(dups['split_groups'])}, missing={len(dups['missing_pairs'])}, "
          f"not wholly-derived={len(dups['not_wholly_derived'])}")
    cands = candidate_comparison(args.sample, args.seed)
    for row in cands["rows"]:
        print("  ", row)
    summary = runs[-1]["summary"]
    result = {
        "env": C.environment(), "options": options, "runs": runs,
        "median_wall_s": round(statistics.median(walls), 3),
        # other jobs share the machine: CPU seconds / cores is the wall time it needs alone
        "median_cpu_s": round(statistics.median(r["cpu_total_s"] for r in runs), 2),
        "cores": os.cpu_count(),
        "median_stage_s": {k: round(statistics.median(r["summary"]["timings"][k] for r in runs), 3)
                           for k in summary["timings"]},
        "peak_rss_mb": round(max(r["rss_self_mb"] for r in runs), 1),
        "peak_worker_rss_mb": round(max(r["rss_worker_mb"] for r in runs), 1),
        "counts": {k: summary[k] for k in ("documents", "candidates", "pairs", "passages", "stories",
                                           "multi_doc_stories", "boilerplate_passages", "skipped")},
        "duplicates": dups, "candidate_step": cands,
    }
    path = C.write_json("bench_reuters", result)
    print(f"median wall {result['median_wall_s']} s over {len(runs)} runs (target < 30 s; "
          f"median CPU {result['median_cpu_s']} s on {result['cores']} cores); peak RSS "
          f"{result['peak_rss_mb']} MB + worker {result['peak_worker_rss_mb']} MB; "
          f"counts {result['counts']}; -> {path}")
    return 0 if dups["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

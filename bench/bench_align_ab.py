"""Paired A/B timing of the align workers' CPU per candidate pair, for two source trees.

A corpus scan spends most of its time in ``wiretrace.pipeline.tasks.align_batch``. On a shared VM,
timing two versions one after the other is noisy (±5-9% between runs), so
this runs both versions *at the same time*, each pinned to its own core, and
swaps the cores every round: whatever slows the machine slows both.

    # 1. freeze some align tasks of an existing index (same pairs for every version)
    python bench/bench_align_ab.py dump W/scan_1000000/index.duckdb tasks.pkl
    # 2. CPU per pair of the tree on PYTHONPATH, and a hash of its results
    python bench/bench_align_ab.py time tasks.pkl
    # 3. two trees side by side (git worktree add /tmp/base HEAD~3)
    python bench/bench_align_ab.py ab tasks.pkl --a /tmp/base/src --b src --rounds 4

The hash is of every returned pair and passage row: equal hashes mean the
two versions give the same results on these tasks.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import time


def dump(index: str, out: str, tasks: int, pairs: int) -> None:
    from wiretrace.candidates import locality_order
    from wiretrace.engines import local
    from wiretrace.index import Index

    ix = Index.open(index, read_only=True)
    d = ix.con.execute("SELECT a, b, shared, exact FROM candidates ORDER BY a, b").fetchnumpy()
    # the order the scan gives its tasks, then tasks spread evenly over it
    o = locality_order(d["a"], d["b"])
    d = {k: v[o] for k, v in d.items()}
    n = len(d["a"])
    step = max(1, n // tasks)
    frozen = []
    for off in range(step // 2, n, step)[:tasks]:
        todo = list(zip(*(d[k][off:off + pairs].tolist() for k in ("a", "b", "shared", "exact"))))
        frozen.append((todo, local.align_payload(ix, todo)))
    with open(out, "wb") as f:
        pickle.dump(frozen, f)
    print(f"{len(frozen)} tasks, {sum(len(t[0]) for t in frozen)} pairs -> {out}")


def _align_fn():
    """The tree's align task as ``task -> (pair rows, passage rows, dropped)`` with rows as
    tuples in table column order, so trees before and after the pipeline refactor hash alike."""
    from wiretrace.config import ScanConfig

    try:
        from wiretrace.corpus_judge import CorpusText
        from wiretrace.pipeline.plan import effective_config
        from wiretrace.pipeline.tasks import align_batch
        from wiretrace.schema import TABLES
    except ImportError:  # a tree from before wiretrace.pipeline
        from wiretrace.engines import _work, local

        _work._init_worker(local._effective(ScanConfig()))
        return _work._align_task
    cfg = effective_config(ScanConfig())
    pair_cols, passage_cols = TABLES["pairs"].names, TABLES["passages"].names

    def run(task):
        pairs, payload = task
        rows, passages, dropped = align_batch(pairs, {n: CorpusText(*v) for n, v in payload.items()}, cfg)
        return ([tuple(r[c] for c in pair_cols) for r in rows],
                [tuple(p[c] for c in passage_cols) for p in passages], dropped)
    return run


def time_tasks(path: str) -> tuple[float, str]:
    with open(path, "rb") as f:
        tasks = pickle.load(f)
    align = _align_fn()
    align((tasks[0][0][:50], tasks[0][1]))  # imports and first-use caches
    t0 = time.process_time()
    outs = [align(task) for task in tasks]
    ms = (time.process_time() - t0) / sum(len(t[0]) for t in tasks) * 1000
    h = hashlib.sha1()
    for o in outs:
        h.update(repr(o).encode())
    return ms, h.hexdigest()[:12]


def ab(path: str, src_a: str, src_b: str, rounds: int) -> None:
    taskset = shutil.which("taskset")
    if taskset is None:
        sys.exit("taskset (util-linux) is needed to pin each version to its own core")
    res: dict[str, list[float]] = {"a": [], "b": []}
    hashes: dict[str, set[str]] = {"a": set(), "b": set()}
    for r in range(rounds):
        cores = {"a": r % 2, "b": 1 - r % 2}
        procs = {}
        for side, src in (("a", src_a), ("b", src_b)):
            env = {**os.environ, "PYTHONPATH": os.path.abspath(src)}
            procs[side] = subprocess.Popen(
                [taskset, "-c", str(cores[side]), sys.executable, __file__, "time", path],
                env=env, stdout=subprocess.PIPE, text=True)
        for side, p in procs.items():
            out, _ = p.communicate()
            if p.returncode:
                sys.exit(f"version {side} failed (exit {p.returncode})")
            ms, h = out.split()
            res[side].append(float(ms))
            hashes[side].add(h)
        print(f"round {r + 1}: a {res['a'][-1]:.4f}  b {res['b'][-1]:.4f} ms/pair")
    ma, mb = statistics.median(res["a"]), statistics.median(res["b"])
    same = hashes["a"] == hashes["b"] and len(hashes["a"]) == 1
    print(f"median a {ma:.4f}, b {mb:.4f} ms/pair: b/a = {mb / ma:.3f}; "
          f"results {'identical' if same else 'DIFFER'} ({sorted(hashes['a'])} / {sorted(hashes['b'])})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="freeze align tasks of an index")
    d.add_argument("index")
    d.add_argument("out")
    d.add_argument("--tasks", type=int, default=12)
    d.add_argument("--pairs", type=int, default=1000, help="pairs per task")
    t = sub.add_parser("time", help="CPU ms per pair and result hash of the tree on PYTHONPATH")
    t.add_argument("tasks")
    a = sub.add_parser("ab", help="two source trees side by side, one core each")
    a.add_argument("tasks")
    a.add_argument("--a", required=True, help="src folder of version a")
    a.add_argument("--b", required=True, help="src folder of version b")
    a.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    if args.cmd == "dump":
        dump(args.index, args.out, args.tasks, args.pairs)
    elif args.cmd == "time":
        ms, h = time_tasks(args.tasks)
        print(f"{ms:.4f} {h}")
    else:
        ab(args.tasks, args.a, args.b, args.rounds)


if __name__ == "__main__":
    main()

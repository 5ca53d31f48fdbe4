"""Scale benchmark: scan synthetic corpora of growing size (bench/gen_synth.py),
time every stage, measure the memory of the whole process tree, score the
reported pairs against the generator's truth and time ``query`` on the index.

    nice -n 5 python bench/bench_scale.py --sizes 10000 --runs 3 --src /copy/of/src --name bench_scale_10k
    nice -n 5 python bench/bench_scale.py --sizes 100000 --runs 1 --py-spy /path/to/py-spy --name bench_scale_100k
    python bench/bench_scale.py --combine bench/out/bench_scale_10k.json bench/out/bench_scale_100k.json
    python bench/bench_scale.py --eval-only /work/scratch/scale/synth_10000.jsonl SCAN_DIR
    python bench/bench_scale.py --query-only 10000 100000 --name bench_scale_query

Per size N:

1. ``gen_synth.py --docs N --heldout Q`` into ``--workdir`` (reused when its
   meta file says the same options).
2. ``--runs`` scans, each a fresh subprocess running
   ``wiretrace.engines.local.scan(force=True)`` with stage
   markers (the engine's stage functions wrapped, not changed). A poller reads
   /proc every ``--poll`` seconds for the scan process *and every
   descendant* (the worker pool): RSS (sum; counts shared pages once per
   process), PSS (proportional set size, shared pages split: the honest
   "memory used"), CPU seconds (utime+stime; a process that exits keeps its
   last reading). Per stage: wall (the engine's own ``ScanSummary.timings``),
   CPU, peak RSS and PSS in the stage's window. Sizes on disk: index file
   (+ WAL) and the output folder. The median run (by wall) is reported with
   all runs kept in the JSON.
3. Accuracy, from the last run's ``pairs.jsonl``. A *detected* pair is a line
   with ``exact`` or at least one passage (lines related only through story
   similarity are counted apart). Truth (see gen_synth.py): direct pairs
   (derived, source), transitive (derived, non-direct ancestor), family (roots
   intersect).

   * recall    = detected direct pairs / direct pairs (per kind too)
   * precision = detected pairs that are direct, transitive or family /
     detected pairs. Every other detected pair is a false positive, split by
     what it joins (filler, two originals, two families).
   * source accuracy = share of detected direct pairs whose ``source`` side
     is the truth's source.
4. ``query`` latency: one subprocess calls
   ``wiretrace.engines.search.query(index, text, date=...)`` (which opens the
   index each call) for each held-out derived text (not in the corpus), after
   one warm-up call; then, when the engine has one, the same through a
   ``Searcher`` kept open, with its candidate lookup timed apart. p50/p95/p99
   and whether the true source is among the hits (and the top hit in its
   family).

Results go to ``bench/out/bench_scale.json`` (``--name``) and a table is printed,
with a power-law extrapolation of each stage to ``--extrapolate`` documents
(exponent from the two largest sizes measured).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C

STAGES = ("ingest", "candidates", "align", "stories", "outputs", "search_snapshot")

# The scan subprocess. Stage functions are wrapped so the parent can split its
# memory and CPU samples by stage; the engine itself is unchanged.
_SCAN_CHILD = r"""
import json, sys, time
import wiretrace.engines.local as L
import wiretrace.pipeline.outputs as O
from wiretrace.config import CompareConfig, ScanConfig

corpus, out_dir, marks_path, opts = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
marks = open(marks_path, "w", buffering=1)

def wrap(mod, name, stage):
    fn = getattr(mod, name)
    def timed(*a, **k):
        marks.write(json.dumps({"stage": stage, "start": time.time()}) + "\n")
        try:
            return fn(*a, **k)
        finally:
            marks.write(json.dumps({"stage": stage, "end": time.time()}) + "\n")
    setattr(mod, name, timed)

for name, stage in (("_ingest", "ingest"), ("_candidates", "candidates"), ("_align", "align"),
                    ("_stories", "stories")):
    wrap(L, name, stage)
wrap(O, "write_outputs", "outputs")  # local.scan imports it at call time
if hasattr(L, "write_snapshot"):  # newer engines write a query snapshot after the stages
    wrap(L, "write_snapshot", "search_snapshot")
scan_fields = set(ScanConfig.__dataclass_fields__) - {"compare"}
cfg = ScanConfig(compare=CompareConfig(**{k: v for k, v in opts.items() if k not in scan_fields}),
                 **{k: v for k, v in opts.items() if k in scan_fields})
t = time.perf_counter()
s = L.scan(corpus, out_dir, config=cfg, force=True)
result = json.dumps({"wall": time.perf_counter() - t, "summary": s.to_dict()})
marks.write(json.dumps({"result": json.loads(result)}) + "\n")  # stdout was once lost at 1M
print(result)
"""

_QUERY_CHILD = r"""
import json, resource, sys, time
from wiretrace.engines.search import query

index, path, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
items = [json.loads(line) for line in open(path, encoding="utf-8")][:limit]

def run(fn, lookup=None):
    fn(items[0])  # warm-up: imports, first open, caches
    out = []
    for it in items:
        if lookup is not None:
            lookup[0] = 0.0
        t = time.perf_counter()
        hits = fn(it)
        ms = (time.perf_counter() - t) * 1000
        out.append({"id": it["id"], "kind": it["kind"], "ms": ms, "sources": it["sources"],
                    "roots": it["roots"], "hits": [h.id for h in hits],
                    "lookup_ms": lookup[0] * 1000 if lookup is not None else None})
    return out

res = {"query": run(lambda it: query(index, it["text"], date=it["date"]))}
try:  # newer engines: a Searcher keeps the index (and its gram snapshot) open
    from wiretrace.engines.search import Searcher
except ImportError:
    Searcher = None
if Searcher is not None:
    lookup = [0.0]
    with Searcher(index) as s:
        if hasattr(s, "wait_ready"):  # helper processes: time them once they have started
            s.wait_ready()
        inner = s.candidates
        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return inner(*a, **k)
            finally:
                lookup[0] += time.perf_counter() - t
        s.candidates = timed
        res["searcher"] = run(lambda it: s.query(it["text"], date=it["date"]), lookup)
        res["searcher_snapshot"] = s.snap is not None
res["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(res))
"""


# --------------------------------------------------------------------------- /proc polling

def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids[ppid].append(int(name))
    return kids


def _tree(root: int) -> list[int]:
    kids, out, todo = _children(), [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


_TICK = os.sysconf("SC_CLK_TCK")


def _proc_sample(pid: int) -> tuple[float, float, float] | None:
    """(RSS MB, PSS MB, CPU s) of one process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / _TICK
        rss = pss = 0.0
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) / 1024
        return rss, pss, cpu
    except (OSError, ValueError, IndexError):
        return None


class TreePoller(threading.Thread):
    """Samples a process tree until stopped: [(t, rss, pss, cpu, nprocs, main_pss, workers_pss)].

    "main" is the first Python process of the tree (the scan; under py-spy
    its child), "workers" everything below it. py-spy itself is left out."""

    def __init__(self, pid: int, every: float):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple] = []
        self.cpu_last: dict[int, float] = {}
        self.stop = threading.Event()
        self.comm: dict[int, str] = {}

    def _comm_of(self, pid: int) -> str:
        if pid not in self.comm:
            try:
                with open(f"/proc/{pid}/comm") as f:
                    self.comm[pid] = f.read().strip()
            except OSError:
                return ""
        return self.comm[pid]

    def run(self) -> None:
        while not self.stop.is_set():
            t = time.time()
            rss = pss = main_pss = 0.0
            n = 0
            tree = [p for p in _tree(self.pid) if self._comm_of(p) != "py-spy"]
            main = tree[0] if tree else None  # _tree lists parents before their children
            for p in tree:
                s = _proc_sample(p)
                if s is None:
                    continue
                rss, pss, n = rss + s[0], pss + s[1], n + 1
                if p == main:
                    main_pss = s[1]
                self.cpu_last[p] = s[2]
            if n:
                self.samples.append((t, rss, pss, sum(self.cpu_last.values()), n, main_pss, pss - main_pss))
            self.stop.wait(self.every)


def run_measured(cmd: list[str], every: float, env: dict | None = None) -> tuple[subprocess.CompletedProcess, list]:
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as p:
        poller = TreePoller(p.pid, every)
        poller.start()
        out, err = p.communicate()
        poller.stop.set()
        poller.join()
    return subprocess.CompletedProcess(cmd, p.returncode, out, err), poller.samples


# --------------------------------------------------------------------------- steps

def generate(n: int, workdir: Path, seed: int, heldout: int, extra: list[str]) -> tuple[Path, dict]:
    corpus = workdir / f"synth_{n}.jsonl"
    meta_path = workdir / f"synth_{n}.meta.json"
    want = {"docs": n, "seed": seed, "heldout": heldout}
    if meta_path.exists() and corpus.exists() and not extra:
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in want.items()):
            print(f"[{n}] reusing {corpus}", flush=True)
            return corpus, meta
    cmd = [sys.executable, str(C.BENCH / "gen_synth.py"), "--docs", str(n), "--seed", str(seed),
           "--heldout", str(heldout), "--out", str(corpus), *extra]
    print(f"[{n}] generating: {' '.join(cmd)}", flush=True)
    res, samples = run_measured(cmd, 0.5)
    if res.returncode:
        raise SystemExit(f"gen_synth failed:\n{res.stderr[-3000:]}")
    meta = json.loads(meta_path.read_text())
    meta["gen_peak_rss_mb"] = round(max((s[1] for s in samples), default=0), 1)
    meta_path.write_text(json.dumps(meta, indent=1))
    return corpus, meta


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def scan_once(corpus: Path, out_dir: Path, options: dict, every: float, py_spy: str | None,
              spy_out: Path | None, env: dict | None = None) -> dict:
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    marks = out_dir.parent / (out_dir.name + ".marks.jsonl")
    cmd = [sys.executable, "-c", _SCAN_CHILD, str(corpus), str(out_dir), str(marks), json.dumps(options)]
    if py_spy:
        # --subprocesses follows the pool workers; raw = collapsed stacks with counts
        cmd = [py_spy, "record", "--subprocesses", "--format", "raw", "-r", "20", "-o", str(spy_out),
               "--", *cmd]
    load = os.getloadavg()
    res, samples = run_measured(cmd, every, env)
    if res.returncode:
        raise SystemExit(f"scan failed ({res.returncode}):\n{res.stderr[-3000:]}")
    lines = [x for x in res.stdout.strip().splitlines() if x.startswith("{")]
    if lines:
        out = json.loads(lines[-1])
    else:  # the child writes its result to the marks file too
        found = [r["result"] for r in map(json.loads, marks.read_text().splitlines()) if "result" in r]
        if not found:
            raise SystemExit(f"scan printed no result; stderr:\n{res.stderr[-3000:]}")
        out = found[-1]
    windows: dict[str, list[float]] = {}
    for rec in map(json.loads, marks.read_text().splitlines()):
        if "stage" not in rec:
            continue
        windows.setdefault(rec["stage"], [None, None])
        windows[rec["stage"]][0 if "start" in rec else 1] = rec.get("start", rec.get("end"))
    stages = {}
    for st in STAGES:
        lo, hi = windows.get(st, (None, None))
        if lo is None or hi is None:
            continue
        inside = [s for s in samples if lo <= s[0] <= hi]
        before = [s for s in samples if s[0] <= lo]
        after = [s for s in samples if s[0] >= hi]
        cpu0 = before[-1][3] if before else (inside[0][3] if inside else 0.0)
        cpu1 = after[0][3] if after else (inside[-1][3] if inside else cpu0)
        stages[st] = {"wall_s": out["summary"]["timings"].get(st, round(hi - lo, 3)),
                      "cpu_s": round(cpu1 - cpu0, 1),
                      "peak_rss_mb": round(max((s[1] for s in inside), default=0), 1),
                      "peak_pss_mb": round(max((s[2] for s in inside), default=0), 1),
                      "peak_main_pss_mb": round(max((s[5] for s in inside), default=0), 1),
                      "peak_workers_pss_mb": round(max((s[6] for s in inside), default=0), 1)}
    index = out_dir / "index.duckdb"
    wal = Path(str(index) + ".wal")
    return {
        "wall_s": round(out["wall"], 2), "summary": out["summary"], "stages": stages,
        "peak_rss_mb": round(max((s[1] for s in samples), default=0), 1),
        "peak_pss_mb": round(max((s[2] for s in samples), default=0), 1),
        "cpu_s": round(samples[-1][3], 1) if samples else None,
        "max_procs": max((s[4] for s in samples), default=0),
        "index_mb": round((index.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 2**20, 1),
        "out_dir_mb": round(_dir_size(out_dir) / 2**20, 1),
        "loadavg_before": [round(x, 2) for x in load], "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "samples": len(samples),
    }


# --------------------------------------------------------------------------- truth and scoring

def load_truth(path: Path) -> dict[str, dict]:
    truth = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            rec.pop("spans", None)  # not needed for pair scoring; saves memory at 1M
            truth[rec["id"]] = rec
    return truth


def truth_pairs(truth: dict[str, dict]) -> tuple[dict[frozenset, str], set[frozenset]]:
    """direct pairs -> kind label of the derived side; transitive pairs."""
    direct: dict[frozenset, str] = {}
    anc: dict[str, set[str]] = {}

    def ancestors(d: str) -> set[str]:
        if d not in anc:
            out: set[str] = set()
            for s in truth[d]["sources"]:
                out.add(s)
                out |= ancestors(s)
            anc[d] = out
        return anc[d]

    transitive: set[frozenset] = set()
    for d, rec in truth.items():
        label = rec["kind"] if rec["kind"] != "chain" else f"chain:{rec['op']}"
        for s in rec["sources"]:
            direct[frozenset((d, s))] = label
        for a in ancestors(d) - set(rec["sources"]):
            transitive.add(frozenset((d, a)))
    return direct, transitive


def pairs_from_index(index: Path):
    """The judged pairs straight from the index (for a scan stopped after align):
    the fields ``evaluate`` reads, passages as a count."""
    import duckdb

    con = duckdb.connect(str(index), read_only=True)
    cur = con.execute("SELECT da.id, db.id, p.exact, p.n_passages, p.relation, p.source, p.similarity "
                      "FROM pairs p JOIN documents da ON da.doc = p.a JOIN documents db ON db.doc = p.b "
                      "WHERE p.related")
    while rows := cur.fetchmany(10000):
        for a, b, exact, n, rel, src, sim in rows:
            yield {"a": a, "b": b, "exact": exact, "passages": [{}] * int(n or 0), "relation": rel,
                   "source": src, "similarity": sim}
    con.close()


def _pairs_file(path: Path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def story_scores(documents: Path, truth: dict[str, dict]) -> dict:
    """Stories of ``documents.jsonl`` against the generator's families: ARI and
    friends over the documents with one root (filler and merged copies, whose
    story is ambiguous, left out), and the largest story's size."""
    from eval_ecb import scores

    gold = {d: r["roots"][0] for d, r in truth.items() if r["kind"] != "filler" and len(r["roots"]) == 1}
    pred, sizes = {}, Counter()
    with open(documents, encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            sizes[d["story"]] += 1
            if d["id"] in gold:
                pred[d["id"]] = d["story"]
    res = scores({k: gold[k] for k in pred}, pred)
    res["largest_story"] = max(sizes.values(), default=0)
    return res


def evaluate(pairs_path, truth: dict[str, dict], examples: int = 15) -> dict:
    """Score ``pairs.jsonl`` (a path) or an iterable of pair dicts against the truth."""
    direct, transitive = truth_pairs(truth)
    roots = {d: set(r["roots"]) for d, r in truth.items()}
    found_direct: set[frozenset] = set()
    cls: Counter = Counter()
    fp_kinds: Counter = Counter()
    story_only = Counter()
    src_ok = src_n = 0
    relation_by_kind: dict[str, Counter] = defaultdict(Counter)
    fp_examples: list[dict] = []
    for p in (_pairs_file(pairs_path) if isinstance(pairs_path, Path) else pairs_path):
        a, b = p["a"], p["b"]
        key = frozenset((a, b))
        detected = bool(p.get("exact")) or bool(p.get("passages"))
        if key in direct:
            c = "direct"
        elif key in transitive:
            c = "transitive"
        elif roots.get(a, set()) & roots.get(b, set()):
            c = "family"
        else:
            c = "false"
        if not detected:
            story_only[c] += 1
            continue
        cls[c] += 1
        if c == "direct":
            found_direct.add(key)
            label = direct[key]
            relation_by_kind[label][p.get("relation")] += 1
            derived = a if a in truth and b in truth[a]["sources"] else b
            side = p.get("source")
            if side in ("a", "b"):
                src_n += 1
                src_ok += (side == "a") == (derived == b)
        elif c == "false":
            ka = truth[a]["kind"] if a in truth else "filler"
            kb = truth[b]["kind"] if b in truth else "filler"
            kinds = tuple(sorted(("filler" if k == "filler" else "original" if k == "original"
                                  else "derived") for k in (ka, kb)))
            fp_kinds["+".join(kinds)] += 1
            if len(fp_examples) < examples:
                fp_examples.append({"a": a, "b": b, "a_kind": ka, "b_kind": kb,
                                    "relation": p.get("relation"), "exact": p.get("exact"),
                                    "passages": len(p.get("passages") or []),
                                    "matched_words": sum(x.get("matched_words", 0)
                                                         for x in p.get("passages") or []),
                                    "similarity": p.get("similarity")})
    n_det = sum(cls.values())
    by_kind_total = Counter(direct.values())
    by_kind_found = Counter(direct[k] for k in found_direct)
    missed = [sorted(k) + [direct[k]] for k in direct if k not in found_direct][:examples]
    correct = cls["direct"] + cls["transitive"] + cls["family"]
    return {
        "detected_pairs": n_det, "story_only_pairs": dict(story_only),
        "detected_by_class": dict(cls), "false_by_doc_kinds": dict(fp_kinds),
        "precision": round(correct / n_det, 4) if n_det else None,
        "precision_direct_or_transitive": round((cls["direct"] + cls["transitive"]) / n_det, 4) if n_det else None,
        "recall": round(len(found_direct) / len(direct), 4) if direct else None,
        "direct_pairs": len(direct), "transitive_pairs": len(transitive),
        "transitive_recall": round(cls["transitive"] / len(transitive), 4) if transitive else None,
        "recall_by_kind": {k: {"found": by_kind_found[k], "total": v, "recall": round(by_kind_found[k] / v, 4)}
                           for k, v in sorted(by_kind_total.items())},
        "relation_by_kind": {k: dict(v) for k, v in sorted(relation_by_kind.items())},
        "source_accuracy": round(src_ok / src_n, 4) if src_n else None, "source_judged": src_n,
        "missed_examples": missed, "false_examples": fp_examples,
    }


def _latency(qs: list[dict], roots: dict[str, list[str]]) -> dict:
    ms = sorted(q["ms"] for q in qs)

    def pct(v: list[float], p: float) -> float:
        return round(v[min(len(v) - 1, max(0, math.ceil(p / 100 * len(v)) - 1))], 1)

    src_hit = sum(1 for q in qs if set(q["sources"]) & set(q["hits"]))
    top1 = sum(1 for q in qs if q["hits"] and q["hits"][0] in q["sources"])
    # the top hit descends from the same original (a verbatim sibling ranks like the source)
    fam1 = sum(1 for q in qs if q["hits"] and set(roots.get(q["hits"][0], ())) & set(q["roots"]))
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for q in qs:
        by_kind[q["kind"]].append(bool(set(q["sources"]) & set(q["hits"])))
    out = {"n": len(qs), "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "p99_ms": pct(ms, 99),
           "max_ms": round(ms[-1], 1), "mean_ms": round(statistics.fmean(ms), 1),
           "source_in_hits": round(src_hit / len(qs), 4), "source_top1": round(top1 / len(qs), 4),
           "family_top1": round(fam1 / len(qs), 4),
           "source_in_hits_by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())},
           "mean_hits": round(statistics.fmean(len(q["hits"]) for q in qs), 2)}
    look = sorted(q["lookup_ms"] for q in qs if q.get("lookup_ms") is not None)
    if look:
        out["lookup_p50_ms"], out["lookup_p95_ms"] = pct(look, 50), pct(look, 95)
    return out


def query_bench(index: Path, heldout: Path, n: int, every: float, roots: dict[str, list[str]],
                env: dict | None) -> dict:
    """``query()`` per call (opens the index each time) and, when the engine has
    one, a ``Searcher`` kept open; candidate lookup timed apart in the latter."""
    cmd = [sys.executable, "-c", _QUERY_CHILD, str(index), str(heldout), str(n)]
    res, samples = run_measured(cmd, every, env)
    if res.returncode:
        return {"error": res.stderr[-2000:]}
    data = json.loads(res.stdout.strip().splitlines()[-1])
    out = _latency(data["query"], roots)
    if "searcher" in data:
        out["searcher"] = _latency(data["searcher"], roots)
        out["searcher"]["snapshot"] = data.get("searcher_snapshot")
    out["peak_rss_mb"] = round(max((s[1] for s in samples), default=0), 1)
    return out


# --------------------------------------------------------------------------- py-spy summary

_SPY_STAGE = (("_ingest_task", "ingest"), ("_align_task", "align"), ("terms_task", "stories"),
              ("_ingest (", "ingest"), ("_candidates (", "candidates"), ("_align (", "align"),
              ("_stories (", "stories"), ("write_outputs (", "outputs"),
              ("write_snapshot (", "search_snapshot"))


def spy_summary(path: Path, top: int = 15) -> dict:
    """Collapsed py-spy stacks (active samples only: py-spy leaves idle threads
    out, so samples ~ CPU time) -> per stage and process role (main / worker):
    samples, and the top functions by self and by inclusive samples."""
    per: dict[tuple[str, str], dict] = {}
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        n = int(n)
        frames = [f.strip() for f in stack.split(";")]
        total += n
        worker = any("worker (multiprocessing" in f for f in frames)
        stage = next((st for key, st in _SPY_STAGE for f in frames if key in f), "other")
        slot = per.setdefault((stage, "worker" if worker else "main"),
                              {"samples": 0, "self": Counter(), "incl": Counter()})
        slot["samples"] += n
        slot["self"][frames[-1]] += n
        for f in set(frames[1:]):
            slot["incl"][f] += n
    out = {"samples": total, "stages": {}}
    for (stage, role), v in sorted(per.items(), key=lambda kv: -kv[1]["samples"]):
        out["stages"][f"{stage}/{role}"] = {
            "samples": v["samples"], "share": round(v["samples"] / total, 4),
            "self": [(k, c, round(c / v["samples"], 3)) for k, c in v["self"].most_common(top)],
            "inclusive": [(k, c, round(c / v["samples"], 3)) for k, c in v["incl"].most_common(top)
                          if "wiretrace" in k or "duckdb" in k.lower()]}
    return out


# --------------------------------------------------------------------------- main

def _fit(sizes: list[int], values: list[float], target: int) -> dict | None:
    pts = [(n, v) for n, v in zip(sizes, values) if v and v > 0]
    if len(pts) < 2:
        return None
    (n1, v1), (n2, v2) = pts[-2], pts[-1]
    k = math.log(v2 / v1) / math.log(n2 / n1)
    return {"exponent": round(k, 3), "at_target": round(v2 * (target / n2) ** k, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    ap.add_argument("--runs", default="3", help="scans per size: one number, or one per size (3,1)")
    ap.add_argument("--workdir", default="/work/scratch/scale",
                    help="corpora, indexes and outputs (big: ~1.5 GB per 100k documents)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed")
    ap.add_argument("--gen-arg", action="append", default=[], metavar="ARG",
                    help="extra gen_synth.py argument, repeatable (--gen-arg=--max-family=60)")
    ap.add_argument("--heldout", type=int, default=200, help="held-out texts for query latency")
    ap.add_argument("--poll", type=float, default=0.25, help="seconds between /proc samples")
    ap.add_argument("--option", "-o", action="append", default=[], metavar="KEY=VALUE",
                    help="ScanConfig or CompareConfig option for the scan (JSON value), repeatable")
    ap.add_argument("--py-spy", metavar="PATH", help="profile the (last) scan of each size with py-spy")
    ap.add_argument("--no-query", action="store_true", help="skip the query latency step")
    ap.add_argument("--extrapolate", type=int, default=1_000_000, help="size to extrapolate to")
    ap.add_argument("--name", default="bench_scale", help="bench/out/NAME.json")
    ap.add_argument("--src", metavar="DIR",
                    help="run the scan and queries on this copy of src/ (PYTHONPATH) instead of the "
                         "installed tree: others edit src/ while a long run goes on")
    ap.add_argument("--query-only", nargs="+", type=int, metavar="N",
                    help="only time query on the scans of these sizes already in --workdir")
    ap.add_argument("--combine", nargs="+", metavar="JSON",
                    help="merge result files of single sizes into --name and extrapolate")
    ap.add_argument("--spy-only", metavar="RAW", help="only summarise a py-spy raw file")
    ap.add_argument("--eval-only", nargs=2, metavar=("CORPUS", "SCAN_DIR"),
                    help="only score SCAN_DIR/pairs.jsonl against CORPUS's truth")
    args = ap.parse_args(argv)

    if args.query_only:  # re-time query on scans already in --workdir (e.g. on a quieter machine)
        env = None
        if args.src:
            env = dict(os.environ, PYTHONPATH=os.path.abspath(args.src))
        report = {"env": C.environment(), "src": _src_state(args.src), "query": {}}
        for n in args.query_only:
            stem = Path(args.workdir) / f"synth_{n}"
            truth = load_truth(Path(f"{stem}.truth.jsonl"))
            roots = {d: r["roots"] for d, r in truth.items()}
            del truth
            load = os.getloadavg()
            q = query_bench(Path(args.workdir) / f"scan_{n}" / "index.duckdb", Path(f"{stem}.heldout.jsonl"),
                            args.heldout, args.poll, roots, env)
            q["loadavg_before"], q["loadavg_after"] = load, os.getloadavg()
            report["query"][str(n)] = q
            print(f"[{n}] query(): p50 {q.get('p50_ms')} p95 {q.get('p95_ms')} ms; Searcher: "
                  f"{ {k: v for k, v in q.get('searcher', {}).items() if k.endswith('_ms')} }", flush=True)
        print(f"-> {C.write_json(args.name, report)}")
        return 0
    if args.combine:  # several result files (one size each) -> one table and extrapolation
        report = {"sizes": {}, "combined_from": args.combine}
        for path in args.combine:
            report["sizes"].update(json.loads(Path(path).read_text())["sizes"])
        _print_table(report, args.extrapolate)
        report["extrapolation"] = _extrapolate(report, args.extrapolate)
        print(f"-> {C.write_json(args.name, report)}")
        return 0
    if args.spy_only:
        print(json.dumps(spy_summary(Path(args.spy_only)), indent=1))
        return 0
    if args.eval_only:
        corpus, scan_dir = Path(args.eval_only[0]), Path(args.eval_only[1])
        truth = load_truth(Path(str(corpus)[:-6] + ".truth.jsonl"))
        src = scan_dir / "pairs.jsonl"
        if not src.exists():  # stopped before the outputs: read the index
            src = pairs_from_index(scan_dir / "index.duckdb")
        res = evaluate(src, truth)
        if (scan_dir / "documents.jsonl").exists():
            res["stories"] = story_scores(scan_dir / "documents.jsonl", truth)
        print(json.dumps(res, indent=1))
        return 0

    C.require_shared("data", "reuters21578")
    sizes = [int(x) for x in args.sizes.split(",")]
    runs = [int(x) for x in args.runs.split(",")]
    runs = runs * len(sizes) if len(runs) == 1 else runs
    if len(runs) != len(sizes):
        ap.error("--runs needs one number or one per size")
    options = C.scan_options(args.option)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    env = None
    if args.src:
        env = dict(os.environ, PYTHONPATH=os.path.abspath(args.src) + os.pathsep
                   + os.environ.get("PYTHONPATH", ""))
    report = {"env": C.environment(), "src": _src_state(args.src), "options": options,
              "workdir": str(workdir),
              "command": " ".join([os.path.basename(sys.executable), *sys.argv]), "sizes": {}}
    for n, r in zip(sizes, runs):
        corpus, meta = generate(n, workdir, args.seed, args.heldout, args.gen_arg)
        res: dict = {"generator": {k: meta.get(k) for k in ("originals", "derived", "filler", "counts",
                                                             "words", "mean_words", "seconds",
                                                             "gen_peak_rss_mb", "pool")},
                     "corpus_mb": round(corpus.stat().st_size / 2**20, 1), "runs": []}
        for k in range(r):
            spy = args.py_spy if (args.py_spy and k == r - 1) else None
            spy_out = workdir / f"pyspy_{n}.txt"
            one = scan_once(corpus, workdir / f"scan_{n}", options, args.poll, spy, spy_out, env)
            res["runs"].append(one)
            st = "  ".join(f"{s} {v['wall_s']:.1f}s/{v['peak_pss_mb']:.0f}MB" for s, v in one["stages"].items())
            print(f"[{n}] run {k + 1}/{r}: wall {one['wall_s']:.1f} s, peak PSS {one['peak_pss_mb']:.0f} MB "
                  f"(RSS {one['peak_rss_mb']:.0f}), index {one['index_mb']:.0f} MB, load "
                  f"{one['loadavg_before'][0]}->{one['loadavg_after'][0]} | {st}", flush=True)
            if spy:
                res["py_spy"] = spy_summary(spy_out)
        walls = [x["wall_s"] for x in res["runs"]]
        med = sorted(range(len(walls)), key=lambda i: walls[i])[len(walls) // 2]
        res["median_run"] = med
        res["wall_s_runs"] = walls
        res["stage_wall_median_s"] = {st: statistics.median(x["stages"][st]["wall_s"] for x in res["runs"]
                                                            if st in x["stages"])
                                      for st in STAGES if any(st in x["stages"] for x in res["runs"])}
        truth = load_truth(Path(str(corpus)[:-6] + ".truth.jsonl"))
        res["accuracy"] = evaluate(workdir / f"scan_{n}" / "pairs.jsonl", truth)
        res["stories"] = story_scores(workdir / f"scan_{n}" / "documents.jsonl", truth)
        roots = {d: r["roots"] for d, r in truth.items()}
        del truth
        a = res["accuracy"]
        print(f"[{n}] detected {a['detected_pairs']} pairs: precision {a['precision']}, recall {a['recall']} "
              f"({a['direct_pairs']} direct), false by kind {a['false_by_doc_kinds']}", flush=True)
        if not args.no_query and args.heldout:
            res["query"] = query_bench(workdir / f"scan_{n}" / "index.duckdb",
                                       Path(str(corpus)[:-6] + ".heldout.jsonl"), args.heldout, args.poll, roots, env)
            q = res["query"]
            print(f"[{n}] query: {q}", flush=True)
        report["sizes"][str(n)] = res
        C.write_json(args.name, report)  # after every size: a long run keeps what it measured
    _print_table(report, args.extrapolate)
    report["extrapolation"] = _extrapolate(report, args.extrapolate)
    path = C.write_json(args.name, report)
    print(f"-> {path}")
    return 0


def _src_state(src: str | None) -> dict:
    """Which wiretrace the children import, and a hash of its .py files."""
    import hashlib

    cmd = [sys.executable, "-c", "import wiretrace, os; print(os.path.dirname(wiretrace.__file__))"]
    env = dict(os.environ, PYTHONPATH=os.path.abspath(src)) if src else None
    path = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout.strip()
    h = hashlib.sha256()
    for f in sorted(Path(path).rglob("*.py")):
        h.update(str(f.relative_to(path)).encode() + f.read_bytes())
    return {"path": path, "py_sha256": h.hexdigest()[:12]}


def _extrapolate(report: dict, target: int) -> dict:
    sizes = sorted(int(n) for n in report["sizes"])
    rows = [report["sizes"][str(n)] for n in sizes]
    med = [r["runs"][r["median_run"]] for r in rows]
    out = {"target": target, "from_sizes": sizes[-2:], "stages_wall_s": {}, "stages_peak_pss_mb": {}}
    for st in STAGES:
        out["stages_wall_s"][st] = _fit(sizes, [r["stage_wall_median_s"].get(st) for r in rows], target)
        out["stages_peak_pss_mb"][st] = _fit(sizes, [m["stages"].get(st, {}).get("peak_pss_mb") for m in med], target)
    out["stages_cpu_s"] = {st: _fit(sizes, [m["stages"].get(st, {}).get("cpu_s") for m in med], target)
                           for st in STAGES}
    out["wall_s"] = _fit(sizes, [m["wall_s"] for m in med], target)
    out["cpu_s"] = _fit(sizes, [m["cpu_s"] for m in med], target)
    out["peak_pss_mb"] = _fit(sizes, [m["peak_pss_mb"] for m in med], target)
    out["index_mb"] = _fit(sizes, [m["index_mb"] for m in med], target)
    out["candidates"] = _fit(sizes, [m["summary"]["candidates"] for m in med], target)
    if all("query" in r and "p95_ms" in r["query"] for r in rows):
        out["query_p95_ms"] = _fit(sizes, [r["query"]["p95_ms"] for r in rows], target)
    stage_sum = sum(v["at_target"] for v in out["stages_wall_s"].values() if v)
    out["sum_of_stage_walls_s"] = round(stage_sum, 1)
    return out


def _print_table(report: dict, target: int) -> None:
    print("\nsize | wall s (median) | " + " | ".join(STAGES) + " | peak PSS MB | peak RSS MB | index MB | "
          "candidates | detected | precision | recall | query p50/p95 ms")
    for n, r in sorted(report["sizes"].items(), key=lambda kv: int(kv[0])):
        m = r["runs"][r["median_run"]]
        a = r["accuracy"]
        q = r.get("query", {})
        print(f"{int(n):,} | {m['wall_s']:.1f} ({len(r['runs'])} runs: {r['wall_s_runs']}) | "
              + " | ".join(f"{r['stage_wall_median_s'].get(st, 0):.1f}" for st in STAGES)
              + f" | {m['peak_pss_mb']:.0f} | {m['peak_rss_mb']:.0f} | {m['index_mb']:.0f} | "
              f"{m['summary']['candidates']:,} | {a['detected_pairs']:,} | {a['precision']} | {a['recall']} | "
              f"{q.get('p50_ms')}/{q.get('p95_ms')}")
    ex = _extrapolate(report, target)
    if ex["wall_s"]:
        print(f"\nextrapolated to {target:,} (power law through {ex['from_sizes']}):")
        for st in STAGES:
            v = ex["stages_wall_s"][st]
            mem = ex["stages_peak_pss_mb"][st]
            cpu = ex["stages_cpu_s"][st]
            if v:
                print(f"  {st:<15} {v['at_target']:>9.0f} s wall (exponent {v['exponent']})"
                      + (f", {cpu['at_target']:.0f} CPU s (exponent {cpu['exponent']})" if cpu else "")
                      + (f", peak PSS {mem['at_target']:.0f} MB (exponent {mem['exponent']})" if mem else ""))
        print(f"  sum of stages {ex['sum_of_stage_walls_s']:.0f} s; index {ex['index_mb']}; "
              f"peak PSS {ex['peak_pss_mb']}; candidates {ex['candidates']}")


if __name__ == "__main__":
    sys.exit(main())

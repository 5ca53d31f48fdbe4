"""The Spark engine against the local engine on Reuters-21578 (19,043 documents).

1. Converts the SGML with bench/reuters_to_jsonl.py when bench/out/reuters.jsonl
   is missing.
2. Runs the local engine and the Spark engine (``--master``, default
   ``local[2]``) --runs times each, interleaved, each in a fresh subprocess with
   ``force=True``. Wall time is the median; peak memory is polled from /proc
   every 0.2 s over the whole process tree: the Python driver, the JVM and the
   Python workers (Spark) or pool workers (local), reported apart and summed.
3. Checks parity: the same 279 exact-duplicate groups (bodies identical after
   whitespace normalisation), each inside one story in both outputs, the same
   exact pairs, and how many pairs.jsonl lines and story memberships agree.
4. With --profile, one more Spark run materialises every step
   (``wiretrace.profile=true``), forces the distributed connected components
   (``wiretrace.cc.driverEdges=0``) and writes an uncompressed event log, from
   which it reports seconds, rows and shuffle bytes per step: the figures the
   100M-article plan in docs/spark.md is derived from.

    python bench/bench_spark.py                       # 3 runs each + profile
    python bench/bench_spark.py --runs 1 --master 'local[2]' --no-profile
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

JSONL = C.OUT / "reuters.jsonl"
WORK = C.OUT / "bench_spark"

_LOCAL = r"""
import json, sys, time
from wiretrace.engines.local import scan
t = time.perf_counter()
s = scan(sys.argv[1], sys.argv[2], force=True)
print(json.dumps({"wall": time.perf_counter() - t, "summary": s.to_dict()}))
"""

_SPARK = r"""
import json, os, sys, time
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
from wiretrace.engines.spark import scan
t = time.perf_counter()
s = scan(sys.argv[1], sys.argv[2], master=sys.argv[3], conf=json.loads(sys.argv[4]), force=True)
print(json.dumps({"wall": time.perf_counter() - t, "summary": s.to_dict()}))
"""


# --------------------------------------------------------------------------- memory

def _tree(root: int) -> list[int]:
    """``root`` and all its live descendants."""
    children = defaultdict(list)
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                parts = f.read().rsplit(")", 1)[1].split()
            children[int(parts[1])].append(int(stat.split("/")[2]))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _rss_mb(pid: int) -> tuple[float, str]:
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next((int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:")), 0)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return 0.0, ""
    return rss / 1024, cmd


class TreeMemory(threading.Thread):
    """Peak RSS (MB) of a process tree: driver, JVM, workers, total."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak = {"driver_mb": 0.0, "jvm_mb": 0.0, "workers_mb": 0.0, "total_mb": 0.0}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            now = {"driver_mb": 0.0, "jvm_mb": 0.0, "workers_mb": 0.0}
            for pid in _tree(self.pid):
                rss, cmd = _rss_mb(pid)
                key = ("driver_mb" if pid == self.pid else
                       "jvm_mb" if "java" in cmd.split(" ", 1)[0] else "workers_mb")
                now[key] += rss
            now["total_mb"] = sum(now.values())
            for k, v in now.items():
                self.peak[k] = max(self.peak[k], round(v, 1))
            self.stop.wait(self.every)


def run_child(code: str, *args: str) -> dict:
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    mem = TreeMemory(proc.pid)
    mem.start()
    out, err = proc.communicate()
    mem.stop.set()
    mem.join()
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}):\n{err[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["memory"] = mem.peak
    return result


# --------------------------------------------------------------------------- parity

def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def duplicate_groups() -> list[list[str]]:
    groups = defaultdict(list)
    for rec in _jsonl(JSONL):
        groups[C.ws_norm(rec["text"])].append(str(rec["id"]))
    return [g for g in groups.values() if len(g) > 1]


def parity(local_out: Path, spark_out: Path) -> dict:
    groups = duplicate_groups()
    out: dict = {"duplicate_groups": len(groups)}
    stories, exact, lines, members = {}, {}, {}, {}
    for name, d in (("local", local_out), ("spark", spark_out)):
        story = {r["id"]: r["story"] for r in _jsonl(d / "documents.jsonl")}
        stories[name] = sum(1 for g in groups if len({story[i] for i in g}) == 1)
        pairs = _jsonl(d / "pairs.jsonl")
        exact[name] = {(p["a"], p["b"]) for p in pairs if p["exact"]}
        lines[name] = {json.dumps(p, sort_keys=True) for p in pairs}
        members[name] = {frozenset(s["documents"]) for s in _jsonl(d / "stories.jsonl")}
        import duckdb

        with duckdb.connect(str(d / "index.duckdb"), read_only=True) as con:
            out[f"{name}_body_hash_groups"] = con.execute(
                "SELECT count(*) FROM (SELECT body_hash FROM documents WHERE body_hash IS NOT NULL "
                "GROUP BY 1 HAVING count(*) > 1)").fetchone()[0]
    out.update({
        "groups_in_one_story": stories,
        "exact_pairs": {k: len(v) for k, v in exact.items()},
        "exact_pairs_equal": exact["local"] == exact["spark"],
        "pairs": {k: len(v) for k, v in lines.items()},
        "pairs_identical": len(lines["local"] & lines["spark"]),
        "stories_identical": len(members["local"] & members["spark"]),
        "stories": {k: len(v) for k, v in members.items()},
    })
    return out


# --------------------------------------------------------------------------- profile

def event_log_steps(log_dir: Path) -> dict:
    """Seconds, tasks and shuffle/input/output bytes per job description."""
    # rolling event logs: events_1_<app>, events_2_<app>, ... in order
    files = sorted((p for p in glob.glob(str(log_dir / "**" / "events_*"), recursive=True)
                    if os.path.isfile(p)),
                   key=lambda p: int(os.path.basename(p).split("_")[1]))
    if not files:
        return {}
    jobs, stage_job, steps = {}, {}, defaultdict(lambda: defaultdict(float))
    for line in (ln for path in files for ln in open(path, encoding="utf-8")):
        e = json.loads(line)
        ev = e["Event"]
        if ev == "SparkListenerJobStart":
            desc = (e.get("Properties") or {}).get("spark.job.description") or "other"
            jobs[e["Job ID"]] = [desc, e["Submission Time"]]
            for sid in e.get("Stage IDs", []):
                stage_job[sid] = e["Job ID"]
        elif ev == "SparkListenerJobEnd" and e["Job ID"] in jobs:
            desc, start = jobs[e["Job ID"]]
            steps[desc]["seconds"] += (e["Completion Time"] - start) / 1000
            steps[desc]["jobs"] += 1
        elif ev == "SparkListenerTaskEnd":
            desc = jobs.get(stage_job.get(e["Stage ID"]), ["other"])[0]
            m = e.get("Task Metrics") or {}
            s = steps[desc]
            s["tasks"] += 1
            s["task_seconds"] += m.get("Executor Run Time", 0) / 1000
            s["shuffle_write_mb"] += m.get("Shuffle Write Metrics", {}).get(
                "Shuffle Bytes Written", 0) / 2**20
            sr = m.get("Shuffle Read Metrics", {})
            s["shuffle_read_mb"] += (sr.get("Remote Bytes Read", 0)
                                     + sr.get("Local Bytes Read", 0)) / 2**20
            s["input_mb"] += m.get("Input Metrics", {}).get("Bytes Read", 0) / 2**20
            s["output_mb"] += m.get("Output Metrics", {}).get("Bytes Written", 0) / 2**20
            s["spill_mb"] += m.get("Disk Bytes Spilled", 0) / 2**20
    return {k: {m: round(v, 2) for m, v in d.items()} for k, d in steps.items()}


def _sizes(out: Path) -> dict:
    sizes = {}
    for d in sorted((out / "_spark").iterdir()):
        if d.is_dir():
            sizes[d.name] = round(sum(f.stat().st_size for f in d.rglob("*.parquet")) / 2**20, 2)
    return sizes


# --------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--skip-local", action="store_true", help="reuse the last local output")
    ap.add_argument("--profile-only", action="store_true",
                    help="only the profile run; keep the other results of bench/out/bench_spark.json")
    args = ap.parse_args()
    if not JSONL.exists():
        subprocess.run([sys.executable, str(C.BENCH / "reuters_to_jsonl.py")], check=True)
    conf = {"spark.ui.enabled": "false", "spark.driver.memory": "2g",
            **dict(c.split("=", 1) for c in args.conf)}
    local_out, spark_out = WORK / "local", WORK / "spark"
    results: dict = {"env": {**C.environment(), "loadavg_start": os.getloadavg()},
                     "master": args.master, "conf": conf, "local": [], "spark": []}
    if args.profile_only:
        results = json.loads((C.OUT / "bench_spark.json").read_text())
        results["profile_env"] = {**C.environment(), "loadavg_start": os.getloadavg()}
    for i in range(0 if args.profile_only else args.runs):
        if not args.skip_local:
            r = run_child(_LOCAL, str(JSONL), str(local_out))
            results["local"].append(r)
            print(f"local run {i + 1}: {r['wall']:.1f}s, peak {r['memory']['total_mb']:.0f} MB",
                  flush=True)
        r = run_child(_SPARK, str(JSONL), str(spark_out), args.master, json.dumps(conf))
        results["spark"].append(r)
        print(f"spark run {i + 1}: {r['wall']:.1f}s, peak {r['memory']['total_mb']:.0f} MB "
              f"(driver {r['memory']['driver_mb']:.0f}, JVM {r['memory']['jvm_mb']:.0f}, "
              f"workers {r['memory']['workers_mb']:.0f})", flush=True)
    for name in ("local", "spark") if not args.profile_only else ():
        runs = results[name]
        if runs:
            results[f"{name}_median_wall"] = round(statistics.median(r["wall"] for r in runs), 1)
            results[f"{name}_peak_total_mb"] = max(r["memory"]["total_mb"] for r in runs)
    if not args.profile_only:
        results["parity"] = parity(local_out, spark_out)
        print(json.dumps(results["parity"], indent=1), flush=True)
    if not args.no_profile:
        prof_out, log_dir = WORK / "spark_profile", WORK / "eventlog"
        shutil.rmtree(log_dir, ignore_errors=True)
        log_dir.mkdir(parents=True)
        pconf = {**conf, "wiretrace.profile": "true", "wiretrace.cc.driverEdges": "0",
                 "spark.eventLog.enabled": "true", "spark.eventLog.compress": "false",
                 "spark.eventLog.dir": log_dir.resolve().as_uri()}
        r = run_child(_SPARK, str(JSONL), str(prof_out), args.master, json.dumps(pconf))
        info = {}
        for done in sorted((prof_out / "_spark").glob("*.done")):
            info.update(json.loads(done.read_text()).get("info", {}))
        results["profile"] = {"wall": r["wall"], "memory": r["memory"], "stage_info": info,
                              "timings": r["summary"]["timings"], "summary": r["summary"],
                              "steps": event_log_steps(log_dir), "parquet_mb": _sizes(prof_out)}
        print(json.dumps(results["profile"]["steps"], indent=1), flush=True)
        shutil.rmtree(log_dir, ignore_errors=True)  # ~1 GB of JSON for Reuters, parsed above
    results["env"]["loadavg_end"] = os.getloadavg()
    path = C.write_json("bench_spark", results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

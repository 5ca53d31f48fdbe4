"""Bounded load test of the web viewer, on loopback only.

    python bench/load_web.py [--scan DIR | --input CORPUS] [--requests 2000]
                             [--concurrency 20] [--runs 3] [--json]

Starts ``wiretrace serve`` as a subprocess on 127.0.0.1 (a free port) over a
scan directory, then sends ``--requests`` GETs at ``--concurrency`` with
httpx.AsyncClient, alternating a story page and a pair page (HTML), and
reports p50/p99 latency, throughput and errors per run and the median of the
runs. The server is stopped at the end; every request has a timeout and the
whole run a deadline.

Where the scan comes from:

* ``--scan DIR``: an existing ``wiretrace scan`` output;
* ``--input CORPUS``: scanned first into ``bench/out/web-scan-<name>`` with the
  local engine (``--with-seeds`` adds the two ../shared/seeds articles);
* neither: the bundled examples/corpus, scanned with the local engine.

Reuters-21578 + the seed pair (needs bench/out/reuters.jsonl from
``python bench/reuters_to_jsonl.py`` and the corpus engine):

    python bench/load_web.py --input bench/out/reuters.jsonl --with-seeds [--lexical]
    python bench/load_web.py --scan REUTERS_SCAN_DIR --with-seeds   # reuse a scan, add the seeds
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
SEEDS = Path(os.environ.get("WIRETRACE_SHARED", REPO.parent / "shared")) / "seeds"
HOST = "127.0.0.1"  # loopback only, never another address
DEADLINE_S = 900.0
REQUEST_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _with_seeds(src: Path) -> Path:
    """``src`` plus the two seed articles as one JSONL input."""
    out = OUT / (src.stem + "+seeds.jsonl")
    with open(out, "w", encoding="utf-8") as fh, open(src, encoding="utf-8") as inp:
        for line in inp:
            fh.write(line if line.endswith("\n") else line + "\n")
        for rec in _seed_records():
            fh.write(json.dumps(rec) + "\n")
    return out


def _seed_records() -> list[dict]:
    seeds = sorted(SEEDS.glob("00[01]_*.txt"))
    if len(seeds) < 2:
        raise SystemExit(f"--with-seeds: no seed articles in {SEEDS}")
    return [{"id": "seed-" + p.stem, "text": p.read_text(encoding="utf-8"), "source": "seed"} for p in seeds]


def _scan_plus_seeds(scan_dir: Path) -> Path:
    """A copy of ``scan_dir`` with the seed pair added to its index by ``engines.local.add``
    (the viewer then reads the index, as ``add`` does not rewrite the JSONL files)."""
    import shutil

    from wiretrace.engines.local import INDEX_FILE, add

    out = OUT / f"web-scan-{scan_dir.name}+seeds"
    if not out.exists():
        shutil.copytree(scan_dir, out)
        (out / "config.json").unlink(missing_ok=True)  # its index path names the original
        seeds = OUT / "seeds.jsonl"
        seeds.write_text("".join(json.dumps(r) + "\n" for r in _seed_records()), encoding="utf-8")
        t0 = time.perf_counter()
        add(str(out / INDEX_FILE), str(seeds))
        print(f"added the seed pair to a copy of {scan_dir} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return out


def prepare_scan(args: argparse.Namespace) -> Path:
    """The scan directory to serve, scanning first when asked."""
    if args.scan and args.with_seeds:
        return _scan_plus_seeds(Path(args.scan))
    if args.scan:
        return Path(args.scan)
    OUT.mkdir(parents=True, exist_ok=True)
    from wiretrace.engines.local import scan

    if args.input:
        src = Path(args.input)
        if args.with_seeds:
            src = _with_seeds(src)
        out = OUT / f"web-scan-{src.stem}"
        t0 = time.perf_counter()
        config = None
        if args.lexical:
            from wiretrace.config import CompareConfig, ScanConfig

            config = ScanConfig(compare=CompareConfig(semantic=False))
        if not (out / "documents.jsonl").exists():
            scan(str(src), str(out), config=config)
        print(f"scanned {src} into {out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        return out
    examples = REPO / "examples" / "corpus"
    out = OUT / "web-scan-examples"
    scan(str(examples), str(out))
    return out


def start_server(scan_dir: Path, port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "wiretrace", "serve", str(scan_dir), "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300  # a large scan takes a while to load
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited: " + proc.stderr.read().decode(errors="replace")[-2000:])
        try:
            if httpx.get(f"http://{HOST}:{port}/stories.json", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not answer within 300 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def pick_urls(base: str, seeds: bool = False) -> tuple[str, str]:
    """The largest story's page and the pair page of one of its copy edges (with
    ``seeds``: the seed pair's story and pair)."""
    if seeds:
        ids = sorted(r["id"] for r in _seed_records())
        doc = httpx.get(base + "/doc/" + quote(ids[0], safe="") + ".json", timeout=60).json()
        if doc["story"] and any(link["id"] == ids[1] for link in doc["links"]):
            return doc["story"]["url"], "/pair?" + urlencode({"a": ids[0], "b": ids[1]})
    stories = httpx.get(base + "/stories.json?sort=size", timeout=60).json()["stories"]
    if not stories:
        stories = httpx.get(base + "/stories.json?sort=size&min_docs=1", timeout=60).json()["stories"]
    story = stories[0]
    story_url = "/story/" + quote(story["id"], safe="")
    detail = httpx.get(base + story_url + ".json", timeout=60).json()
    edges = detail["edges"] or []
    if edges:
        a, b = edges[0]["from"], edges[0]["to"]
    else:
        doc = httpx.get(base + "/doc/" + quote(detail["documents"][0]["id"], safe="") + ".json",
                        timeout=60).json()
        a, b = doc["document"]["id"], doc["links"][0]["id"]
    return story_url, "/pair?" + urlencode({"a": a, "b": b})


async def one_run(base: str, urls: tuple[str, str], n: int, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(n))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            t0 = time.perf_counter()
            try:
                r = await client.get(urls[i % 2])
                ok = r.status_code == 200 and len(r.content) > 0
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - t0)
            errors += not ok

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT_S) as client:
        t0 = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(worker(client) for _ in range(concurrency))), DEADLINE_S)
        wall = time.perf_counter() - t0
    latencies.sort()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"requests": len(latencies), "errors": errors, "p50_ms": round(q[49] * 1000, 2),
            "p99_ms": round(q[98] * 1000, 2), "max_ms": round(latencies[-1] * 1000, 2),
            "rps": round(len(latencies) / wall, 1), "wall_s": round(wall, 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scan", help="an existing scan output directory")
    ap.add_argument("--input", help="a corpus to scan first (needs the local engine)")
    ap.add_argument("--with-seeds", action="store_true",
                    help="add the two ../shared/seeds articles: to --input before scanning, or to a "
                         "copy of --scan with engines.local.add")
    ap.add_argument("--lexical", action="store_true", help="scan --input without the semantic pass (faster)")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if not (1 <= args.requests <= 100_000 and 1 <= args.concurrency <= 200 and 1 <= args.runs <= 10):
        ap.error("keep it bounded: requests ≤ 100000, concurrency ≤ 200, runs ≤ 10")
    scan_dir = prepare_scan(args)
    port = _free_port()
    t0 = time.perf_counter()
    proc = start_server(scan_dir, port)
    startup = time.perf_counter() - t0
    try:
        base = f"http://{HOST}:{port}"
        urls = pick_urls(base, seeds=args.with_seeds)
        asyncio.run(one_run(base, urls, min(100, args.requests), args.concurrency))  # warm-up
        runs = []
        for _ in range(args.runs):
            cpu0 = cpu_seconds(proc.pid)
            run = asyncio.run(one_run(base, urls, args.requests, args.concurrency))
            # the server's own CPU per request: unlike latency, not inflated by other load
            run["server_cpu_ms"] = round((cpu_seconds(proc.pid) - cpu0) * 1000 / run["requests"], 2)
            runs.append(run)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    median = {k: statistics.median(r[k] for r in runs)
              for k in ("p50_ms", "p99_ms", "rps", "errors", "server_cpu_ms")}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    result = {"scan": str(scan_dir), "urls": list(urls), "requests": args.requests,
              "concurrency": args.concurrency, "startup_s": round(startup, 2), "runs": runs,
              "median": median, "errors_total": sum(r["errors"] for r in runs),
              "load_average_1m": load, "cpus": os.cpu_count()}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"scan {scan_dir}  (server ready in {startup:.1f} s)")
        print(f"urls {urls[0]}  and  {urls[1]}")
        print(f"{args.requests} requests per run at concurrency {args.concurrency}, {args.runs} runs")
        for i, r in enumerate(runs, 1):
            print(f"  run {i}: p50 {r['p50_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms  max {r['max_ms']:.1f} ms  "
                  f"{r['rps']:.0f} req/s  server CPU {r['server_cpu_ms']:.2f} ms/req  errors {r['errors']}")
        print(f"median: p50 {median['p50_ms']:.1f} ms  p99 {median['p99_ms']:.1f} ms  "
              f"{median['rps']:.0f} req/s  server CPU {median['server_cpu_ms']:.2f} ms/req  "
              f"errors {result['errors_total']}")
        print(f"load average {load:.1f} on {os.cpu_count()} CPUs at the end" if load is not None else "")
    return 0 if result["errors_total"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

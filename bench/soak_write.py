"""Soak test: readers and a writer at once, bounded in time, on loopback only.

    python bench/soak_write.py [--docs 600] [--batches 3] [--batch-docs 60] [--json]

Scans a generated corpus (stories of three lightly edited copies), starts
``wiretrace serve`` over it on 127.0.0.1 and opens a :class:`Searcher` in this
process; then, while a client thread keeps requesting viewer pages and another
keeps querying the Searcher, runs ``--batches`` ``wiretrace add`` commands one
after another. Reports every add's exit code and time, the viewer's requests,
errors and p50/p99 latency, the Searcher's queries and errors, and for each
batch the time from the add's exit until one of its documents is visible in
the viewer (``/doc/<id>.json`` answers 200) and in query results.

Every request has a timeout and the whole run a deadline (``--deadline``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

HOST = "127.0.0.1"  # loopback only, never another address
REQUEST_TIMEOUT_S = 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def generate(path: Path, prefix: str, n: int, seed: int) -> list[dict]:
    """``n`` small documents in stories of three (two lightly edited copies each)."""
    rng = random.Random(seed)
    recs = []
    for s in range(n // 3):
        base = [f"w{rng.randrange(10**7)}" for _ in range(60)]
        for k in range(3):
            words = list(base)
            words[rng.randrange(60)] = f"edit{k}"
            recs.append({"id": f"{prefix}{s}-{k}", "text": " ".join(words) + ".", "source": f"outlet{k}"})
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return recs


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def soak(workdir: Path, *, docs: int = 600, batches: int = 3, batch_docs: int = 60,
         deadline_s: float = 600.0, workers: int = 1) -> dict:
    """Run the soak in ``workdir``; returns the figures (see the module docstring)."""
    from wiretrace.config import ScanConfig
    from wiretrace.engines.local import scan
    from wiretrace.engines.search import Searcher

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    stop_at = time.monotonic() + deadline_s
    base = workdir / "base.jsonl"
    generate(base, "base", docs, 1)
    out = workdir / "out"
    scan(str(base), str(out), config=ScanConfig(workers=workers))
    index = str(out / "index.duckdb")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "wiretrace", "serve", str(out), "--host", HOST,
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=env)
    url = f"http://{HOST}:{port}"
    stop = threading.Event()
    web_lat: list[float] = []
    web_err: list[str] = []
    q_lat: list[float] = []
    q_err: list[str] = []
    searcher = None
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit("server exited: " + server.stderr.read().decode(errors="replace")[-2000:])
            try:
                if httpx.get(url + "/stories.json", timeout=REQUEST_TIMEOUT_S).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > stop_at:
                raise SystemExit("server did not answer")
            time.sleep(0.1)
        searcher = Searcher(index, workers=1)
        probe_text = json.loads(base.read_text(encoding="utf-8").splitlines()[0])["text"]

        def browse() -> None:
            pages = ["/stories.json?min_docs=1", f"/doc/{quote('base0-0')}.json", "/stories"]
            with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
                i = 0
                while not stop.is_set() and time.monotonic() < stop_at:
                    t = time.perf_counter()
                    try:
                        r = client.get(url + pages[i % len(pages)])
                        if r.status_code != 200:
                            web_err.append(f"{pages[i % len(pages)]}: {r.status_code}")
                    except httpx.HTTPError as exc:
                        web_err.append(f"{pages[i % len(pages)]}: {exc!r}")
                    web_lat.append(time.perf_counter() - t)
                    i += 1

        lock = threading.Lock()  # one Searcher, one query at a time

        def ask() -> None:
            while not stop.is_set() and time.monotonic() < stop_at:
                t = time.perf_counter()
                try:
                    with lock:
                        searcher.query(probe_text, limit=5)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    q_err.append(repr(exc))
                q_lat.append(time.perf_counter() - t)
                time.sleep(0.05)

        threads = [threading.Thread(target=browse, daemon=True), threading.Thread(target=ask, daemon=True)]
        for t in threads:
            t.start()
        adds = []
        for b in range(batches):
            batch = workdir / f"batch{b}.jsonl"
            recs = generate(batch, f"new{b}-", batch_docs, 100 + b)
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "wiretrace", "add", index, str(batch), "--json",
                                   "--workers", str(workers)], capture_output=True, text=True, env=env,
                                  timeout=max(1.0, stop_at - time.monotonic()))
            took = time.perf_counter() - t0
            done = time.perf_counter()
            new_id, new_text = recs[0]["id"], recs[0]["text"]
            seen_web = seen_query = None
            while (seen_web is None or seen_query is None) and time.monotonic() < stop_at:
                if seen_web is None:
                    try:
                        if httpx.get(f"{url}/doc/{quote(new_id)}.json", timeout=REQUEST_TIMEOUT_S).status_code == 200:
                            seen_web = time.perf_counter() - done
                    except httpx.HTTPError:
                        pass
                if seen_query is None:
                    with lock:
                        hits = searcher.query(new_text, limit=5)
                    if new_id in {h.id for h in hits}:
                        seen_query = time.perf_counter() - done
                time.sleep(0.05)
            adds.append({"batch": b, "exit": proc.returncode, "seconds": round(took, 2),
                         "stderr": proc.stderr.strip()[-300:] if proc.returncode else "",
                         "visible_in_viewer_s": None if seen_web is None else round(seen_web, 2),
                         "visible_in_query_s": None if seen_query is None else round(seen_query, 2)})
            time.sleep(0.5)  # readers keep going between batches
        stop.set()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT_S + 5)
    finally:
        stop.set()
        if searcher is not None:
            searcher.close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    ms = lambda v: round(v * 1000, 1)  # noqa: E731
    return {
        "documents": docs, "batches": batches, "batch_docs": batch_docs, "adds": adds,
        "viewer": {"requests": len(web_lat), "errors": len(web_err), "p50_ms": ms(_pct(web_lat, 0.5)),
                   "p99_ms": ms(_pct(web_lat, 0.99)), "first_errors": web_err[:5]},
        "searcher": {"queries": len(q_lat), "errors": len(q_err), "p50_ms": ms(_pct(q_lat, 0.5)),
                     "p99_ms": ms(_pct(q_lat, 0.99)), "first_errors": q_err[:5]},
        "index_bytes": os.path.getsize(index),
        "add_seconds_median": statistics.median(a["seconds"] for a in adds) if adds else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--batches", type=int, default=3)
    ap.add_argument("--batch-docs", type=int, default=60)
    ap.add_argument("--deadline", type=float, default=600.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wiretrace-soak-") as tmp:
        got = soak(Path(tmp), docs=args.docs, batches=args.batches, batch_docs=args.batch_docs,
                   deadline_s=args.deadline, workers=args.workers)
    print(json.dumps(got, indent=None if args.json else 2))


if __name__ == "__main__":
    main()

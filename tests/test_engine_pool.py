"""A worker killed mid-scan (issue 17): the CLI says to run the same command again
(exit 2, one message, no traceback and no broken pipe from the other workers),
and the rerun resumes and completes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wiretrace.engines.pool import Runner, WorkerDiedError

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _corpus(path: Path, n: int) -> None:
    """``n`` documents, every third an edited copy of an earlier one (align has work)."""
    rng = random.Random(17)
    texts: list[str] = []
    with path.open("w", encoding="utf-8") as fh:
        for k in range(n):
            if k % 3 == 2:
                words = rng.choice(texts).split()
                words[rng.randrange(len(words))] = "changed"
                text = " ".join(words)
            else:
                text = " ".join(f"w{rng.randrange(10**6)}" for _ in range(rng.randint(80, 200))) + "."
            texts.append(text)
            fh.write(json.dumps({"id": f"d{k}", "text": text, "source": f"s{k % 7}"}) + "\n")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc to find the workers")
def test_killed_worker_is_one_message_and_the_rerun_completes(tmp_path):
    src = tmp_path / "news.jsonl"
    _corpus(src, 2000)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "wiretrace", "scan", str(src), "--out", str(out), "--workers", "2"]
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = _children(proc.pid)
        assert len(workers) >= 2, "the pool never started"
        time.sleep(2)  # mid-run: ingesting or aligning
        os.kill(workers[0], signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2, (proc.returncode, stderr[-3000:])
    errors = [ln for ln in stderr.splitlines() if "error" in ln.lower()]
    assert len(errors) == 1 and "run the same command again: it resumes" in errors[0], stderr[-3000:]
    for bad in ("Traceback", "BrokenPipe", "Broken pipe", "Exception in thread"):
        assert bad not in stderr, stderr[-3000:]
    time.sleep(1)
    assert not [w for w in workers[1:] if os.path.exists(f"/proc/{w}/cmdline")
                and "wiretrace" in Path(f"/proc/{w}/cmdline").read_text(errors="replace")]
    again = subprocess.run(cmd + ["--json", "--no-progress"], capture_output=True, text=True,
                           env=env, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    summary = json.loads(again.stdout)
    assert summary["documents"] == 2000 and summary["pairs"] > 0


def test_a_dead_worker_is_a_worker_died_error():
    runner = Runner(2)
    try:
        with pytest.raises(WorkerDiedError, match="run the same command again"):
            runner.run(_die, [(k, k) for k in range(4)], lambda m, r: None)
    finally:
        runner.close()


def _die(k: int) -> int:
    if k == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return k


def _square(x: int) -> int:
    return x * x


def _run(runner: Runner, xs: list[int]) -> list[tuple[int, int]]:
    got: list[tuple[int, int]] = []
    try:
        runner.run(_square, [(x, x) for x in xs], lambda meta, res: got.append((meta, res)))
    finally:
        runner.close()
    return got


@pytest.mark.skipif(sys.platform != "linux", reason="fork and forkserver are the Linux start methods")
def test_workers_fork_only_from_a_process_without_other_threads():
    """A fork copies every lock as it stands: with another thread alive (a web
    server, an asyncio executor) the pool's workers start from a forkserver, and
    the results are the same either way, in order."""
    import threading
    xs = list(range(40))
    alone = threading.active_count() == 1
    quiet = Runner(2)
    assert quiet.start_method == ("fork" if alone else "forkserver")
    assert _run(quiet, xs) == [(x, x * x) for x in xs]
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        busy = Runner(2)
        assert busy.start_method == "forkserver"
        assert _run(busy, xs) == [(x, x * x) for x in xs]
    finally:
        stop.set()
        other.join()
    assert Runner(1).start_method == "inline"

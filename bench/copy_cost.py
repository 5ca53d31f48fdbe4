"""What the writer's work copy costs per add: seconds to copy an index the way
``wiretrace.writer`` does (``shutil.copyfile``: sendfile on Linux), by
``os.copy_file_range``, and whether this file system can clone (reflink).

    python bench/copy_cost.py INDEX [INDEX ...] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time


def _range_copy(src: str, dst: str) -> None:
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        left = os.fstat(fi.fileno()).st_size
        while left > 0:
            n = os.copy_file_range(fi.fileno(), fo.fileno(), left)
            if n == 0:
                break
            left -= n


def _timed(fn, src: str, dst: str, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        if os.path.exists(dst):
            os.remove(dst)
        t = time.perf_counter()
        fn(src, dst)
        fd = os.open(dst, os.O_RDONLY)
        os.fsync(fd)  # the writer fsyncs before it publishes
        os.close(fd)
        best = min(best, time.perf_counter() - t)
    os.remove(dst)
    return round(best, 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("index", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    for src in args.index:
        dst = os.path.join(os.path.dirname(os.path.abspath(src)) if os.access(
            os.path.dirname(os.path.abspath(src)), os.W_OK) else tempfile.gettempdir(),
            ".copy_cost.tmp")
        size = os.path.getsize(src)
        clone = subprocess.run(["cp", "--reflink=always", src, dst], capture_output=True, text=True)
        reflink = clone.returncode == 0
        if os.path.exists(dst):
            os.remove(dst)
        row = {"index": src, "mb": round(size / 2**20, 1),
               "copyfile_s": _timed(shutil.copyfile, src, dst, args.rounds),
               "copy_file_range_s": _timed(_range_copy, src, dst, args.rounds),
               "reflink": reflink or clone.stderr.strip()[:120]}
        row["copyfile_mb_per_s"] = round(row["mb"] / max(row["copyfile_s"], 1e-6))
        print(json.dumps(row))


if __name__ == "__main__":
    main()

"""A full disk or a read-only folder is a one-line error naming the path, exit 2,
and the index stays as it was (issue 17), also when the write that fails is
DuckDB's own (the index, a Parquet export) or the gram snapshot's; an add that
cannot rewrite its scan folder's outputs says they are stale (issue 16).

A small tmpfs needs root, so a full disk is a file size limit here
(``RLIMIT_FSIZE``: writes past it fail with EFBIG, as ENOSPC would) in a
child process."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wiretrace import ScanConfig, cli
from wiretrace.engines.local import add, scan
from wiretrace.index import Index
from wiretrace.pipeline.snapshot import read_meta, snapshot_dir
from wiretrace.writer import work_path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _corpus(path: Path, prefix: str, n: int, seed: int, words: int = 60) -> Path:
    """Documents of random tokens: no two share text, so every output but
    texts.parquet stays small."""
    rng = random.Random(seed)
    recs = [{"id": f"{prefix}{k}", "source": "x",
             "text": " ".join(f"w{rng.randrange(10**8)}" for _ in range(words)) + "."}
            for k in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return path


def _sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _limited(args: list[str], limit: int, **kw) -> subprocess.CompletedProcess:
    """Run ``args`` with files capped at ``limit`` bytes (SIGXFSZ ignored: EFBIG instead)."""

    def cap() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(args, capture_output=True, text=True, timeout=600, env=env,
                          preexec_fn=cap, **kw)


def _one_line_error(r: subprocess.CompletedProcess, path: str) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr[-2000:]
    assert lines[0].startswith("wiretrace: error: cannot write ") and path in lines[0], lines
    assert "Traceback" not in r.stderr and "delete" not in r.stderr.lower()
    return lines[0]


@pytest.fixture()
def built(tmp_path):
    src = _corpus(tmp_path / "base.jsonl", "base", 8, 1)
    scan(str(src), str(tmp_path / "out"), config=ScanConfig(workers=1))
    return tmp_path, str(tmp_path / "out" / "index.duckdb")


def test_disk_full_inside_duckdb_leaves_the_index_as_it_was(built):
    tmp, index = built
    before = _sha(index)
    with Index.open(index, read_only=True) as ix:
        n = ix.document_count()
    big = _corpus(tmp / "big.jsonl", "big", 3000, 2)
    # room for the work copy of the index, not for what the add writes into it
    limit = os.path.getsize(index) + (64 << 10)
    r = _limited([sys.executable, "-m", "wiretrace", "add", index, str(big), "--workers", "1",
                  "--no-progress"], limit)
    line = _one_line_error(r, str(tmp / "out"))
    assert "ulimit -f" in line
    assert _sha(index) == before  # readers never saw the half-done add
    with Index.open(index, read_only=True) as ix:
        assert ix.document_count() == n
    # with room again the same command goes through
    assert add(index, str(big), config=ScanConfig(workers=1), wait=0).documents == n + 3000


def test_disk_full_in_the_gram_snapshot_names_its_folder(built):
    tmp, index = built
    snap = snapshot_dir(index)
    meta = read_meta(snap)
    assert meta is not None
    code = textwrap.dedent(f"""
        from wiretrace.index import Index
        from wiretrace.errors import StorageError
        from wiretrace.pipeline.snapshot import write_snapshot
        with Index.open({index!r}, read_only=True) as ix:
            try:
                write_snapshot(ix, {index!r}, force=True)
            except StorageError as exc:
                print(exc)
        """)
    r = _limited([sys.executable, "-c", code], 1024)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert r.stdout.startswith(f"cannot write {snap}") and "ulimit -f" in r.stdout, r.stdout
    assert read_meta(snap) == meta and not os.path.exists(snap + ".tmp")


def test_disk_full_in_a_parquet_export_names_the_file(built):
    tmp, index = built
    dest = tmp / "again"
    dest.mkdir()
    code = textwrap.dedent(f"""
        from wiretrace import ScanConfig
        from wiretrace.index import Index
        from wiretrace.errors import StorageError
        from wiretrace.pipeline.outputs import write_outputs
        with Index.open({index!r}, read_only=True) as ix:
            try:
                write_outputs(ix, {str(dest)!r}, ScanConfig(), "base.jsonl", {index!r})
            except StorageError as exc:
                print(exc)
        """)
    # documents.jsonl and pairs.jsonl fit; texts.parquet (DuckDB's COPY) does not
    r = _limited([sys.executable, "-c", code], 4096)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert r.stdout.startswith(f"cannot write {dest}") and "parquet" in r.stdout, r.stdout
    assert (dest / "documents.jsonl").is_file() and not (dest / "texts.parquet").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root writes into a read-only folder: chmod cannot stand in for one")
def test_read_only_scan_folder_is_one_line_and_keeps_the_index(built):
    tmp, index = built
    before = _sha(index)
    out = tmp / "out"
    os.chmod(out, 0o555)
    try:
        r = _limited([sys.executable, "-m", "wiretrace", "add", index,
                      str(_corpus(tmp / "new.jsonl", "new", 2, 3)), "--workers", "1", "--no-progress"],
                     1 << 40)
    finally:
        os.chmod(out, 0o755)
    assert "permission denied" in _one_line_error(r, str(out))
    assert _sha(index) == before


# -- outputs an add cannot rewrite are marked stale (issue 16) ------------------------------

def _config(out: Path) -> dict:
    return json.loads((out / "config.json").read_text(encoding="utf-8"))


def test_add_that_cannot_write_the_outputs_marks_them_stale(built, capsys):
    tmp, index = built
    out = tmp / "out"
    (out / "documents.jsonl.tmp").mkdir()  # stands in for a full or read-only disk
    new = _corpus(tmp / "new.jsonl", "new", 2, 3)
    assert cli.main(["add", str(out), str(new), "--workers", "1", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    stale = _config(out)["stale"]
    assert stale["folder"] == str(out) and str(out / "documents.jsonl") in stale["reason"]
    assert f"outputs in {out} are stale" in printed and stale["refresh"] in printed
    with Index.open(index, read_only=True) as ix:  # the index has the documents all the same
        assert ix.document_count() == 10
    # the printed command refreshes them
    (out / "documents.jsonl.tmp").rmdir()
    args = stale["refresh"].split()
    assert args[:2] == ["wiretrace", "scan"]
    assert cli.main(args[1:] + ["--no-progress", "--workers", "1"]) == 0
    assert "stale" not in _config(out)
    ids = {json.loads(x)["id"] for x in (out / "documents.jsonl").read_text().splitlines()}
    assert {"new0", "new1"} <= ids


def test_add_to_a_moved_index_marks_its_old_outputs_stale(built, capsys):
    tmp, index = built
    out = tmp / "out"
    moved = tmp / "elsewhere" / "idx.duckdb"
    moved.parent.mkdir()
    shutil.move(index, moved)
    summary = add(str(moved), str(_corpus(tmp / "new.jsonl", "new", 2, 3)),
                  config=ScanConfig(workers=1), wait=0)
    assert summary.out_dir is None and summary.stale_outputs["marked"]
    stale = _config(out)["stale"]
    assert stale["index"] == str(moved) and "moved" in stale["reason"]
    cli._print_summary(summary, False, "add")
    assert f"outputs in {out} are stale" in capsys.readouterr().out
    assert not Path(work_path(str(moved))).exists()


def test_add_to_a_copied_index_leaves_the_original_outputs_alone(built):
    tmp, index = built
    out = tmp / "out"
    copy = tmp / "copy.duckdb"
    shutil.copyfile(index, copy)
    before = (out / "config.json").read_bytes()
    summary = add(str(copy), str(_corpus(tmp / "new.jsonl", "new", 2, 3)),
                  config=ScanConfig(workers=1), wait=0)
    assert summary.out_dir is None and summary.stale_outputs is None
    assert (out / "config.json").read_bytes() == before  # they still describe the original


def test_an_error_raised_while_handling_a_disk_error_is_that_disk_error():
    """DuckDB's clean-up after a failed write raises "Current transaction is aborted";
    the one-line message still names the file and the cause (seen in a loaded run)."""
    import duckdb

    from wiretrace.writer import disk_error

    try:
        try:
            raise duckdb.IOException('IO Error: Could not write file "/x/index.duckdb.next": File too large')
        except duckdb.IOException:
            raise duckdb.TransactionException("TransactionContext Error: Current transaction is aborted")
    except duckdb.TransactionException as exc:
        err = disk_error(exc, "/elsewhere")
    assert err is not None and str(err).startswith("cannot write /x/index.duckdb.next")
    assert disk_error(duckdb.TransactionException("aborted"), "/x") is None

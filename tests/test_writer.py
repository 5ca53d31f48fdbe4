"""Readers never block writers, writers never crash readers (issue 17); a second
writer waits, then names the holder; write failures are one-line errors."""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wiretrace import ScanConfig, cli
from wiretrace.engines.local import add, scan
from wiretrace.engines.search import Searcher, query
from wiretrace.errors import IndexBusyError, StorageError
from wiretrace.index import Index
from wiretrace.web.data import Corpus
from wiretrace.writer import lock_path, work_path

BENCH = Path(__file__).resolve().parents[1] / "bench"
WORDS = "the council met on tuesday to debate the harbour budget and the new bridge over the river".split()


def _records(prefix: str, n: int, seed: int) -> list[dict]:
    import random

    rng = random.Random(seed)
    out = []
    for s in range(n):
        words = [f"w{rng.randrange(10**7)}" for _ in range(40)] + WORDS
        out.append({"id": f"{prefix}{s}", "text": " ".join(words) + ".", "source": "x"})
    return out


def _write(path: Path, recs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return path


@pytest.fixture()
def built(tmp_path):
    scan(str(_write(tmp_path / "base.jsonl", _records("base", 6, 1))), str(tmp_path / "out"),
         config=ScanConfig(workers=1))
    return tmp_path, str(tmp_path / "out" / "index.duckdb")


def test_add_beside_open_readers_and_they_see_it_without_restart(built):
    tmp, index = built
    new = _records("new", 2, 2)
    with Searcher(index, workers=1) as s:
        corpus = Corpus.open(tmp / "out")  # the viewer's reader, opened before the add
        held = Index.open(index, read_only=True)  # and one that stays on the old file
        try:
            summary = add(index, str(_write(tmp / "new.jsonl", new)), config=ScanConfig(workers=1),
                          wait=0)
            assert summary.added == 2
            assert held.document_count() == 6 and held.stale()  # whole and consistent
            assert "new0" in {h.id for h in s.query(new[0]["text"], limit=5)}  # no restart
            assert corpus.reload_if_changed() and "new1" in corpus.documents
            assert corpus.text("new1") == new[1]["text"]
        finally:
            held.close()
            corpus.release()
    assert not Path(work_path(index)).exists()


def test_serve_side_reader_opens_while_a_writer_holds_the_lock(built):
    tmp, index = built
    holder = _hold_lock(index)
    try:
        corpus = Corpus.open(tmp / "out")  # no busy error, no crash
        assert len(corpus.documents) == 6
        corpus.release()
        assert query(index, _records("base", 6, 1)[0]["text"])[0].id == "base0"
    finally:
        holder.communicate("\n", timeout=30)


def _hold_lock(index: str) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from wiretrace.writer import writing
        with writing({index!r}) as work:
            print("ready", flush=True)
            sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_second_writer_waits_with_notes_then_names_the_holder(built, capsys):
    tmp, index = built
    batch = str(_write(tmp / "new.jsonl", _records("new", 1, 3)))
    holder = _hold_lock(index)
    try:
        notes: list[str] = []
        with pytest.raises(IndexBusyError, match=rf"being written by process {holder.pid} \(") as got:
            add(index, batch, wait=0.3, on_wait=notes.append)
        assert "--wait SECONDS" in str(got.value) and "\n" not in str(got.value)
        assert notes and f"waiting for process {holder.pid}" in notes[0]
        assert cli.main(["add", index, batch, "--wait", "0.2", "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert f"process {holder.pid}" in err and "Traceback" not in err and "delete" not in err
    finally:
        holder.communicate("\n", timeout=30)
    # once it is done, the same add goes through, and the lock file stays harmlessly
    assert add(index, batch, config=ScanConfig(workers=1), wait=0).added == 1
    assert Path(lock_path(index)).exists()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_write_failures_are_one_line_errors_naming_the_path(built, monkeypatch, capsys, code):
    tmp, index = built
    batch = str(_write(tmp / "new.jsonl", _records("new", 1, 3)))

    def fail(*a, **k):
        raise OSError(code, "simulated")

    monkeypatch.setattr(shutil, "copyfile", fail)
    with pytest.raises(StorageError, match=work_path(index)):
        add(index, batch, wait=0)
    assert cli.main(["add", index, batch, "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and work_path(index) in err and "delete" not in err.lower()


@pytest.mark.slow
def test_soak_serve_and_searcher_while_three_adds_land(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        import soak_write
    finally:
        sys.path.remove(str(BENCH))
    got = soak_write.soak(tmp_path, docs=150, batches=3, batch_docs=15, deadline_s=300)
    assert [a["exit"] for a in got["adds"]] == [0, 0, 0], got["adds"]
    assert got["viewer"]["requests"] > 50 and got["viewer"]["errors"] == 0, got["viewer"]
    assert got["searcher"]["queries"] > 5 and got["searcher"]["errors"] == 0, got["searcher"]
    for a in got["adds"]:
        assert a["visible_in_viewer_s"] is not None and a["visible_in_query_s"] is not None, a


def test_an_output_that_cannot_be_written_is_one_line_with_exit_2(tmp_path, capsys):
    src = _write(tmp_path / "base.jsonl", _records("base", 3, 1))
    out = tmp_path / "out"
    out.mkdir()
    (out / "documents.jsonl.tmp").mkdir()  # stands in for a read-only or full disk
    assert cli.main(["scan", str(src), "--out", str(out), "--no-progress", "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(out / "documents.jsonl") in err and "Traceback" not in err

"""kill -9 of ``add``, an edited input, a rerun: the same as a clean run (issue 17)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from wiretrace import ScanConfig
from wiretrace.engines.local import add, scan
from wiretrace.index import Index
from wiretrace.writer import work_path

_KILLED_ADD = """
import sys, time
from wiretrace import ScanConfig
from wiretrace.engines import local
from wiretrace.index import Index

index, batch, marker = sys.argv[1:4]
original = Index.insert_arrow

def insert(self, name, data, ignore=False):
    original(self, name, data, ignore=ignore)
    if name == "documents":
        open(marker, "w").close()
        time.sleep(60)  # the test kills it here, documents stored, nothing aligned

Index.insert_arrow = insert
local.add(index, batch, config=ScanConfig(workers=1, batch_size=4))
"""


def _story(k: int, n: int, tag: str) -> list[dict]:
    base = [f"s{k}w{i}" for i in range(40)]
    return [{"id": f"s{k}-{j}-{tag}" if tag != "same" else f"s{k}-{j}",
             "text": " ".join(base[:39] + [f"edit{j}"]) + "."} for j in range(n)]


def _state(index: str) -> tuple:
    with Index.open(index, read_only=True) as ix:
        q = ix.con.execute
        docs = sorted(q("SELECT id, text FROM documents").fetchall())
        pairs = sorted(q("SELECT da.id, db.id, p.relation FROM pairs p JOIN documents da ON da.doc = p.a "
                         "JOIN documents db ON db.doc = p.b").fetchall())
        groups: dict = {}
        for doc_id, story in q("SELECT d.id, s.story FROM documents d LEFT JOIN doc_story s "
                               "ON s.doc = d.doc").fetchall():
            groups.setdefault(story, set()).add(doc_id)
        stories = sorted(sorted(g) for g in groups.values())
        unfinished = q("SELECT count(*) FROM runs WHERE finished_at IS NULL").fetchall()[0][0]
    return docs, pairs, stories, unfinished


def _write(path: Path, recs: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return str(path)


def test_killed_add_then_edited_input_rerun_equals_a_clean_run(tmp_path):
    base = _write(tmp_path / "base.jsonl", _story(0, 3, "same") + _story(1, 3, "same"))
    scan(base, str(tmp_path / "out"), config=ScanConfig(workers=1))
    index = str(tmp_path / "out" / "index.duckdb")
    clean = str(tmp_path / "clean.duckdb")
    shutil.copyfile(index, clean)
    batch = tmp_path / "batch.jsonl"
    _write(batch, _story(0, 2, "new") + _story(2, 6, "same"))
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_ADD, index, str(batch), str(marker)],
                            start_new_session=True)
    deadline = time.time() + 120
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert marker.exists(), "the add never got going"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert os.path.exists(work_path(index))  # the killed add's copy; the index is untouched
    edited = _story(0, 2, "new") + _story(2, 5, "same") + _story(3, 3, "same")
    edited[0]["text"] = edited[0]["text"].replace("edit0", "changed words here")
    _write(batch, edited)
    add(index, str(batch), config=ScanConfig(workers=1, batch_size=4))
    add(clean, str(batch), config=ScanConfig(workers=1, batch_size=4))
    got, want = _state(index), _state(clean)
    assert got[0] == want[0]  # the edited texts, no document of the killed attempt's input
    assert got[1] == want[1] and got[1]  # every document has its pairs
    assert got[2] == want[2]  # and its story
    assert got[3] == want[3] == 0

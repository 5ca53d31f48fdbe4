"""The DuckDB index: schema, stage bookkeeping, runs, transactions, token packing, locking."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pyarrow as pa
import pytest

from wiretrace import compare
from wiretrace.errors import IndexBusyError, WiretraceError
from wiretrace.index import Index, IndexStoreError, comparison_from_json


@pytest.fixture
def ix(tmp_path):
    with Index.open(str(tmp_path / "i.duckdb")) as index:
        yield index


def test_schema_and_version_are_recorded(ix):
    from wiretrace import __version__

    tables = {r[0] for r in ix.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"documents", "postings", "pairs", "passages", "stories", "doc_story", "skipped", "runs",
            "stages", "meta", "candidates", "outlet_common"} <= tables
    assert ix.meta("wiretrace_version") == __version__
    assert ix.meta("schema_version") == "2"
    assert ix.document_count() == 0


def test_stage_bookkeeping(ix):
    assert not ix.stage_done("ingest", "h1")
    ix.start_stage("ingest", "h1")
    assert ix.stage_started("ingest") == "h1" and not ix.stage_done("ingest", "h1")
    ix.finish_stage("ingest", "h1", {"added": 3})
    assert ix.stage_done("ingest", "h1") and not ix.stage_done("ingest", "h2")
    assert ix.stages()["ingest"]["info"] == {"added": 3}
    assert ix.stages()["ingest"]["finished_at"] is not None
    ix.clear_stages(["ingest"])
    assert ix.stages() == {}


def _doc_rows(nums, run=1):
    return pa.table({
        "doc": pa.array(nums, pa.int32()), "id": [f"d{n}" for n in nums], "source": ["X"] * len(nums),
        "date": [None] * len(nums), "ts": pa.array([None] * len(nums), pa.timestamp("us")),
        "title": [None] * len(nums), "url": [None] * len(nums), "extra": ["{}"] * len(nums),
        "text": ["t"] * len(nums), "origin": ["f:1"] * len(nums),
        "ntok": pa.array([1] * len(nums), pa.int32()), "body_hash": pa.array([1] * len(nums), pa.int64()),
        "run": pa.array([run] * len(nums), pa.int32())})


def test_document_inserts_are_idempotent_and_transactional(ix):
    with ix.transaction():
        ix.insert_arrow("documents", _doc_rows([0, 1, 2]), ignore=True)
    with ix.transaction():
        ix.insert_arrow("documents", _doc_rows([1, 2, 3]), ignore=True)  # a rerun of a batch
    assert ix.document_count() == 4
    assert ix.ids() == {"d0": 0, "d1": 1, "d2": 2, "d3": 3}
    with pytest.raises(RuntimeError):
        with ix.transaction():
            ix.insert_arrow("documents", _doc_rows([7, 8]), ignore=True)
            raise RuntimeError("killed mid-batch")
    assert ix.document_count() == 4  # the half batch is gone
    got = ix.fetch_documents([0, 3, 99])
    assert set(got) == {0, 3} and got[0][0] == "t"
    ix.reset()
    assert ix.document_count() == 0


def test_runs_resume_with_the_same_base(ix):
    run, base = ix.begin_run("add", "/in.jsonl", {}, "h")
    assert base == 0
    with ix.transaction():
        ix.insert_arrow("documents", _doc_rows([0, 1]), ignore=True)
    assert ix.begin_run("add", "/in.jsonl", {}, "h") == (run, base)  # unfinished: resumed
    ix.finish_run(run, {"ok": True})
    run2, base2 = ix.begin_run("add", "/in.jsonl", {}, "h")
    assert run2 == run + 1 and base2 >= 2


def test_comparison_round_trips_through_json():
    r = compare("Kerry said the talks in Rome went well on Tuesday, officials said.",
                "ROME (Reuters) - Kerry said the talks in Rome went well on Tuesday.", semantic=False)
    assert comparison_from_json(r.to_dict()) == r


def test_read_only_open_of_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(IndexStoreError, match="does not exist"):
        Index.open(str(tmp_path / "nope.duckdb"), read_only=True)
    junk = tmp_path / "junk.duckdb"
    junk.write_text("this is not a database")
    with pytest.raises(IndexStoreError):
        Index.open(str(junk))
    assert issubclass(IndexStoreError, WiretraceError)


def test_busy_index_raises_index_busy_error(tmp_path):
    path = str(tmp_path / "busy.duckdb")
    Index.open(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({path!r})
            print("ready", flush=True)
            sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(IndexBusyError, match=f"is busy: process {holder.pid} holds it open for writing"):
            Index.open(path)
        with pytest.raises(IndexBusyError):
            Index.open(path, read_only=True)
    finally:
        holder.communicate("\n", timeout=30)
    Index.open(path).close()  # free again once the writer is gone


def test_memory_limit_is_applied_and_checked(tmp_path):
    from wiretrace.errors import ConfigError

    with Index.open(str(tmp_path / "m.duckdb"), memory_limit="512MB") as ix:
        got = ix.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert got.replace(" ", "").upper() in {"512.0MB", "488.2MIB", "512MB", "488.2MB"}
    with pytest.raises(ConfigError, match="like '4GB'"):
        Index.open(str(tmp_path / "n.duckdb"), memory_limit="lots")


def test_auto_memory_limit_is_a_fifth_of_ram(tmp_path):
    from wiretrace import ScanConfig
    from wiretrace.index import auto_memory_limit

    assert ScanConfig().memory_limit == "auto"
    want = auto_memory_limit()
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert want == f"{max(1024, total // 5 // 2**20)}MB"
    with Index.open(str(tmp_path / "a.duckdb"), memory_limit="auto") as ix:
        got = ix.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    # DuckDB reports it in its own units; compare in MiB within rounding
    num, unit = float(got.split()[0]), got.split()[1].upper()
    mib = num * {"MIB": 1, "GIB": 1024, "MB": 1e6 / 2**20, "GB": 1e9 / 2**20}[unit]
    assert abs(mib - int(want[:-2]) * 1e6 / 2**20) / mib < 0.03  # shown to one decimal

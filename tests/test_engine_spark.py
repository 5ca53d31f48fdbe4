"""The Spark engine gives the local engine's answers (issue 5).

Spark runs in local mode (``local[2]``, two shuffle partitions, no UI) with
one SparkSession for the module. The tests skip when pyspark or Java is
missing; the error tests run everywhere.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from wiretrace.config import ScanConfig
from wiretrace.engines import spark as spark_engine
from wiretrace.engines.spark_work import Work
from wiretrace.engines.spark_stages import fix_line
from wiretrace.engines.spark_stories import may_unite
from wiretrace.errors import MissingExtraError

FIX = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")

try:
    import pyspark  # noqa: F401

    HAVE_PYSPARK = True
except ImportError:
    HAVE_PYSPARK = False
needs_spark = pytest.mark.skipif(not (HAVE_PYSPARK and spark_engine.java_available()),
                                 reason="pyspark or Java is not installed")
#: settings for a small corpus on two cores: few partitions and jobs, no UI
TEST_CONF = {
    "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2",
    "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
    "spark.sql.adaptive.enabled": "false", "spark.sql.codegen.wholeStage": "false",
}


# -- a small corpus: copies, edits, an exact duplicate, unrelated documents ----

WORDS = ("council budget mayor river bridge harbor vote tax school police energy wind farm "
         "minister election court judge ruling appeal union strike port shipping grain price "
         "market index shares bank rate inflation storm flood rescue village hospital doctor "
         "vaccine trial company profit merger factory workers wages contract airline pilot "
         "airport runway railway station ticket fare museum painting auction record sale "
         "festival music stadium team coach season league title injury player transfer").split()


def _sentences(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(9, 16))]
        out.append(" ".join(words).capitalize() + ".")
    return out


def _paras(sents: list[str]) -> str:
    return "\n\n".join(" ".join(sents[i:i + 2]) for i in range(0, len(sents), 2))


def corpus_lines() -> list[str]:
    """~30 documents plus a bad line, a record without text and a repeated id."""
    rng = random.Random(7)
    wire = (FIX / "wire.txt").read_text(encoding="utf-8")
    recs = [
        ("w1", wire, "reuters", "2024-03-01T08:00:00", "Yemen talks resume"),
        ("p1", (FIX / "paper.txt").read_text(encoding="utf-8"), "paper", "2024-03-01T12:00:00", None),
        ("w1-ap", wire, "ap", "2024-03-01T08:00:00", None),  # exact duplicate of w1
        ("w1-edit", wire.replace("Monday", "Tuesday").replace("15,000", "16,000"), "gazette",
         "2024-03-02", None),
    ]
    s2, s3 = _sentences(rng, 12), _sentences(rng, 10)
    recs += [
        ("b1", _paras(s2), "reuters", "2024-03-05T09:00:00", "Council budget"),
        ("b2", _paras(s2[:6] + _sentences(rng, 4)), "paper", "2024-03-05T15:00:00", None),
        ("b3", _paras([s.replace("council", "assembly") for s in s2]), "gazette", "2024-03-06", None),
        ("b4", _paras(_sentences(rng, 3) + s2[6:]), "blog", None, None),
        ("b5-late", _paras(s2), "archive", "2024-06-01", None),  # too late for the story
        ("q1", _paras(s3), "reuters", "2024-03-10", None),
        ("q2", _paras(s3[:5]), "paper", "2024-03-10T18:00:00", None),
        ("q3", _paras(s3[2:] + _sentences(rng, 2)), "gazette", "2024-03-11", None),
    ]
    for k in range(6):  # one outlet's recurring footer, over weeks: outlet boilerplate
        recs.append((f"g{k}", _paras(_sentences(rng, 6)) + "\n\nThe Gazette welcomes letters "
                     "from readers about river bridge harbor vote tax school matters at the usual "
                     "office downtown.", "gazette", f"2024-0{1 + k // 3}-{10 + k}", None))
    recs += [("u1", _paras(_sentences(rng, 5)), "blog", "2024-03-03", None),
             ("u2", "Short note.", None, None, None)]
    lines = [json.dumps({"id": i, "text": t, "source": s, "date": d, "title": h, "n": k})
             for k, (i, t, s, d, h) in enumerate(recs)]
    # reports of two earthquakes that share no text: stories from story evidence alone
    lines += (FIX / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(5, "{not json")
    lines.insert(9, json.dumps({"id": "nt", "title": "no text"}))
    lines.insert(2, "")
    lines.append(json.dumps({"id": "w1", "text": "a repeated id"}))
    return lines


# -- fixtures -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "news.jsonl"
    path.write_text("\n".join(corpus_lines()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def local_out(corpus, tmp_path_factory) -> Path:
    from wiretrace.engines.local import scan

    out = tmp_path_factory.mktemp("local")
    scan(str(corpus), str(out), config=ScanConfig(workers=1))
    return out


@pytest.fixture(scope="module")
def spark(local_out):  # the local run first: its workers never fork a JVM process
    from pyspark.sql import SparkSession

    old = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    builder = SparkSession.builder.master("local[2]").appName("wiretrace-tests")
    for key, value in TEST_CONF.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("FATAL")
    yield session
    session.stop()
    if old is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = old


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _passages(out: Path) -> list[tuple]:
    import duckdb

    return duckdb.sql(f"SELECT * FROM read_parquet('{out / 'passages.parquet'}') "
                      "ORDER BY ALL").fetchall()


# -- parity ---------------------------------------------------------------------------

@needs_spark
@pytest.mark.slow
def test_spark_scan_matches_local(spark, corpus, local_out, tmp_path):
    # 4 KB input splits: line numbers and input positions must cross split boundaries;
    # driverEdges=0: stories go through the distributed connected components
    out = tmp_path / "spark"
    calls: list[tuple] = []
    notes: list[str] = []
    summary = spark_engine.scan(str(corpus), str(out), config=ScanConfig(), conf={
        "spark.sql.files.maxPartitionBytes": "4096", "wiretrace.cc.driverEdges": "0"},
        on_progress=lambda *a: calls.append(a), on_note=notes.append)
    spark.conf.unset("spark.sql.files.maxPartitionBytes")
    # progress from Spark's status tracker: each stage announced, then its finished tasks
    assert [c[0] for c in calls if c[1] == 0 and c[2] is None][:5] == list(spark_engine.STAGES)
    for stage in spark_engine.STAGES[:-1]:
        mine = [(n, total) for name, n, total in calls if name == stage]
        done = [sum(n for n, _ in mine[:i + 1]) for i in range(len(mine))]
        assert all(n >= 0 for n, _ in mine) and done[-1] > 0, (stage, mine)
        assert done == sorted(done) and done[-1] <= max(t or 0 for _, t in mine), (stage, mine)
    assert len(notes) == 1 and notes[0].startswith("Spark master local[2], UI ")
    d = summary.to_dict()
    assert d["documents"] == 28 and d["skipped"] == {"bad-json": 1, "duplicate-id": 1,
                                                     "missing-text": 1}
    assert d["timings"]["stories"] >= 0 and Path(d["index_path"]).is_file()
    for name in ("documents.jsonl", "pairs.jsonl", "stories.jsonl", "skipped.jsonl",
                 "passages.parquet", "config.json", "report.html"):
        assert (out / name).is_file(), name

    docs_l, docs_s = _jsonl(local_out / "documents.jsonl"), _jsonl(out / "documents.jsonl")
    assert [x["id"] for x in docs_s] == [x["id"] for x in docs_l]
    assert docs_s == docs_l  # id, source, date, story, title, url, pass-through fields

    pairs_l, pairs_s = _jsonl(local_out / "pairs.jsonl"), _jsonl(out / "pairs.jsonl")
    key = lambda p: (p["a"], p["b"])  # noqa: E731
    assert sorted(map(key, pairs_s)) == sorted(map(key, pairs_l)) and pairs_l
    for pl, ps in zip(sorted(pairs_l, key=key), sorted(pairs_s, key=key)):
        for field in ("exact", "relation", "source", "a_coverage", "b_coverage", "similarity"):
            assert ps[field] == pl[field], (key(pl), field)
        offsets = lambda p: [(x["a_start"], x["a_end"], x["b_start"], x["b_end"], x["kind"])  # noqa: E731
                             for x in p["passages"]]
        assert offsets(ps) == offsets(pl), key(pl)
        assert ps == pl
    assert any(p["exact"] for p in pairs_s) and any(p["passages"] for p in pairs_s)
    assert _passages(out) == _passages(local_out)

    stories = lambda out: {frozenset(s["documents"]) for s in _jsonl(out / "stories.jsonl")}  # noqa: E731
    assert stories(out) == stories(local_out)
    assert frozenset({"w1", "w1-ap", "w1-edit", "p1"}) in stories(out)
    assert frozenset({"qeshm-irna", "qeshm-bbc", "qeshm-ap"}) in stories(out)
    assert _jsonl(out / "stories.jsonl") == _jsonl(local_out / "stories.jsonl")
    skipped = _jsonl(out / "skipped.jsonl")
    assert skipped == _jsonl(local_out / "skipped.jsonl")
    assert int(skipped[-1]["origin"].rsplit(":", 1)[1]) == len(corpus_lines())  # a later split

    # a rerun with the same options resumes every finished stage; it writes the index as
    # the local engine does (issue 17): a reader beside it keeps the whole index it opened,
    # the new one is renamed into place, no work copy is left
    from wiretrace.index import Index

    index = out / "index.duckdb"
    before = index.stat().st_ino
    with Index.open(str(index), read_only=True) as reader:
        n_docs = reader.document_count()
        again = spark_engine.scan(str(corpus), str(out), config=ScanConfig())
        assert reader.document_count() == n_docs == 28
    assert again.resumed == ("ingest", "candidates", "align", "stories")
    assert _jsonl(out / "pairs.jsonl") == pairs_l
    assert index.stat().st_ino != before and not (out / "index.duckdb.next").exists()
    with Index.open(str(index), read_only=True) as reader:
        assert reader.document_count() == 28


@needs_spark
@pytest.mark.slow
def test_spark_reads_a_folder_like_read_py(spark, tmp_path):
    import duckdb

    from wiretrace.engines.local import scan as local_scan

    root = tmp_path / "in"
    (root / "wire").mkdir(parents=True)
    (root / "wire" / "a.txt").write_text((FIX / "wire.txt").read_text(encoding="utf-8"))
    (root / "b.txt").write_bytes("Caf\u00e9 owners said the council voted.\n".encode("cp1252"))
    (root / "c.csv").write_text('id,text,source\nc1,"One, two. Three.",x\nc2,,y\n')
    (root / "d.jsonl").write_bytes(b'{"id": "d1", "text": "Jsonl in a folder."}\nnope\n'
                                   b'{"id": "d2", "text": "half \\ud800 pair"}\n'
                                   b'{"id": "d3", "text": "caf\xe9 cr\xe8me"}\n')
    (root / "e.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / ".hidden.txt").write_text("never read")
    (root / "empty.txt").write_text("  \n")
    local = tmp_path / "local"
    local_scan(str(root), str(local), config=ScanConfig(workers=1))
    work = Work(str(tmp_path / "spark"))
    spark_engine._ingest(spark, work, str(root), ScanConfig(), {})
    cols = "doc, id, source, date, title, url, extra, text, origin, ntok, body_hash"
    with duckdb.connect(str(local / "index.duckdb"), read_only=True) as con:
        want_docs = con.execute(f"SELECT {cols} FROM documents ORDER BY doc").fetchall()
        want_skip = con.execute("SELECT pos, origin, category, reason FROM skipped "
                                "ORDER BY pos").fetchall()
    assert work.sql(f"SELECT {cols} FROM {{documents}} ORDER BY doc", "documents") == want_docs
    assert work.sql("SELECT pos, origin, category, reason FROM {skipped} ORDER BY pos",
                    "skipped") == want_skip
    assert {r[1] for r in want_docs} == {"wire/a.txt", "b.txt", "c1", "d1", "d3"}
    assert {"bad-unicode", "not-utf8"} <= {r[2] for r in want_skip}


@needs_spark
@pytest.mark.slow
def test_documented_cli_command_runs_in_local_mode(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    wire = (FIX / "wire.txt").read_text(encoding="utf-8")
    (src / "wire.txt").write_text(wire)
    (src / "copy.txt").write_text(wire.replace("Monday", "Tuesday"))
    (src / "paper.txt").write_text((FIX / "paper.txt").read_text(encoding="utf-8"))
    out = tmp_path / "out"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    conf = [x for k, v in TEST_CONF.items() for x in ("--conf", f"{k}={v}")]
    r = subprocess.run([sys.executable, "-m", "wiretrace", "scan", str(src), "--out", str(out),
                        "--engine", "spark", "--master", "local[2]", *conf, "--json"],
                       capture_output=True, text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    # quiet (issue 16): one line naming the master and the UI; the JVM's own lines (log4j,
    # NativeCodeLoader, the launcher's "Setting default log level") go to Spark's log file
    assert r.stderr.splitlines() == [f"wiretrace: Spark master local[2], UI off "
                                     f"(spark.ui.enabled=false); Spark's log: "
                                     f"{out / '_spark' / 'driver.log'}"], r.stderr[-3000:]
    assert "WARN" not in r.stdout and "WARN" not in r.stderr
    summary = json.loads(r.stdout)
    assert summary["documents"] == 3 and summary["pairs"] >= 2
    pairs = _jsonl(out / "pairs.jsonl")
    assert {(p["a"], p["b"]) for p in pairs} >= {("copy.txt", "wire.txt")}
    assert (out / "report.html").read_text(encoding="utf-8").lower().startswith("<!doctype html>")


@needs_spark
def test_spark_scan_waits_for_the_writer_lock_like_the_local_engine(tmp_path):
    """Two writers of one index never collide (issue 17): the Spark engine takes the
    writer's lock before it starts Spark, and says who holds it."""
    from wiretrace.errors import IndexBusyError
    from wiretrace.index import Index
    from wiretrace.writer import writing

    out = tmp_path / "out"
    out.mkdir()
    waits: list[str] = []
    with writing(str(out / "index.duckdb"), wait=0) as work:
        Index.open(work).close()  # the other writer's index
        with pytest.raises(IndexBusyError, match=f"is being written by process {os.getpid()}"):
            spark_engine.scan(str(FIX / "wire.txt"), str(out), wait=0.3, on_wait=waits.append)
    assert waits and "waiting for" in waits[0]
    assert not (out / "_spark").exists()  # Spark never started


# -- errors and helpers (no Spark needed) ------------------------------------------------

def test_missing_pyspark_is_a_missing_extra_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    with pytest.raises(MissingExtraError, match=r"wiretrace\[spark\]"):
        spark_engine.scan(str(FIX), str(tmp_path / "out"))


def test_missing_java_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(spark_engine, "java_available", lambda: False)
    if not HAVE_PYSPARK:
        pytest.skip("pyspark is not installed (MissingExtraError comes first)")
    with pytest.raises(spark_engine.JavaNotFoundError, match="Java 17"):
        spark_engine.scan(str(FIX), str(tmp_path / "out"))


def test_cli_reports_a_missing_extra_without_traceback(monkeypatch, tmp_path, capsys):
    from wiretrace.cli import main

    monkeypatch.setitem(sys.modules, "pyspark", None)
    assert main(["scan", str(FIX), "--out", str(tmp_path / "o"), "--engine", "spark"]) == 2
    assert "pip install 'wiretrace[spark]'" in capsys.readouterr().err


def test_split_line_numbers_become_file_line_numbers():
    assert fix_line("a.jsonl:3", "line 3 (id 'x'): no 'text'", 3, 97) == (
        "a.jsonl:100", "line 100 (id 'x'): no 'text'")
    assert fix_line("a.jsonl:3", "line 3: bad", 3, 0) == ("a.jsonl:3", "line 3: bad")
    assert fix_line("a.jsonl:1", "line 12: other", 1, 5)[1] == "line 12: other"


def test_only_pairs_that_may_share_a_story_are_component_edges():
    from wiretrace.stories import Link

    cfg = ScanConfig()
    copy = Link(1, 2, 0.9, "wholly-derived")
    assert may_unite(copy, "2024-03-01", "2024-03-08T00:00:00", cfg)
    assert not may_unite(copy, "2024-03-01", "2024-03-08T00:00:01", cfg)  # over story_max_days
    assert may_unite(copy, None, "2030-01-01", cfg)
    exact = Link(1, 2, 1.0, "wholly-derived", exact=True)
    assert may_unite(exact, "2024-01-01", "2024-06-01", cfg)  # identical bodies join anyway
    assert not may_unite(Link(1, 2, 0.1, "non-derived"), None, None, cfg)
    # story evidence at the threshold is an edge too; the compare similarity is not
    assert may_unite(Link(1, 2, 0.0, "non-derived", story=cfg.story_threshold), None, None, cfg)
    assert not may_unite(Link(1, 2, 0.9, "non-derived", story=0.1), None, None, cfg)


@needs_spark
@pytest.mark.slow
def test_spark_makes_the_local_provenance_claims(spark, tmp_path):
    """Issue 13's dated corpus with a saved page: the same dates (with source and
    precision), literal shares, primary sources and earliest witness as the local engine."""
    pytest.importorskip("trafilatura")
    from claims_corpus import dated_corpus

    from wiretrace.engines.local import scan as local_scan

    ids = dated_corpus(tmp_path / "in", (FIX / "wire.txt").read_text(encoding="utf-8"),
                       (FIX / "paper.txt").read_text(encoding="utf-8"))
    local_scan(str(tmp_path / "in"), str(tmp_path / "local"), config=ScanConfig(workers=1))
    spark_engine.scan(str(tmp_path / "in"), str(tmp_path / "spark"), config=ScanConfig())
    for name in ("documents.jsonl", "pairs.jsonl", "stories.jsonl"):
        assert _jsonl(tmp_path / "spark" / name) == _jsonl(tmp_path / "local" / name), name
    docs = {d["id"]: d for d in _jsonl(tmp_path / "spark" / "documents.jsonl")}
    assert docs[ids["page"]]["date"] is None and docs[ids["wire"]]["date_precision"] == "day"
    (story,) = [s for s in _jsonl(tmp_path / "spark" / "stories.jsonl") if ids["wire"] in s["documents"]]
    assert story["earliest"] == ids["wire"]
    primary = {e["derived"]: e["source"] for e in story["provenance"] if e["primary"]}
    assert primary[ids["verbatim"]] == ids["wire"]


def test_spark_groups_stories_across_languages_like_the_local_engine(spark, tmp_path):
    """A corpus of several languages: the same lead vectors and the same stories
    (the one event in German, French and Russian together; nine football matches apart)."""
    from test_crosslingual import ONE_EVENT, _docs, _needs_e5, _write

    from wiretrace.engines.local import scan as local_scan
    from wiretrace.index import Index

    _needs_e5()
    corpus = _write(tmp_path / "news.jsonl", _docs())
    local_scan(corpus, str(tmp_path / "local"), config=ScanConfig(workers=1))
    spark_engine.scan(corpus, str(tmp_path / "spark"), config=ScanConfig())
    assert _jsonl(tmp_path / "spark" / "stories.jsonl") == _jsonl(tmp_path / "local" / "stories.jsonl")
    with Index.open(str(tmp_path / "spark" / "index.duckdb"), read_only=True) as ix:
        langs = dict(ix.con.execute("SELECT d.id, v.lang FROM doc_vectors v JOIN documents d "
                                    "USING (doc)").fetchall())
    assert len(langs) == 12 and [langs[k] for k in ONE_EVENT] == ["de", "fr", "ru"]
    (story,) = [s for s in _jsonl(tmp_path / "spark" / "stories.jsonl") if "de_full" in s["documents"]]
    assert sorted(story["documents"]) == sorted(ONE_EVENT)

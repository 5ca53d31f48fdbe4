"""The local scan engine end to end: outputs, duplicates, skips, resume, add, query,
kill -9 safety and a busy index."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from wiretrace import ScanConfig
from wiretrace.engines.local import STAGES, ScanSummary, add, scan
from wiretrace.engines.search import QueryHit, query
from wiretrace.errors import IndexBusyError

FIX = Path(__file__).parent / "fixtures"

WIRE = ("ROME (Reuters) - U.S. Secretary of State John Kerry said on Tuesday that talks in Rome with "
        "Italian Foreign Minister Paolo Gentiloni on the crisis in Libya went well and that both "
        "countries agreed a political settlement was the only way forward.\n\n"
        "Kerry told reporters after the meeting that the United States would support a unity "
        "government and would press the rival factions to accept the United Nations plan before the "
        "end of the month.\n\n"
        "Gentiloni said Italy was ready to lead a stabilisation mission if asked by a new Libyan "
        "government, adding that no troops would be sent without a clear mandate from the Security "
        "Council.")
PAPER_1 = ("By Jane Smith\n\nU.S. Secretary of State John Kerry said on Tuesday that talks in Rome "
           "with Italian Foreign Minister Paolo Gentiloni on the crisis in Libya went well and that "
           "both countries agreed a political settlement was the only way forward.\n\n"
           "Kerry told reporters that the United States would support a unity government and would "
           "press the rival factions to accept the plan before the end of the month.\n\n"
           "Local business leaders in Tripoli welcomed the news, saying trade had collapsed since "
           "the fighting began.")
PAPER_2 = ("Italy is ready to lead a stabilization mission if asked by a new Libyan government, "
           "Gentiloni said, adding that no troops would be sent without a clear mandate from the "
           "Security Council.\n\nU.S. Secretary of State John Kerry said on Tuesday that talks in Rome "
           "with Italian Foreign Minister Paolo Gentiloni on the crisis in Libya went well.")
COUNCIL = ("The city council voted on Thursday to close three public libraries in the northern "
           "districts to save money, despite protests from parents and teachers who gathered outside "
           "the town hall. The mayor said the decision was painful but necessary given the shortfall.")
FOOTER = ("Subscribe to the Bugle morning briefing for the best of our journalism delivered straight "
          "to your inbox every weekday before breakfast.")
TOPICS = ["harbour reopened after the winter storms damaged the northern pier",
          "school board approved a new schedule for bus routes across the valley",
          "regional orchestra announced a summer season of free concerts in the park",
          "fire brigade warned hikers about dry conditions on the eastern ridge trails",
          "county hospital opened a new maternity wing funded by local donations"]


def _corpus(path: Path) -> Path:
    recs = [
        {"id": "wire-1", "text": WIRE, "source": "Reuters", "date": "2016-01-12T09:00:00",
         "title": "Kerry says Rome talks on <Libya> went well", "topic": "libya"},
        {"id": "paper-1", "text": PAPER_1, "source": "Daily Bugle", "date": "2016-01-12T15:00:00",
         "url": "http://bugle.example/1"},
        {"id": "paper-2", "text": PAPER_2, "source": "Gazette", "date": "2016-01-13"},
        {"id": "council", "text": COUNCIL, "source": "Gazette", "date": "2016-01-13"},
        {"id": "wire-1-dup", "text": WIRE, "source": "Reuters", "date": "2016-01-12T09:05:00"},
    ]
    # one outlet's footer over seven weeks: boilerplate, never evidence of reuse
    for k, topic in enumerate(TOPICS):
        recs.append({"id": f"bugle-{k}", "source": "Bugle", "date": f"2016-02-{1 + 6 * k:02d}",
                     "text": f"The {topic}, officials said on Monday.\n\n{FOOTER}"})
    lines = [json.dumps(r) for r in recs]
    lines.insert(3, '{"id": "broken", "text": "no closing brace"')
    lines.append(json.dumps({"id": "empty", "text": "   "}))
    lines.append(json.dumps({"id": "council", "text": "A second record with an id already used."}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    root = tmp_path_factory.mktemp("scan")
    corpus = _corpus(root / "corpus.jsonl")
    summary = scan(str(corpus), str(root / "out"), config=ScanConfig(workers=2))
    return root, corpus, summary


def test_scan_writes_every_output_with_contract_fields(scanned):
    root, _, summary = scanned
    out = root / "out"
    assert isinstance(summary, ScanSummary)
    for name in ("documents.jsonl", "pairs.jsonl", "passages.parquet", "stories.jsonl",
                 "config.json", "skipped.jsonl", "report.html", "index.duckdb"):
        assert (out / name).exists(), name
    docs = _jsonl(out / "documents.jsonl")
    assert len(docs) == summary.documents == 10
    for d in docs:
        assert {"id", "source", "date", "story", "title", "url"} <= set(d)
    wire = next(d for d in docs if d["id"] == "wire-1")
    assert wire["topic"] == "libya" and wire["title"].startswith("Kerry")  # pass-through
    pairs = _jsonl(out / "pairs.jsonl")
    assert pairs and len(pairs) == summary.pairs
    for p in pairs:
        assert {"a", "b", "passages", "a_coverage", "b_coverage", "relation", "source", "similarity",
                "conflicts"} <= set(p)
        assert p["passages"] or p["similarity"] >= 0.35 or p["exact"]
    table = pq.read_table(out / "passages.parquet")
    assert {"a", "b", "a_start", "a_end", "b_start", "b_end", "kind", "score"} <= set(table.column_names)
    assert table.num_rows == summary.passages == sum(len(p["passages"]) for p in pairs)
    stories = _jsonl(out / "stories.jsonl")
    assert {d["story"] for d in docs} == {s["story"] for s in stories}
    for s in stories:
        assert {"story", "documents", "earliest", "headline", "provenance", "chains"} <= set(s)
    config = json.loads((out / "config.json").read_text())
    assert config["config"]["ngram"] == 5 and config["version"] and config["input"] and config["time"]
    d = summary.to_dict()
    assert json.loads(json.dumps(d)) == d and d["index_path"].endswith("index.duckdb")


def test_passage_offsets_point_into_the_original_texts(scanned):
    root, _, _ = scanned
    texts = {"wire-1": WIRE, "paper-1": PAPER_1, "paper-2": PAPER_2, "wire-1-dup": WIRE}
    for p in _jsonl(root / "out" / "pairs.jsonl"):
        if p["a"] in texts and p["b"] in texts:
            for x in p["passages"]:
                assert texts[p["a"]][x["a_start"]:x["a_end"]].strip()
                assert texts[p["b"]][x["b_start"]:x["b_end"]].strip()


def test_exact_duplicates_are_wholly_derived_in_one_story(scanned):
    root, _, _ = scanned
    pair = next(p for p in _jsonl(root / "out" / "pairs.jsonl")
                if {p["a"], p["b"]} == {"wire-1", "wire-1-dup"})
    assert pair["relation"] == "wholly-derived" and pair["exact"]
    story = {d["id"]: d["story"] for d in _jsonl(root / "out" / "documents.jsonl")}
    assert story["wire-1"] == story["wire-1-dup"]


def test_short_identical_tables_are_wholly_derived_even_weeks_apart(tmp_path):
    table = "Qtly div 20 cts vs 20 cts previously\n    Pay April 15\n    Record March 23\n Reuter\n"
    corpus = tmp_path / "t.jsonl"
    corpus.write_text(json.dumps({"id": "1", "text": table, "date": "1987-03-01"}) + "\n"
                      + json.dumps({"id": "2", "text": table.replace("\n    ", "\n  "),
                                    "date": "1987-04-20"}) + "\n")
    scan(str(corpus), str(tmp_path / "out"), config=ScanConfig(workers=1))
    [pair] = _jsonl(tmp_path / "out" / "pairs.jsonl")
    assert pair["exact"] and pair["relation"] == "wholly-derived" and pair["source"] == "a"
    assert len({d["story"] for d in _jsonl(tmp_path / "out" / "documents.jsonl")}) == 1


def test_copies_join_the_wire_story_with_provenance(scanned):
    root, _, _ = scanned
    story = {d["id"]: d["story"] for d in _jsonl(root / "out" / "documents.jsonl")}
    assert story["paper-1"] == story["paper-2"] == story["wire-1"]
    assert story["council"] != story["wire-1"]
    s = next(x for x in _jsonl(root / "out" / "stories.jsonl") if x["story"] == story["wire-1"])
    assert s["earliest"] == "wire-1" and s["headline"] == "Kerry says Rome talks on <Libya> went well"
    primary = {e["derived"]: e["source"] for e in s["provenance"] if e["primary"]}
    assert primary["paper-1"] == "wire-1" and primary["paper-2"] == "wire-1"
    assert primary["wire-1-dup"] == "wire-1"


def test_outlet_boilerplate_makes_no_pairs(scanned):
    root, _, _ = scanned
    bugle = {f"bugle-{k}" for k in range(len(TOPICS))}
    pairs = _jsonl(root / "out" / "pairs.jsonl")
    assert not [p for p in pairs if p["a"] in bugle and p["b"] in bugle]
    story = {d["id"]: d["story"] for d in _jsonl(root / "out" / "documents.jsonl")}
    assert len({story[b] for b in bugle}) == len(bugle)


def test_skipped_records_are_reported(scanned):
    root, _, summary = scanned
    assert summary.skipped == {"bad-json": 1, "duplicate-id": 1, "empty": 1}
    skipped = _jsonl(root / "out" / "skipped.jsonl")
    assert {s["category"] for s in skipped} == {"bad-json", "duplicate-id", "empty"}
    assert all(set(s) == {"origin", "category", "reason", "run"} for s in skipped)
    dup = next(s for s in skipped if s["category"] == "duplicate-id")
    assert dup["origin"].endswith(":13") and "first occurrence wins" in dup["reason"]


def test_report_is_self_contained_and_escaped(scanned):
    root, _, _ = scanned
    page = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "wt-pair" in page and "paper-1" in page
    assert "&lt;Libya&gt;" in page and "<Libya>" not in page
    for attr in ("src=\"http", "href=\"http", "@import", "<link"):
        assert attr not in page


def test_rerun_skips_finished_stages_and_force_redoes(tmp_path):
    corpus = _corpus(tmp_path / "c.jsonl")
    out, cfg = str(tmp_path / "out"), ScanConfig(workers=1)
    first = scan(str(corpus), out, config=cfg)
    assert first.resumed == ()
    index = os.path.join(out, "index.duckdb")

    def finished():
        with duckdb.connect(index, read_only=True) as con:
            return dict(con.execute("SELECT stage, finished_at FROM stages").fetchall())

    before = finished()
    assert set(before) == set(STAGES) and all(before.values())
    again = scan(str(corpus), out, config=cfg)
    assert again.resumed == STAGES and finished() == before
    assert again.documents == first.documents and again.pairs == first.pairs
    # a story option reruns stories and outputs only
    changed = scan(str(corpus), out, config=ScanConfig(workers=1, story_similarity=0.5))
    assert changed.resumed == ("ingest", "candidates", "align")
    after = finished()
    assert after["align"] == before["align"] and after["stories"] > before["stories"]
    forced = scan(str(corpus), out, config=cfg, force=True)
    assert forced.resumed == ()
    assert all(finished()[s] > after[s] for s in STAGES)
    assert forced.documents == first.documents and forced.pairs == first.pairs
    # a deleted output is written again
    os.remove(os.path.join(out, "report.html"))
    assert scan(str(corpus), out, config=cfg).resumed == STAGES[:-1]
    assert os.path.exists(os.path.join(out, "report.html"))
    # an edited input is scanned again from the start
    with open(corpus, "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "late", "text": COUNCIL + " Late edition."}) + "\n")
    edited = scan(str(corpus), out, config=cfg)
    assert edited.resumed == () and edited.documents == first.documents + 1


def test_add_links_a_new_copy_without_rebuilding(tmp_path):
    corpus = _corpus(tmp_path / "c.jsonl")
    out = tmp_path / "out"
    scan(str(corpus), str(out), config=ScanConfig(workers=1))
    index = str(out / "index.duckdb")
    with duckdb.connect(index, read_only=True) as con:
        old_pairs = con.execute("SELECT a, b, result FROM pairs ORDER BY a, b").fetchall()
        old_ingest = con.execute("SELECT finished_at FROM stages WHERE stage = 'ingest'").fetchall()
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "paper-3", "source": "Herald", "date": "2016-01-14",
                               "text": "Officials said: " + WIRE.split("\n\n")[1] + "\n\nMore soon."})
                   + "\n" + json.dumps({"id": "wire-1", "text": "an id already in the index"}) + "\n")
    summary = add(index, str(new), config=ScanConfig(workers=1))
    assert summary.added == 1 and summary.documents == 11
    assert summary.skipped == {"duplicate-id": 1}
    with duckdb.connect(index, read_only=True) as con:
        story = dict(con.execute("SELECT d.id, s.story FROM documents d JOIN doc_story s "
                                 "ON s.doc = d.doc").fetchall())
        pairs = con.execute("SELECT a, b, result FROM pairs ORDER BY a, b").fetchall()
        new_doc = con.execute("SELECT doc FROM documents WHERE id = 'paper-3'").fetchall()[0][0]
        size = con.execute("SELECT size FROM stories WHERE story = ?", [story["wire-1"]]).fetchall()
        assert con.execute("SELECT finished_at FROM stages WHERE stage = 'ingest'").fetchall() == old_ingest
    assert story["paper-3"] == story["wire-1"] and size == [(5,)]
    assert [p for p in pairs if new_doc not in p[:2]] == old_pairs  # old work untouched
    assert any(new_doc in p[:2] for p in pairs)
    # the next scan of the same input keeps the index and shows the added document
    rerun = scan(str(corpus), str(out), config=ScanConfig(workers=1))
    assert rerun.resumed == STAGES[:-1] and rerun.documents == 11
    assert "paper-3" in {d["id"] for d in _jsonl(out / "documents.jsonl")}


def test_reports_of_one_event_share_a_story_without_shared_text(tmp_path):
    # three outlets on one earthquake, three on another of the same kind, two unrelated
    # texts: no shared passages, so only story evidence (names, numbers) groups them
    recs = [json.loads(line) for line in (FIX / "stories.jsonl").read_text().splitlines()]
    for dated in (True, False):  # undated, only the texts can tell the two quakes apart
        path = tmp_path / f"stories-{dated}.jsonl"
        path.write_text("\n".join(json.dumps(r if dated else {k: v for k, v in r.items()
                                                               if k != "date"}) for r in recs))
        scan(str(path), str(tmp_path / f"out-{dated}"), config=ScanConfig(workers=1))
        story = {d["id"]: d["story"] for d in _jsonl(tmp_path / f"out-{dated}" / "documents.jsonl")}
        groups = {}
        for doc_id, sid in story.items():
            groups.setdefault(sid, set()).add(doc_id.split("-")[0])
        assert sorted(map(sorted, groups.values())) == [["bam"], ["council"], ["orchestra"], ["qeshm"]]
        assert not _jsonl(tmp_path / f"out-{dated}" / "pairs.jsonl")  # no reuse anywhere
    stories = _jsonl(tmp_path / "out-True" / "stories.jsonl")
    bam = next(s for s in stories if "bam-afp" in s["documents"])
    assert bam["size"] == 3 and bam["earliest"] == "bam-reuters"


def test_add_merges_two_stories_that_a_new_document_links(tmp_path):
    recs = [json.loads(line) for line in (FIX / "stories.jsonl").read_text().splitlines()]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    out = tmp_path / "out"
    scan(str(corpus), str(out), config=ScanConfig(workers=1))
    index = str(out / "index.duckdb")

    def stories():
        with duckdb.connect(index, read_only=True) as con:
            story = dict(con.execute("SELECT d.id, s.story FROM documents d JOIN doc_story s "
                                     "ON s.doc = d.doc").fetchall())
            rows = {r[0]: (r[1], set(json.loads(r[2]))) for r in con.execute(
                "SELECT story, size, documents FROM stories").fetchall()}
        return story, rows

    before, _ = stories()
    assert before["council"] != before["orchestra"]
    # a roundup that prints both items whole: a copy of each, so one story now
    text = {r["id"]: r["text"] for r in recs}
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "roundup", "source": "Herald", "date": "2005-11-28",
                               "text": text["council"] + "\n\n" + text["orchestra"]}) + "\n")
    add(index, str(new), config=ScanConfig(workers=1))
    after, rows = stories()
    assert after["roundup"] == after["council"] == after["orchestra"]
    assert after["roundup"] in (before["council"], before["orchestra"])  # an old id lives on
    assert rows[after["roundup"]] == (3, {"roundup", "council", "orchestra"})
    gone = {before["council"], before["orchestra"]} - {after["roundup"]}
    assert not gone & set(rows)  # the merged story's old row is gone
    # the other stories are untouched
    assert {k: v for k, v in after.items() if k not in ("roundup", "council", "orchestra")} == \
        {k: v for k, v in before.items() if k not in ("council", "orchestra")}
    # and a later report of the Qeshm quake joins its story through story evidence alone
    new.write_text(json.dumps({"id": "qeshm-late", "source": "Herald", "date": "2005-11-29",
                               "text": "Iran began rebuilding villages on Qeshm island, where the 5.9 "
                                       "earthquake killed 10 people on Sunday, Hormozgan officials "
                                       "said, as the Red Crescent wound down its rescue work."}) + "\n")
    add(index, str(new), config=ScanConfig(workers=1))
    latest, rows = stories()
    assert latest["qeshm-late"] == latest["qeshm-irna"] == before["qeshm-irna"]
    assert rows[latest["qeshm-irna"]][0] == 4


def test_query_finds_the_source(scanned):
    root, _, _ = scanned
    text = "Officials said: " + WIRE.split("\n\n")[1] + "\n\nLocal reaction was muted."
    hits = query(str(root / "out" / "index.duckdb"), text, date="2016-01-15", limit=5)
    assert hits and isinstance(hits[0], QueryHit)
    assert hits[0].id in {"wire-1", "wire-1-dup", "paper-1"}
    wire = next(h for h in hits if h.id == "wire-1")
    assert wire.comparison.source == "b" and wire.comparison.relation != "non-derived"
    assert wire.story and wire.source == "Reuters" and wire.to_dict()["id"] == "wire-1"
    assert "council" not in {h.id for h in hits}
    assert query(str(root / "out" / "index.duckdb"), "Nothing in common at all here.") == []


def test_concurrent_writer_gets_index_busy_error(scanned, tmp_path):
    root, corpus, _ = scanned
    index = str(root / "out" / "index.duckdb")
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({index!r})
            print("ready", flush=True)
            sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(IndexBusyError, match=f"index {index} is busy"):
            scan(str(corpus), str(root / "out"), config=ScanConfig(workers=1))
        with pytest.raises(IndexBusyError):
            query(index, WIRE)
    finally:
        holder.communicate("\n", timeout=30)
    # once the other writer is done the same call succeeds
    assert scan(str(corpus), str(root / "out"), config=ScanConfig(workers=1)).resumed == STAGES


def _generated(path: Path, n: int) -> Path:
    """``n`` tiny documents in stories of three (two lightly edited copies each)."""
    rng = random.Random(3)
    with open(path, "w", encoding="utf-8") as f:
        for s in range(n // 3):
            base = [f"w{rng.randrange(10**6)}" for _ in range(30)]
            for k in range(3):
                words = list(base)
                words[rng.randrange(30)] = f"edit{k}"
                f.write(json.dumps({"id": f"s{s}-{k}", "text": " ".join(words) + "."}) + "\n")
    return path


_KILLED_SCAN = """
import sys, time
from wiretrace import ScanConfig
from wiretrace.engines import local
from wiretrace.index import Index

corpus, out, table, marker = sys.argv[1:5]
original = Index.insert_arrow
count = [0]

def insert(self, name, data, ignore=False):
    original(self, name, data, ignore=ignore)
    if name == table:
        count[0] += 1
        if count[0] == 3:
            open(marker, "w").close()
        if count[0] >= 3:
            time.sleep(0.3)  # keep the run going until the test kills it

Index.insert_arrow = insert
local.scan(corpus, out, config=ScanConfig(workers=2, batch_size=100))
"""


@pytest.mark.slow
@pytest.mark.parametrize("table", ["documents", "pairs"])
def test_kill_9_then_rerun_loses_and_duplicates_nothing(tmp_path, table):
    corpus = _generated(tmp_path / "gen.jsonl", 1800)
    out, marker = tmp_path / "out", tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_SCAN, str(corpus), str(out), table,
                             str(marker)], start_new_session=True)
    deadline = time.time() + 60
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert marker.exists(), "the scan never got going"
    os.killpg(proc.pid, signal.SIGKILL)  # the scan and its workers, mid-batch
    proc.wait()
    index = str(out / "index.duckdb")
    # a writer works on a copy (wiretrace.writer): the killed scan's is there to resume
    with duckdb.connect(index + ".next", read_only=True) as con:
        stored = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        wanted = con.execute("SELECT count(*) FROM candidates").fetchall()[0][0] or 1800
        finished = dict(con.execute("SELECT stage, finished_at FROM stages").fetchall())
    assert finished.get("outputs") is None  # it really was killed
    assert 0 < stored < wanted  # mid-stage
    summary = scan(str(corpus), str(out), config=ScanConfig(workers=2, batch_size=100))
    assert summary.documents == 1800 and summary.skipped == {}
    with duckdb.connect(index, read_only=True) as con:
        q = lambda sql: con.execute(sql).fetchall()[0]  # noqa: E731
        assert q("SELECT count(*), count(DISTINCT id), count(DISTINCT doc) FROM documents") == (1800,) * 3
        assert q("SELECT count(*) - count(DISTINCT (doc, gram)) FROM postings") == (0,)
        assert q("SELECT count(DISTINCT doc) FROM postings") == (1800,)
        assert q("SELECT count(*) - count(DISTINCT (a, b)) FROM pairs") == (0,)
        assert q("SELECT count(*) FROM candidates c WHERE NOT EXISTS "
                 "(SELECT 1 FROM pairs p WHERE p.a = c.a AND p.b = c.b)") == (0,)
        assert q("SELECT count(*) - count(DISTINCT (a, b, a_start)) FROM passages") == (0,)
    ids = [d["id"] for d in _jsonl(out / "documents.jsonl")]
    assert len(ids) == len(set(ids)) == 1800
    stories = {}
    for d in _jsonl(out / "documents.jsonl"):
        stories.setdefault(d["id"].split("-")[0], set()).add(d["story"])
    assert all(len(s) == 1 for s in stories.values())  # every generated story found whole


BBC = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc_news_greene2006" / "bbc"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.slow
@pytest.mark.skipif(not (BBC.is_dir() and SEEDS.is_dir()), reason="../shared is not present")
def test_seed_pair_stays_one_story_inside_the_bbc_corpus(tmp_path):
    # the Reuters original (001) and a newspaper's version (000) among 2,225 BBC
    # articles of 2004-05 (plenty of John Kerry): one story of two, 001 the source
    recs = [{"id": "seed-000", "text": next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")},
            {"id": "seed-001", "text": next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")}]
    for path in sorted(BBC.glob("*/*.txt")):
        head, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n")
        recs.append({"id": f"bbc/{path.parent.name}/{path.stem}", "title": head.strip(),
                     "text": body.strip()})
    corpus = tmp_path / "seeds+bbc.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    scan(str(corpus), str(tmp_path / "out"), config=ScanConfig(workers=2))
    story = {d["id"]: d["story"] for d in _jsonl(tmp_path / "out" / "documents.jsonl")}
    assert len(story) == 2227 and story["seed-000"] == story["seed-001"]
    seed = next(s for s in _jsonl(tmp_path / "out" / "stories.jsonl") if s["story"] == story["seed-000"])
    assert sorted(seed["documents"]) == ["seed-000", "seed-001"]  # no BBC article swallowed
    primary = [(e["source"], e["derived"]) for e in seed["provenance"] if e["primary"]]
    assert primary == [("seed-001", "seed-000")] and seed["earliest"] == "seed-001"


def _die(payload):
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_that_dies_fails_the_scan_instead_of_hanging(tmp_path, monkeypatch):
    """A worker killed mid-batch (here by SIGKILL from inside its task; in the field by the
    OOM killer or a native crash) used to leave the scan waiting forever for its result."""
    from wiretrace.engines import local
    from wiretrace.engines.pool import WorkerDiedError

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Story number {i} about the talks."})
                              + "\n" for i in range(20)), encoding="utf-8")

    # tasks travel by name: a module-level function reaches the workers however they
    # start (forked, or from a forkserver when other threads are alive)
    monkeypatch.setattr(local, "_ingest_job", _die)
    t0 = time.perf_counter()
    with pytest.raises(WorkerDiedError, match="run the same command again"):
        scan(str(corpus), str(tmp_path / "out"), config=ScanConfig(workers=2, batch_size=5))
    assert time.perf_counter() - t0 < 60

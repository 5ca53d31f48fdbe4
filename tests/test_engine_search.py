"""The gram snapshot and Searcher: the same hits as the SQL plan, fresh after an
add, ignored when stale, and one open index for many queries."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from wiretrace import ScanConfig
from wiretrace.engines.local import add, scan
from wiretrace.engines.search import query
from wiretrace.errors import ConfigError
from wiretrace.engines.search import Searcher
from wiretrace.pipeline.snapshot import snapshot_dir, write_snapshot
from wiretrace.index import Index

PARAS = [
    "The central bank raised its main interest rate by half a point on Thursday, citing inflation "
    "that has stayed above its target for eleven months in a row.",
    "Governor Ana Ruiz told reporters the board would watch wage growth closely before deciding "
    "whether further increases were needed later in the year.",
    "Exporters warned that a stronger currency would hurt sales abroad, while savers welcomed the "
    "prospect of better returns on their deposits.",
    "Analysts at three banks had expected a quarter point move and said the larger step showed the "
    "board was worried about prices for food and fuel.",
]
OTHER = [
    "The city marathon drew a record field of runners despite heavy rain, and organisers said the "
    "new route along the river would be kept next year.",
    "A museum in the old port opened an exhibition of ship models built by local craftsmen over "
    "two centuries, with free entry on Sundays.",
]


def _corpus(path: Path) -> Path:
    recs = [{"id": "wire", "text": "\n\n".join(PARAS), "source": "Wire", "date": "2020-03-05T08:00"},
            {"id": "paper", "text": "\n\n".join(PARAS[:2] + ["Local shops said they were nervous."]),
             "source": "Paper", "date": "2020-03-05T16:00"},
            {"id": "run", "text": OTHER[0], "source": "Paper", "date": "2020-03-05"},
            {"id": "museum", "text": OTHER[1], "source": "Paper", "date": "2020-03-06"}]
    path.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    return path


def _ids(hits):
    return [(h.id, h.comparison.relation, h.comparison.a_coverage) for h in hits]


@pytest.fixture()
def index(tmp_path):
    out = tmp_path / "out"
    scan(str(_corpus(tmp_path / "c.jsonl")), str(out), config=ScanConfig(workers=1))
    return str(out / "index.duckdb")


def test_scan_writes_a_sorted_snapshot_of_every_posting(index):
    folder = snapshot_dir(index)
    grams = np.load(os.path.join(folder, "grams.npy"))
    docs = np.load(os.path.join(folder, "docs.npy"))
    assert len(grams) == len(docs) > 0
    assert np.all(grams[1:] >= grams[:-1])
    with duckdb.connect(index, read_only=True) as con:
        rows = con.execute("SELECT gram, doc FROM postings ORDER BY gram, doc").fetchnumpy()
    assert np.array_equal(grams, rows["gram"]) and np.array_equal(docs, rows["doc"])
    meta = json.loads(Path(folder, "meta.json").read_text())
    assert meta["postings"] == len(grams)
    # n-grams per document, for ranking candidates by containment
    sizes = np.load(os.path.join(folder, "sizes.npy"))
    assert np.array_equal(sizes, np.bincount(docs, minlength=len(sizes)))


def test_an_older_snapshot_format_is_ignored_and_rebuilt(index):
    meta_path = Path(snapshot_dir(index), "meta.json")
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "format": 1}))
    with Searcher(index) as s:
        assert s.snap is None  # the SQL plan answers
        assert s.query(PARAS[0] + "\n\n" + PARAS[2])
        s.close()
        with Index.open(index) as ix:
            assert write_snapshot(ix, index)
    assert json.loads(meta_path.read_text())["format"] != 1


def test_a_small_limit_keeps_the_most_derived_documents(tmp_path):
    # one wire story, copies keeping 4, 3, 2 and 1 of its paragraphs (with local
    # text of their own), and an unrelated filler; limit=2 must return the wire
    # story and the fullest copy, whichever pass compared what
    local = ["The council will meet again next week.", "Readers can write to the letters page.",
             "The weather stays dry for the weekend.", "Parking fees rise in the spring."]
    recs = [{"id": "wire", "text": "\n\n".join(PARAS), "date": "2020-03-05"}]
    for k in range(1, 5):
        recs.append({"id": f"copy{k}", "text": "\n\n".join(PARAS[:k] + local[:5 - k]),
                     "date": "2020-03-06"})
    recs.append({"id": "run", "text": OTHER[0], "date": "2020-03-06"})
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    scan(str(corpus), str(out), config=ScanConfig(workers=1))
    text = "\n\n".join(PARAS) + "\n\nA closing line of our own."
    with Searcher(str(out / "index.duckdb")) as s:
        everything = s.query(text, limit=20)
        top = s.query(text, limit=2)
    assert [h.id for h in everything][:2] == [h.id for h in top]
    assert {h.id for h in top} == {"wire", "copy4"}
    assert {h.id for h in everything} >= {"wire", "copy1", "copy2", "copy3", "copy4"}


def _family(tmp_path) -> str:
    """A wire story, eight copies keeping fewer of its paragraphs, and fillers."""
    recs = [{"id": "wire", "text": "\n\n".join(PARAS), "date": "2020-03-05"}]
    for k in range(8):
        keep = PARAS[:1 + k % 4] + [f"Local note {k}: the council meets on day {k + 2} of the month."]
        recs.append({"id": f"copy{k}", "text": "\n\n".join(keep), "date": f"2020-03-{6 + k:02d}"})
    recs += [{"id": f"other{k}", "text": t, "date": "2020-03-06"} for k, t in enumerate(OTHER)]
    corpus = tmp_path / "fam.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    scan(str(corpus), str(tmp_path / "fam"), config=ScanConfig(workers=1))
    return str(tmp_path / "fam" / "index.duckdb")


def test_helper_processes_give_the_same_answer_and_survive_a_dead_helper(tmp_path):
    index = _family(tmp_path)
    texts = ["\n\n".join(PARAS) + "\n\nOur own closing line.", PARAS[1] + "\n\n" + OTHER[0]]
    with Searcher(index, workers=1) as alone:
        expected = [[h.to_dict() for h in alone.query(t, date="2020-03-20", limit=k)]
                    for t in texts for k in (1, 3, 20)]
    assert any(len(e) > 3 for e in expected)
    with Searcher(index, workers=3) as s:
        assert s.wait_ready(60) == 2
        got = [[h.to_dict() for h in s.query(t, date="2020-03-20", limit=k)] for t in texts for k in (1, 3, 20)]
        assert got == expected
        # candidates really were shared out
        assert set(s.work.owner.values()) == {0, 1, 2}
        s.work.helpers[0].proc.kill()
        s.work.helpers[0].proc.wait()
        again = [[h.to_dict() for h in s.query(t, date="2020-03-20", limit=k)] for t in texts for k in (1, 3, 20)]
        assert again == expected


def test_negative_workers_are_refused(index):
    with pytest.raises(ConfigError, match="workers"):
        Searcher(index, workers=-1)


@pytest.mark.parametrize("text", [
    "Officials said: " + PARAS[1] + "\n\n" + PARAS[3],
    "\n\n".join(PARAS),  # the same body as "wire": found as an exact duplicate too
    OTHER[1] + " Tickets are sold at the door.",
])
def test_snapshot_and_sql_plan_give_the_same_hits(index, text):
    from wiretrace.candidates import body_hash
    from wiretrace.fingerprint import document_fingerprints
    from wiretrace.normalize import tokenize

    t = tokenize(text)
    grams, bh = document_fingerprints(t, 5), body_hash(t)
    with Searcher(index) as s:
        assert s.snap is not None
        fast = s.query(text, date="2020-03-07")
        fast_cands = s.candidates(grams, bh, 10)
    shutil.rmtree(snapshot_dir(index))
    with Searcher(index) as s:
        assert s.snap is None
        slow = s.query(text, date="2020-03-07")
        slow_cands = s.candidates(grams, bh, 10)
    assert _ids(fast) == _ids(slow) and fast
    assert fast_cands == slow_cands  # the same candidates in the same order


def test_documents_added_after_the_snapshot_are_found(index, tmp_path):
    before = tmp_path / "before.grams"
    shutil.copytree(snapshot_dir(index), before)
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "late", "source": "Herald", "date": "2020-03-06",
                               "text": PARAS[2] + "\n\n" + PARAS[3]}) + "\n")
    add(index, str(new), config=ScanConfig(workers=1))
    text = "Reports said: " + PARAS[3]
    fresh = query(index, text, date="2020-03-08")  # snapshot rebuilt by the add (a big share)
    assert {"late", "wire"} <= {h.id for h in fresh}
    # the snapshot from before the add is still a valid prefix: "late" comes from the table tail
    shutil.rmtree(snapshot_dir(index))
    shutil.copytree(before, snapshot_dir(index))
    with Searcher(index) as s:
        assert s.snap is not None and s.snap.max_doc < s.ix.document_count() - 1
        assert _ids(s.query(text, date="2020-03-08")) == _ids(fresh)
    with Index.open(index) as ix:
        assert write_snapshot(ix, index, force=True)
    assert _ids(query(index, text, date="2020-03-08")) == _ids(fresh)


def test_a_stale_snapshot_is_not_used(index, tmp_path):
    # a rescan of other input rebuilds the index under the old snapshot
    keep = tmp_path / "kept.grams"
    shutil.copytree(snapshot_dir(index), keep)
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": "x", "text": OTHER[0]}) + "\n")
    scan(str(other), os.path.dirname(index), config=ScanConfig(workers=1), force=True)
    shutil.rmtree(snapshot_dir(index))
    shutil.copytree(keep, snapshot_dir(index))
    with Searcher(index) as s:
        assert s.snap is None  # the postings under it changed: SQL plan instead
        assert [h.id for h in s.query(OTHER[0] + " More runners came.")] == ["x"]


def test_query_hit_json_keeps_outlet_and_likely_source_apart(index):
    hit = next(h for h in query(index, "Officials said: " + PARAS[1] + "\n\n" + PARAS[3],
                                date="2020-03-07") if h.id == "wire")
    d = hit.to_dict()
    assert d["source"] == "Wire" and d["likely_source"] == "b"


def test_a_rescan_with_the_same_counts_rewrites_the_snapshot(tmp_path):
    # one word changed: same documents, same number of postings, other grams
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps({"id": "x", "text": PARAS[0]}) + "\n")
    b.write_text(json.dumps({"id": "x", "text": PARAS[0].replace("Thursday", "Tuesday")}) + "\n")
    out = str(tmp_path / "out")
    scan(str(a), out, config=ScanConfig(workers=1))
    scan(str(b), out, config=ScanConfig(workers=1), force=True)
    index = os.path.join(out, "index.duckdb")
    grams = np.load(os.path.join(snapshot_dir(index), "grams.npy"))
    with duckdb.connect(index, read_only=True) as con:
        rows = con.execute("SELECT gram FROM postings ORDER BY gram").fetchnumpy()["gram"]
    assert np.array_equal(grams, rows)


@pytest.mark.parametrize("text, limit, match", [("   ", 5, "non-empty"), (PARAS[0], 0, "limit")])
def test_a_bad_query_says_what_to_fix(index, text, limit, match):
    from wiretrace.errors import ConfigError

    with pytest.raises(ConfigError, match=match):
        query(index, text, limit=limit)


def test_query_candidates_hold_every_pair_the_scan_plan_made(tmp_path):
    """The query's candidate generator (gram snapshot, and its SQL twin) against the scan's
    plan (:func:`wiretrace.candidates.candidate_steps`): querying a document's own text
    finds every partner the scan paired it with."""
    from wiretrace.candidates import body_hash
    from wiretrace.fingerprint import document_fingerprints
    from wiretrace.normalize import tokenize

    recs = [{"id": f"d{i}", "text": "\n\n".join(PARAS[i % 4:] + PARAS[:i % 4][:i % 3] + OTHER[i % 2:]),
             "source": f"S{i % 3}"} for i in range(8)]
    recs.append({"id": "dup", "text": recs[0]["text"], "source": "S9"})
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    scan(str(corpus), str(out), config=ScanConfig(workers=1))
    index = str(out / "index.duckdb")
    with Index.open(index, read_only=True) as ix:
        pairs = ix.con.execute("SELECT a, b FROM candidates").fetchall()
        texts = dict(ix.con.execute("SELECT doc, text FROM documents").fetchall())
    assert len(pairs) >= 8  # the corpus exercises the plan
    with Searcher(index, workers=1) as s:
        for use_snapshot in (True, False):
            for doc, text in texts.items():
                t = tokenize(text)
                grams, bh = document_fingerprints(t, s.cfg.ngram), body_hash(t)
                found = set(s.candidates(grams, bh, 100) if use_snapshot
                            else s._candidates_sql(np.unique(grams), bh, 100))
                partners = {b for a, b in pairs if a == doc} | {a for a, b in pairs if b == doc}
                assert partners <= found, (doc, use_snapshot)

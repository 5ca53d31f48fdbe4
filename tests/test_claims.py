"""Issue 13, corpus side: claims a journalist can publish.

Every provenance claim (an edge, an earliest witness, a count of copies) rests
on evidence; dates keep their source and precision; an id or a file name is
never an outlet; a copy's primary source is the text it copies most literally.
The two corpus checks of the issue run on our own fixtures and, when
../shared is present, on the seed pair (same operations, see claims_corpus.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claims_corpus import dated_corpus, undated_folder, unsupported_claims
from conftest import FIXTURES, SEEDS, SHARED

from wiretrace import compare
from wiretrace.config import ScanConfig
from wiretrace.dates import DateError
from wiretrace.engines.local import scan


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _texts(which: str) -> tuple[str, str]:
    """(wire, paper) of our fixture or of the seed pair."""
    if which == "fixture":
        return ((FIXTURES / "wire.txt").read_text(encoding="utf-8"),
                (FIXTURES / "paper.txt").read_text(encoding="utf-8"))
    if not SEEDS.exists():
        pytest.skip("../shared/seeds is not present")
    return (next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8"),
            next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=["fixture", "seeds"])
def dated_scan(request, tmp_path_factory):
    pytest.importorskip("trafilatura")
    wire, paper = _texts(request.param)
    root = tmp_path_factory.mktemp(f"dated-{request.param}")
    ids = dated_corpus(root / "in", wire, paper)
    scan(str(root / "in"), str(root / "out"), config=ScanConfig(workers=1))
    return ids, root / "out"


def test_dated_corpus_with_a_saved_page(dated_scan):
    ids, out = dated_scan
    docs = {d["id"]: d for d in _jsonl(out / "documents.jsonl")}
    # the saved page's only date is its copyright footer: no date at all
    page = docs[ids["page"]]
    assert page["date"] is None and page["date_source"] is None and page["date_precision"] is None
    assert docs[ids["wire"]]["date_source"] == "input" and docs[ids["wire"]]["date_precision"] == "day"
    stories = _jsonl(out / "stories.jsonl")
    (story,) = [s for s in stories if ids["wire"] in s["documents"]]
    assert {ids["trim"], ids["verbatim"], ids["paper"]} <= set(story["documents"])
    # Reuters is the earliest witness, and the story says why
    assert story["earliest"] == ids["wire"] and story["order"] == "known"
    assert "date" in story["earliest_by"]
    primary = {e["derived"]: e for e in story["provenance"] if e["primary"]}
    # the verbatim copy of the first paragraphs comes from Reuters, not from the edited trim
    assert primary[ids["verbatim"]]["source"] == ids["wire"]
    assert primary[ids["verbatim"]]["literal"] >= 0.95
    trim_edge = [e for e in story["provenance"]
                 if e["source"] == ids["trim"] and e["derived"] == ids["verbatim"]]
    assert all(e["literal"] < primary[ids["verbatim"]]["literal"] for e in trim_edge)
    # no chain runs wire → trim → verbatim: the trim does not explain the copy better
    assert not any(c[-2:] == [ids["trim"], ids["verbatim"]] for c in story["chains"])
    # every edge says what decided it; the page, undated, is never ordered by a date
    assert all(e["by"] in ("date", "compare", "containment") for e in story["provenance"])
    assert not any(e["by"] == "date" and ids["page"] in (e["source"], e["derived"])
                   for e in story["provenance"])
    pairs = _jsonl(out / "pairs.jsonl")
    assert all(0.0 <= p["a_literal"] <= p["a_coverage"] + 1e-9 for p in pairs)


def test_dated_corpus_views_say_what_the_evidence_shows(dated_scan):
    pytest.importorskip("starlette")
    from wiretrace.web.data import Corpus
    from wiretrace.web.views import story_view

    ids, out = dated_scan
    corpus = Corpus.open(str(out))
    sid = corpus.doc_story[ids["wire"]]
    view = story_view(corpus, sid)
    assert view["story"]["earliest"] == ids["wire"] and view["story"]["order"] == "known"
    roles = {d["id"]: d["role"] for d in view["documents"]}
    assert roles[ids["wire"]] == "earliest witness" and roles[ids["verbatim"]] == "copy"
    # five documents, five known outlets: the page's site name is unknown, not its file name
    assert view["story"]["outlets"] == len({d["source"] for d in view["documents"] if d["source"]})
    assert all(d["outlet"] != d["id"] for d in view["documents"])
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "earliest witness wire (by date" in report


@pytest.fixture(scope="module", params=["fixture", "seeds"])
def undated_scan(request, tmp_path_factory):
    wire, paper = _texts(request.param)
    root = tmp_path_factory.mktemp(f"undated-{request.param}")
    files = undated_folder(root / "in", wire, paper)
    scan(str(root / "in"), str(root / "out"), config=ScanConfig(workers=1))
    return files, root / "out"


def test_undated_folder_claims_no_order_without_an_edge(undated_scan):
    files, out = undated_scan
    docs = _jsonl(out / "documents.jsonl")
    assert sorted(d["id"] for d in docs) == files
    # no date was invented and no file name became an outlet
    for d in docs:
        assert d["date"] is None and d["date_source"] is None
        assert d["source"] is None or d["source"] not in (d["id"], Path(d["id"]).name,
                                                          Path(d["id"]).stem)
    stories = _jsonl(out / "stories.jsonl")
    assert unsupported_claims(stories) == []
    big = max(stories, key=lambda s: s["size"])
    assert big["size"] >= 4 and big["provenance"]  # the copies are found and oriented
    for s in stories:
        if s["earliest"] is None:
            assert s["order"] == "unknown" and s["earliest_by"] is None
        else:
            assert s["earliest_by"] == "provenance"  # no dates: only edges can order
    report = (out / "report.html").read_text(encoding="utf-8")
    if any(s["earliest"] is None and s["size"] > 1 for s in stories):
        assert "order unknown" in report


def test_undated_folder_views_count_known_outlets_only(undated_scan):
    pytest.importorskip("starlette")
    from wiretrace.web.data import Corpus
    from wiretrace.web.views import stories_view, story_view

    files, out = undated_scan
    corpus = Corpus.open(str(out))
    for row in stories_view(corpus, min_docs=2)["stories"]:
        assert row["outlets"] == 0  # every document here lacks a known outlet
        view = story_view(corpus, row["id"])
        edges = view["edges"]
        if row["earliest"] is not None:
            assert any(e["from"] == row["earliest"] for e in edges)
        else:
            assert row["order"] == "unknown" and row["earliest_label"] is None
        assert row["copies"] == len({e["to"] for e in edges})
        for d in view["documents"]:
            assert d["outlet"] is None and d["role"] in (
                "earliest witness", "copy", "source of a copy", "order unknown")


BBC = SHARED / "data" / "bbc_news_greene2006" / "bbc"


@pytest.mark.shared
@pytest.mark.slow
def test_undated_bbc_sample_names_no_unsupported_witness(tmp_path):
    """Real undated data: the first 120 business articles and the exact duplicates among them."""
    if not BBC.exists():
        pytest.skip("../shared/data/bbc_news_greene2006 is not present")
    src = tmp_path / "in" / "business"
    src.mkdir(parents=True)
    for p in sorted((BBC / "business").glob("*.txt"))[:120]:
        (src / p.name).write_bytes(p.read_bytes())
    scan(str(tmp_path / "in"), str(tmp_path / "out"), config=ScanConfig(workers=1))
    stories = _jsonl(tmp_path / "out" / "stories.jsonl")
    assert any(s["size"] > 1 for s in stories)
    assert unsupported_claims(stories) == []
    assert all(d["source"] is None for d in _jsonl(tmp_path / "out" / "documents.jsonl"))


# -- invalid dates are errors everywhere ----------------------------------------------

def test_compare_rejects_a_bad_date_and_names_it():
    with pytest.raises(DateError) as err:
        compare("Kerry said the talks went well.", "Kerry said the talks went well.",
                a_date="12/01/2016")
    assert "'12/01/2016'" in str(err.value) and "ISO 8601" in str(err.value)
    with pytest.raises(DateError, match="b_date"):
        compare("a b c", "a b c", b_date="yesterday")


def test_a_year_never_decides_the_source():
    wire = (FIXTURES / "wire.txt").read_text(encoding="utf-8")
    paper = (FIXTURES / "paper.txt").read_text(encoding="utf-8")
    by_day = compare(paper, wire, a_date="2016-01-11", b_date="2016-01-12")
    assert by_day.source == "a" and "dated earlier" in by_day.source_evidence[0]
    by_year = compare(paper, wire, a_date="2015", b_date="2016-01-12")
    assert not any("dated" in e for e in by_year.source_evidence)


def test_cli_compare_and_query_reject_a_bad_date(tmp_path, capsys):
    from wiretrace.cli import main

    wire, paper = FIXTURES / "wire.txt", FIXTURES / "paper.txt"
    assert main(["compare", str(paper), str(wire), "--a-date", "2016-13-01", "--json"]) == 2
    assert "'2016-13-01'" in capsys.readouterr().err
    scan(str(FIXTURES / "wire.txt"), str(tmp_path / "out"), config=ScanConfig(workers=1))
    assert main(["query", str(tmp_path / "out" / "index.duckdb"), str(paper), "--date",
                 "Jan 12"]) == 2
    assert "'Jan 12'" in capsys.readouterr().err


def test_searcher_rejects_a_bad_date(tmp_path):
    from wiretrace.engines.search import Searcher

    scan(str(FIXTURES / "wire.txt"), str(tmp_path / "out"), config=ScanConfig(workers=1))
    paper = (FIXTURES / "paper.txt").read_text(encoding="utf-8")
    with Searcher(str(tmp_path / "out" / "index.duckdb"), workers=1) as s:
        with pytest.raises(DateError, match="'2016/01/12'"):
            s.query(paper, date="2016/01/12")
        assert s.query(paper, date="2016-01")  # a month is a valid, if imprecise, date


def test_an_index_of_the_old_schema_is_rebuilt_by_scan_force(tmp_path):
    import duckdb

    from wiretrace.index import IndexStoreError

    out = tmp_path / "out"
    scan(str(FIXTURES / "wire.txt"), str(out), config=ScanConfig(workers=1))
    with duckdb.connect(str(out / "index.duckdb")) as con:  # as an earlier version left it
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(IndexStoreError, match="scan --force"):
        scan(str(FIXTURES / "wire.txt"), str(out), config=ScanConfig(workers=1))
    summary = scan(str(FIXTURES / "wire.txt"), str(out), config=ScanConfig(workers=1),
                   force=True)
    assert summary.documents == 1
    assert _jsonl(out / "documents.jsonl")[0]["date_source"] is None  # the new fields exist

"""The order of query hits (wiretrace.rank): the literal share of the query each
explains, a likelier source never below its copies; on issue 13's four-document
corpus through Searcher.query and `wiretrace query --json`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import _family
from wiretrace import ScanConfig
from wiretrace.engines.local import scan
from wiretrace.engines.search import Searcher
from wiretrace.normalize import tokenize
from wiretrace.rank import earlier, literal_share, rank_hits, verdicts_from
from wiretrace.records import Comparison, Passage

# a query of ten paragraphs of ten words each (distinct words, so offsets are easy)
PARAS = [" ".join(f"w{p}x{i}" for i in range(10)) for p in range(10)]
QUERY = "\n".join(PARAS)
Q = tokenize(QUERY)


def _span(first: int, last: int) -> tuple[int, int]:
    """Characters of paragraphs ``first..last`` of QUERY."""
    start = sum(len(p) + 1 for p in PARAS[:first])
    return start, start + sum(len(p) + 1 for p in PARAS[first:last + 1]) - 1


def _hit(first: int, last: int, edit: float = 0.0, relation: str = "partially-derived") -> Comparison:
    s, e = _span(first, last)
    kind = "verbatim" if edit == 0 else "edited"
    p = Passage(s, e, 0, e - s, kind, 1 - edit, 10 * (last - first + 1), edit)
    return Comparison([p], round((last - first + 1) / 10, 4), 0.9, relation, None, 0.5)


def _order(hits, verdicts=None) -> list[str]:
    return [hits[k][0] for k, _ in rank_hits(Q, hits, verdicts)]


def _stored(**sources: str | None):
    """Verdicts saying, per sorted "x,y" key, which of the two is the source."""
    table = {tuple(k.split("_")): (v, "") for k, v in sources.items()}
    return lambda wanted: {w: table[w] for w in wanted if w in table}


def test_literal_share_counts_each_word_at_one_minus_its_edit_rate():
    verbatim, edited = _hit(0, 4).passages, _hit(0, 4, edit=0.25).passages
    assert literal_share(Q, verbatim) == pytest.approx(0.5, abs=0.01)
    assert literal_share(Q, edited) == pytest.approx(0.375, abs=0.01)
    # two passages over one word count it once, at the better rate
    assert literal_share(Q, verbatim + edited) == literal_share(Q, verbatim)
    assert literal_share(Q, []) == 0.0


def test_a_verbatim_source_outranks_an_edited_copy_of_the_same_text():
    hits = [("edited", None, _hit(0, 5, edit=0.3)), ("verbatim", None, _hit(0, 4))]
    assert _order(hits) == ["verbatim", "edited"]  # 0.50 word for word against 0.42


def test_a_source_is_lifted_just_above_its_copy():
    hits = [("copy", None, _hit(0, 8)), ("other", None, _hit(0, 6)), ("source", None, _hit(0, 4))]
    assert _order(hits) == ["copy", "other", "source"]  # nothing says who copied whom
    ranked = rank_hits(Q, hits, _stored(copy_source="source"))
    assert [hits[k][0] for k, _ in ranked] == ["source", "copy", "other"]
    why = dict(ranked[0][1].source_of)
    assert set(why) == {"copy"} and "likelier source" in why["copy"]
    # the other hit explains the same text but is not the source's copy: it keeps its place
    assert ranked[2][1].source_of == ()


def test_a_source_of_a_small_part_of_a_hit_does_not_outrank_it():
    # the wire story explains a fifth of what the roundup explains: not "the same text"
    hits = [("roundup", None, _hit(0, 9)), ("wire", None, _hit(0, 1))]
    assert _order(hits, _stored(roundup_wire="wire")) == ["roundup", "wire"]


def test_dates_decide_between_hits_never_compared():
    hits = [("late", "2016-02-03", _hit(0, 8)), ("early", "2016-02-02T09:00", _hit(0, 5))]
    assert _order(hits) == ["early", "late"]
    why = dict(rank_hits(Q, hits)[0][1].source_of)["late"]
    assert "dated earlier" in why
    # a stored comparison that judged them not derived outranks the dates
    assert _order(hits, _stored(early_late=None)) == ["late", "early"]
    # a year alone orders nothing
    hits = [("late", "2017-01-01", _hit(0, 8)), ("early", "2016", _hit(0, 5))]
    assert _order(hits) == ["late", "early"]


def test_earlier_compares_at_the_precision_both_dates_have():
    assert earlier("2016-02-02T23:00+01:00", "2016-02-02T22:30:00Z")
    assert not earlier("2016-02-02", "2016-02-02T08:00")  # same day, one without a time
    assert earlier("2016-02-01", "2016-02-02T08:00")
    assert not earlier(None, "2016-02-02") and not earlier("2016-02", "2016-03-01")


def test_siblings_copying_one_wire_story_are_not_each_others_source():
    # trim and paper both copy the wire; pair by pair, trim (dated earlier) looks like
    # the paper's source, but the story's provenance traces both to the wire
    hits = [("paper", "2016-02-03", _hit(0, 9)), ("trim", "2016-02-02T12:00", _hit(0, 5)),
            ("wire", "2016-02-02T10:00", _hit(0, 7, edit=0.1))]
    story = {"paper": "s", "trim": "s", "wire": "s"}
    parents = {"paper": ("wire", "date"), "trim": ("wire", "date")}
    ranked = rank_hits(Q, hits, verdicts_from(story, parents))
    assert [hits[k][0] for k, _ in ranked] == ["wire", "paper", "trim"]
    assert "wire → paper, by date" in dict(ranked[0][1].source_of)["paper"]
    # a chain wire → trim → copy: the wire is the copy's source too
    parents = {"copy": ("trim", "date"), "trim": ("wire", "date")}
    hits = [("copy", None, _hit(0, 9)), ("trim", None, _hit(0, 5)), ("wire", None, _hit(0, 4))]
    v = verdicts_from({"copy": "s", "trim": "s", "wire": "s"}, parents)
    assert _order(hits, v) == ["wire", "trim", "copy"]
    # the chain may pass through a document that is not a hit
    assert _order([hits[0], hits[2]], v) == ["wire", "copy"]


def test_loops_of_evidence_and_ties_give_one_stable_order():
    # undated coverage asymmetry can say a → b → c → a; every hit is still placed once
    hits = [("a", None, _hit(0, 5)), ("b", None, _hit(0, 5)), ("c", None, _hit(0, 5))]
    loop = _stored(a_b="a", b_c="b", a_c="c")
    first = _order(hits, loop)
    assert sorted(first) == ["a", "b", "c"] and _order(hits[::-1], loop) == first
    # equal shares: the earlier date first, then the id
    hits = [("b", "2016-02-03", _hit(0, 5)), ("a", None, _hit(0, 5)), ("c", "2016-02-02", _hit(0, 5))]
    assert _order(hits, _stored(a_b=None, a_c=None, b_c=None)) == ["c", "b", "a"]


def test_derived_hits_come_before_non_derived_ones():
    hits = [("topic", None, _hit(0, 3, relation="non-derived")), ("copy", None, _hit(0, 1))]
    assert _order(hits) == ["copy", "topic"]


# -- issue 13's corpus, through the real engine ---------------------------------------------


@pytest.fixture(scope="module", params=["seeds", "examples"])
def family(request, tmp_path_factory):
    """(kind, index path, wire text, newspaper text) of a scanned four-document family."""
    d = tmp_path_factory.mktemp(f"family-{request.param}")
    corpus = _family.write(request.param, d / "c.jsonl")
    if corpus is None:
        pytest.skip("../shared/seeds is not present")
    scan(str(corpus), str(d / "out"), config=ScanConfig(workers=1))
    return (request.param, str(d / "out" / "index.duckdb"), *_family.texts(request.param))


def _rows(hits: list[dict]) -> list[tuple[str, float, list[str]]]:
    return [(h["id"], h["explains"], [c["id"] for c in h["source_of"]]) for h in hits]


def _check_family(kind: str, hits: list[dict], text: str) -> None:
    ids = [h["id"] for h in hits]
    assert set(ids) == {"wire", "trim", "copy", "paper"}
    # the original first, above each of its copies; lifted above those that explain
    # more of the query (the paper's version), with the evidence
    assert ids[0] == "wire"
    lifted = {c["id"] for c in hits[0]["source_of"]}
    assert "paper" in lifted
    assert lifted == {h["id"] for h in hits[1:] if round(h["explains"], 2) > round(hits[0]["explains"], 2)}
    assert all("provenance traces" in c["evidence"] for c in hits[0]["source_of"])
    # otherwise the order follows how much of the query each explains
    assert _family.order_is_explained(_rows(hits)) == []
    shares = [h["explains"] for h in hits[1:]]
    assert shares == sorted(shares, reverse=True)
    assert [h["a_coverage"] for h in hits[1:]] == sorted((h["a_coverage"] for h in hits[1:]), reverse=True)
    q = tokenize(text)
    for h in hits:
        passages = [Passage(**p) for p in h["passages"]]
        assert h["explains"] == literal_share(q, passages) <= h["a_coverage"]
    if kind == "seeds":
        assert ids == ["wire", "paper", "trim", "copy"]
        wire = hits[0]
        assert wire["a_coverage"] >= 0.6 and wire["conflicts"]  # the original carries the conflict


def test_searcher_ranks_the_original_above_its_copies(family):
    kind, index, _, paper = family
    with Searcher(index, workers=1) as s:
        for text in (paper, _family.made_from(paper)):
            _check_family(kind, [h.to_dict() for h in s.query(text)], text)


def test_cli_query_json_gives_the_same_order(family, tmp_path):
    kind, index, _, paper = family
    text = _family.made_from(paper)
    path = tmp_path / "made.txt"
    path.write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "wiretrace", "query", index, str(path), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    _check_family(kind, hits, text)
    with Searcher(index, workers=1) as s:
        assert [h["id"] for h in hits] == [h.id for h in s.query(text)]
    # the table says why the original sits above a hit that explains more
    r = subprocess.run([sys.executable, "-m", "wiretrace", "query", index, str(path)],
                       capture_output=True, text=True, timeout=120, env={"COLUMNS": "200", **_env()})
    assert r.returncode == 0, r.stderr
    assert "explains" in r.stdout
    assert "wire ranks above paper as its likelier source: the story's provenance" in r.stdout


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "COLUMNS"}

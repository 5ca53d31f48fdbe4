"""Candidate generation: the SQL plans (reuse and story), their Python references,
pruning, outlet boilerplate and exact duplicates."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.candidates import (MAX_PER_DOC, STORY_RANK_SQL, ReusePlan, StoryPlan, body_hash,
                                  candidate_pairs,
                                  candidate_steps, exact_groups, locality_order, outlet_common,
                                  postings_arrays, story_scores, story_steps)
from wiretrace.errors import ConfigError
from wiretrace.fingerprint import document_fingerprints
from wiretrace.normalize import tokenize
from wiretrace.storyterms import story_terms


def run_sql(grams, hashes=None, sources=None, dates=None, new_from=None, **options):
    """Run the plan on DuckDB over in-memory tables; returns ``{(a, b): (shared, exact)}``."""
    con = duckdb.connect()
    docs, gram = postings_arrays(sorted(grams.items()))
    con.register("p_in", pa.table({"doc": docs, "gram": gram}))
    con.execute("CREATE TABLE postings AS SELECT * FROM p_in")
    ids = sorted(set(grams) | set(hashes or {}))
    con.register("m_in", pa.table({
        "doc": pa.array(ids, pa.int32()),
        "source": [(sources or {}).get(d) for d in ids],
        "ts": pa.array([(dates or {}).get(d) for d in ids], pa.timestamp("us")),
        "body_hash": pa.array([(hashes or {}).get(d) for d in ids], pa.int64())}))
    con.execute("CREATE TABLE doc_meta AS SELECT * FROM m_in")
    for name, sql in candidate_steps(ReusePlan(**options), new_from=new_from):
        con.execute(f"CREATE TABLE {name} AS {sql}")
    rows = con.execute("SELECT a, b, shared, exact FROM candidates").fetchall()
    return {(a, b): (s, e) for a, b, s, e in rows}


def fps(text: str) -> np.ndarray:
    return document_fingerprints(tokenize(text), 5)


WIRE = ("Italian Foreign Minister Paolo Gentiloni said talks in Rome on the crisis in Libya went "
        "well and both countries agreed a political settlement was the only way forward for the "
        "divided country and its rival governments.")
FOOTER = ("Subscribe to the Daily Bugle morning briefing for the best of our journalism delivered "
          "straight to your inbox every weekday before breakfast.")


def test_sql_plan_matches_python_reference_on_random_corpus():
    rng = random.Random(7)
    grams = {d: np.array(sorted(rng.sample(range(60), rng.randint(3, 25))), dtype=np.int64)
             for d in range(40)}
    hashes = {d: rng.choice([None, 1, 2, 3, 4, 5, 6, 7, 8]) for d in range(40)}
    sources = {d: rng.choice([None, "X", "Y"]) for d in range(40)}
    base = datetime(2024, 1, 1)
    dates = {d: rng.choice([None, base, base + timedelta(days=3), base + timedelta(days=30)])
             for d in range(40)}
    opts = dict(max_df=12, min_shared=2, min_containment=0.1, max_per_doc=5,
                boilerplate_min_docs=4, story_max_days=7)
    want = candidate_pairs(ReusePlan(**opts), grams, hashes, sources=sources, dates=dates)
    got = run_sql(grams, hashes, sources, dates, **opts)
    assert got == want
    assert len(want) > 10  # the corpus really exercises the plan


def test_copies_pair_and_unrelated_texts_do_not():
    grams = {1: fps(WIRE), 2: fps("Officials said " + WIRE + " More later."),
             3: fps("The council voted to close three libraries in the northern districts.")}
    got = run_sql(grams, max_df=50, min_shared=2)
    assert list(got) == [(1, 2)]
    assert got[(1, 2)][0] >= 10


def test_document_frequency_pruning_drops_ubiquitous_grams():
    shared = np.array([1, 2, 3], dtype=np.int64)
    grams = {d: np.concatenate([shared, [100 + d]]) for d in range(6)}
    assert run_sql(grams, max_df=5, min_shared=2) == {}
    assert len(run_sql(grams, max_df=6, min_shared=2)) == 15


def test_min_shared_and_containment_floor():
    grams = {1: np.arange(0, 100), 2: np.r_[np.arange(0, 3), np.arange(500, 600)]}
    assert run_sql(grams, max_df=50, min_shared=2, min_containment=0.0) == {(1, 2): (3, False)}
    # three shared grams out of a hundred is a stock phrase, not reuse
    assert run_sql(grams, max_df=50, min_shared=2, min_containment=0.05) == {}
    assert run_sql(grams, max_df=50, min_shared=4, min_containment=0.0) == {}


def test_outlet_boilerplate_is_not_evidence_but_story_updates_are():
    base = datetime(2024, 1, 1)
    stories = [f"Story number {k} is about the {w} harbour reopening after the long winter storms"
               for k, w in enumerate(["northern", "southern", "eastern", "western", "central"])]
    grams = {k: fps(s + ". " + FOOTER) for k, s in enumerate(stories)}
    sources = {k: "Bugle" for k in grams}
    spread = {k: base + timedelta(days=10 * k) for k in grams}
    # the footer recurs in five documents over forty days: boilerplate, no pair
    assert run_sql(grams, sources=sources, dates=spread, max_df=50, min_shared=2) == {}
    # the same text within a week is one story told in updates: pairs stay
    close = {k: base + timedelta(hours=k) for k in grams}
    assert len(run_sql(grams, sources=sources, dates=close, max_df=50, min_shared=2)) == 10
    # different outlets never make each other's boilerplate
    mixed = {k: f"outlet{k}" for k in grams}
    assert len(run_sql(grams, sources=mixed, dates=spread, max_df=50, min_shared=2)) == 10
    common = outlet_common({k: set(g.tolist()) for k, g in grams.items()}, sources, spread,
                           min_docs=5, max_days=7)
    assert common and all(src == "Bugle" for src, _ in common)


def test_exact_duplicates_always_pair_even_without_grams():
    short = tokenize("Shr 10 cts.")
    assert len(document_fingerprints(short, 5)) == 0
    h = body_hash(short)
    assert h == body_hash(tokenize("SHR  10\nCTS"))
    got = run_sql({1: np.zeros(0, np.int64), 2: np.zeros(0, np.int64), 3: np.zeros(0, np.int64)},
                  {1: h, 2: h, 3: None}, max_df=50, min_shared=2)
    assert got == {(1, 2): (0, True)}
    assert body_hash(tokenize("...")) is None


def test_large_exact_groups_are_bounded():
    group = {d: 42 for d in range(30)}
    got = run_sql({d: np.zeros(0, np.int64) for d in group}, group, max_df=50, min_shared=2,
                  exact_clique=4)
    want = candidate_pairs(ReusePlan(max_df=50, min_shared=2, exact_clique=4),
                           {d: np.zeros(0, np.int64) for d in group}, group)
    assert got == want
    assert all(a == 0 for a, b in got if b >= 4)  # star on the first member past the clique
    assert len(got) == 29 + 3 + 2 + 1 - 3  # star (29) + clique among 1..3 (3)
    assert exact_groups(group) == [sorted(group)]


def test_exact_step_bounds_one_side_alone():
    # implied by the clique rule, but only a one-sided bound is pushed below the join
    # (Spark and DuckDB): a body shared by n documents costs n·clique rows, not n²
    sql = dict(candidate_steps(ReusePlan(max_df=50, min_shared=2, exact_clique=8)))["exact"]
    assert "AND x.r <= 8" in sql


def test_pairs_per_document_are_capped():
    grams = {0: np.arange(0, 300)}
    grams.update({d: np.arange(d, d + 10) for d in range(1, 200)})
    opts = dict(max_df=50, min_shared=2, min_containment=0.0)
    uncapped = run_sql(grams, max_per_doc=10_000, **opts)
    got = run_sql(grams, max_per_doc=7, **opts)
    assert len(got) < len(uncapped)
    assert len(got) <= 2 * 7 * len(grams)  # the bound whatever the corpus
    assert got == candidate_pairs(ReusePlan(max_per_doc=7, **opts), grams)
    assert MAX_PER_DOC >= 10


def test_new_from_keeps_only_pairs_with_new_documents():
    grams = {1: fps(WIRE), 2: fps(WIRE + " Extra."), 3: fps("Update: " + WIRE)}
    everything = run_sql(grams, max_df=50, min_shared=2)
    assert len(everything) == 3
    assert set(run_sql(grams, max_df=50, min_shared=2, new_from=3)) == {(1, 3), (2, 3)}


@pytest.mark.parametrize("bad", [dict(max_df=1, min_shared=2), dict(max_df=50, min_shared=0),
                                 dict(max_df=50, min_shared=2, min_containment=2.0),
                                 dict(max_df=50, min_shared=2, boilerplate_min_docs=1)])
def test_invalid_options_raise_config_error(bad):
    with pytest.raises(ConfigError):
        candidate_steps(ReusePlan(**bad))


# -- the story plan -------------------------------------------------------------------

def run_story_sql(terms, sources=None, dates=None, reuse=(), new_from=None, **options):
    """Run the story plan (and the ranks) on DuckDB; returns ``{(a, b): (score, a_rank, b_rank)}``."""
    con = duckdb.connect()
    cols = {"doc": [], "term": [], "tf": [], "kind": [], "line": []}
    for doc, (t, f, k, ln) in sorted(terms.items()):
        cols["doc"] += [doc] * len(t)
        for name, arr in zip(("term", "tf", "kind", "line"), (t, f, k, ln)):
            cols[name] += arr.tolist()
    con.register("t_in", pa.table({"doc": pa.array(cols["doc"], pa.int32()),
                                   "term": pa.array(cols["term"], pa.int64()),
                                   "tf": pa.array(cols["tf"], pa.float64()),
                                   "kind": pa.array(cols["kind"], pa.int8()),
                                   "line": pa.array(cols["line"], pa.int64())}))
    con.execute("CREATE TABLE story_terms AS SELECT * FROM t_in")
    ids = sorted(terms)
    con.register("m_in", pa.table({
        "doc": pa.array(ids, pa.int32()), "source": [(sources or {}).get(d) for d in ids],
        "ts": pa.array([(dates or {}).get(d) for d in ids], pa.timestamp("us")),
        "body_hash": pa.array([None] * len(ids), pa.int64())}))
    con.execute("CREATE TABLE doc_meta AS SELECT * FROM m_in")
    con.execute("CREATE TABLE candidates (a INTEGER, b INTEGER, shared INTEGER, exact BOOLEAN)")
    for a, b in reuse:
        con.execute("INSERT INTO candidates VALUES (?, ?, 1, false)", [a, b])
    for name, sql in story_steps(StoryPlan(**options), new_from=new_from):
        con.execute(f"CREATE TABLE {name} AS {sql}")
    rows = con.execute(STORY_RANK_SQL).fetchall()
    return {(a, b): (s, ra, rb) for a, b, s, ra, rb in rows}


def random_terms(rng, n_docs=40, vocab=80):
    out = {}
    for d in range(n_docs):
        k = rng.randint(0, 25)
        terms = rng.sample(range(vocab), k)
        out[d] = (np.array(terms, np.int64), np.array([float(rng.choice([1, 2, 3, 5])) for _ in terms]),
                  np.array([rng.choice([0, 0, 1, 2]) for _ in terms], np.int8),
                  np.array([rng.choice([7, 8, 9, d]) for _ in terms], np.int64))
    return out


def test_story_sql_matches_python_reference_on_random_corpus():
    rng = random.Random(11)
    terms = random_terms(rng)
    sources = {d: rng.choice([None, "X", "Y"]) for d in terms}
    base = datetime(2024, 1, 1)
    dates = {d: rng.choice([None, base, base + timedelta(days=30)]) for d in terms}
    reuse = [(1, 2), (3, 30)]
    opts = dict(top_terms=8, min_terms=1, max_postings=12, max_partners=5, boilerplate_min_docs=4,
                story_max_days=7, min_score=0.02)
    want = story_scores(StoryPlan(**opts), terms, reuse, sources=sources, dates=dates)
    got = run_story_sql(terms, sources, dates, reuse, **opts)
    assert {k: v[0] for k, v in got.items()} == pytest.approx(want, abs=2e-6)
    assert set(got) == set(want) and len(want) > 20
    # a_rank is b's place among a's partners, by score
    for doc in terms:
        mine = sorted(((s, ra if a == doc else rb, b if a == doc else a)
                       for (a, b), (s, ra, rb) in got.items() if doc in (a, b)),
                      key=lambda x: (-x[0], x[2]))
        assert [r for _, r, _ in mine] == list(range(1, len(mine) + 1))


def _doc_terms(text, title=None):
    t = story_terms(text, title)
    return t.terms, t.tf, t.kind, t.lines


QUAKE_A = ["A 5.9 magnitude earthquake struck Qeshm island in the Persian Gulf, killing 10 people, "
           "Iranian state television reported.",
           "Ten people died when a strong quake shook Qeshm island off southern Iran, the Iranian "
           "Red Crescent said.",
           "The 5.9 quake on Qeshm damaged villages; rescuers searched for survivors on the island."]
QUAKE_B = ["A 6.2 magnitude earthquake hit Bam in southeastern Iran, flattening the ancient citadel "
           "and killing thousands.",
           "Rescue teams dug through the rubble of Bam after the 6.2 quake destroyed the citadel.",
           "Thousands died in Bam as the earthquake brought down mud-brick homes around the citadel."]


def test_story_scores_favour_the_same_event_over_the_same_kind_of_event():
    texts = QUAKE_A + QUAKE_B + [WIRE, "The council voted to close three libraries to save money."]
    terms = {d: _doc_terms(x) for d, x in enumerate(texts)}
    got = run_story_sql(terms, top_terms=20, min_terms=2)
    score = lambda a, b: got.get((a, b), (0.0,))[0]  # noqa: E731
    same = [score(0, 1), score(0, 2), score(1, 2), score(3, 4), score(3, 5), score(4, 5)]
    cross = [score(a, b) for a in range(3) for b in range(3, 6)]
    assert min(same) > max(cross)
    assert not [k for k in got if 6 in k or 7 in k]  # unrelated texts get no story pair


def test_an_outlet_footer_paragraph_is_no_story_evidence():
    base = datetime(2024, 1, 1)
    topics = ["harbour reopened after the winter storms", "school board approved bus routes",
              "orchestra announced free summer concerts", "fire brigade warned hikers on ridges",
              "hospital opened a maternity wing"]
    terms = {k: _doc_terms(f"The {t}.\n\n{FOOTER}") for k, t in enumerate(topics)}
    terms[9] = _doc_terms(WIRE)  # a term in every document would tell nothing anyway
    sources = {k: "Bugle" for k in terms}
    spread = {k: base + timedelta(days=10 * k) for k in terms}
    assert run_story_sql(terms, sources, spread, top_terms=20, min_terms=1) == {}
    # printed by five outlets (undated), the same paragraph pairs every document with every other
    assert len(run_story_sql(terms, {k: f"o{k}" for k in terms}, None, top_terms=20,
                             min_terms=1)) == 10
    # documents further apart than a story may last are no story candidates
    close = {k: base + timedelta(days=k) for k in terms}
    far = {k: base + timedelta(days=9 * k) for k in terms}
    mixed = {k: f"o{k}" for k in terms}
    assert len(run_story_sql(terms, mixed, close, top_terms=20, min_terms=1)) == 10
    assert run_story_sql(terms, mixed, far, top_terms=20, min_terms=1) == {}


def test_story_plan_new_from_and_options():
    terms = {d: _doc_terms(x) for d, x in enumerate(QUAKE_A + QUAKE_B)}
    assert set(run_story_sql(terms, top_terms=20, min_terms=2, new_from=2)) >= {(0, 2), (1, 2)}
    assert all(b >= 2 for _, b in run_story_sql(terms, top_terms=20, min_terms=2, new_from=2))
    with pytest.raises(ConfigError):
        story_steps(StoryPlan(top_terms=0, min_terms=2))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=80))
def test_locality_order_is_a_permutation(edges):
    a = np.array([x for x, _ in edges], np.int64)
    b = np.array([y for _, y in edges], np.int64)
    order = locality_order(a, b)
    assert sorted(order.tolist()) == list(range(len(edges)))


def test_locality_order_keeps_families_of_copies_together():
    # three families of six documents each, their ids interleaved across the
    # corpus (as copies arrive over time), every pair within a family a candidate
    families = [list(range(f, 18, 3)) for f in range(3)]
    pairs = sorted((x, y) for fam in families for i, x in enumerate(fam) for y in fam[i + 1:])
    a, b = np.array(pairs).T
    order = locality_order(a, b)
    seen = [next(k for k, fam in enumerate(families) if a[i] in fam) for i in order]
    # each family's 15 pairs form one run; in (a, b) order they alternate
    runs = 1 + sum(x != y for x, y in zip(seen, seen[1:]))
    assert runs == 3
    assert 1 + sum(x % 3 != y % 3 for x, y in zip(a, a[1:])) > 3

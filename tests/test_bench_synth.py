"""bench/gen_synth.py: determinism and the consistency of its truth (small corpora).

Skipped when ../shared (Reuters-21578 and BBC) is absent.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from conftest import SHARED

BENCH = Path(__file__).resolve().parents[1] / "bench"
pytestmark = [pytest.mark.shared, pytest.mark.skipif(
    not (SHARED / "data" / "reuters21578").exists() or not (SHARED / "data" / "bbc_news_greene2006").exists(),
    reason="../shared/data (Reuters-21578, BBC) is not present")]

N = 800
# a derivation-heavy mix so that every kind shows up in a small corpus
ARGS = ["--docs", str(N), "--orig-share", "0.05", "--derived-share", "0.5", "--heldout", "20",
        "--max-family", "12"]


@pytest.fixture(scope="module")
def gs():
    sys.path.insert(0, str(BENCH))
    import gen_synth

    return gen_synth


def _run(gs, out: Path, seed: int) -> Path:
    assert gs.main([*ARGS, "--seed", str(seed), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def corpus(gs, tmp_path_factory) -> dict:
    path = _run(gs, tmp_path_factory.mktemp("a") / "s.jsonl", 3)
    docs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    truth = [json.loads(x) for x in path.with_suffix(".truth.jsonl").read_text(encoding="utf-8").splitlines()]
    held = [json.loads(x) for x in path.with_suffix(".heldout.jsonl").read_text(encoding="utf-8").splitlines()]
    meta = json.loads(path.with_suffix(".meta.json").read_text())
    return {"path": path, "docs": docs, "by_id": {d["id"]: d for d in docs}, "truth": truth,
            "tmap": {t["id"]: t for t in truth}, "held": held, "meta": meta}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _grams(text: str, n: int) -> set[str]:
    w = _words(text)
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


def test_deterministic(gs, corpus, tmp_path):
    again = _run(gs, tmp_path / "s.jsonl", 3)
    for suffix in (".jsonl", ".truth.jsonl", ".heldout.jsonl"):
        assert again.with_suffix(suffix).read_bytes() == corpus["path"].with_suffix(suffix).read_bytes()
    other = _run(gs, tmp_path / "o.jsonl", 4)
    assert other.read_bytes() != corpus["path"].read_bytes()


def test_shape(corpus):
    docs, meta = corpus["docs"], corpus["meta"]
    assert len(docs) == N
    assert len({d["id"] for d in docs}) == N
    assert all(d["text"].strip() and d["source"] and d["date"] and d["title"] is not None for d in docs)
    assert meta["originals"] + meta["derived"] + meta["filler"] == N
    kinds = {t["kind"] for t in corpus["truth"]}
    assert {"original", "verbatim", "trimmed", "edited", "paraphrased", "merged", "chain"} <= kinds
    # the written order is chronological, like a crawl
    assert [d["date"] for d in docs] == sorted(d["date"] for d in docs)


def test_truth_consistent(corpus):
    by_id, tmap = corpus["by_id"], corpus["tmap"]
    per_root: dict[str, int] = {}
    for t in corpus["truth"]:
        assert t["id"] in by_id
        if t["kind"] == "original":
            assert t["sources"] == [] and t["roots"] == [t["id"]]
            continue
        assert 1 <= len(t["sources"]) <= 2 and (len(t["sources"]) == 2) == (t["kind"] == "merged")
        for r in t["roots"]:
            assert tmap[r]["kind"] == "original"
            per_root[r] = per_root.get(r, 0) + 1
        text = by_id[t["id"]]["text"]
        for s in t["sources"]:
            assert s in tmap, "a source is an original or a derived document, never filler"
            assert by_id[s]["date"] < by_id[t["id"]]["date"], "derived later than its source"
            assert set(tmap[s]["roots"]) <= set(t["roots"]) or t["kind"] == "merged"
            # real shared content: at least one 5-word run with each source
            assert _grams(text, 5) & _grams(by_id[s]["text"], 5), (t["id"], s, t["kind"])
        assert t["depth"] == 1 + max(tmap[s]["depth"] for s in t["sources"]) or t["kind"] == "merged"
    assert max(per_root.values()) <= 12


def test_spans(corpus):
    by_id = corpus["by_id"]
    for t in corpus["truth"]:
        if t["kind"] == "original":
            continue
        text = by_id[t["id"]]["text"]
        assert t["spans"], t["id"]
        ends = [-1]
        for d0, d1, k, s0, s1 in t["spans"]:
            assert 0 <= d0 < d1 <= len(text) and d0 > ends[-1], "in bounds, in order, disjoint"
            ends.append(d1)
            src = by_id[t["sources"][k]]["text"]
            assert 0 <= s0 < s1 <= len(src)
            mine, theirs = text[d0:d1], src[s0:s1]
            op = t.get("op", t["kind"])
            if op in ("verbatim", "trimmed", "merged"):
                assert mine == theirs
            elif len(_words(theirs)) >= 5:  # edited / paraphrased paragraphs keep most words
                a, b = set(_words(mine)), set(_words(theirs))
                assert len(a & b) >= 0.3 * min(len(a), len(b)), (t["id"], mine, theirs)


def test_filler_reuses_nothing(corpus):
    """No filler document shares an 8-word run with any other document (filler numbers
    are random, so masked numbers would only match layouts like "0 0 0 and 0 0")."""
    def body(d: dict) -> str:  # outlets' footers are meant to recur
        return d["text"].split("\n\n(c) ")[0]

    keys = {d["id"]: _grams(body(d), 8) for d in corpus["docs"]}
    filler = {d["id"] for d in corpus["docs"] if d["id"] not in corpus["tmap"]}
    assert len(filler) > N // 3
    seen: dict[str, str] = {}
    for d in corpus["docs"]:
        for g in keys[d["id"]]:
            other = seen.setdefault(g, d["id"])
            if other != d["id"]:
                assert d["id"] not in filler and other not in filler, (other, d["id"])


def test_heldout(corpus):
    assert len(corpus["held"]) == 20
    for h in corpus["held"]:
        assert h["id"] not in corpus["by_id"]
        for s in h["sources"]:
            assert s in corpus["tmap"]
            assert _grams(h["text"], 5) & _grams(corpus["by_id"][s]["text"], 5)

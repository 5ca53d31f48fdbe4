"""Conflicts inside aligned statements, and the aliases and formats that are not conflicts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wiretrace
from wiretrace.meaning.aliases import canonical, same_entity
from wiretrace.meaning.facts import quantities_and_dates
from wiretrace.normalize import tokenize

LEX = {"semantic": False}

BASE = ("The company said on Tuesday that it would cut 500 jobs at its plant in Detroit "
        "by the end of the year, the union said.")


def _conflicts(a: str, b: str, **kw):
    r = wiretrace.compare(a, b, **{**LEX, **kw})
    assert r.passages, "the crafted pair must align"
    for c in r.conflicts:
        assert a[c.a_start:c.a_end] == c.a_text
        assert b[c.b_start:c.b_end] == c.b_text
    return r.conflicts


@pytest.mark.parametrize("b, kind, a_text, b_text", [
    (BASE.replace("500", "700"), "number", "500", "700"),
    (BASE.replace("Tuesday", "Wednesday"), "date", "Tuesday", "Wednesday"),
    (BASE.replace("Detroit", "Chicago"), "entity", "Detroit", "Chicago"),
    (BASE.replace("500 jobs", "1.2 million jobs"), "number", "500", "1.2 million"),
])
def test_edit_conflicts(b, kind, a_text, b_text):
    cs = _conflicts(BASE, b)
    assert [(c.kind, c.a_text, c.b_text) for c in cs] == [(kind, a_text, b_text)]


def test_negation_conflict():
    a = "The finance minister said the government would not raise taxes before the election next spring."
    b = "The finance minister said the government would raise taxes before the election next spring."
    cs = _conflicts(a, b)
    assert [c.kind for c in cs] == ["negation"]
    assert "not" in cs[0].a_text


def test_money_and_percent_units():
    a = "Analysts said the group had posted a profit of $5 million, up 20 percent from a year earlier, in the quarter."
    b = "Analysts said the group had posted a profit of $7 million, up 20 percent from a year earlier, in the quarter."
    cs = _conflicts(a, b)
    assert [(c.kind, c.a_text, c.b_text) for c in cs] == [("number", "$5 million", "$7 million")]


def test_quote_conflict_and_status():
    a = ('"The plan is a disaster for working families and we will fight it in every court," '
         'Smith told reporters.')
    b = ('"The plan is a catastrophe for working families and we will fight it in every court," '
         'Smith told reporters.')
    r = wiretrace.compare(a, b, **LEX)
    assert [q.status for q in r.a_quotes] == ["altered"]
    assert r.a_quotes[0].speaker == "Smith"
    qc = [c for c in r.conflicts if c.kind == "quote"]
    assert len(qc) == 1 and qc[0].a_text == "disaster" and qc[0].b_text == "catastrophe"


NUM_TEMPLATE = ("The agency said that {} people had been displaced by the fighting in the northern "
                "province since the start of the year.")
ENT_TEMPLATE = ("Officials said on Tuesday that {} forces had attacked the oil infrastructure near "
                "the coastal city of Sirte last week.")


@pytest.mark.parametrize("x, y", [
    ("five", "5"), ("10,000", "10000"), ("1.5 million", "1,500,000"), ("twenty", "20"),
    ("250,000", "250000"),
])
def test_number_formats_are_not_conflicts(x, y):
    assert _conflicts(NUM_TEMPLATE.format(x), NUM_TEMPLATE.format(y)) == []


@pytest.mark.parametrize("x, y", [
    ("Islamic State", "IS"), ("Islamic State", "Daesh"), ("ISIS", "ISIL"), ("IS", "Daesh"),
    ("U.S.", "US"), ("U.S.", "United States"), ("United States", "America"),
    ("U.N.", "UN"), ("United Nations", "UN"), ("Syrian", "Syria"),
])
def test_aliases_are_not_conflicts(x, y):
    assert _conflicts(ENT_TEMPLATE.format(x), ENT_TEMPLATE.format(y)) == []


@pytest.mark.parametrize("a, b", [
    ("Officials from 23 countries met in Rome to review the fight against the militants on Tuesday.",
     "Officials from 23 countries are in Rome to review the fight against the militants on Tuesday."),
    ("The one-day Rome meeting took place as talks have begun in Geneva to end the war.",
     "The one-day Rome meeting takes place as talks have begun in Geneva to end the war."),
    ("The meeting will cover stabilising areas such as the Iraqi city of Tikrit, officials said.",
     "The meeting will cover stabilizing areas such as the Iraqi city of Tikrit, officials said."),
    ("Washington has long said Syrian President Bashar al-Assad has lost the legitimacy to lead.",
     "Washington has long said Syrian President Bashar Al Assad has lost the legitimacy to lead."),
    ("Washington has long said Syrian President Bashar al-Assad has lost the legitimacy to lead.",
     "Washington has long said Syrian President Assad has lost the legitimacy to lead the country."),
    ("IS had since lost about 40 per cent of its territory in Iraq and 20 per cent in Syria.",
     "IS had since lost about 40% of its territory in Iraq and 20 percent in Syria."),
])
def test_edits_that_are_not_conflicts(a, b):
    assert _conflicts(a, b) == []


@pytest.mark.parametrize("x, y, same", [
    ("Islamic State", "ISIL", True), ("U.S.", "America", True), ("U.N.", "United Nations", True),
    ("Bashar al-Assad", "Assad", True), ("John Kerry", "Kerry", True), ("EU", "European Union", True),
    ("Iraq", "Iraqi", True), ("Britain", "British", True),
    ("Syria", "Iraq", False), ("Kerry", "Fabius", False), ("United States", "United Nations", False),
    ("Rome", "Paris", False),
])
def test_same_entity(x, y, same):
    assert same_entity(x, y) is same
    assert same_entity(y, x) is same


def test_canonical_folds_case_and_punctuation():
    assert canonical("U.S.") == canonical("US") == canonical("the United States")


def test_quantities_parse_formats():
    t = tokenize("five 5 10,000 10000 1.5 million 1,500,000 20 per cent 20% $3 billion")
    vals = [(f.value, f.unit) for f in quantities_and_dates(t, 0, len(t)) if f.kind == "number"]
    assert vals[0][0] == vals[1][0] == 5
    assert vals[2][0] == vals[3][0] == 10000
    assert vals[4][0] == vals[5][0] == 1_500_000
    assert vals[6] == vals[7] == (20, "percent")
    assert vals[8] == (3e9, "usd")


WORDS = ["the", "minister", "said", "on", "Tuesday", "that", "500", "troops", "would", "not",
         "leave", "Rome", "Paris", "in", "June", "2015", "five", "per", "cent", "IS", "Daesh",
         "\"", "Kerry", "told", "reporters", ",", ".", "\n"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), min_size=8, max_size=60),
       st.lists(st.tuples(st.integers(0, 59), st.sampled_from(WORDS)), max_size=6))
def test_offsets_in_bounds_and_fragments_match(words, edits):
    a = " ".join(words)
    mutated = list(words)
    for pos, w in edits:
        if pos < len(mutated):
            mutated[pos] = w
    b = "Intro line here.\n" + " ".join(mutated)
    r = wiretrace.compare(a, b, **LEX)
    last = -1
    for p in r.passages:
        assert 0 <= p.a_start < p.a_end <= len(a) and 0 <= p.b_start < p.b_end <= len(b)
        assert p.a_start >= last
        last = p.a_end
    b_sorted = sorted((p.b_start, p.b_end) for p in r.passages)
    assert all(x[1] <= y[0] for x, y in zip(b_sorted, b_sorted[1:]))
    for c in r.conflicts:
        assert 0 <= c.a_start <= c.a_end <= len(a) and 0 <= c.b_start <= c.b_end <= len(b)
        assert a[c.a_start:c.a_end] == c.a_text and b[c.b_start:c.b_end] == c.b_text
    for q in r.a_quotes:
        assert a[q.start:q.end] == q.text
    for q in r.b_quotes:
        assert b[q.start:q.end] == q.text
    assert 0.0 <= r.similarity <= 1.0

"""Reuse evidence: shared names, stock phrases, quotes and topical sentences are not reuse."""

import pytest
from hypothesis import given, settings, strategies as st

from wiretrace import compare
from wiretrace.config import CompareConfig
from wiretrace.meaning.evidence import weigh
from wiretrace.meaning.quotes import extract
from wiretrace.normalize import tokenize
from wiretrace.records import Evidence, Passage
from wiretrace.report import reuse_line

CHURCH = "the Fundamentalist Church of Jesus Christ of Latter Day Saints"

# two independent reports of one raid: they share the church's name, a stock
# phrase, and one speaker's quote, and tell the same facts in their own words
REPORT_A = (
    f"Texas authorities raided a ranch run by {CHURCH} on Thursday, officials said.\n\n"
    "Investigators were searching for evidence of underage marriages at the compound near Eldorado.\n\n"
    '"We are here to protect the children and nothing else," Sheriff David Doran told reporters.\n\n'
    "The group broke away from the mainstream Mormon church decades ago and still practises polygamy."
)
REPORT_B = (
    f"Members of {CHURCH} watched as state troopers entered their temple grounds.\n\n"
    '"We are here to protect the children and nothing else," Sheriff David Doran told reporters.\n\n'
    "More than 400 children were taken into state custody after the weekend search, a judge confirmed.\n\n"
    "Church leaders denied any wrongdoing and said the raid violated their religious freedom."
)


def test_a_shared_name_and_a_shared_quote_are_not_reuse():
    r = compare(REPORT_A, REPORT_B, semantic=False)
    assert r.relation == "non-derived"
    assert r.evidence.verdict == "shared-quotes"
    # the only passages kept are the quotation, and the result says why
    assert r.passages
    for p in r.passages:
        assert "protect the children" in REPORT_A[p.a_start:p.a_end]
    assert "quotation" in r.evidence.notes[0]
    assert "same speaker" in reuse_line(r)
    assert r.to_dict()["evidence"]["verdict"] == "shared-quotes"


def test_a_shared_name_alone_gives_no_passage():
    a = f"Police raided a ranch of {CHURCH} in west Texas on Thursday night."
    b = f"Leaders of {CHURCH} denied any wrongdoing in a statement from Utah."
    r = compare(a, b, semantic=False)
    assert r.relation == "non-derived" and r.passages == [] and r.a_coverage == 0.0
    assert r.evidence.verdict == "none"


def test_a_copied_paragraph_is_reuse():
    copied = ("Investigators were searching for evidence of underage marriages at the compound "
              "near Eldorado, where hundreds of followers had lived since 2004.")
    a = "A different lead written by the paper itself.\n\n" + copied
    b = "The wire's own lead about the raid in Texas.\n\n" + copied + "\n\nMore wire text follows here."
    r = compare(a, b, semantic=False)
    assert r.relation == "partially-derived" and r.evidence.verdict == "copied"
    assert r.evidence.longest_run >= CompareConfig().reuse_min_run_words


WIRE = [
    "The central bank raised its main interest rate to 4.5 percent on Thursday, the third rise this year.",
    "Governor Anna Lindqvist said inflation of 6.2 percent in March was far above the bank's target.",
    "Economists at Nordea had expected the bank to hold the rate until the summer.",
    "The krona rose 1.3 percent against the euro after the announcement in Stockholm.",
    "Lindqvist said further rises could follow if wage deals in April exceeded 4 percent.",
]
# the same sentences retold: short exact runs only, names and numbers kept
RETOLD = [
    "On Thursday the central bank lifted its main interest rate to 4.5 percent, its third rise this year.",
    "Inflation of 6.2 percent in March was well above the bank's target, Governor Anna Lindqvist said.",
    "Nordea economists had expected the bank to keep the rate on hold until summer.",
    "After the announcement in Stockholm the krona gained 1.3 percent against the euro.",
    "More rises could follow if April wage deals exceeded 4 percent, Lindqvist said.",
]


def test_a_text_retold_sentence_by_sentence_is_derived():
    r = compare("\n\n".join(RETOLD), "\n\n".join(WIRE), semantic=False)
    assert r.relation != "non-derived"
    assert r.evidence.verdict in ("rewritten", "copied")


def test_the_same_sentences_out_of_order_are_not_a_retelling():
    shuffled = [RETOLD[k] for k in (3, 0, 4, 1, 2)]
    r = compare("\n\n".join(shuffled), "\n\n".join(WIRE), semantic=False)
    assert r.evidence.rewritten < len(WIRE)


def test_ptb_quote_marks_and_quotes_over_lines():
    t = tokenize("Reid told People :\n`` No .\nI 've done it .\nTrust me . ''\nShe left .")
    quotes = extract(t)
    assert len(quotes) == 1
    assert quotes[0].text.startswith("No .") and quotes[0].text.rstrip().endswith("Trust me .")


def test_newsroom_quotes_over_paragraphs_stay_per_paragraph():
    text = '"We will win the vote," she said.\n\n"It is a good day\n\n"And a good year," she added.'
    spans = [q.text for q in extract(tokenize(text))]
    assert spans[0] == "We will win the vote"
    assert any(s.startswith("It is a good day") and "year" not in s for s in spans)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["the", "bank", "Rome", "said", "rate", "rose", "Kerry", "of", "4.5",
                                 "percent", "talks", "on", "Tuesday", "in"]), min_size=6, max_size=40),
       st.integers(0, 5), st.integers(1, 12))
def test_kept_passages_are_a_subset_and_no_evidence_means_no_passage(words, lo, width):
    text = " ".join(words)
    t = tokenize(text)
    if len(t) < lo + width:
        return
    s, e = int(t.starts[lo]), int(t.ends[lo + width - 1])
    p = Passage(s, e, s, e, "verbatim", 1.0, width, 0.0)
    ev, kept = weigh(t, t, [p], [], [], CompareConfig())
    assert isinstance(ev, Evidence)
    assert set(kept) <= {p}
    if ev.verdict == "none":
        assert kept == []
    if ev.verdict in ("copied", "rewritten"):
        assert kept == [p]


@pytest.mark.parametrize("verdict", ["copied", "rewritten", "shared-quotes", "none"])
def test_evidence_round_trips_through_json(verdict):
    ev = Evidence(verdict, 3, 4, 5, 1, 0.25, ["why"])
    assert Evidence.from_dict(ev.to_dict()) == ev


def _sentence_passages(order: list[int], dice: float) -> tuple:
    a = "\n\n".join(RETOLD[k] for k in order)
    b = "\n\n".join(WIRE)
    ps, at = [], 0
    b_at = [b.index(s) for s in WIRE]
    for k in order:
        s = RETOLD[k]
        ps.append(Passage(at, at + len(s), b_at[k], b_at[k] + len(WIRE[k]), "paraphrase", 0.9, 5,
                          1.0 - dice))
        at += len(s) + 2
    ps.sort(key=lambda p: p.a_start)
    return tokenize(a), tokenize(b), ps


@pytest.mark.parametrize("order,dice,verdict", [
    ([0, 1, 2, 3, 4], 0.5, "rewritten"),       # retold in order, content words shared
    ([3, 0, 4, 1, 2], 0.5, "none"),            # the same sentences, out of order: topic
    ([0, 1, 2, 3, 4], 0.1, "none"),            # in order, but only the model says so
    ([0, 1], 0.5, "none"),                     # two sentences are not a retelling
])
def test_rewritten_needs_order_shared_words_and_enough_sentences(order, dice, verdict):
    ta, tb, ps = _sentence_passages(order, dice)
    ev, kept = weigh(ta, tb, ps, [], [], CompareConfig())
    assert ev.verdict == verdict
    assert (kept == ps) == (verdict == "rewritten")

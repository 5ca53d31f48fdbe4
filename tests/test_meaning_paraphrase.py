"""Paraphrase passages (with the model when installed) and the lexical fallback."""

from __future__ import annotations

import pytest

import wiretrace
from wiretrace import meaning
from wiretrace.judge import coverage
from wiretrace.meaning import embed
from wiretrace.normalize import tokenize

HAS_ST = embed.installed()
needs_model = pytest.mark.skipif(not HAS_ST, reason="the default embedding model is not installed")

ORIGINAL = """The city council voted on Monday to close three public libraries by the end of March to save money.
The closures will affect about 40,000 residents, according to figures released by the council.
Mayor Linda Perez said the decision had been painful but that the budget left no other choice.
Library staff unions said they would challenge the plan in court and called for a public consultation.
The council expects the closures to save roughly 2 million dollars a year."""

# the same story, rewritten sentence by sentence
REWRITTEN = """On Monday, councillors decided that three of the city's public libraries will shut before the end of March in a bid to cut costs.
Roughly 40,000 people will be affected by the closures, council figures show.
The decision was a painful one, Mayor Linda Perez said, but the budget gave the city no alternative.
Unions representing library workers vowed to fight the plan in the courts and demanded that the public be consulted.
Annual savings from the closures are expected to reach about 2 million dollars, the council said."""

# lightly edited: most words kept
EDITED = """The city council voted Monday to close three public libraries by the end of March in order to save money.
The closures will affect some 40,000 residents, according to figures released by the city council.
Mayor Linda Perez said that the decision had been painful but the budget left no other choice.
Library staff unions said they would challenge the plan in court and called for public consultation.
The council expects the closures to save around 2 million dollars every year."""

UNRELATED = """Heavy snow closed several mountain passes in the Alps on Monday, stranding hundreds of skiers.
Rescue teams used helicopters to reach villages cut off by avalanches, local officials said.
Forecasters expect temperatures to rise later in the week, which could raise the avalanche risk further.
Rail services between the two largest resorts were suspended until further notice.
Tourism officials said bookings for the season had so far held up well despite the weather."""

SAME_TOPIC = """Residents packed a meeting at the town hall to protest against cuts to local services.
Several speakers said that libraries were a lifeline for elderly people and children in poorer areas.
A petition against the cuts has gathered thousands of signatures in the past month.
Council officials did not attend the meeting but said in a statement that they would listen to residents.
Campaigners plan a march to the town hall next Saturday."""


@needs_model
def test_rewritten_text_is_derived_with_paraphrases():
    r = wiretrace.compare(REWRITTEN, ORIGINAL)
    assert r.mode == "semantic"
    para = [p for p in r.passages if p.kind == "paraphrase"]
    assert len(para) >= 4
    assert r.relation != "non-derived"
    assert r.a_coverage >= 0.7
    for p in para:
        assert 0.0 <= p.score <= 1.0
        assert REWRITTEN[p.a_start:p.a_end].strip() and ORIGINAL[p.b_start:p.b_end].strip()


@needs_model
def test_coverage_and_similarity_rise_with_literalness():
    rewritten = wiretrace.compare(REWRITTEN, ORIGINAL)
    edited = wiretrace.compare(EDITED, ORIGINAL)
    copy = wiretrace.compare(ORIGINAL, ORIGINAL)
    verbatim_share = [coverage(tokenize(t), [(p.a_start, p.a_end) for p in r.passages
                                             if p.kind != "paraphrase"])
                      for r, t in ((rewritten, REWRITTEN), (edited, EDITED), (copy, ORIGINAL))]
    assert verbatim_share[0] < verbatim_share[1] <= verbatim_share[2]
    assert rewritten.similarity < edited.similarity <= copy.similarity
    assert copy.similarity >= 0.95


@needs_model
@pytest.mark.parametrize("other", [UNRELATED, SAME_TOPIC], ids=["unrelated", "same-topic"])
def test_no_paraphrase_between_different_stories(other):
    r = wiretrace.compare(other, ORIGINAL)
    assert not [p for p in r.passages if p.kind == "paraphrase"]
    assert r.relation == "non-derived"


@needs_model
def test_similarity_graded_without_passages():
    same_topic = wiretrace.compare(SAME_TOPIC, ORIGINAL).similarity
    unrelated = wiretrace.compare(UNRELATED, ORIGINAL).similarity
    assert 0.0 <= unrelated < same_topic < 1.0


def test_fallback_without_model_is_lexical():
    r = wiretrace.compare(REWRITTEN, ORIGINAL, semantic=False)
    assert r.mode == "lexical"
    assert 0.0 <= r.similarity <= 1.0
    for p in r.passages:
        assert 0 <= p.a_start < p.a_end <= len(REWRITTEN)
    # lexical evidence alone never pairs unrelated stories
    r2 = wiretrace.compare(UNRELATED, ORIGINAL, semantic=False)
    assert not r2.passages and r2.relation == "non-derived"
    assert r2.similarity < wiretrace.compare(EDITED, ORIGINAL, semantic=False).similarity


class _NotInstalled(embed.E5Small):
    """The default backend as on a machine without its package (a module that is not there)."""

    modules = ("wiretrace_no_such_embedding_package",)


@pytest.mark.parametrize("model", sorted(embed.BACKENDS))
def test_fallback_when_extra_missing(monkeypatch, model):
    monkeypatch.setitem(embed.BACKENDS, model, _NotInstalled())
    notice = meaning.backend_notice(model)
    assert "wiretrace[semantic]" in notice and "\n" not in notice and notice.startswith("semantic pass off")
    r = wiretrace.compare(EDITED, ORIGINAL, embed_model=model)
    assert r.mode == "lexical"
    assert r.passages
    lexical = wiretrace.compare(EDITED, ORIGINAL, semantic=False)
    assert r.passages == lexical.passages
    assert r.similarity == lexical.similarity


def test_backend_notice_is_one_line():
    notice = meaning.backend_notice()
    assert isinstance(notice, str) and notice and "\n" not in notice


@needs_model
def test_embedding_cache_and_batches():
    embed.clear_cache()
    v1 = embed.encode(["The council voted to close three libraries.", "Snow closed the passes."])
    info = embed.cache_info()
    assert info["misses"] == 2 and info["batches"] == 1
    v2 = embed.encode(["Snow closed the passes."])
    assert embed.cache_info()["hits"] == 1
    assert abs(float(v1[1] @ v2[0]) - 1.0) < 1e-5
    assert abs(float(v1[0] @ v1[0]) - 1.0) < 1e-5

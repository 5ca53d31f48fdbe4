"""Direct quotes: extraction, speakers and status against the other text."""

from __future__ import annotations

import pytest

import wiretrace
from wiretrace.meaning.quotes import extract
from wiretrace.normalize import tokenize


def _quotes(text: str):
    qs = extract(tokenize(text))
    for q in qs:
        assert text[q.start:q.end] == q.text
    return [(q.text, q.speaker) for q in qs]


@pytest.mark.parametrize("text, expected", [
    ('"We will win this fight," Kerry said.', [("We will win this fight", "Kerry")]),
    ("“We will win this fight,” said Kerry.", [("We will win this fight", "Kerry")]),
    ('"We will win this fight," he told reporters in Rome.', [("We will win this fight", "he")]),
    ('Kerry said the two sides were "on the brink of getting a deal".',
     [("on the brink of getting a deal", "Kerry")]),
    ('Hammond said: "There will be no combat troops on the ground."',
     [("There will be no combat troops on the ground.", "Hammond")]),
    ('"We will win this fight," Kerry told the conference. "That country has resources."',
     [("We will win this fight", "Kerry"), ("That country has resources.", "Kerry")]),
    ('British Foreign Secretary Philip Hammond said: "We will not send troops."',
     [("We will not send troops.", "Philip Hammond")]),
    ("No quotes here, only a ‘scare’ word.", []),
])
def test_extract_with_speaker(text, expected):
    assert _quotes(text) == expected


def test_pronoun_resolves_to_named_subject():
    text = ("French Foreign Minister Laurent Fabius dismissed speculation that Paris would intervene.\n"
            "“That is totally inexact,” he told reporters in Rome.")
    assert _quotes(text) == [("That is totally inexact", "Laurent Fabius")]


def test_quote_running_over_paragraphs():
    text = ('"We will support the new government in any practical way we can," Hammond said.\n'
            '"There are plenty of armed men in Libya. What they need is organisation."')
    got = _quotes(text)
    assert got[1] == ("There are plenty of armed men in Libya. What they need is organisation.", "Hammond")


def test_unclosed_quote_closes_at_paragraph_end():
    text = '"We will not give up the fight against the militants, he said\nNext paragraph.'
    got = _quotes(text)
    assert got == [("We will not give up the fight against the militants, he said", None)]


A = ('"That country has resources. The last thing in the world you want is a false caliphate," '
     'Kerry said. "In Libya, we are on the brink of getting a government of national unity," '
     'he added.\n"We have seen IS playing a game of metastasizing out to other countries," Kerry said.')
B = ('“That country has resources. The last thing in the world you want is a false caliphate,” '
     'Kerry said.\nKerry said the two sides were “on the brink of getting a government of national '
     'unity”.\n“We have seen Daesh playing a game of metastasizing out to other countries,” Kerry said.')


def test_status_exact_trimmed_altered():
    r = wiretrace.compare(A, B, semantic=False)
    status = {q.text[:20]: q.status for q in r.a_quotes}
    assert status["That country has res"] == "exact"
    assert status["In Libya, we are on "] == "trimmed"
    assert status["We have seen IS play"] == "altered"
    b_status = {q.text[:20]: q.status for q in r.b_quotes}
    assert b_status["on the brink of gett"] == "exact"
    # an alias swap inside a quote is an alteration, but not a conflict of facts
    assert not [c for c in r.conflicts if c.kind == "quote"]
    assert {q.speaker for q in r.a_quotes} == {"Kerry"}


def test_unmatched_quote():
    r = wiretrace.compare('"Nothing like this was ever said anywhere by anyone," Smith said.',
                          "An entirely different text about the weather in the mountains this week.",
                          semantic=False)
    assert [q.status for q in r.a_quotes] == ["unmatched"]

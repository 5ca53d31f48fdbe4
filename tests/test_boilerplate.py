from __future__ import annotations

import pytest

from wiretrace.boilerplate import boilerplate_spans, wire_signals
from wiretrace.normalize import paragraph_spans


def spans_text(text: str) -> list[str]:
    return [text[s:e] for s, e in boilerplate_spans(text, paragraph_spans(text))]


@pytest.mark.parametrize("text, expected", [
    ("By Arshad Mohammed and Crispian Balmer\nRome talks began.", ["By Arshad Mohammed and Crispian Balmer"]),
    ("ROME (Reuters) – Talks began today.", ["ROME (Reuters) – "]),
    ("NEW YORK, March 3 (AP) - Stocks fell.", ["NEW YORK, March 3 (AP) - "]),
    ("SALVADOR, Feb 26 - Showers continued.", ["SALVADOR, Feb 26 - "]),
    ("Rome: An international coalition said.", ["Rome: "]),
    ("Talks ended.\n(Additional Reporting by John Irish in Geneva; editing by Ralph Boulton)",
     ["(Additional Reporting by John Irish in Geneva; editing by Ralph Boulton)"]),
    ("Talks ended.\nReporting by Jo Bloggs; Editing by Ann Other", ["Reporting by Jo Bloggs; Editing by Ann Other"]),
    ("Talks ended.\n© 2016 Thomson Reuters. All rights reserved.", ["© 2016 Thomson Reuters. All rights reserved."]),
    ("Prices rose 3 pct in March.\n Reuter\n\x03", ["Reuter\n\x03"]),
])
def test_boilerplate_found(text, expected):
    assert spans_text(text) == expected


@pytest.mark.parametrize("text", [
    "By the end of the year, prices had doubled.",
    "By Tuesday, officials said, the talks had stalled.",
    "Reuters reported that the talks had stalled.",
    "The minister said: \"We will not give up.\"",
])
def test_content_is_not_boilerplate(text):
    assert spans_text(text) == []


def test_wire_signals():
    text = "By Jo Bloggs\nLONDON (Reuters) - Hi there.\n(Reporting by Jo Bloggs)"
    assert wire_signals(text, paragraph_spans(text)) == ["agency dateline (Reuters)", "byline", "credit line"]
    plain = "Prices rose on Monday.\nThey fell on Tuesday."
    assert wire_signals(plain, paragraph_spans(plain)) == []

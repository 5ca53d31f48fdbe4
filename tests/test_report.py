from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest
from rich.console import Console

from wiretrace import compare
from wiretrace.report.html import pair_fragment, render_html
from wiretrace.report.terminal import render_terminal

PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)",
            "</script><script>alert(2)</script>"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_article_text_and_labels_are_escaped(payload):
    body = "Talks to end the war in Yemen resumed in Geneva on Monday after a two-month pause today."
    a = f"{payload} {body} {payload}"
    b = f"{body} {payload}"
    r = compare(a, b)
    page = render_html(a, b, r, a_label=payload, b_label=payload, title=payload)
    tags = collect_tags(page)
    assert "img" not in {t for t, _ in tags}
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on")], "injected event handler"
    # the only script tags are ours
    assert len(re.findall(r"<script", page)) == 2
    assert payload not in page


def collect_tags(page: str) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, [k for k, _ in attrs]))

    P().feed(page)
    return found


def test_hover_links_counterparts():
    a = "Talks to end the war in Yemen resumed in Geneva on Monday after a two-month pause."
    r = compare(a, a)
    frag = pair_fragment(a, a, r)
    assert frag.count('data-p="0"') == 2


def test_terminal_render(seed_pair):
    a, b = seed_pair
    console = Console(record=True, width=160)
    console.print(render_terminal(a, b, compare(a, b), "000", "001"))
    out = console.export_text()
    assert "partially-derived" in out and "000" in out


def test_shared_quotes_are_flagged_in_terminal_and_html_views():
    from test_meaning_evidence import REPORT_A, REPORT_B

    r = compare(REPORT_A, REPORT_B, semantic=False)
    assert r.evidence.verdict == "shared-quotes" and r.relation == "non-derived"
    page = render_html(REPORT_A, REPORT_B, r)
    assert "wt-reuse-shared-quotes" in page and "shared quotations only" in page
    console = Console(width=120, record=True)
    console.print(render_terminal(REPORT_A, REPORT_B, r))
    out = console.export_text()
    assert "reuse evidence: shared quotations only" in " ".join(out.split())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_changed_words_are_marked_and_escaped(payload):
    body = ("Officials from 23 countries {} in Rome to review the fight against {} militants who have "
            "created a self-proclaimed Caliphate across swathes of Syria and Iraq.")
    a, b = body.format("are", payload), body.format("met", "Islamic State")
    r = compare(a, b, semantic=False)
    assert [p.kind for p in r.passages] == ["edited"]
    page = render_html(a, b, r)
    tags = collect_tags(page)
    assert "img" not in {t for t, _ in tags} and payload not in page
    assert not [x for _, attrs in tags for x in attrs if x.startswith("on")]
    assert '<del class="wt-d" title="B has “met”">are</del>' in page
    assert '<ins class="wt-i" title="A has “are”">met</ins>' in page
    # the hostile words are A's side of the change: in B's title, escaped
    title = re.search(r'<ins class="wt-i" title="A has “([^"<>]*)”">Islamic State</ins>', page).group(1)
    assert html.unescape(title) in payload and html.unescape(title) in a
    data = json.loads(re.search(r'<script type="application/json" id="wt-data">(.*?)</script>', page).group(1))
    assert [op["op"] for op in data["passages"][0]["ops"]] == ["replace", "replace"]

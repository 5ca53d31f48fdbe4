"""The corpus report's reuse graph and document list (wiretrace.report.corpus_html):
readable nodes and labels, a caption that says what the layout drew, and every
relation stated with its direction ("A copies B")."""

from __future__ import annotations

import html
import json
import re

import pytest

from wiretrace.report.corpus_html import _CSS, DocView, StoryView, reuse_graph_svg
from wiretrace.textfit import text_width


def _story(dates: list[str | None], edges: list[tuple[int, int, str, bool]], long: bool = False) -> StoryView:
    docs = [DocView(f"doc-{i}" + ("-with-a-long-identifier-indeed" if long else ""), date=d,
                    source="An Outlet With A Rather Long Name" if long else f"Outlet {i}") for i, d in enumerate(dates)]
    return StoryView("s", "h", docs, [{"source": docs[f].id, "derived": docs[t].id, "relation": rel,
                                       "primary": primary, "coverage": 0.5} for f, t, rel, primary in edges],
                     earliest=docs[0].id if dates[0] else None)


def _caption(svg: str) -> str:
    return html.unescape(re.search(r'<p class="wt-note wt-caption">(.*?)</p>', svg).group(1))


@pytest.mark.parametrize("long", [False, True])
def test_nodes_and_labels_are_readable_and_inside_the_picture(long):
    s = _story(["2024-01-01T08:00", "2024-01-01T12:00", "2024-01-02", None],
               [(0, 1, "wholly-derived", True), (0, 3, "partially-derived", True), (1, 2, "partially-derived", False)],
               long=long)
    svg = reuse_graph_svg(s)
    width, height = (float(x) for x in re.search(r'<svg[^>]* width="([\d.]+)" height="([\d.]+)"', svg).groups())
    # drawn at its own size: the viewBox is the picture, so nothing is scaled down
    assert re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups() == (f"{width:.0f}", f"{height:.0f}")
    assert all(float(r) >= 6 for r in re.findall(r'<circle [^>]*r="([\d.]+)"', svg))
    assert int(re.search(r"\.wt-graph text\{font:(\d+)px", _CSS).group(1)) >= 12
    for x, body in re.findall(r'<text x="([\d.]+)" y="[\d.]+"><tspan[^>]*>(.*?)</text>', svg):
        label = html.unescape(re.sub(r"<[^>]+>", "", body))
        assert float(x) + text_width(label, 13, bold=True) <= width + 1, label
    # every node's full label is its tooltip
    for d in s.documents:
        assert html.escape(d.id) in svg and d.source in html.unescape(svg)


def test_the_caption_says_what_was_drawn():
    mixed = _caption(reuse_graph_svg(_story(["2024-01-01", "2024-01-03", None, "2024-05"],
                                            [(0, 1, "wholly-derived", True)])))
    assert "2024-01-01 to 2024-01-03" in mixed and "the 2 documents without a day date" in mixed
    assert "red: wholly derived" in mixed and "orange" not in mixed and "dashed" not in mixed
    assert "earliest witness" in mixed
    dated = _caption(reuse_graph_svg(_story(["2024-01-01", "2024-01-02"],
                                            [(0, 1, "partially-derived", False)])))
    assert "without a day date" not in dated and "orange: partially derived" in dated and "dashed" in dated
    none = _caption(reuse_graph_svg(_story([None, None], [])))
    assert "no document has a day date" in none and "no copy" in none and "earliest" not in none
    same = _caption(reuse_graph_svg(_story(["2024-01-01", "2024-01-01"], [(0, 1, "wholly-derived", True)])))
    assert "same time" in same


def test_arrows_say_who_copies_whom():
    s = _story(["2024-01-01", "2024-01-02"], [(0, 1, "wholly-derived", True)])
    assert "doc-1 copies doc-0" in reuse_graph_svg(s)


def test_the_document_list_gives_each_relation_its_direction(tmp_path):
    """End to end: in a scan's report.html, each derived pair reads "X copies Y" from
    both documents' sections, the right way round (pairs.jsonl's ``source``)."""
    pytest.importorskip("starlette")
    from test_web import build_scan

    out = build_scan(tmp_path / "scan")
    page = (out / "report.html").read_text(encoding="utf-8")
    sections = dict(re.findall(r'<section class="wt-doc" id="(doc-[^"]+)">(.*?)</section>', page))
    anchor = lambda i: "doc-" + "".join(c if c.isalnum() else f"_{ord(c):x}" for c in i)  # noqa: E731
    pairs = [json.loads(line) for line in (out / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    checked = 0
    for p in pairs:
        if anchor(p["a"]) not in sections or anchor(p["b"]) not in sections:
            continue
        link = {x: f'<a href="#{anchor(x)}">{html.escape(x)}</a>' for x in (p["a"], p["b"])}
        if p["relation"] == "non-derived" or p["source"] is None:
            assert f"shares text with {link[p['b']]}" in sections[anchor(p["a"])]
            continue
        original, copy = (p["a"], p["b"]) if p["source"] == "a" else (p["b"], p["a"])
        assert f"this document copies {link[original]} ({p['relation']})" in sections[anchor(copy)]
        assert f"{link[copy]} copies this document ({p['relation']})" in sections[anchor(original)]
        checked += 1
    assert checked > 0
    assert " copies " in re.search(r'<details class="wt-pairview".*?</summary>', page, re.S).group(0)

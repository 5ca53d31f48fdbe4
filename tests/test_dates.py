"""Dates with precision and provenance (issue 13): parsing, page metadata,
datelines and bylines, ordering only where the dates order, and what reading
a corpus records."""

from __future__ import annotations

import json
import random

import pytest

from wiretrace.dates import (DateError, check_date, date_bounds, date_order, format_date, page_date, pair_dates,
                             parse_date, text_date)
from wiretrace.read import iter_documents
from wiretrace.records import Document
from wiretrace.stories import Link, Node, group_stories
from wiretrace.witness import _date_neighbours, earliest_witness


@pytest.mark.parametrize("value, iso, precision", [
    ("2016", "2016", "year"), ("2016-03", "2016-03", "month"), ("2016-03-01", "2016-03-01", "day"),
    ("2016-03-01T10:00:00+02:00", "2016-03-01T10:00:00+02:00", "day"),
])
def test_parse_keeps_the_text_and_its_precision(value, iso, precision):
    got = parse_date(value)
    assert (got.iso, got.precision) == (iso, precision)
    assert (got.when is None) == (precision != "day")


@pytest.mark.parametrize("bad", ["12/01/2016", "2016-13-01", "2016-02-30", "yesterday", "20160301"])
def test_check_date_names_the_bad_value_and_the_form(bad):
    with pytest.raises(DateError) as err:
        check_date(bad, "date")
    assert repr(bad) in str(err.value) and "ISO 8601" in str(err.value)
    assert check_date("", "date") is None and check_date(None, "date") is None


def test_only_day_dates_order_and_times_only_against_times():
    assert date_order("2016-03-01", "2016-03-02") == -1
    assert date_order("2016-03-02T01:00", "2016-03-01T23:00") == 1
    assert date_order("2016", "2017-01-01") is None  # a year orders nothing
    assert date_order("2016-03", "2016-04-01") is None
    assert date_order("2016-03-01", "2016-03-01T10:00") is None  # no time is not midnight
    assert date_order("2016-03-01T10:00Z", "2016-03-01T12:00+02:00") is None  # one instant
    assert pair_dates("2016", "2016-01-02") == (None, None)
    lo, hi = date_bounds("2016")
    assert (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31)


PAGE = ("<html><head><title>T</title>{head}</head><body><nav>Home</nav><article><h1>T</h1>"
        "{article}<p>The council voted on Tuesday to approve the new budget for the city.</p>"
        "</article><footer>{footer}</footer></body></html>")


@pytest.mark.parametrize("head, article, footer, want", [
    ('<meta property="article:published_time" content="2016-01-12T09:30:00Z">', "", "", "2016-01-12T09:30:00Z"),
    ('<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
     '"dateModified": "2016-02-01", "datePublished": "2016-01-12"}]}</script>', "", "", "2016-01-12"),
    ("", '<time datetime="2016-01-12T08:00:00Z">12 Jan</time>', "", "2016-01-12T08:00:00Z"),
    ("", '<span itemprop="datePublished" content="2016-01-12">Jan 12</span>', "", "2016-01-12"),
    ('<meta name="date" content="Tue, 12 Jan 2016 10:00:00 GMT">', "", "", "2016-01-12T10:00:00+00:00"),
    ("", "", "Copyright 2016 Example Media", None),
    ('<meta property="article:modified_time" content="2016-05-01T00:00:00Z">'
     '<meta http-equiv="last-modified" content="2016-05-01">', "", "© 2016", None),
    ("", '<time class="updated" datetime="2016-05-01">May 1</time>', "", None),
    ("", "", '<time datetime="2016-05-01">crawled</time>', None),
])
def test_page_dates_come_from_publication_metadata_only(head, article, footer, want):
    got = page_date(PAGE.format(head=head, article=article, footer=footer))
    assert (got.iso if got else None) == want


@pytest.mark.parametrize("text, want", [
    ("ROME, Jan. 12, 2016 (Reuters) - Kerry said on Tuesday the talks went well.", ("2016-01-12", "dateline")),
    ("By Jo Bloggs\nPublished 12 January 2016\nKerry said the talks went well.", ("2016-01-12", "byline")),
    ("Tuesday 12 January 2016 10.00 GMT\nKerry said the talks went well.", ("2016-01-12", "byline")),
    ("Kerry said on January 12, 2016 that the talks went well.", None),  # inside the story
    ("Updated 12 January 2016\nKerry said the talks went well.", None),
    ("Copyright 2016 Reuters\nKerry said the talks went well.", None),
    ("ROME (Reuters) - Kerry said the talks went well.", None),
])
def test_text_dates_come_from_a_dateline_or_byline_only(text, want):
    got = text_date(text)
    assert ((got[0].iso, got[1]) if got else None) == want


def test_reading_records_where_each_date_came_from(tmp_path):
    pytest.importorskip("trafilatura")
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "y", "text": "t", "date": "2016"}, {"id": "m", "text": "t", "date": "2016-01"},
        {"id": "d", "text": "t", "date": "2016-01-12T10:00:00Z"}, {"id": "n", "text": "t"}]))
    (tmp_path / "b.txt").write_text("WASHINGTON, March 3, 2015 (Reuters) - The Senate voted on a "
                                    "budget bill on Tuesday.", encoding="utf-8")
    (tmp_path / "c.txt").write_text("The Senate voted on a budget bill on Tuesday.", encoding="utf-8")
    body = "<p>The council voted on Tuesday to approve the new budget for the city, which " \
           "includes funding for schools and roads and a new bridge.</p>" * 3
    (tmp_path / "d.html").write_text(f"<html><body><article>{body}</article><footer>Copyright 2016 "
                                     "Example</footer></body></html>", encoding="utf-8")
    (tmp_path / "e.html").write_text(
        '<html><head><meta property="article:published_time" content="2016-01-12T09:00:00Z">'
        f'<meta property="og:site_name" content="Example News"></head><body><article>{body}'
        "</article></body></html>", encoding="utf-8")
    docs = {d.id: d for d in iter_documents(tmp_path) if isinstance(d, Document)}
    got = {k: (d.date, d.date_source, d.date_precision) for k, d in docs.items()}
    assert got == {
        "y": ("2016", "input", "year"), "m": ("2016-01", "input", "month"),
        "d": ("2016-01-12T10:00:00Z", "input", "day"), "n": (None, None, None),
        "b.txt": ("2015-03-03", "dateline", "day"), "c.txt": (None, None, None),
        "d.html": (None, None, None),  # only a copyright year: no date
        "e.html": ("2016-01-12T09:00:00Z", "page-metadata", "day")}
    assert docs["b.txt"].source is None and docs["c.txt"].source is None  # never the file name
    assert docs["e.html"].source == "Example News"


def test_a_year_bounds_a_story_only_where_it_is_certain():
    copy = dict(similarity=0.9, relation="wholly-derived", a_coverage=0.95, b_coverage=0.95)
    # a 2016 document may be any day of 2016: it joins a March 2016 copy...
    nodes = {1: Node("y", "2016"), 2: Node("d", "2016-03-01")}
    g = group_stories(nodes, [Link(1, 2, **copy)], story_threshold=0.2, story_max_days=7)
    assert g[1] == g[2]
    # ...but never one from 2018, whatever its real day
    nodes = {1: Node("y", "2016"), 2: Node("d", "2018-03-01")}
    g = group_stories(nodes, [Link(1, 2, **copy)], story_threshold=0.2, story_max_days=7)
    assert g[1] != g[2]


def test_earliest_witness_needs_evidence_for_every_ordered_document():
    # undated: only edges order; an isolated document is left out
    assert earliest_witness({1: None, 2: None, 3: None}, [(1, 2, "provenance")], []) == (1, "provenance")
    assert earliest_witness({1: None, 2: None}, [], []) == (None, None)
    assert earliest_witness({1: None, 2: None}, [(1, 2, "provenance"), (2, 1, "provenance")], []) == (None, None)
    # a year never orders; a day date does
    assert earliest_witness({1: "2016", 2: "2015"}, [], []) == (None, None)
    assert earliest_witness({1: "2016-01-12", 2: "2016-01-13", 3: "2016"}, [], []) == (1, "date")
    # the same day, one without a time: unordered
    assert earliest_witness({1: "2016-01-12", 2: "2016-01-12T09:00"}, [], []) == (None, None)
    # a dated text and an undated exact copy are one witness: the dated one is named
    assert earliest_witness({1: "2016-01-12", 2: None, 3: "2016-01-13"},
                            [(2, 3, "provenance")], [(1, 2)]) == (1, "date")
    # two undated copies of one text head the story: which came first is unknown
    assert earliest_witness({1: None, 2: None, 3: None}, [(1, 3, "provenance")], [(1, 2)]) == (None, None)
    # dates and edges together
    assert earliest_witness({1: "2016-01-12", 2: "2016-01-13", 3: None},
                            [(2, 3, "provenance")], []) == (1, "date+provenance")


def test_date_neighbours_match_the_definition():
    rng = random.Random(1)
    for _ in range(2000):
        n = rng.randint(1, 8)
        dates = {i: rng.choice(["2016-01-01", "2016-01-02"]) + (
            "T%02d:00" % rng.choice([1, 2, 3]) if rng.random() < 0.6 else "") for i in range(n)}
        group = {i: rng.choice([0, 1, 2, i + 10]) for i in range(n)}
        info = {i: parse_date(d) for i, d in dates.items()}
        dated = sorted(info, key=lambda x: (info[x].when.date(), x))
        pred, succ = _date_neighbours(dated, info, group)
        for x in dated:
            assert pred[x] == any(group[y] != group[x] and date_order(info[y], info[x]) == -1
                                  for y in dated)
            assert succ[x] == any(group[y] != group[x] and date_order(info[y], info[x]) == 1
                                  for y in dated)


@pytest.mark.parametrize("value, precision, shown", [
    ("2016-03-01", None, "2016-03-01"), ("2016-03-01", "day", "2016-03-01"),
    ("2016-03-01T10:00:00", None, "2016-03-01 10:00"), ("2016-03-01T10:00:59Z", None, "2016-03-01 10:00 UTC"),
    ("2016-03-01T10:00+00:00", None, "2016-03-01 10:00 UTC"), ("2016-03-01T10:00-05:30", None, "2016-03-01 10:00 -05:30"),
    ("2016-03", None, "2016-03 (month only)"), ("2016-03", "month", "2016-03 (month only)"),
    ("2016", None, "2016 (year only)"), ("2016-03-01", "month", "2016-03 (month only)"),
    (None, None, "undated"), ("", "day", "undated"), ("  ", None, "undated"),
    ("2019-02-05\"><img src=x onerror=alert(1)>", "day", "2019-02-05\"><img src=x onerror=alert(1)> (not a date)"),
    ("x" * 100, None, "x" * 39 + "… (not a date)"),
])
def test_format_date_says_its_precision(value, precision, shown):
    """One format for every page: the precision is said, never implied by a cut string."""
    assert format_date(value, precision) == shown


def test_the_viewer_and_the_report_format_dates_alike():
    pytest.importorskip("jinja2")
    from wiretrace.report.corpus_html import DocView, _date
    from wiretrace.web.app import _when

    for value, precision in [("2016-03-01T10:00:00Z", "day"), ("2016-03", "month"), ("2016", "year"), (None, None)]:
        assert _when(value, precision) == _date(DocView("d", date=value, date_precision=precision)) \
            == format_date(value, precision)

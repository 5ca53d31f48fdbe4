"""The check page's order (wiretrace.rank) on issue 13's four-document family, and a
side-by-side view for every hit, in process (Starlette TestClient)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")
pytest.importorskip("multipart")

from starlette.testclient import TestClient  # noqa: E402
from test_web import EVIL_ID, EXAMPLES, assert_inert, client, scan_dir  # noqa: E402,F401

from wiretrace.web import create_app  # noqa: E402



@pytest.fixture(scope="module")
def family_site(tmp_path_factory):
    """Issue 13's four-document family (seeds when present, else the example story), scanned;
    (TestClient, the newspaper's text)."""
    import _family
    from wiretrace.config import CompareConfig, ScanConfig
    from wiretrace.engines.local import scan

    d = tmp_path_factory.mktemp("family")
    kind = "seeds" if _family.write("seeds", d / "c.jsonl") else "examples"
    _family.write(kind, d / "c.jsonl")
    scan(str(d / "c.jsonl"), str(d / "out"), config=ScanConfig(compare=CompareConfig(semantic=False)))
    return TestClient(create_app(d / "out")), _family.texts(kind)[1], str(d / "out" / "index.duckdb")


class _SideBySideForm(HTMLParser):
    """What the page's side-by-side form holds: its attributes, its text, and the buttons posting it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.form: dict | None = None
        self.text: list[str] | None = None
        self.buttons: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "side-by-side":
            self.form = a
        elif tag == "textarea" and self.form is not None and self.text is None:
            self.text = []
        elif tag == "button" and a.get("form") == "side-by-side":
            self.buttons.append(a.get("value"))

    def handle_endtag(self, tag):
        if tag == "textarea" and self.text is not None and not isinstance(self.text, str):
            self.text = "".join(self.text)

    def handle_data(self, data):
        if isinstance(self.text, list):
            self.text.append(data)


def test_check_ranks_the_original_above_its_copies(family_site):
    import _family

    from wiretrace.engines.search import query

    c, paper, index = family_site
    j = c.post("/check.json", data={"text": paper}).json()
    ids = [h["id"] for h in j["hits"]]
    assert ids[0] == "wire" and set(ids) == {"wire", "trim", "copy", "paper"}
    assert "paper" in {s["id"] for s in j["hits"][0]["source_of"]}  # lifted above it, with why
    rows = [(h["id"], h["explains"], [s["id"] for s in h["source_of"]]) for h in j["hits"]]
    assert _family.order_is_explained(rows) == []
    shares = [h["explains"] for h in j["hits"][1:]]
    assert shares == sorted(shares, reverse=True)
    assert ids == [h.id for h in query(index, paper)]  # the same order as `wiretrace query`
    html = c.post("/check", data={"text": paper}).text
    assert html.index("/doc/wire") < html.index("/doc/paper") and "as its likelier source" in html


def test_every_hit_opens_the_comparison_it_was_ranked_on(family_site):
    c, paper, _ = family_site
    pasted = paper.replace("\n", "\r\n")  # as a browser posts a textarea
    page = c.post("/check", data={"text": pasted}).text
    form = _SideBySideForm()
    form.feed(page)
    hits = c.post("/check.json", data={"text": pasted}).json()["hits"]
    assert form.form is not None and form.form["action"] == "/check/pair" and form.form["target"] == "_blank"
    assert form.buttons == [h["id"] for h in hits] and len(hits) > 3
    # the browser drops the newline after <textarea>: it posts back exactly the text checked
    assert form.text == "\n" + paper
    for h in hits:
        r = c.post("/check/pair.json", data={"text": pasted, "doc": h["id"]})
        assert r.status_code == 200
        got = r.json()
        assert got["id"] == h["id"] and got["explains"] == h["explains"]
        for key in ("relation", "article_coverage", "document_coverage", "passages", "conflicts"):
            assert got[key] == h[key], key
        assert [p["a_start"] for p in got["comparison"]["passages"]][:3] == \
            [paper.index(s) for s in h["snippets"]]
    r = c.post("/check/pair", data={"text": form.text[1:], "doc": hits[3]["id"]})
    assert r.status_code == 200 and 'class="wt-pair"' in r.text and 'data-p="0"' in r.text
    assert '<script src="/static/pair.js"></script>' in r.text and hits[3]["id"] in r.text


def test_side_by_side_of_a_hostile_hit_and_bad_requests(client, scan_dir):
    wire = (EXAMPLES / "wire.txt").read_text(encoding="utf-8")
    page = client.post("/check", data={"text": wire}).text
    form = _SideBySideForm()
    form.feed(page)
    assert EVIL_ID in form.buttons  # the id survives the attribute escaping whole
    r = client.post("/check/pair", data={"text": wire, "doc": EVIL_ID})
    assert r.status_code == 200 and 'class="wt-pair"' in r.text
    assert_inert(r.text)
    assert client.post("/check/pair.json", data={"text": wire, "doc": "no-such-doc"}).status_code == 404
    r = client.post("/check/pair", data={"text": "  ", "doc": "wire-1"})
    assert r.status_code == 400 and "side by side" in r.text
    assert client.post("/check/pair.json", data={"text": wire}).status_code == 400
    # a date goes through the same check as on the check page (it was a NameError: 500)
    assert client.post("/check/pair.json", data={"text": wire, "doc": EVIL_ID,
                                                 "date": "2016-01-12"}).status_code == 200
    r = client.post("/check/pair.json", data={"text": wire, "doc": EVIL_ID, "date": "2016-13-01"})
    assert r.status_code == 400 and "2016-13-01" in r.text
    c = TestClient(create_app(scan_dir), base_url="http://127.0.0.1")
    r = c.post("/check/pair", data={"text": wire, "doc": "wire-1"}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403


def test_a_missing_index_is_reported_not_worked_around(tmp_path, scan_dir):
    """The check page searches the scan's index only: when the index goes away under a
    running server, the page says so and what to do, and finds nothing elsewhere."""
    import shutil

    copy = tmp_path / "scan"
    shutil.copytree(scan_dir, copy)
    c = TestClient(create_app(copy))
    c.app.state.site.corpus.release()
    (copy / "index.duckdb").unlink()
    wire = (EXAMPLES / "wire.txt").read_text(encoding="utf-8")
    r = c.post("/check.json", data={"text": wire})
    assert r.status_code == 503 and r.json()["hits"] is None
    assert "does not exist" in r.json()["error"] and "wiretrace scan" in r.json()["error"]
    r = c.post("/check", data={"text": wire})
    assert r.status_code == 503 and "wiretrace scan" in r.text and 'class="hit"' not in r.text
    r = c.post("/check/pair.json", data={"text": wire, "doc": "wire-1"})
    assert r.status_code == 503 and "wiretrace scan" in r.json()["error"]

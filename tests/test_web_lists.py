"""The browsable lists of the web viewer over HTTP (Starlette TestClient): the pair
list with its facets and passage search, the corpus-wide and story-level conflicts,
their JSON twins, pagination bounds and bad query parameters (a clear 400, never
a 500). Expected values are worked out from the stored comparisons, not written in."""

from __future__ import annotations

import math
from urllib.parse import quote, urlencode

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")
pytest.importorskip("multipart")

from test_web import ATTR, EVIL_ID, SCRIPT, SINGLE, assert_inert, client, corpus, scan_dir  # noqa: E402,F401

from wiretrace.web import lists, views  # noqa: E402

CONTROL = "\x01\x08\x1b[31m\x7f"


def _all_pairs(client, query: str = "") -> list[dict]:
    """Every row of the pair list under ``query``, page by page."""
    first = client.get("/pairs.json?" + query).json()
    rows = list(first["pairs"])
    for page in range(2, first["pages"] + 1):
        rows += client.get(f"/pairs.json?{query}&page={page}").json()["pairs"]
    return rows


def _conflicts_of(corpus, pm):
    return corpus.comparison(pm).conflicts


def _kinds_of(corpus, pm) -> set[str]:
    return {p.kind for p in corpus.comparison(pm).passages}


# -- the pair list -----------------------------------------------------------------

def test_pairs_page_and_json(client, corpus):
    j = client.get("/pairs.json").json()
    assert j["total"] == len(corpus.pairs) and j["page"] == 1
    assert {(p["a"], p["b"]) for p in _all_pairs(client)} == set(corpus.pairs)
    sims = [p["similarity"] for p in j["pairs"]]
    assert sims == sorted(sims, reverse=True)  # most similar first
    for p in j["pairs"]:
        pm = corpus.pairs[(p["a"], p["b"])]
        assert (p["relation"], p["passages"], p["conflicts"]) == (pm.relation, pm.passages, pm.conflicts)
        assert client.get(p["pair_url"]).status_code == 200
    page = client.get("/pairs")
    assert page.status_code == 200 and 'href="/pairs.json"' in page.text
    assert all(views.pair_url(p["a"], p["b"]).replace("&", "&amp;") in page.text for p in j["pairs"])


def test_pair_facet_counts_come_from_the_pairs(client, corpus):
    facets = {k: {v["value"]: v["count"] for v in vs} for k, vs in client.get("/pairs.json").json()["facets"].items()}
    pms = list(corpus.pairs.values())
    assert facets["relation"] == {r: sum(p.relation == r for p in pms) for r in {p.relation for p in pms}}
    want = {"yes": sum(p.conflicts > 0 for p in pms), "no": sum(p.conflicts == 0 for p in pms)}
    assert facets["conflicts"] == {k: n for k, n in want.items() if n}
    kinds = {k for p in pms for k in _kinds_of(corpus, p)}
    assert facets["kind"] == {k: sum(k in _kinds_of(corpus, p) for p in pms) for k in kinds}
    outlets = {o for p in pms for o in (corpus.documents[p.a].source, corpus.documents[p.b].source) if o}
    assert facets["outlet"] == {o: sum(o in (corpus.documents[p.a].source, corpus.documents[p.b].source)
                                       for p in pms) for o in outlets}
    assert sum(facets["date"].values()) == len(pms)


@pytest.mark.parametrize("name", ["relation", "kind", "conflicts", "outlet", "date"])
def test_each_facet_value_filters_to_its_count(client, corpus, name):
    facets = client.get("/pairs.json").json()["facets"][name]
    assert facets
    for v in facets:
        j = client.get(v["url"].replace("/pairs?", "/pairs.json?", 1)).json()
        assert j["total"] == v["count"], v
        for p in _all_pairs(client, v["url"].split("?", 1)[1]):
            pm = corpus.pairs[(p["a"], p["b"])]
            a, b = corpus.documents[pm.a], corpus.documents[pm.b]
            assert {"relation": pm.relation == v["value"], "kind": v["value"] in _kinds_of(corpus, pm),
                    "conflicts": (pm.conflicts > 0) == (v["value"] == "yes"),
                    "outlet": v["value"] in (a.source, b.source),
                    "date": min(d for d in (a.date, b.date) if d).startswith(v["value"])}[name]
        selected = client.get(v["url"].replace("/pairs?", "/pairs.json?", 1)).json()["facets"][name]
        assert any(s["selected"] for s in selected) or name == "date"


def test_passage_search(client, corpus):
    # a phrase of one passage of the pair with the most passages (its side a)
    pm = max(corpus.pairs.values(), key=lambda p: (p.passages, p.a, p.b))
    passage = corpus.comparison(pm).passages[0]
    words = corpus.text(pm.a)[passage.a_start:passage.a_end].split()
    q = " ".join(words[1:4]).upper()  # case does not matter
    expected = {key for key, p in corpus.pairs.items()
                if any(q.casefold() in corpus.text(p.a)[s.a_start:s.a_end].casefold()
                       for s in corpus.comparison(p).passages)}
    got = _all_pairs(client, urlencode({"q": q}))
    assert {(p["a"], p["b"]) for p in got} == expected and (pm.a, pm.b) in expected
    assert all(p["matches"] and all(q.casefold() in m["text"].casefold() for m in p["matches"]) for p in got)
    page = client.get("/pairs?" + urlencode({"q": q}))
    assert page.status_code == 200 and "<blockquote>" in page.text
    # wildcards are text: a LIKE pattern character matches itself only
    assert client.get("/pairs.json?q=%25").json()["total"] == sum(
        any("%" in corpus.text(p.a)[s.a_start:s.a_end] for s in corpus.comparison(p).passages)
        for p in corpus.pairs.values())


def test_pair_date_range(client, corpus):
    days = sorted({min(d for d in (corpus.documents[p.a].date, corpus.documents[p.b].date) if d)[:10]
                   for p in corpus.pairs.values()})
    lo = days[-1]
    got = _all_pairs(client, urlencode({"from": lo}))
    assert got and all(min(x for x in (p["a_date"], p["b_date"]) if x) >= lo for p in got)
    before = _all_pairs(client, urlencode({"to": days[0]}))
    assert all(min(x for x in (p["a_date"], p["b_date"]) if x)[:10] <= days[0] for p in before)
    assert len(got) + len(_all_pairs(client, urlencode({"to": days[-2] if len(days) > 1 else "1900-01-01"}))) \
        <= len(corpus.pairs)


def test_pagination_bounds(client, corpus, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    total = len(corpus.pairs)
    pages = math.ceil(total / 2)
    j = client.get("/pairs.json").json()
    assert j["pages"] == pages and len(j["pairs"]) == min(2, total) and j["prev"] is None
    rows = _all_pairs(client)
    assert len(rows) == total and len({(p["a"], p["b"]) for p in rows}) == total  # no row twice or lost
    # past the end: the last page, said so in "page"
    last = client.get(f"/pairs.json?page={pages + 50}").json()
    assert last["page"] == pages and last["next"] is None and last["pairs"] == rows[(pages - 1) * 2:]
    html = client.get("/pairs?page=2").text
    assert "page 2 of" in html and "previous" in html


@pytest.mark.parametrize("query, says", [
    ("page=0", "page"), ("page=-1", "page"), ("page=abc", "page"), ("page=%C2%B2", "page"),
    ("page=99999999999", "page"), ("page=1.5", "page"),
    ("relation=copied", "relation"), ("kind=" + quote(SCRIPT), "kind"), ("conflicts=maybe", "conflicts"),
    ("from=2019-13-45", "from"), ("to=" + quote(ATTR), "to"), ("from=yesterday", "from"),
    ("q=" + "x" * 201, "q"), ("q=a%00b", "q"), ("outlet=%00", "outlet"),
])
def test_bad_pair_parameters_are_a_clear_400(client, query, says):
    j = client.get("/pairs.json?" + query)
    assert j.status_code == 400 and j.json()["error"].startswith(says)
    page = client.get("/pairs?" + query)
    assert page.status_code == 400 and "Error 400" in page.text
    assert_inert(page.text)


def test_unknown_parameters_are_ignored(client, corpus):
    assert client.get("/pairs.json?colour=blue&sort=" + quote(SCRIPT)).json()["total"] == len(corpus.pairs)


# -- conflicts -------------------------------------------------------------------------

def _all_conflicts(client, query: str = "") -> list[dict]:
    first = client.get("/conflicts.json?" + query).json()
    rows = list(first["conflicts"])
    for page in range(2, first["pages"] + 1):
        rows += client.get(f"/conflicts.json?{query}&page={page}").json()["conflicts"]
    return rows


def test_conflicts_page_lists_every_conflict_with_its_context(client, corpus):
    want = sorted((pm.a, pm.b, c.kind, c.a_start, c.b_start) for pm in corpus.pairs.values()
                  for c in _conflicts_of(corpus, pm))
    assert want  # the fixture has a changed figure and a reworded quote
    rows = _all_conflicts(client)
    assert sorted((c["a"], c["b"], c["kind"], c["a_start"], c["b_start"]) for c in rows) == want
    for c in rows:
        a, b = corpus.text(c["a"]), corpus.text(c["b"])
        # offsets into each document's own text, context around them
        assert a[c["a_start"]:c["a_end"]] == c["a_text"] and b[c["b_start"]:c["b_end"]] == c["b_text"]
        assert a[:c["a_start"]].endswith(c["a_before"]) and a[c["a_end"]:].startswith(c["a_after"])
        assert b[:c["b_start"]].endswith(c["b_before"]) and b[c["b_end"]:].startswith(c["b_after"])
        assert client.get(c["pair_url"]).status_code == 200
    kinds = client.get("/conflicts.json").json()["kinds"]
    assert {k["value"]: k["count"] for k in kinds} == {k: sum(w[2] == k for w in want) for k in {w[2] for w in want}}
    page = client.get("/conflicts")
    assert page.status_code == 200 and 'class="list conflict-list"' in page.text
    assert_inert(page.text)


def test_conflict_filters(client, corpus):
    every = _all_conflicts(client)
    for k in {c["kind"] for c in every}:
        assert {(c["a"], c["b"], c["a_start"]) for c in _all_conflicts(client, "kind=" + k)} == \
            {(c["a"], c["b"], c["a_start"]) for c in every if c["kind"] == k}
    frag = every[0]["b_text"]
    got = _all_conflicts(client, urlencode({"q": frag.lower()}))
    assert got and all(frag.lower() in (c["a_text"] + "\n" + c["b_text"]).lower() for c in got)
    outlet = corpus.documents[every[0]["a"]].source
    assert all(outlet in (c["a_outlet"], c["b_outlet"]) for c in _all_conflicts(client, urlencode({"outlet": outlet})))


def test_story_conflicts(client, corpus):
    sid = corpus.doc_story["wire-1"]
    members = set(corpus.stories[sid].documents)
    want = sum(len(_conflicts_of(corpus, pm)) for pm in corpus.pairs.values() if {pm.a, pm.b} <= members)
    j = client.get(views.story_url(sid, json=True)).json()
    assert j["conflicts"]["total"] == want > 0
    assert all({c["a"], c["b"]} <= members for c in j["conflicts"]["conflicts"])
    assert client.get("/conflicts.json?" + urlencode({"story": sid})).json()["total"] == want
    page = client.get(views.story_url(sid)).text
    assert 'id="conflicts"' in page and "conflict-list" in page
    pm = next(pm for pm in corpus.pairs.values() if pm.conflicts)
    assert views.pair_url(pm.a, pm.b).replace("&", "&amp;") in page
    # a story without conflicts says so
    quiet = next((s for s in corpus.stories if not any(
        pm.conflicts for pm in corpus.pairs.values() if {pm.a, pm.b} <= set(corpus.stories[s].documents))), None)
    if quiet is not None:
        assert "No conflict was found" in client.get(views.story_url(quiet)).text


@pytest.mark.parametrize("query, says", [
    ("story=no-such-story", "story"), ("story=" + quote(SCRIPT), "story"), ("kind=" + quote(ATTR), "kind"),
    ("page=0", "page"), ("q=%00", "q"), ("outlet=" + "y" * 300, "outlet"),
])
def test_bad_conflict_parameters_are_a_clear_400(client, query, says):
    r = client.get("/conflicts.json?" + query)
    assert r.status_code == 400 and r.json()["error"].startswith(says)
    page = client.get("/conflicts?" + query)
    assert page.status_code == 400
    assert_inert(page.text)


# -- hostile text in every new field -----------------------------------------------------

def test_hostile_text_in_lists_is_escaped(client, corpus):
    evil_outlet = corpus.documents[EVIL_ID].source
    urls = ["/pairs", "/pairs?" + urlencode({"q": SCRIPT + ATTR + SINGLE + CONTROL}),
            "/pairs?" + urlencode({"outlet": evil_outlet}), "/pairs?" + urlencode({"outlet": ATTR + CONTROL}),
            "/conflicts", "/conflicts?" + urlencode({"q": ATTR, "outlet": SCRIPT + CONTROL}),
            "/conflicts?" + urlencode({"outlet": evil_outlet}),
            "/conflicts?" + urlencode({"story": corpus.doc_story[EVIL_ID]})]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert_inert(r.text)
    rows = client.get("/pairs.json?" + urlencode({"outlet": evil_outlet})).json()
    assert rows["total"] > 0 and rows["filters"]["outlet"] == evil_outlet
    assert any(EVIL_ID in (p["a"], p["b"]) for p in rows["pairs"])
    echoed = client.get("/pairs.json?" + urlencode({"q": SCRIPT + CONTROL})).json()
    assert echoed["filters"]["q"] == (SCRIPT + CONTROL).strip() and echoed["total"] == 0

"""The web viewer, in process (Starlette TestClient): every route, its JSON twin,
escaping of hostile fields, 404s, traversal attempts, read-only browsing and
the check form."""

from __future__ import annotations

import hashlib
import html
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")
pytest.importorskip("multipart")

from starlette.testclient import TestClient  # noqa: E402

from wiretrace.web import create_app, views  # noqa: E402
from wiretrace.web.data import Corpus, CorpusError  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
SINGLE = "' onmouseover='alert(1)"
PAYLOADS = (SCRIPT, ATTR, SINGLE)
#: the only scripts a page may load: our own static files (the CSP allows no other)
OUR_SCRIPTS = ("/static/pair.js", "/static/graph.js")
#: an id with every hostile piece, a slash and URL metacharacters
EVIL_ID = f"evil/{SCRIPT}{ATTR}{SINGLE} ?&#%"
EVIL_DATE = "2019-02-05" + ATTR


def fixture_documents() -> list[dict]:
    """A wire story, two papers' copies of it (one full of hostile markup) and an unrelated story."""
    wire = (EXAMPLES / "corpus" / "reuters-yemen-talks.txt").read_text(encoding="utf-8")
    paras = [p for p in wire.split("\n") if p.strip()]
    evil_text = "\n".join(paras[1:4] + [f"Critics wrote {SCRIPT} and {ATTR} and {SINGLE} in a statement on Monday."]
                          + paras[4:])
    # a changed figure (a conflict) and a reworded quote
    evil_text = evil_text.replace("15,000 detainees", "16,000 detainees").replace(
        "We are closer than we have ever been to a deal", "We are nearer than ever before to a deal")
    corpus = EXAMPLES / "corpus"
    return [
        {"id": "wire-1", "source": "Reuters", "date": "2019-02-04T09:00:00", "title": "Yemen talks resume in Geneva",
         "text": wire},
        {"id": "gazette-1", "source": "Gazette", "date": "2019-02-04T15:00:00", "title": "Geneva talks on Yemen",
         "text": (corpus / "gazette-yemen.txt").read_text(encoding="utf-8")},
        {"id": "courier-1", "source": "Courier", "date": "2019-02-05T07:00:00", "title": "Prisoner swap talks",
         "text": (corpus / "courier-yemen.txt").read_text(encoding="utf-8")},
        {"id": EVIL_ID, "source": f"Evil{SINGLE}{SCRIPT}", "date": "2019-02-05T10:00:00",
         "title": f"Hostile {SCRIPT}{ATTR}", "text": evil_text, "url": "javascript:alert(1)"},
        {"id": "herald-1", "source": "Herald", "date": "2019-02-05T08:00:00", "title": "Rates held",
         "text": (corpus / "herald-rates.txt").read_text(encoding="utf-8")},
    ]


def build_scan(out: Path) -> Path:
    """A scan of :func:`fixture_documents` in ``out`` by the local engine. The hostile
    document's date is then set to a hostile string in the index, since a real scan
    drops dates that are not ISO 8601."""
    from wiretrace.config import CompareConfig, ScanConfig
    from wiretrace.engines.local import INDEX_FILE, scan
    from wiretrace.index import Index

    src = out.parent / (out.name + "-input.jsonl")
    src.write_text("".join(json.dumps(d) + "\n" for d in fixture_documents()), encoding="utf-8")
    # lexical only: the semantic model takes seconds to load and the viewer does not care
    scan(str(src), str(out), config=ScanConfig(compare=CompareConfig(semantic=False)))
    with Index.open(str(out / INDEX_FILE)) as ix:
        ix.con.execute("UPDATE documents SET date = ? WHERE id = ?", [EVIL_DATE, EVIL_ID])
    return out


@pytest.fixture(scope="module")
def scan_dir(tmp_path_factory) -> Path:
    return build_scan(tmp_path_factory.mktemp("web") / "scan")


@pytest.fixture(scope="module")
def client(scan_dir) -> TestClient:
    return TestClient(create_app(scan_dir))


@pytest.fixture(scope="module")
def corpus(scan_dir) -> Corpus:
    return Corpus.open(scan_dir)


def _story_of(corpus: Corpus, doc_id: str) -> str:
    return corpus.doc_story[doc_id]


def _pair_with(corpus: Corpus, doc_id: str):
    return max(corpus.by_doc[doc_id], key=lambda p: p.passages)


class _Audit(HTMLParser):
    """Collects what would run: script elements, event-handler attributes, injected tags."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("src") not in OUR_SCRIPTS:
            self.bad.append(f"<script {attrs}>")
        if tag in ("img", "iframe", "object", "embed"):
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"{tag} {name}={value}")


def assert_inert(html: str) -> None:
    """No hostile payload survives unescaped; nothing in the page would run it."""
    for p in PAYLOADS:
        assert p not in html
    audit = _Audit()
    audit.feed(html)
    assert audit.bad == []


def snapshot(folder: Path) -> dict[str, tuple]:
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.iterdir()) if p.is_file()}


# -- every route ---------------------------------------------------------------------

def test_home_redirects_to_stories(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "/stories"


def test_stories_page_and_json(client, corpus):
    r = client.get("/stories")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Stories" in r.text and "Yemen talks resume in Geneva" in r.text
    j = client.get("/stories.json").json()
    assert j["total"] >= 1 and j["corpus"]["documents"] == len(corpus.documents)
    yemen = next(s for s in j["stories"] if s["id"] == _story_of(corpus, "wire-1"))
    assert yemen["documents"] >= 4 and yemen["outlets"] >= 4 and yemen["copies"] >= 1
    # single-document stories are hidden by default and shown on request
    assert all(s["documents"] >= 2 for s in j["stories"])
    all_ids = {s["id"] for s in client.get("/stories.json?min_docs=1").json()["stories"]}
    assert _story_of(corpus, "herald-1") in all_ids


def test_stories_filters(client, corpus):
    yemen = _story_of(corpus, "wire-1")
    ids = lambda q: {s["id"] for s in client.get("/stories.json?min_docs=1&" + q).json()["stories"]}  # noqa: E731
    assert ids("source=Reuters") == {yemen}
    assert ids("source=Nobody") == set()
    assert ids("from=2019-02-05") == {_story_of(corpus, "herald-1")}
    assert yemen in ids("to=2019-02-04")
    assert ids("q=geneva") >= {yemen}  # headline/title search
    assert ids("q=" + quote("15,000 detainees")) == {yemen}  # text search
    assert ids("q=zzzznothing") == set()
    j = client.get("/stories.json?min_docs=abc&page=-4&sort=bogus").json()  # bad values fall back
    assert j["page"] == 1 and j["filters"]["min_docs"] == 2
    assert client.get("/stories?sort=-date&min_docs=1&page=99").status_code == 200


def test_story_page_and_json(client, corpus):
    sid = _story_of(corpus, "wire-1")
    r = client.get(views.story_url(sid))
    assert r.status_code == 200
    assert "<svg" in r.text and 'class="node earliest"' in r.text
    assert "Passages shared by most outlets" in r.text
    j = client.get(views.story_url(sid) + ".json").json()
    assert j["story"]["earliest"] == "wire-1"
    assert {d["id"] for d in j["documents"]} >= {"wire-1", "gazette-1", "courier-1", EVIL_ID}
    assert j["edges"] and all({"from", "to"} <= set(e) for e in j["edges"])
    assert j["graph"]["nodes"] and j["graph"]["edges"]
    top = j["shared"]["passages"][0]
    assert top["count"] >= 3 and top["count"] == max(p["count"] for p in j["shared"]["passages"])


def test_document_page_and_json(client, corpus):
    r = client.get(views.doc_url("gazette-1"))
    assert r.status_code == 200
    assert 'class="wt-r wt-k-' in r.text  # reused passages are highlighted and linked
    assert "What this outlet added" in r.text
    j = client.get(views.doc_url("gazette-1") + ".json").json()
    assert j["document"]["id"] == "gazette-1" and j["text"].startswith("Geneva")
    assert any(link["id"] == "wire-1" and link["role"] == "copied from" for link in j["links"])
    refs = [ref for p in j["pieces"] for ref in p["refs"]]
    assert refs and all(ref["url"].startswith("/pair?") for ref in refs)
    assert j["has_source"] and any("electricity" in a["text"] for a in j["added"])  # a_only shown
    assert "".join(p["text"] for p in j["pieces"]) == j["text"]


def test_conflicts_are_marked(client, corpus):
    j = client.get(views.doc_url(EVIL_ID) + ".json").json()
    number = [c for c in j["conflicts"] if c["kind"] == "number"]
    assert number and number[0]["mine"] == "16,000" and number[0]["theirs"] == "15,000"
    assert {o["id"] for o in number[0]["others"]} >= {"wire-1"}  # grouped over the sources
    assert any(p["conflicts"] and "16,000" in p["text"] for p in j["pieces"])
    assert 'class="wt-c"' in client.get(views.doc_url(EVIL_ID)).text
    pm = corpus.pair("wire-1", EVIL_ID)
    html = client.get(views.pair_url(pm.a, pm.b)).text
    assert 'class="wt-c" title="number conflict' in html


def test_pair_page_and_json(client, corpus):
    pm = corpus.pair("gazette-1", "wire-1")
    url = views.pair_url(pm.a, pm.b)
    r = client.get(url)
    assert r.status_code == 200
    assert 'class="wt-pair"' in r.text and 'data-p="0"' in r.text
    assert '<script src="/static/pair.js"></script>' in r.text
    assert "relation" in r.text  # summary_html
    # either order of the ids finds the pair
    assert client.get(views.pair_url(pm.b, pm.a)).status_code == 200
    j = client.get(url.replace("/pair?", "/pair.json?")).json()
    assert j["a"]["id"] == pm.a and j["b"]["id"] == pm.b
    assert len(j["comparison"]["passages"]) == pm.passages > 0
    assert "_comparison" not in j and "_changes" not in j


def test_pair_json_and_page_carry_word_ops(client, corpus):
    pm = corpus.pair("gazette-1", "wire-1")
    url = views.pair_url(pm.a, pm.b)
    j = client.get(url.replace("/pair?", "/pair.json?")).json()
    a_text, b_text = corpus.text(pm.a), corpus.text(pm.b)
    passages = j["comparison"]["passages"]
    assert all("ops" in p for p in passages)
    ops = [(p, op) for p in passages if p["ops"] for op in p["ops"]]
    assert ops, "the fixture pair has edited passages"
    for p, op in ops:
        assert p["a_start"] <= op["a_start"] <= op["a_end"] <= p["a_end"]
        assert p["b_start"] <= op["b_start"] <= op["b_end"] <= p["b_end"]
    page = client.get(url).text
    # each changed word of A is marked in A's column with B's words in its title
    p, op = next((p, op) for p, op in ops if op["op"] == "replace")
    a_word, b_word = a_text[op["a_start"]:op["a_end"]], b_text[op["b_start"]:op["b_end"]]
    assert f'B has “{html.escape(b_word, quote=True)}”">{html.escape(a_word)}</del>' in page


def test_check_form_get_and_json(client):
    r = client.get("/check")
    assert r.status_code == 200 and 'name="text"' in r.text and 'type="file"' in r.text
    assert "add to index" not in r.text
    assert client.get("/check.json").json()["allow_add"] is False


def test_check_paste_finds_related(client):
    text = (EXAMPLES / "paper.txt").read_text(encoding="utf-8")
    r = client.post("/check", data={"text": text, "title": "A paper", "date": "2019-02-06"})
    assert r.status_code == 200 and 'id="results"' in r.text and 'class="hit"' in r.text
    j = client.post("/check.json", data={"text": text}).json()
    ids = [h["id"] for h in j["hits"]]
    assert "wire-1" in ids
    wire = j["hits"][ids.index("wire-1")]
    assert wire["passages"] > 0 and wire["url"] == "/doc/wire-1"


def test_check_upload_html(client):
    page = ("<html><head><title>Saved page</title><script>var x = 'not article text';</script></head><body>"
            "<nav>Home | World</nav><article><p>"
            + (EXAMPLES / "wire.txt").read_text(encoding="utf-8").replace("\n", "</p><p>")
            + "</p></article></body></html>")
    r = client.post("/check.json", files={"file": ("page.html", page.encode("utf-8"), "text/html")})
    assert r.status_code == 200
    j = r.json()
    assert "wire-1" in [h["id"] for h in j["hits"]]
    assert j["characters"] > 500 and any("page.html" in n for n in j["notes"])


def test_check_errors(client):
    r = client.post("/check", data={"text": "   "})
    assert r.status_code == 400 and "Paste an article" in r.text
    r = client.post("/check.json", files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")})
    assert r.status_code == 400 and "Cannot read" in r.json()["error"]
    r = client.post("/check.json", data={"text": "Nothing in common with any indexed news at all, truly none."})
    assert r.status_code == 200 and r.json()["hits"] == []
    # a bad date is an error naming the value and the expected form, never silently dropped
    r = client.post("/check.json", data={"text": "x " * 50, "date": "12/01/2016"})
    assert r.status_code == 400 and "'12/01/2016'" in r.json()["error"]
    assert "ISO 8601" in r.json()["error"] and "2016-01-12" in r.json()["error"]
    r = client.post("/check", data={"text": "x " * 50, "date": ATTR})
    assert r.status_code == 400 and "is not a date" in r.text
    assert_inert(r.text)
    r = client.post("/check.json", data={"text": "x " * 50, "date": "2016"})  # a year is a date
    assert r.status_code == 200


def test_check_without_allow_add_stores_nothing(scan_dir, client, corpus):
    before = snapshot(scan_dir)
    n_docs = len(corpus.documents)
    text = (EXAMPLES / "paper.txt").read_text(encoding="utf-8")
    r = client.post("/check.json", data={"text": text, "add": "1", "title": "Should not be stored"})
    assert r.status_code == 200 and r.json()["added"] is None
    assert any("without --allow-add" in n for n in r.json()["notes"])
    assert snapshot(scan_dir) == before
    assert len(client.get("/stories.json?min_docs=1").json()["stories"]) == len(corpus.stories)
    assert client.get("/stories.json").json()["corpus"]["documents"] == n_docs


def test_allow_add_shows_checkbox(tmp_path, scan_dir):
    copy = tmp_path / "scan"
    shutil.copytree(scan_dir, copy)
    c = TestClient(create_app(copy, allow_add=True))
    assert "add to index" in c.get("/check").text
    assert c.get("/check.json").json()["allow_add"] is True
    text = (EXAMPLES / "paper.txt").read_text(encoding="utf-8")
    j = c.post("/check.json", data={"text": text, "add": "1", "title": "Added paper"}).json()
    assert j["added"] and c.get(views.doc_url(j["added"])).status_code == 200


# -- escaping -------------------------------------------------------------------------

def test_hostile_fields_are_escaped_everywhere(client, corpus):
    sid = _story_of(corpus, EVIL_ID)
    pm = _pair_with(corpus, EVIL_ID)
    pages = ["/stories?min_docs=1", "/stories?q=" + quote(SCRIPT), "/stories?source=" + quote(ATTR),
             "/stories?q=" + quote(SINGLE) + "&from=" + quote(ATTR), views.story_url(sid),
             views.doc_url(EVIL_ID), views.pair_url(pm.a, pm.b), views.pair_url(pm.b, pm.a)]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert_inert(r.text)
    doc = client.get(views.doc_url(EVIL_ID)).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc  # shown, as text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in doc  # the date/title payload, as text
    assert "&#39; onmouseover=&#39;" in doc
    assert 'href="javascript:' not in doc


def test_hostile_check_submission_is_escaped(client):
    text = (EXAMPLES / "wire.txt").read_text(encoding="utf-8") + f"\n{SCRIPT} {ATTR} {SINGLE}\n"
    r = client.post("/check", data={"text": text, "title": ATTR + SCRIPT, "date": SINGLE, "source": ATTR})
    assert r.status_code == 400 and "is not a date" in r.text  # the bad date, echoed inert
    assert_inert(r.text)
    r = client.post("/check", data={"text": text, "title": ATTR + SCRIPT, "source": ATTR})
    assert r.status_code == 200
    assert_inert(r.text)
    r = client.post("/check", files={"file": (ATTR + ".html", f"<p>{SCRIPT}</p><p>{ATTR}</p>".encode(), "text/html")})
    assert_inert(r.text)


def test_hostile_id_round_trips_as_json(client):
    j = client.get(views.doc_url(EVIL_ID) + ".json").json()
    assert j["document"]["id"] == EVIL_ID and j["document"]["date"] == EVIL_DATE
    assert client.get(views.doc_url(EVIL_ID) + ".json").headers["content-type"].startswith("application/json")


def test_security_headers(client):
    r = client.get("/stories")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/pair.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/app.css").status_code == 200


# -- 404s, traversal, errors -----------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/doc/no-such-doc", "/story/no-such-story", "/pair?a=wire-1&b=herald-1", "/pair?a=wire-1",
    "/pair", "/doc/", "/nope", "/static/nope.css",
])
def test_unknown_gives_404_page(client, url):
    r = client.get(url)
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "Not found" in r.text and "Traceback" not in r.text


@pytest.mark.parametrize("url", [
    "/doc/no-such-doc.json", "/story/no-such-story.json", "/pair.json?a=wire-1&b=herald-1", "/nope.json",
])
def test_unknown_gives_404_json(client, url):
    r = client.get(url)
    assert r.status_code == 404 and r.json() == {"error": r.json()["error"], "status": 404}


TRAVERSALS = [
    "/doc/../../etc/passwd", "/doc/..%2F..%2Fetc%2Fpasswd", "/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/doc/%252e%252e%252fetc%252fpasswd", "/doc/....//....//etc/passwd", "/doc/..%5c..%5cetc%5cpasswd",
    "/story/..%2F..%2Fetc%2Fpasswd", "/story/%2e%2e/%2e%2e/etc/passwd.json", "/doc/%2Fetc%2Fpasswd",
    "/pair?a=../../etc/passwd&b=%2Fetc%2Fpasswd", "/pair.json?a=..%2F..%2Fetc%2Fpasswd&b=wire-1",
    "/static/../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e/app.py",
    "/static/%2e%2e%2f__init__.py", "/static/..%2fdata.py", "/doc/documents.jsonl", "/doc/index.duckdb",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_no_path_traversal(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert "root:" not in r.text and "import" not in r.text and "CREATE TABLE" not in r.text


def test_server_error_page_has_no_traceback(scan_dir, monkeypatch):
    c = TestClient(create_app(scan_dir), raise_server_exceptions=False)

    def boom(*a, **k):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(views, "story_view", boom)
    sid = next(iter(Corpus.open(scan_dir).stories))
    r = c.get(views.story_url(sid))
    assert r.status_code == 500 and "Server error" in r.text
    assert "secret internal detail" not in r.text and "Traceback" not in r.text
    r = c.get(views.story_url(sid) + ".json")
    assert r.status_code == 500 and r.json() == {"error": "server error", "status": 500}


def test_host_guard_and_cross_site_post(scan_dir):
    c = TestClient(create_app(scan_dir, allowed_hosts={"127.0.0.1", "localhost"}), base_url="http://127.0.0.1")
    assert c.get("/stories").status_code == 200
    assert c.get("/stories", headers={"host": "attacker.example"}).status_code == 400
    r = c.post("/check", data={"text": "x " * 20}, headers={"origin": "http://attacker.example"})
    assert r.status_code == 403
    r = c.post("/check", data={"text": "x " * 20}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    r = c.post("/check", data={"text": "x " * 20}, headers={"origin": "null"})
    assert r.status_code == 403
    assert c.post("/check", data={"text": "x " * 20}, headers={"origin": "http://127.0.0.1"}).status_code == 200
    assert c.post("/check", data={"text": "x " * 20}, headers={"sec-fetch-site": "same-origin",
                                                              "origin": "null"}).status_code == 200


def test_upload_too_large_is_refused(client):
    r = client.post("/check.json", content=b"x", headers={"content-length": str(64 * 2**20),
                                                          "content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


# -- read-only ----------------------------------------------------------------------------

def test_browsing_leaves_scan_untouched(scan_dir):
    before = snapshot(scan_dir)
    assert (scan_dir / "index.duckdb").exists()
    c = TestClient(create_app(scan_dir))
    corpus = c.app.state.site.corpus
    urls = ["/stories", "/stories.json?min_docs=1&q=geneva"]
    urls += [views.story_url(s) for s in corpus.stories] + [views.doc_url(d) for d in corpus.documents]
    urls += [views.pair_url(p.a, p.b) for p in corpus.pairs.values()]
    for url in urls:
        assert c.get(url).status_code == 200, url
    c.post("/check", data={"text": (EXAMPLES / "paper.txt").read_text(encoding="utf-8")})
    corpus.release()
    assert snapshot(scan_dir) == before
    assert not list(scan_dir.glob("*.wal"))


def test_index_opened_read_only(scan_dir):
    import duckdb

    corpus = Corpus.open(scan_dir)
    assert corpus.text("wire-1")  # opens the index
    with pytest.raises(duckdb.Error), corpus.index.use() as ix:
        ix.con.execute("CREATE TABLE x (i INTEGER)")
    corpus.release()


def test_index_file_alone(tmp_path, scan_dir):
    """Pointed at an index with no JSONL beside it, the viewer reads the tables."""
    shutil.copy(scan_dir / "index.duckdb", tmp_path / "only.duckdb")
    c = TestClient(create_app(tmp_path / "only.duckdb"))
    corpus = c.app.state.site.corpus
    j = c.get("/stories.json").json()
    assert j["corpus"]["documents"] == 5 and j["stories"]
    assert corpus.doc_story["gazette-1"] == corpus.doc_story["wire-1"]
    pm = corpus.pair("gazette-1", "wire-1")
    assert c.get(views.pair_url(pm.a, pm.b).replace("/pair?", "/pair.json?")).json()["comparison"]["passages"]
    assert c.get(views.doc_url("wire-1")).status_code == 200
    story = c.get(views.story_url(corpus.doc_story["wire-1"]) + ".json").json()
    assert story["story"]["earliest"] == "wire-1" and story["edges"]
    assert_inert(c.get(views.doc_url(EVIL_ID)).text)


def test_copied_scan_uses_its_own_index(tmp_path, scan_dir):
    copy = tmp_path / "copy"
    shutil.copytree(scan_dir, copy)
    assert Corpus.open(copy).index_path == copy / "index.duckdb"


def test_not_a_scan(tmp_path, scan_dir):
    with pytest.raises(CorpusError, match="wiretrace scan"):
        create_app(tmp_path / "missing")
    with pytest.raises(CorpusError, match="wiretrace scan"):
        create_app(tmp_path)
    # the exports without their index are not enough: the index is the scan
    shutil.copy(scan_dir / "documents.jsonl", tmp_path / "documents.jsonl")
    with pytest.raises(CorpusError, match="wiretrace scan"):
        create_app(tmp_path)


def test_cli_serve_is_wired(monkeypatch, scan_dir):
    import wiretrace.web as web
    from wiretrace.cli import main

    seen = {}
    monkeypatch.setattr(web, "serve", lambda path, **kw: seen.update(path=path, **kw))
    assert main(["serve", str(scan_dir)]) == 0
    assert seen == {"path": str(scan_dir), "host": "127.0.0.1", "port": 8000, "allow_add": False,
                    "checks_dir": None}

"""The web viewer in a real browser: Playwright drives Debian's /usr/bin/chromium
(headless) against uvicorn on 127.0.0.1. Screenshots go to test-artifacts/.

Skipped when the ``playwright`` package or /usr/bin/chromium is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import live_server, screenshot

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    """uvicorn serving a fixture scan on a free loopback port, in a background thread."""
    pytest.importorskip("starlette")
    from test_web import build_scan

    from wiretrace.web import create_app

    scan = build_scan(tmp_path_factory.mktemp("browser") / "scan")
    app = create_app(scan, allowed_hosts={"127.0.0.1"})
    with live_server(app) as base:
        yield base, app.state.site.corpus


def _shot(pg, name: str) -> None:
    screenshot(pg, f"web-{name}")


def test_pages_load(server, page):
    from wiretrace.web import views

    base, corpus = server
    story = corpus.doc_story["wire-1"]
    pm = corpus.pair("gazette-1", "wire-1")
    pages = {"stories": ("/stories", "h1", "Stories"),
             "story": (views.story_url(story), "svg .node.earliest", None),
             "doc": (views.doc_url("gazette-1"), ".doc-text a.wt-r", None),
             "pair": (views.pair_url(pm.a, pm.b), ".wt-pair [data-p]", None),
             "check": ("/check", "form.check textarea", None),
             "notfound": ("/doc/no-such-id", "h1", "Not found")}
    for name, (url, selector, text) in pages.items():
        if name == "notfound":  # the browser logs the 404 status itself
            assert page.errors == []
        resp = page.goto(base + url)
        assert resp is not None and resp.status == (404 if name == "notfound" else 200), url
        el = page.wait_for_selector(selector, timeout=5000)
        if text:
            assert text in el.inner_text()
        _shot(page, name)


def test_hostile_document_runs_nothing(server, page):
    from test_web import EVIL_ID

    from wiretrace.web import views

    base, _ = server
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + views.doc_url(EVIL_ID))
    page.wait_for_selector(".doc-text")
    assert "<script>alert(1)</script>" in page.inner_text(".doc-text")  # shown as text
    page.hover("h1")
    page.mouse.move(300, 300)
    assert dialogs == [] and page.query_selector("img") is None
    _shot(page, "hostile-doc")


def test_pair_click_highlights_counterpart(server, page):
    from wiretrace.web import views

    base, corpus = server
    pm = corpus.pair("gazette-1", "wire-1")
    page.goto(base + views.pair_url(pm.a, pm.b))
    a_side = page.locator('.wt-col[data-side="a"] [data-p="1"]').first
    b_side = page.locator('.wt-col[data-side="b"] [data-p="1"]').first
    a_side.click()
    page.wait_for_function(
        "() => document.querySelector('.wt-col[data-side=\"b\"] [data-p=\"1\"]').classList.contains('wt-on')",
        timeout=5000)
    assert "wt-on" in (b_side.get_attribute("class") or "")
    # other passages are not highlighted
    assert page.locator('.wt-col[data-side="b"] [data-p="0"].wt-on').count() == 0
    _shot(page, "pair-clicked")
    assert page.errors == []


def test_check_form_shows_results(server, page):
    base, _ = server
    page.goto(base + "/check")
    page.fill("textarea[name=text]", (EXAMPLES / "paper.txt").read_text(encoding="utf-8"))
    page.fill("input[name=title]", "A paper's version")
    page.click("form.check button[type=submit]")
    page.wait_for_selector("#results .hit", timeout=15000)
    assert "/doc/wire-1" in [a.get_attribute("href") for a in page.query_selector_all("#results .hit h3 a")]
    _shot(page, "check-results")
    assert page.errors == []


def test_check_form_upload(server, page, tmp_path):
    base, _ = server
    saved = tmp_path / "saved.html"
    wire = (EXAMPLES / "wire.txt").read_text(encoding="utf-8")
    saved.write_text("<html><head><title>Saved</title></head><body><article><p>"
                     + wire.replace("\n", "</p><p>") + "</p></article></body></html>", encoding="utf-8")
    page.goto(base + "/check")
    page.set_input_files("input[name=file]", str(saved))
    page.click("form.check button[type=submit]")
    page.wait_for_selector("#results .hit", timeout=15000)
    assert "saved.html" in page.inner_text("main")


def test_a_hit_beyond_the_third_opens_side_by_side(server, page):
    base, _ = server
    ctx = page.context
    # the view opens in a new tab: hold it to the same rules (no external request, no error)
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1:")
              else (page.errors.append("external: " + route.request.url), route.abort()))
    ctx.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.goto(base + "/check")
    page.fill("textarea[name=text]", (EXAMPLES / "wire.txt").read_text(encoding="utf-8"))
    page.click("form.check button[type=submit]")
    page.wait_for_selector("#results .hit", timeout=15000)
    hits = page.locator("#results .hit")
    assert hits.count() >= 4
    fourth = hits.nth(3)
    assert fourth.locator("details").count() == 0  # only the first three are drawn inline
    name = fourth.locator("h3").inner_text()
    with ctx.expect_page(timeout=15000) as opened:
        fourth.locator("button.side").click()
    view = opened.value
    view.on("pageerror", lambda exc: page.errors.append(str(exc)))
    view.wait_for_selector(".wt-pair [data-p]", timeout=15000)
    assert name in view.inner_text("h1")
    # pair.js runs under the page's CSP: a click highlights the counterpart
    view.locator('.wt-col[data-side="a"] [data-p="0"]').first.click()
    view.wait_for_function(
        "() => document.querySelector('.wt-col[data-side=\"b\"] [data-p=\"0\"]').classList.contains('wt-on')",
        timeout=5000)
    _shot(view, "check-side-by-side")
    assert page.url.endswith("/check")  # the results stay open in their own tab
    assert page.errors == []

"""Issue 16's list pages, check permalinks and graph labels in headless Chromium
(the shared fixtures of conftest.py): click-throughs from the pair list, through a
facet, to a pair page; from the conflicts page to a pair; from a check to its
permalink and a reload; hostile text run nowhere; story-graph labels inside their
boxes and the report's graph readable. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import live_server, screenshot

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CONTROL = "\x01\x07\x1b[2J\x7f"


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    """uvicorn serving the hostile fixture scan (tests/test_web.py) on loopback."""
    pytest.importorskip("starlette")
    from test_web import build_scan

    from wiretrace.web import create_app

    root = tmp_path_factory.mktemp("browser-lists")
    scan = build_scan(root / "scan")
    app = create_app(scan, allowed_hosts={"127.0.0.1"}, checks_dir=root / "checks")
    with live_server(app) as base:
        yield base, app.state.site.corpus, scan


def _watch_dialogs(page) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def test_pair_list_facet_then_pair_page(server, page):
    base, corpus, _ = server
    page.goto(base + "/pairs")
    page.wait_for_selector("table.pairs tbody tr")
    screenshot(page, "web-pairs")
    facet = page.locator('.facet[data-facet="relation"] li a').first
    value = facet.inner_text()
    count = int(facet.locator("xpath=following-sibling::span[@class='count']").inner_text())
    facet.click()
    page.wait_for_url("**/pairs?*relation=*")
    assert page.locator('.facet[data-facet="relation"] li.selected').count() == 1
    rows = page.locator("table.pairs tbody tr:not(.matches)")
    assert rows.count() == min(count, 50)
    assert all(value in rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count()))
    screenshot(page, "web-pairs-facet")
    first = rows.first.locator("a.pair-link")
    href = first.get_attribute("href")
    first.click()
    page.wait_for_selector(".wt-pair [data-p]")
    assert page.url.endswith(href)
    screenshot(page, "web-pairs-to-pair")
    assert page.errors == []


def test_passage_search_shows_matching_passages(server, page):
    base, _, _ = server
    page.goto(base + "/pairs")
    page.fill("input[name=q]", "detainees")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**q=detainees*")
    quotes = page.locator("tr.matches blockquote")
    assert quotes.count() > 0
    assert all("detainees" in quotes.nth(i).inner_text().lower() for i in range(quotes.count()))
    screenshot(page, "web-pairs-search")
    assert page.errors == []


def test_conflicts_page_to_pair(server, page):
    base, _, _ = server
    page.goto(base + "/conflicts")
    page.wait_for_selector("table.conflict-list tbody tr")
    marks = page.locator("table.conflict-list mark.wt-c")
    assert marks.count() >= 2
    screenshot(page, "web-conflicts")
    page.locator("table.conflict-list a.pair-link").first.click()
    page.wait_for_selector(".wt-pair .wt-c")
    screenshot(page, "web-conflicts-to-pair")
    assert page.errors == []


def test_story_page_lists_its_conflicts_and_fits_its_labels(server, page):
    from wiretrace.web import views

    base, corpus, _ = server
    page.goto(base + views.story_url(corpus.doc_story["wire-1"]))
    page.wait_for_selector("svg .node")
    assert page.locator("#conflicts ~ table.conflict-list tbody tr").count() > 0
    # every label inside its box, as this browser measures it; the whole label in the tooltip
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.graph svg a')).map(a => {
        const r = a.querySelector('rect').getBBox();
        return {rect: [r.x, r.width], title: a.querySelector('title').textContent,
                texts: Array.from(a.querySelectorAll('text')).map(t => {
                    const b = t.getBBox(); return {x: b.x, w: b.width, text: t.textContent,
                                                   full: t.getAttribute('data-full')}; })}; })""")
    assert boxes and all(len(b["texts"]) == 2 for b in boxes)
    for b in boxes:
        x, w = b["rect"]
        for t in b["texts"]:
            assert x <= t["x"] and t["x"] + t["w"] <= x + w, t
            assert t["full"] in b["title"]
            assert t["text"] == t["full"] or t["text"].endswith("…")
    assert any(t["text"].endswith("…") for b in boxes for t in b["texts"])  # the hostile outlet is long
    screenshot(page, "web-story-conflicts")
    assert page.errors == []


def test_check_permalink_and_reload(server, page):
    base, _, _ = server
    text = (EXAMPLES / "paper.txt").read_text(encoding="utf-8")
    page.goto(base + "/check")
    page.fill("textarea[name=text]", text)
    page.fill("input[name=title]", "A paper's version")
    page.click("form.check button[type=submit]")
    page.wait_for_selector("#results .hit", timeout=15000)
    page.wait_for_load_state("load")
    hits = page.locator("#results .hit > h3").all_text_contents()
    # the page keeps the pasted text
    assert page.input_value("form.check textarea[name=text]") == text
    link = page.get_attribute("#permalink", "href")
    page.click("#permalink")
    page.wait_for_url("**" + link)
    page.wait_for_selector(".stored")
    assert page.locator("#results .hit > h3").all_text_contents() == hits and len(hits) >= 2
    page.reload()
    page.wait_for_selector("#results .hit")
    assert page.locator("#results .hit > h3").all_text_contents() == hits
    assert page.input_value("form.check textarea[name=text]") == text
    assert page.input_value("form.check input[name=title]") == "A paper's version"
    screenshot(page, "web-check-permalink")
    assert page.errors == []


def test_hostile_text_runs_nowhere(server, page):
    from test_web import ATTR, EVIL_ID, SCRIPT, SINGLE

    base, corpus, _ = server
    dialogs = _watch_dialogs(page)
    text = (EXAMPLES / "wire.txt").read_text(encoding="utf-8") + f"\n{SCRIPT} {ATTR} {SINGLE} {CONTROL}\n"
    page.goto(base + "/check")
    page.fill("textarea[name=text]", text)
    page.fill("input[name=title]", ATTR + SCRIPT)
    page.fill("input[name=source]", SINGLE + CONTROL)
    page.click("form.check button[type=submit]")
    page.wait_for_selector("#permalink", timeout=15000)
    page.click("#permalink")
    page.wait_for_selector(".stored")
    assert page.input_value("form.check input[name=title]") == ATTR + SCRIPT
    screenshot(page, "web-check-hostile-permalink")
    evil_outlet = corpus.documents[EVIL_ID].source
    for url in ["/pairs?" + urlencode({"q": SCRIPT + CONTROL, "outlet": ATTR}),
                "/pairs?" + urlencode({"outlet": evil_outlet}),
                "/conflicts?" + urlencode({"q": ATTR + SINGLE}), "/conflicts",
                "/conflicts?" + urlencode({"story": corpus.doc_story[EVIL_ID]})]:
        page.goto(base + url)
        page.wait_for_selector("h1")
        page.mouse.move(400, 400)
        page.mouse.move(600, 300)
        assert page.query_selector("img") is None, url
    page.goto(base + "/pairs?" + urlencode({"outlet": evil_outlet}))
    assert evil_outlet in page.inner_text("main")  # shown, as text
    screenshot(page, "web-pairs-hostile-outlet")
    assert dialogs == [] and page.errors == []


def test_report_graph_is_readable(server, page):
    _, _, scan = server
    page.goto((scan / "report.html").as_uri())
    page.wait_for_selector("svg.wt-graph")
    got = page.evaluate("""() => Array.from(document.querySelectorAll('svg.wt-graph')).map(svg => ({
        width: svg.getBoundingClientRect().width, viewW: svg.viewBox.baseVal.width,
        radii: Array.from(svg.querySelectorAll('circle')).map(c => c.getBoundingClientRect().width / 2),
        fonts: Array.from(svg.querySelectorAll('text')).map(t => parseFloat(getComputedStyle(t).fontSize)
                                                              * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width),
        right: Math.max(...Array.from(svg.querySelectorAll('text')).map(t => t.getBBox().x + t.getBBox().width)),
        caption: svg.nextElementSibling.textContent}))""")
    assert got
    for g in got:
        assert min(g["radii"]) >= 6 and min(g["fonts"]) >= 11.5  # as drawn on the screen
        assert g["right"] <= g["viewW"] + 1  # no label runs out of the picture
        assert "arrows run from the source to its copy" in g["caption"] or "no copy" in g["caption"]
    page.locator(".wt-story").first.screenshot(path=str(screenshot(page, "report-graph")))
    assert page.errors == []

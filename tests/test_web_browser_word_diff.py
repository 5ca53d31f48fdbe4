"""Acceptance check of issue 16 in headless Chromium: ``compare --html`` and the
viewer's pair page show the seed pair's changed words ("IS" against "Islamic
State", "are" against "met", and "Daesh" against "IS" inside Kerry's quote),
each marked on its own and not the whole passage or quote.

Skipped when ../shared/seeds, the ``playwright`` package or /usr/bin/chromium
is missing. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json

import pytest

from conftest import ARTIFACTS, SEEDS, live_server

pytestmark = pytest.mark.slow

PAPER, WIRE = "000-paper", "001-reuters"

# every changed-word mark of the pair, from the column it sits in
MARKS_JS = """() => Array.from(document.querySelectorAll('.wt-pair .wt-col')).flatMap(col =>
  Array.from(col.querySelectorAll('del.wt-d, ins.wt-i')).map(el => ({
    side: col.dataset.side, text: el.textContent, cls: el.className, title: el.title,
    visible: el.offsetWidth > 0,
    marked: getComputedStyle(el).backgroundColor !== getComputedStyle(el.parentElement).backgroundColor})))"""


def _seed_texts() -> tuple[str, str]:
    if not SEEDS.exists():
        pytest.skip("../shared/seeds is not present")
    return (next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8"),
            next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def viewer(browser, tmp_path_factory):
    """uvicorn serving a scan of the two seed articles on a free loopback port."""
    from wiretrace.config import CompareConfig, ScanConfig
    from wiretrace.engines.local import scan
    from wiretrace.web import create_app

    paper, wire = _seed_texts()
    root = tmp_path_factory.mktemp("seed-viewer")
    src = root / "seeds.jsonl"
    src.write_text(json.dumps({"id": PAPER, "text": paper, "source": "paper"}) + "\n"
                   + json.dumps({"id": WIRE, "text": wire, "source": "Reuters"}) + "\n", encoding="utf-8")
    scan(str(src), str(root / "scan"), config=ScanConfig(compare=CompareConfig(semantic=False)))
    app = create_app(root / "scan", allowed_hosts={"127.0.0.1"})
    with live_server(app) as base:
        yield base, app.state.site.corpus


def _has(marks: list[dict], side: str, text: str, other: str, quote: bool = False) -> bool:
    """A mark on ``side`` showing exactly ``text``, whose title names the other side's ``other``."""
    return any(m["side"] == side and m["text"] == text and other in m["title"] and m["visible"]
               and m["marked"] and (not quote or "wt-q" in m["cls"]) for m in marks)


def _check_seed_marks(marks: list[dict], paper: str, wire: str) -> None:
    assert _has(marks, paper, "IS", "Islamic State") and _has(marks, wire, "Islamic State", "IS")
    assert _has(marks, paper, "are", "met") and _has(marks, wire, "met", "are")
    assert _has(marks, paper, "IS", "Daesh", quote=True) and _has(marks, wire, "Daesh", "IS", quote=True)
    # words, not passages: no mark runs over a whole sentence
    assert max(len(m["text"]) for m in marks) < 40


def test_compare_html_shows_changed_words(page, tmp_path):
    _seed_texts()
    from wiretrace.cli import main

    out = tmp_path / "seed.html"
    a, b = (next(SEEDS.glob(g)) for g in ("000_*.txt", "001_*.txt"))
    assert main(["compare", str(a), str(b), "--html", str(out), "--json"]) == 0
    page.goto(out.as_uri())
    page.wait_for_selector(".wt-pair del.wt-d")
    _check_seed_marks(page.evaluate(MARKS_JS), "a", "b")
    quotes = page.inner_text(".wt-quotes")
    assert "IS" in page.inner_text(".wt-quotes del") and "Daesh" in page.inner_text(".wt-quotes ins")
    assert "metastasizing" in quotes
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare-html-word-diff.png"), full_page=True)
    assert page.errors == []


def test_viewer_pair_page_shows_changed_words(viewer, page):
    from wiretrace.web import views

    base, corpus = viewer
    pm = corpus.pair(PAPER, WIRE)
    assert pm is not None
    page.goto(base + views.pair_url(pm.a, pm.b))
    page.wait_for_selector(".wt-pair del.wt-d")
    paper_side = "a" if pm.a == PAPER else "b"
    wire_side = "b" if paper_side == "a" else "a"
    _check_seed_marks(page.evaluate(MARKS_JS), paper_side, wire_side)
    # the altered quote no longer has the whole quote underlined as a conflict
    assert not [t for t in page.eval_on_selector_all(".wt-pair .wt-c", "els => els.map(e => e.textContent)")
                if "metastasizing" in t]
    assert "Daesh" in page.inner_text(".wt-quotes ins")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-pair-word-diff.png"), full_page=True)
    assert page.errors == []

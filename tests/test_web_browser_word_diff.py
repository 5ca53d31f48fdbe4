"""Acceptance check of issue 16 in headless Chromium: ``compare --html`` and the
viewer's pair page show the seed pair's changed words ("IS" against "Islamic
State", "are" against "met", and "Daesh" against "IS" inside Kerry's quote),
each marked on its own and not the whole passage or quote.

Skipped when ../shared/seeds, the ``playwright`` package or /usr/bin/chromium
is missing. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import SEEDS

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PAPER, WIRE = "000-paper", "001-reuters"

# every changed-word mark of the pair, from the column it sits in
MARKS_JS = """() => Array.from(document.querySelectorAll('.wt-pair .wt-col')).flatMap(col =>
  Array.from(col.querySelectorAll('del.wt-d, ins.wt-i')).map(el => ({
    side: col.dataset.side, text: el.textContent, cls: el.className, title: el.title,
    visible: el.offsetWidth > 0,
    marked: getComputedStyle(el).backgroundColor !== getComputedStyle(el.parentElement).backgroundColor})))"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed_texts() -> tuple[str, str]:
    if not SEEDS.exists():
        pytest.skip("../shared/seeds is not present")
    return (next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8"),
            next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser():
    _seed_texts()
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    # nothing may leave the machine: only our server and our own file are served
    pg.route("**/*", lambda route: route.continue_()
             if route.request.url.startswith(("http://127.0.0.1:", "file://"))
             else (pg.errors.append("external: " + route.request.url), route.abort()))
    yield pg
    ctx.close()


@pytest.fixture(scope="module")
def viewer(browser, tmp_path_factory):
    """uvicorn serving a scan of the two seed articles on a free loopback port."""
    uvicorn = pytest.importorskip("uvicorn")
    from test_web_browser import _free_port
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
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app.state.site.corpus
    srv.should_exit = True
    thread.join(10)


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

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"
FIXTURES = Path(__file__).parent / "fixtures"

needs_shared = pytest.mark.skipif(not SEEDS.exists(), reason="../shared is not present")


@pytest.fixture(scope="session")
def seed_pair() -> tuple[str, str]:
    if not SEEDS.exists():
        pytest.skip("../shared/seeds is not present")
    a = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    b = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")
    return a, b


@pytest.fixture(scope="session")
def wire_pair() -> tuple[str, str]:
    """Our own small fixture: a paper's edited, reordered copy of a wire story."""
    return ((FIXTURES / "paper.txt").read_text(encoding="utf-8"),
            (FIXTURES / "wire.txt").read_text(encoding="utf-8"))


# -- a real browser (Playwright driving Debian's /usr/bin/chromium, headless) ---------
# One shared fixture for every browser test module: skipped when the playwright
# package or the browser is missing; screenshots go to ARTIFACTS (ignored by git).

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page whose ``errors`` collects page errors, console errors and any
    request that would leave the machine (aborted): only loopback and file:// load."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.route("**/*", lambda route: route.continue_()
             if route.request.url.startswith(("http://127.0.0.1:", "file://"))
             else (pg.errors.append("external: " + route.request.url), route.abort()))
    yield pg
    ctx.close()


def screenshot(pg, name: str) -> Path:
    """Save a full-page screenshot as a test artifact; returns its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app):
    """Serve the ASGI ``app`` with uvicorn on a free loopback port in a background
    thread; yields its base URL."""
    uvicorn = pytest.importorskip("uvicorn")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)

"""Permalinks of the check page (wiretrace.web.permalinks) over HTTP: a check is
stored beside the index (never in it), read back read-only at /check/KEY and its
.json twin, keyed by content, capped, and shown inert whatever the text holds."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")
pytest.importorskip("multipart")

from starlette.testclient import TestClient  # noqa: E402
from test_web import ATTR, EXAMPLES, SCRIPT, SINGLE, assert_inert, scan_dir, snapshot  # noqa: E402,F401

from wiretrace.web import create_app  # noqa: E402
from wiretrace.web.permalinks import KEY, CheckStore, checks_beside  # noqa: E402

CONTROL = "\x01\x07\x1b[2J\x7f\u2028"


@pytest.fixture
def site(tmp_path, scan_dir):
    """A copy of the scan (each test gets its own check store) and a client on it."""
    copy = tmp_path / "scan"
    shutil.copytree(scan_dir, copy, ignore=shutil.ignore_patterns("*.checks"))
    return copy, TestClient(create_app(copy))


def test_a_check_gets_a_permalink_that_shows_it_again(site):
    folder, client = site
    text = (EXAMPLES / "paper.txt").read_text(encoding="utf-8")
    before = snapshot(folder)
    posted = client.post("/check.json", data={"text": text, "title": "A paper", "date": "2019-02-06"}).json()
    link = posted["permalink"]
    key = link.rsplit("/", 1)[1]
    assert link == f"/check/{key}" and KEY.fullmatch(key)
    # stored beside the index, not in it: the scan's files are as they were
    assert snapshot(folder) == before
    stored = checks_beside(folder / "index.duckdb") / f"{key}.json"
    assert json.loads(stored.read_text(encoding="utf-8"))["text"] == text
    again = client.get(link + ".json").json()
    assert [h["id"] for h in again["hits"]] == [h["id"] for h in posted["hits"]] and again["hits"]
    assert again["hits"] == posted["hits"] and again["text"] == text and again["stored"] is True
    assert again["form"] == posted["form"]
    page = client.get(link)
    assert page.status_code == 200 and "Stored check" in page.text and 'id="permalink"' in page.text
    assert all(f'href="{h["url"]}"' in page.text for h in posted["hits"])
    # the page keeps the text: in the form, and in the side-by-side form every hit posts
    assert page.text.count(text.splitlines()[0]) >= 2
    assert 'form="side-by-side"' in page.text
    # the HTML form links its permalink too
    html = client.post("/check", data={"text": text, "title": "A paper", "date": "2019-02-06"}).text
    assert f'href="{link}"' in html


def test_the_key_is_the_content(site):
    _, client = site
    text = (EXAMPLES / "wire.txt").read_text(encoding="utf-8")
    one = client.post("/check.json", data={"text": text}).json()["permalink"]
    assert client.post("/check.json", data={"text": text}).json()["permalink"] == one
    assert client.post("/check.json", data={"text": text, "title": "t"}).json()["permalink"] != one
    assert client.post("/check.json", data={"text": text + " More."}).json()["permalink"] != one


@pytest.mark.parametrize("key", ["0" * 32, "zz", "../../etc/passwd", "A" * 32, "0" * 31 + ".", "%2e%2e%2fx"])
def test_unknown_or_malformed_keys_are_404(site, key):
    _, client = site
    r = client.get(f"/check/{key}")
    assert r.status_code == 404
    if "/" not in key and "%" not in key:  # a key the route takes, then finds no check by
        assert "check the article again" in r.text
    assert client.get(f"/check/{key}.json").status_code == 404


def test_hostile_text_is_stored_as_is_and_shown_inert(site):
    _, client = site
    text = (EXAMPLES / "wire.txt").read_text(encoding="utf-8") + f"\n{SCRIPT} {ATTR} {SINGLE} {CONTROL}\n"
    posted = client.post("/check.json", data={"text": text, "title": ATTR + SCRIPT + CONTROL,
                                              "source": SINGLE + ATTR}).json()
    link = posted["permalink"]
    got = client.get(link + ".json").json()
    assert got["text"] == text and got["form"]["title"] == ATTR + SCRIPT + CONTROL
    page = client.get(link)
    assert page.status_code == 200
    assert_inert(page.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_full_store_keeps_no_more_and_says_so(site, tmp_path):
    folder, _ = site
    app = create_app(folder, checks_dir=tmp_path / "few")
    app.state.site.checks = CheckStore(tmp_path / "few", max_files=1)
    client = TestClient(app)
    text = (EXAMPLES / "wire.txt").read_text(encoding="utf-8")
    first = client.post("/check.json", data={"text": text}).json()
    assert first["permalink"] and (tmp_path / "few").is_dir()
    second = client.post("/check.json", data={"text": text + " Another."}).json()
    assert second["permalink"] is None and second["hits"]
    assert any(n.startswith("No permalink") and "--checks-dir" in n for n in second["notes"])
    assert len(list((tmp_path / "few").glob("*.json"))) == 1
    assert client.get(first["permalink"]).status_code == 200  # the kept one still answers


def test_an_unwritable_store_still_shows_the_results(site, tmp_path):
    folder, _ = site
    blocker = tmp_path / "a-file"  # a folder cannot be made under a file, even by root
    blocker.write_text("not a folder", encoding="utf-8")
    client = TestClient(create_app(folder, checks_dir=blocker / "checks"))
    j = client.post("/check.json", data={"text": (EXAMPLES / "wire.txt").read_text(encoding="utf-8")}).json()
    assert j["permalink"] is None and j["hits"] and any("cannot be written" in n for n in j["notes"])


def test_a_scan_folder_with_checks_is_still_the_scans_own(site):
    """A later scan resumes in a folder the server stored checks in (the folder guard)."""
    from wiretrace.pipeline.folder import check_out_dir, folder_input

    folder, client = site
    client.post("/check.json", data={"text": (EXAMPLES / "wire.txt").read_text(encoding="utf-8")})
    assert checks_beside(folder / "index.duckdb").is_dir()
    index = str(folder / "index.duckdb")
    check_out_dir(str(folder), folder_input(str(folder), index), index, force=False)

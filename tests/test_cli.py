from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wiretrace.cli import main

FIX = Path(__file__).parent / "fixtures"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wiretrace", *args], capture_output=True, text=True,
                          timeout=120)


def test_compare_json_matches_library(capsys):
    assert main(["compare", str(FIX / "paper.txt"), str(FIX / "wire.txt"), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["relation"] == "partially-derived" and d["source"] == "b"
    assert len(d["passages"]) == 4


def test_compare_terminal_view_and_html(tmp_path, capsys):
    out = tmp_path / "pair.html"
    assert main(["compare", str(FIX / "paper.txt"), str(FIX / "wire.txt"), "--html", str(out),
                 "--no-semantic"]) == 0
    text = capsys.readouterr().out
    assert "partially-derived" in text and "paper.txt" in text
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'data-p="0"' in page
    assert "http://" not in page and "https://" not in page


def test_python_dash_m_and_help():
    r = run("--help")
    assert r.returncode == 0 and "compare" in r.stdout and "scan" in r.stdout
    r = run("compare", "--help")
    assert r.returncode == 0 and "--json" in r.stdout


@pytest.mark.parametrize("make, message", [
    (lambda d: str(d / "missing.txt"), "file not found"),
    (lambda d: (d / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4) and str(d / "img.txt"),
     "image"),
    (lambda d: str(d), "directory"),
])
def test_bad_input_gives_message_and_nonzero_exit(tmp_path, make, message):
    bad = make(tmp_path)
    r = run("compare", bad, str(FIX / "wire.txt"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert message in r.stderr.lower() and "wiretrace: error:" in r.stderr


def test_non_utf8_file_is_decoded(tmp_path):
    p = tmp_path / "cp1252.txt"
    p.write_bytes(FIX.joinpath("paper.txt").read_text(encoding="utf-8")
                  .replace('"', "\u201c", 1).encode("cp1252"))
    r = run("compare", str(p), str(FIX / "wire.txt"), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["source"] == "b"


def test_empty_files_are_refused_by_compare(tmp_path):
    e = tmp_path / "empty.txt"
    e.write_text("")
    r = run("compare", str(e), str(e), "--json")
    assert r.returncode == 2 and "no article text" in r.stderr and "Traceback" not in r.stderr


def test_bad_option_and_unwritable_html(tmp_path):
    r = run("compare", str(FIX / "paper.txt"), str(FIX / "wire.txt"), "-o", "nope=1")
    assert r.returncode == 2 and "unknown compare option" in r.stderr
    r = run("compare", str(FIX / "paper.txt"), str(FIX / "wire.txt"), "--html", str(tmp_path / "no" / "x.html"))
    assert r.returncode == 2 and "cannot write" in r.stderr and "Traceback" not in r.stderr


def test_no_verb_prints_help():
    r = run()
    assert r.returncode == 2 and "usage" in r.stdout.lower()


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_scan_add_query_verbs(tmp_path):
    out = tmp_path / "out"
    r = run("scan", str(EXAMPLES / "corpus"), "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["documents"] == 4 and summary["pairs"] >= 2
    for name in ("documents.jsonl", "pairs.jsonl", "report.html", "stories.jsonl", "passages.parquet",
                 "config.json"):
        assert (out / name).exists(), name
    docs = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    assert {"id", "source", "date", "story"} <= set(docs[0])
    pair = json.loads((out / "pairs.jsonl").read_text().splitlines()[0])
    assert {"a", "b", "passages", "relation", "source", "similarity", "conflicts"} <= set(pair)
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "late-copy", "text": (EXAMPLES / "wire.txt").read_text()}) + "\n"
                   + "{not json\n")
    r = run("add", str(out / "index.duckdb"), str(new), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["skipped"] == {"bad-json": 1}
    r = run("query", str(out / "index.duckdb"), str(EXAMPLES / "paper.txt"), "--json")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert {h["id"] for h in hits} >= {"reuters-yemen-talks.txt", "late-copy"}


def test_scan_bad_option_and_missing_input(tmp_path):
    r = run("scan", str(EXAMPLES / "corpus"), "--out", str(tmp_path / "o"), "-o", "bogus=1")
    assert r.returncode == 2 and "unknown compare option" in r.stderr
    r = run("scan", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "nope" in r.stderr


def test_semantic_notice_only_on_fallback(capsys):
    from wiretrace.meaning import embed

    assert main(["compare", str(FIX / "paper.txt"), str(FIX / "wire.txt")]) == 0
    err = capsys.readouterr().err
    if embed.installed() and embed.available():
        assert "semantic pass" not in err  # working as installed: nothing to say
    else:
        assert err.count("semantic pass off") == 1  # one line on the fallback

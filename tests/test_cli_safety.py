"""Issue 16: a command line that never loses work or misleads: one-line errors with
exit code 2, ``compare`` reading like ``scan``, readable summaries, whole ids in
``query`` and every ``--help`` option described."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from wiretrace.cli import build_parser, main

FIX = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PAGE = ("<html><head><title>Talks</title></head><body><nav>Home | World | Sport | Video</nav><article>"
        "<h1>Talks</h1><p>" + (FIX / "wire.txt").read_text(encoding="utf-8").replace("\n\n", "</p><p>")
        + "</p></article><footer>Copyright 2016 The Paper. All rights reserved.</footer></body></html>")


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wiretrace", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "out"
    assert main(["scan", str(EXAMPLES / "corpus"), "--out", str(folder), "--no-progress",
                 "--workers", "1"]) == 0
    return folder


def _one_line_error(r: subprocess.CompletedProcess, *words: str) -> None:
    assert r.returncode == 2, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.startswith("wiretrace:")]
    assert len(lines) == 1 and lines[0].startswith("wiretrace: error:"), r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert "delete" not in r.stderr.lower()
    for w in words:
        assert w in r.stderr


def test_failures_are_one_line_errors(out, tmp_path):
    _one_line_error(run("add", str(out / "index.duckdb"), str(tmp_path / "missing.jsonl")), "missing.jsonl")
    jsonl = tmp_path / "file.jsonl"
    jsonl.write_text('{"id": "a", "text": "b"}\n')
    _one_line_error(run("serve", str(jsonl)), "not a wiretrace index")
    _one_line_error(run("compare", str(FIX / "paper.txt"), str(FIX / "wire.txt"), "-o",
                        "min_passage_words=abc"), "min_passage_words", "whole number")
    _one_line_error(run("scan", str(EXAMPLES / "corpus"), "--out", str(tmp_path / "o"), "-o",
                        "story_threshold=high"), "story_threshold")
    for verb in ("query", "add"):
        r = run(verb, str(out / "report.html"), str(FIX / "paper.txt"))
        _one_line_error(r, "scan output, not the index", str(out))


def test_serve_on_a_busy_port_is_an_error(out):
    pytest.importorskip("uvicorn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        _one_line_error(run("serve", str(out), "--port", str(port)), "--port", str(port))


def test_query_accepts_the_scan_folder_and_prints_whole_ids(out, tmp_path):
    r = run("query", str(out), str(EXAMPLES / "paper.txt"), env={"COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    assert "reuters-yemen-talks.txt" in r.stdout and "…" not in r.stdout.split("explains:")[0]
    # ids sharing a long prefix (BBC's business/001.txt …) stay whole in 80 columns
    corpus = tmp_path / "c" / "business" / "a-rather-long-section-name"
    corpus.mkdir(parents=True)
    for name in ("001.txt", "002.txt"):
        (corpus / name).write_text((FIX / "wire.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["scan", str(tmp_path / "c"), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    r = run("query", str(tmp_path / "o"), str(FIX / "wire.txt"), env={"COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    for name in ("001.txt", "002.txt"):
        assert f"business/a-rather-long-section-name/{name}" in r.stdout


def test_compare_reads_html_like_scan_and_names_its_files(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    assert main(["compare", str(page), str(FIX / "wire.txt"), "--json", "--no-semantic"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["a_file"] == str(page) and d["b_file"] == str(FIX / "wire.txt")
    assert d["relation"] == "wholly-derived"  # the markup and the page furniture are gone
    assert all("<" not in p.get("a_text", "") for p in d["passages"])


def test_compare_refuses_empty_input_and_bad_dates(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    _one_line_error(run("compare", str(empty), str(FIX / "wire.txt")), "empty.txt", "no article text")
    _one_line_error(run("compare", str(FIX / "paper.txt"), str(FIX / "wire.txt"), "--a-date", "soon"),
                    "not a date")


def test_scan_and_add_print_a_readable_summary(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["scan", str(EXAMPLES / "corpus"), "--out", str(out), "--no-progress"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("scanned: 4 documents,") and "stories" in said
    assert f"report: {out / 'report.html'}" in said and "{" not in said
    new = tmp_path / "new.jsonl"
    new.write_text("{broken\n")
    assert main(["add", str(out), str(new), "--no-progress"]) == 0
    said = capsys.readouterr().out
    assert "skipped 1 record (1 bad-json)" in said and str(out / "skipped.jsonl") in said


def test_every_help_option_says_what_it_does_and_its_default():
    parser = build_parser()
    verbs = parser._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse has no public walk
    for verb, sub in verbs.items():
        for action in sub._actions:  # noqa: SLF001
            if action.dest == "help":
                continue
            assert action.help, f"{verb} {action.option_strings or action.dest} has no help"
            if action.option_strings and not action.required:
                assert "default" in action.help, f"{verb} {action.option_strings} names no default"


def test_no_message_advises_deleting_a_file():
    import re

    src = Path(__file__).resolve().parents[1] / "src" / "wiretrace"
    advice = re.compile(r"""["'][^"'\n]*\b(?:delete|remove) (?:it|the file|the index)\b""", re.IGNORECASE)
    for path in src.rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.lstrip().startswith("#"):
                assert not advice.search(line), f"{path.name}:{n}: {line.strip()}"

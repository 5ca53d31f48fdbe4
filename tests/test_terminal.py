"""The terminal views of ``compare`` and ``query``: legend, kinds, plain marks
when piped, colours readable on light and dark themes, and no escape sequence
or rich markup from article text, ids or sources ever reaching the terminal."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from wiretrace.cli import build_parser, main

FIX = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BODY = ("Officials from 23 countries met in Rome to review the fight against Islamic State militants, "
        "who have created a self-proclaimed Caliphate across swathes of Syria and Iraq.\n\n"
        "The one-day Rome meeting took place as talks have begun in Geneva to try to end the "
        "five-year-old Syrian civil war, which has killed at least 250,000 people.")
HOSTILE = ("\x1b[2J\x1b[H", "\x1b]8;;http://evil.example/\x1b\\click here\x1b]8;;\x1b\\", "\x1b[41;97m",
           "\x9b2J", "\x07", "\x1b]0;pwned title\x07", "\x1bc")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    """A wide console, so that table cells do not wrap the phrases the tests look for."""
    monkeypatch.setenv("COLUMNS", "300")


def _write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _only_sgr(out: str) -> list[str]:
    """Every escape in ``out`` must be an SGR (style) sequence; returns their parameters."""
    rest = SGR.sub("", out)
    assert "\x1b" not in rest and "\x9b" not in rest and "\x07" not in rest, repr(rest[:200])
    return SGR.findall(out)


def _backgrounds(params: list[str]) -> list[int]:
    """Background colours set by SGR parameter lists (40-47, 48;…, 100-107)."""
    found = []
    for group in params:
        nums = [int(x) for x in group.split(";") if x]
        k = 0
        while k < len(nums):
            n = nums[k]
            if n in (38, 48):
                if n == 48:
                    found.append(n)
                k += 3 if k + 1 < len(nums) and nums[k + 1] == 5 else 5
                continue
            if 40 <= n <= 47 or 100 <= n <= 107:
                found.append(n)
            k += 1
    return found


def test_hostile_article_text_and_file_name_never_reach_the_terminal(tmp_path, capsys):
    evil = " ".join(HOSTILE)
    a = _write(tmp_path, "paper\x1b[2J.txt", f"{evil} {BODY.replace('met in', 'are in')} {evil}")
    b = _write(tmp_path, "wire.txt", f"{BODY} {evil}")
    for color in ("always", "never", "auto"):
        assert main(["compare", a, b, "--no-semantic", "--color", color]) == 0
        out = capsys.readouterr().out
        params = _only_sgr(out)
        assert "␛[2J" in out and "␛]8;;http://evil.example/" in out  # shown, harmless
        if color == "always":
            assert params
        else:
            assert not params


def test_library_view_on_a_colour_console_strips_escapes():
    from rich.console import Console

    from wiretrace import compare
    from wiretrace.report.terminal import print_comparison

    evil = " ".join(HOSTILE)
    a, b = f"{evil} {BODY}", f"{BODY} {evil}"
    out = io.StringIO()
    print_comparison(a, b, compare(a, b, semantic=False), "A\x1b[2J", "B", console=Console(
        file=out, force_terminal=True, color_system="standard", width=200))
    assert _only_sgr(out.getvalue()) and "␛[2J" in out.getvalue()


def test_piped_output_marks_passages_kinds_and_changed_words(seed_pair, tmp_path, capsys):
    a = _write(tmp_path, "000.txt", seed_pair[0])
    b = _write(tmp_path, "001.txt", seed_pair[1])
    assert main(["compare", a, b, "--no-semantic"]) == 0  # capsys is no terminal: auto is plain
    out = " ".join(capsys.readouterr().out.split())
    assert "\x1b" not in out
    assert "legend:" in out and "[1 edited" in out and "verbatim" in out
    assert "{-IS-}" in out and "{+Islamic State+}" in out and "{-are-}" in out and "{+met+}" in out
    # the altered quote, with the changed word in place; the conflict with its context
    assert "Altered quotes" in out and "seen {-IS-}{+Daesh+} playing" in out
    assert "{!Syria!}" in out and "{!Iraq!}" in out and "20 per cent in {!Syria!}" in out
    assert "Only in 000.txt" in out and "Only in 001.txt" in out and "INTERRUPTING ISLAMIC STATE" in out


def test_colour_output_has_no_backgrounds_and_no_bracket_marks(wire_pair, tmp_path, capsys):
    a = _write(tmp_path, "paper.txt", wire_pair[0])
    b = _write(tmp_path, "wire.txt", wire_pair[1])
    assert main(["compare", a, b, "--no-semantic", "--color", "always"]) == 0
    out = capsys.readouterr().out
    params = _only_sgr(out)
    assert params and _backgrounds(params) == []
    plain = SGR.sub("", out)
    assert "{-" not in plain and "{+" not in plain and "[1 " in plain and "legend:" in plain


def test_color_option_documented_with_default():
    c = build_parser()._subparsers._group_actions[0].choices["compare"]
    text = " ".join(c.format_help().split())
    assert "--color {auto,always,never}" in text and "auto (default)" in text
    with pytest.raises(SystemExit):
        build_parser().parse_args(["compare", "a", "b", "--color", "sometimes"])


def test_query_prints_ids_and_sources_as_text(tmp_path, capsys):
    from wiretrace.config import CompareConfig, ScanConfig
    from wiretrace.engines.local import INDEX_FILE, scan

    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": "[/closing]", "source": "[bold red]AP\x1b[2J\x1b]8;;http://evil\x1b\\",
                                "text": (EXAMPLES / "wire.txt").read_text(encoding="utf-8")}) + "\n",
                    encoding="utf-8")
    scan(str(docs), str(tmp_path / "out"), config=ScanConfig(compare=CompareConfig(semantic=False)))
    assert main(["query", str(tmp_path / "out" / INDEX_FILE), str(EXAMPLES / "paper.txt")]) == 0
    out = capsys.readouterr().out
    _only_sgr(out)
    flat = "".join(out.split())
    assert "[/closing]" in flat and "[boldred]AP␛[2J" in flat

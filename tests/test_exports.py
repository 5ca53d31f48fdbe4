"""Issue 16: exports a researcher can use alone (passage text, stored texts, pandas,
polars and DuckDB), ``add`` keeping the scan folder true, and ``scan`` never
replacing another scan's folder or unrelated files without ``--force``."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from wiretrace import ScanConfig
from wiretrace.cli import main
from wiretrace.engines.local import add, scan
from wiretrace.pipeline.folder import locate_index

WIRE = ("ROME (Reuters) - U.S. Secretary of State John Kerry said on Tuesday that talks in Rome with "
        "Italian Foreign Minister Paolo Gentiloni on the crisis in Libya went well and that both "
        "countries agreed a political settlement was the only way forward – “a café deal” 🤝.\n\n"
        "Kerry told reporters after the meeting that the United States would support a unity "
        "government and would press the rival factions to accept the United Nations plan before the "
        "end of the month.")
HTML = ("<html><head><title>Kerry in Rome</title></head><body><nav>Home | World | Sport | Video</nav>"
        "<article><h1>Kerry in Rome</h1><p>U.S. Secretary of State John Kerry said on Tuesday that "
        "talks in Rome with Italian Foreign Minister Paolo Gentiloni on the crisis in Libya went well "
        "and that both countries agreed a political settlement was the only way forward – “a café "
        "deal” 🤝.</p><p>Local leaders in Tripoli welcomed the news, saying trade had collapsed "
        "since the fighting began last year.</p></article><footer>Copyright 2016 The Paper</footer>"
        "</body></html>")
COPY = ("Kerry told reporters after the meeting that the United States would support a unity "
        "government and would press the rival factions to accept the United Nations plan before the "
        "end of the month, officials in Washington added.")


def _mixed(folder: Path) -> Path:
    """A folder with .txt, .html, .jsonl and .csv inputs that share passages."""
    folder.mkdir()
    (folder / "wire.txt").write_text(WIRE, encoding="utf-8")
    (folder / "paper.html").write_text(HTML, encoding="utf-8")
    (folder / "more.jsonl").write_text(json.dumps({"id": "j1", "text": "Ünïcode 🤝 first. " + COPY,
                                                   "source": "Herald"}) + "\n{broken\n",
                                       encoding="utf-8")
    with open(folder / "more.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "date"])
        w.writerow(["c1", "By Jo Bloggs\n\nTRIPOLI (AP) - " + WIRE.split("\n\n")[0], "2016-01-12"])
    return folder


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    corpus = _mixed(root / "corpus")
    summary = scan(str(corpus), str(root / "out"), config=ScanConfig(workers=1))
    return root, corpus, summary


def test_passage_text_columns_equal_slices_of_the_stored_texts(mixed):
    root, _, summary = mixed
    out = root / "out"
    texts = dict(zip(*pq.read_table(out / "texts.parquet").to_pydict().values()))
    assert {"wire.txt", "paper.html", "j1", "c1"} <= set(texts)
    assert "<p>" not in texts["paper.html"] and "Kerry" in texts["paper.html"]  # the extracted text
    rows = pq.read_table(out / "passages.parquet").to_pylist()
    assert rows and summary.passages == len(rows)
    kinds = {r["a"] for r in rows} | {r["b"] for r in rows}
    assert {"wire.txt", "paper.html", "c1", "j1"} <= kinds  # j1's passage starts after an emoji
    for r in rows:
        assert r["a_text"] == texts[r["a"]][r["a_start"]:r["a_end"]]
        assert r["b_text"] == texts[r["b"]][r["b_start"]:r["b_end"]]
    assert any("café" in r["a_text"] for r in rows)


def test_exports_load_in_pandas_duckdb_and_polars(mixed):
    out = mixed[0] / "out"
    pd = pytest.importorskip("pandas")
    passages = pd.read_parquet(out / "passages.parquet")
    assert {"a", "b", "a_text", "b_text", "a_start"} <= set(passages.columns)
    assert len(pd.read_json(out / "documents.jsonl", lines=True)) == 4
    assert len(pd.read_json(out / "pairs.jsonl", lines=True)) >= 2
    assert len(pd.read_parquet(out / "texts.parquet")) == 4
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_parquet('{out / 'passages.parquet'}') p JOIN "
                    f"read_parquet('{out / 'texts.parquet'}') t ON t.id = p.a "
                    "WHERE substring(t.text, p.a_start + 1, p.a_end - p.a_start) = p.a_text").fetchone()[0]
    assert n == len(passages)
    for name in ("documents.jsonl", "pairs.jsonl", "stories.jsonl", "skipped.jsonl"):
        assert con.execute(f"SELECT count(*) FROM read_json_auto('{out / name}')").fetchone()[0] > 0
    pl = pytest.importorskip("polars")
    assert pl.read_parquet(out / "passages.parquet").height == len(passages)
    assert pl.read_parquet(out / "texts.parquet").height == 4
    assert pl.read_ndjson(out / "stories.jsonl").height >= 1


def test_story_headline_skips_byline_and_dateline(mixed):
    out = mixed[0] / "out"
    heads = [json.loads(x)["headline"] for x in (out / "stories.jsonl").read_text().splitlines()]
    assert heads and not any(h.startswith(("By ", "ROME", "TRIPOLI")) for h in heads)


def test_add_rewrites_the_scan_folder_with_skip_reasons(mixed, tmp_path, capsys):
    root, corpus, _ = mixed
    out = tmp_path / "out"
    scan(str(corpus), str(out), config=ScanConfig(workers=1))
    new = tmp_path / "late.jsonl"
    new.write_text(json.dumps({"id": "late", "text": COPY}) + "\nnot json\n", encoding="utf-8")
    assert main(["add", str(out), str(new), "--no-progress"]) == 0  # the folder names its index
    said = capsys.readouterr().out
    assert "added 1 document" in said and "skipped.jsonl" in said and "report.html" in said
    ids = [json.loads(x)["id"] for x in (out / "documents.jsonl").read_text().splitlines()]
    assert "late" in ids
    assert "late" in pq.read_table(out / "texts.parquet").column("id").to_pylist()
    assert any("late" in (r["a"], r["b"]) for r in pq.read_table(out / "passages.parquet").to_pylist())
    skips = [json.loads(x) for x in (out / "skipped.jsonl").read_text().splitlines()]
    assert any(s["origin"] == f"{new}:2" and s["category"] == "bad-json" for s in skips)
    cfg = json.loads((out / "config.json").read_text())
    assert [r["kind"] for r in cfg["inputs"]][-1] == "add" and cfg["inputs"][-1]["input"] == str(new)
    assert "late" in (out / "report.html").read_text(encoding="utf-8")


def test_add_finds_the_outputs_of_an_index_kept_elsewhere(mixed, tmp_path, capsys):
    _, corpus, _ = mixed
    idx = tmp_path / "elsewhere.duckdb"
    scan(str(corpus), str(tmp_path / "o"), index_path=str(idx), config=ScanConfig(workers=1))
    new = tmp_path / "late.jsonl"
    new.write_text(json.dumps({"id": "late", "text": COPY}) + "\n", encoding="utf-8")
    summary = add(str(idx), str(new), config=None)
    assert summary.out_dir == str(tmp_path / "o")
    assert "late" in (tmp_path / "o" / "documents.jsonl").read_text()
    # outputs moved away: add says it could not rewrite them
    (tmp_path / "o").rename(tmp_path / "moved")
    new2 = tmp_path / "later.jsonl"
    new2.write_text(json.dumps({"id": "later", "text": COPY + " Again."}) + "\n", encoding="utf-8")
    assert main(["add", str(idx), str(new2), "--no-progress"]) == 0
    assert "outputs not rewritten" in capsys.readouterr().out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_scan_refuses_another_scans_folder_unless_forced(mixed, tmp_path, capsys):
    root, corpus, _ = mixed
    out = root / "out"
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": "x", "text": COPY}) + "\n", encoding="utf-8")
    before = _snapshot(out)
    assert main(["scan", str(other), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"holds the scan of {corpus}" in err and "--force" in err and "delete" not in err
    assert _snapshot(out) == before  # intact
    # the same input resumes in its own folder
    assert main(["scan", str(corpus), "--out", str(out), "--no-progress", "--json"]) == 0
    assert "outputs" in json.loads(capsys.readouterr().out)["resumed"]
    # with --force the other scan replaces it
    forced = tmp_path / "forced"
    assert main(["scan", str(corpus), "--out", str(forced), "--no-progress"]) == 0
    assert main(["scan", str(other), "--out", str(forced), "--no-progress", "--force", "--json"]) == 0
    capsys.readouterr()
    assert json.loads((forced / "config.json").read_text())["input"] == str(other)
    assert [json.loads(x)["id"] for x in (forced / "documents.jsonl").read_text().splitlines()] == ["x"]


def test_scan_refuses_a_folder_of_unrelated_files(mixed, tmp_path, capsys):
    _, corpus, _ = mixed
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    assert main(["scan", str(corpus), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "notes.txt" in err and "--force" in err and "delete" not in err
    assert sorted(os.listdir(out)) == ["notes.txt"]
    assert main(["scan", str(corpus), "--out", str(out), "--no-progress", "--force"]) == 0
    assert (out / "notes.txt").read_text() == "my notes" and (out / "report.html").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["scan", str(corpus), "--out", str(empty), "--no-progress"]) == 0


def test_locate_index_names_what_to_give(mixed):
    out = mixed[0] / "out"
    assert locate_index(str(out)) == str(out / "index.duckdb")
    for bad in ("report.html", "documents.jsonl"):
        with pytest.raises(Exception, match="scan output, not the index") as e:
            locate_index(str(out / bad))
        assert "delete" not in str(e.value)

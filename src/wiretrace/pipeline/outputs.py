"""Scan outputs written from the index: JSONL, Parquet, config and the report.

Every file is written to a temporary name and renamed into place, so a killed
run never leaves a half-written output behind.

* ``documents.jsonl``  id, source, date, story, title, url, date_source ("input",
  "page-metadata", "dateline", "byline"), date_precision ("day", "month", "year"),
  then the record's other input fields (they never override these names)
* ``pairs.jsonl``      a, b, exact, a_literal, b_literal (each side's share copied
  literally, ``stories.literal_shares``), then every ``Comparison.to_dict()``
  field; only related pairs (passages, exact duplicates or story similarity)
* ``passages.parquet`` a, b, a_start, a_end, b_start, b_end, kind, score,
  matched_words, edit_rate, a_text, b_text (each side's passage: the slice
  ``[start:end]`` of that document's text in ``texts.parquet``)
* ``texts.parquet``    id, text: every document's text as stored (for .html
  input the extracted article), so every offset resolves without the index
* ``stories.jsonl``    story, size, documents, earliest (null: order unknown),
  earliest_by (the evidence), order ("known"/"unknown"), first_date, last_date,
  headline, provenance (edges), chains
* ``skipped.jsonl``    origin (``file:line``), category, reason, run (the run that
  met it: 1 for the scan, later numbers for each ``add``)
* ``config.json``      config, wiretrace version, input, index, time, inputs (run,
  kind "scan"/"add", input: every input the index holds, in order); ``add``
  rewrites every file of the scan folder its index lives in
* ``report.html``
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import IO, Any

from .. import __version__
from ..config import ScanConfig
from ..index import Index, comparison_from_json
from ..records import json_finite
from ..report import corpus_html as ch
from ..writer import disk_error, storage_error

_CORE = ("id", "source", "date", "story", "title", "url", "date_source", "date_precision")


@contextmanager
def _atomic(path: str, mode: str = "w") -> Iterator[IO[Any]]:
    tmp = path + ".tmp"
    try:
        with open(tmp, mode, encoding="utf-8", newline="\n") as f:
            yield f
        os.replace(tmp, path)
    except OSError as exc:  # disk full, read-only folder: one line naming the file
        raise storage_error(exc, path) from None


def _chunks(ix: Index, sql: str, params: list | None = None, size: int = 5000) -> Iterator[list[tuple]]:
    cur = ix.con.execute(sql, params or [])
    while rows := cur.fetchmany(size):
        yield rows


def _copy(ix: Index, path: str, sql: str) -> None:
    tmp = path + ".tmp"
    quoted = tmp.replace("'", "''")
    try:
        ix.con.execute(f"COPY ({sql}) TO '{quoted}' (FORMAT PARQUET)")
        os.replace(tmp, path)
    except Exception as exc:  # noqa: BLE001 - DuckDB's write failing on a full or read-only disk
        translated = disk_error(exc, path)
        if translated is None:
            raise
        raise translated from None


def write_outputs(ix: Index, out_dir: str, cfg: ScanConfig, input_path: str, index_path: str) -> None:
    """Write every output file of a scan into ``out_dir``."""
    p = lambda name: os.path.join(out_dir, name)  # noqa: E731
    with _atomic(p("documents.jsonl")) as f:
        for rows in _chunks(ix, "SELECT d.id, d.source, d.date, s.story, d.title, d.url, d.date_source, "
                                "d.date_precision, d.extra FROM documents d LEFT JOIN doc_story s "
                                "ON s.doc = d.doc ORDER BY d.doc"):
            for row in rows:
                rec = dict(zip(_CORE, row[:8]))
                for k, v in json.loads(row[8] or "{}").items():
                    rec.setdefault(k, v)
                f.write(json.dumps(json_finite(rec), ensure_ascii=False, default=str) + "\n")
    with _atomic(p("pairs.jsonl")) as f:
        for rows in _chunks(ix, "SELECT da.id, db.id, p.exact, p.result, p.a_literal, p.b_literal "
                                "FROM pairs p JOIN documents da ON da.doc = p.a JOIN documents db "
                                "ON db.doc = p.b WHERE p.related ORDER BY p.a, p.b"):
            for a, b, exact, result, a_lit, b_lit in rows:
                # splice the stored JSON instead of parsing it again
                head = json.dumps({"a": a, "b": b, "exact": bool(exact), "a_literal": a_lit,
                                   "b_literal": b_lit}, ensure_ascii=False)
                f.write(head[:-1] + ", " + result[1:] + "\n")
    # DuckDB's substring counts code points, as Python's offsets do
    _copy(ix, p("passages.parquet"), """SELECT da.id AS a, db.id AS b, s.a_start, s.a_end, s.b_start,
        s.b_end, s.kind, s.score, s.matched_words, s.edit_rate,
        substring(da.text, s.a_start + 1, s.a_end - s.a_start) AS a_text,
        substring(db.text, s.b_start + 1, s.b_end - s.b_start) AS b_text FROM passages s
        JOIN documents da ON da.doc = s.a JOIN documents db ON db.doc = s.b
        ORDER BY s.a, s.b, s.a_start""")
    _copy(ix, p("texts.parquet"), "SELECT id, text FROM documents ORDER BY doc")
    with _atomic(p("stories.jsonl")) as f:
        for rows in _chunks(ix, "SELECT story, size, documents, earliest, first_date, last_date, "
                                "headline, provenance, chains, earliest_by FROM stories "
                                "ORDER BY size DESC, story"):
            for r in rows:
                f.write(json.dumps({"story": r[0], "size": r[1], "documents": json.loads(r[2]),
                                    "earliest": r[3], "earliest_by": r[9],
                                    "order": "known" if r[3] else "unknown",
                                    "first_date": r[4], "last_date": r[5],
                                    "headline": r[6], "provenance": json.loads(r[7]),
                                    "chains": json.loads(r[8])}, ensure_ascii=False) + "\n")
    with _atomic(p("skipped.jsonl")) as f:
        for rows in _chunks(ix, "SELECT origin, category, reason, run FROM skipped ORDER BY pos"):
            for origin, category, reason, run in rows:
                f.write(json.dumps({"origin": origin, "category": category, "reason": reason,
                                    "run": run}, ensure_ascii=False) + "\n")
    runs = [{"run": r, "kind": k, "input": i} for r, k, i in ix.con.execute(
        "SELECT run, kind, input FROM runs ORDER BY run").fetchall()]
    with _atomic(p("config.json")) as f:
        json.dump({"config": cfg.to_dict(), "version": __version__, "input": input_path,
                   "index": os.path.abspath(index_path), "inputs": runs,
                   "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}, f, indent=2)
    with _atomic(p("report.html")) as f:
        f.write(_report(ix, input_path))
    # where this index's outputs are, for `add` (the index may live elsewhere: --index)
    ix.con.execute("INSERT OR REPLACE INTO meta VALUES ('out_dir', ?)", [os.path.abspath(out_dir)])


def _report(ix: Index, input_path: str) -> str:
    """Gather the capped report data from the index and render it."""
    q = lambda sql: ix.con.execute(sql).fetchall()[0][0] or 0  # noqa: E731
    n_docs, n_pairs = q("SELECT count(*) FROM documents"), q("SELECT count(*) FROM pairs WHERE related")
    n_multi = q("SELECT count(*) FROM stories WHERE size > 1")
    summary = {"input": input_path, "documents": n_docs,
               "skipped records": q("SELECT count(*) FROM skipped"), "related pairs": n_pairs,
               "passages": q("SELECT count(*) FROM passages"),
               "stories with 2+ documents": n_multi, "wiretrace": __version__}
    stories_rows = ix.con.execute(
        "SELECT story, headline, documents, provenance, chains, earliest, earliest_by FROM stories "
        f"WHERE size > 1 ORDER BY size DESC, story LIMIT {ch.MAX_STORIES}").fetchall()
    # the strongest pairs: whole copies first, then by the copy's coverage
    pair_rows = ix.con.execute(f"""SELECT a, b, result FROM pairs WHERE related AND n_passages > 0
        ORDER BY relation = 'wholly-derived' DESC, greatest(a_coverage, b_coverage) DESC, a, b
        LIMIT {ch.MAX_PAIRS}""").fetchall()
    ids = sorted({i for r in stories_rows for i in json.loads(r[2])})[: ch.MAX_DOCUMENTS]
    meta = {r[0]: r for r in ix.con.execute(
        "SELECT d.id, d.source, d.date, d.title, s.story, d.doc, d.date_precision FROM documents d "
        "LEFT JOIN doc_story s ON s.doc = d.doc WHERE d.id IN (SELECT unnest(?::VARCHAR[])) "
        "OR d.doc IN (SELECT unnest(?::INTEGER[]))",
        [ids, [x for r in pair_rows for x in r[:2]]]).fetchall()}
    by_num = {r[5]: r for r in meta.values()}
    anchors = {(r[0], r[1]): f"pair-{r[0]}-{r[1]}" for r in pair_rows}
    related: dict[str, list[tuple[str, str, str | None, str | None]]] = {}
    shown = set(ids)
    if shown:
        for a, b, rel, na, nb, src in ix.con.execute(
                "SELECT da.id, db.id, p.relation, p.a, p.b, p.source FROM pairs p "
                "JOIN documents da ON da.doc = p.a "
                "JOIN documents db ON db.doc = p.b WHERE p.related AND (da.id IN "
                "(SELECT unnest($1::VARCHAR[])) OR db.id IN (SELECT unnest($1::VARCHAR[]))) "
                "ORDER BY p.a, p.b",  # the same report for the same index, run after run
                [sorted(shown)]).fetchall():
            anchor = anchors.get((na, nb))
            # who copies whom, from each side: "b" is the source means a copies b
            copies = {"b": (a, b), "a": (b, a)}.get(src or "") if rel != "non-derived" else None
            related.setdefault(a, []).append(
                (b, rel, anchor, None if copies is None else "copies" if copies[0] == a else "copied by"))
            related.setdefault(b, []).append(
                (a, rel, anchor, None if copies is None else "copies" if copies[0] == b else "copied by"))

    def view(doc_id: str) -> ch.DocView:
        m = meta.get(doc_id)
        if m is None:
            return ch.DocView(doc_id)
        return ch.DocView(m[0], m[1], m[2], m[3], m[4], related.get(doc_id, []), m[6])

    stories = [ch.StoryView(r[0], r[1] or "", [view(i) for i in json.loads(r[2])],
                            json.loads(r[3]), json.loads(r[4]), r[5], r[6]) for r in stories_rows]
    texts = dict(ix.con.execute("SELECT doc, text FROM documents WHERE doc IN "
                                "(SELECT unnest(?::INTEGER[]))",
                                [sorted({x for r in pair_rows for x in r[:2]})]).fetchall())
    pairs = [ch.PairView(anchors[(a, b)], view(by_num[a][0]), view(by_num[b][0]), texts[a], texts[b],
                         comparison_from_json(result)) for a, b, result in pair_rows]
    notes = []
    if n_multi > len(stories):
        notes.append(f"Showing the {len(stories)} largest of {n_multi} stories with two or more "
                     "documents; stories.jsonl has them all.")
    if len(ids) >= ch.MAX_DOCUMENTS:
        notes.append(f"Document sections are capped at {ch.MAX_DOCUMENTS}; documents.jsonl has them all.")
    if n_pairs > len(pairs):
        notes.append(f"Side-by-side views for the {len(pairs)} strongest of {n_pairs} related pairs; "
                     "pairs.jsonl has them all.")
    return ch.render_report(title="wiretrace corpus report", summary=summary, stories=stories,
                            documents=[view(i) for i in ids], pairs=pairs, notes=notes)

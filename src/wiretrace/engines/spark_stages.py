"""Stages of the Spark engine that run Python: the input listing on the driver
and the functions Spark runs on the workers.

Each ``*_fn`` returns a function for ``DataFrame.mapInArrow``: it receives an
iterator of Arrow record batches (one Spark partition) and yields record
batches. Workers import this module, so they need wiretrace installed (see
docs/spark.md). Nothing here holds logic of its own: reading goes through
:mod:`wiretrace.read`, fingerprints through :mod:`wiretrace.fingerprint`,
alignment through the local engine's align task, stories through
:mod:`wiretrace.stories`, exactly as in the local engine.

Reading goes through read.py's public parsers, in memory: a split of JSONL
lines through :func:`~wiretrace.read.parse_jsonl_lines` (line numbers in the
split, made the file's on the driver), a whole .txt/.html/.csv file through
:func:`~wiretrace.read.parse_bytes`, a Parquet row through
:func:`~wiretrace.read.parse_record`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import numpy as np
import pyarrow as pa

from ..candidates import body_hash
from ..config import ScanConfig
from ..corpus_judge import CorpusText
from ..errors import InputError, WiretraceError
from ..fingerprint import document_fingerprints
from ..normalize import tokenize
from ..pipeline.plan import input_signature as local_signature
from ..pipeline.tasks import align_batch
from ..read import (
    SUPPORTED,
    input_format,
    parse_bytes,
    parse_jsonl_lines,
    parse_record,
    require_columns,
    unsupported_file,
)
from ..records import Document, Skipped
from ..schema import PASSAGE_FIELDS, TABLES, widened
from ..schema import spark_ddl as ddl
from ..stories import Link, parse_when
from .spark_work import ArrowFn

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

#: flush an output batch at this many rows or this many text characters
BATCH_ROWS = 256
BATCH_CHARS = 16_000_000
_EPOCH = datetime(1970, 1, 1)

#: Output of every read function: one row per item of read.py's stream.
#: ``kind`` is ``doc`` (a Document, already tokenized and fingerprinted),
#: ``skip`` (a Skipped), ``count`` (lines and items of one input split: the
#: driver turns these into input positions and file line numbers) or
#: ``fatal`` (a top-level input read.py would refuse; the driver raises it).
#: ``k`` is the item's position in its split, ``line`` its line (or row) there.
READ_SCHEMA = pa.schema([
    ("kind", pa.string()), ("fidx", pa.int32()), ("blk", pa.int64()), ("k", pa.int64()),
    ("line", pa.int64()), ("n_lines", pa.int64()), ("n_items", pa.int64()),
    ("id", pa.string()), ("text", pa.string()), ("source", pa.string()), ("date", pa.string()),
    ("title", pa.string()), ("url", pa.string()), ("extra", pa.string()),
    ("origin", pa.string()), ("reason", pa.string()), ("category", pa.string()),
    ("ntok", pa.int32()), ("body_hash", pa.int64()), ("ts", pa.timestamp("us")),
    ("ts_us", pa.int64()), ("grams", pa.list_(pa.int64())), ("date_source", pa.string()),
    ("date_precision", pa.string()),
])


READ_DDL = ddl(READ_SCHEMA)


def fingerprint(text: str, date: str | None, cfg: ScanConfig) -> dict[str, Any]:
    """What the local engine's ingest computes for one document (same functions)."""
    t = tokenize(text, strip_boilerplate=cfg.compare.strip_boilerplate)
    when = parse_when(date)
    return {"ntok": len(t), "body_hash": body_hash(t), "grams": document_fingerprints(t, cfg.ngram),
            "ts": when, "ts_us": None if when is None else (when - _EPOCH) // timedelta(microseconds=1)}


class _Rows:
    """Accumulates read-stage rows and emits Arrow batches of bounded size."""

    def __init__(self, cfg: ScanConfig) -> None:
        self.cfg = cfg
        self.chars = 0
        self.cols: dict[str, list[Any]] = {f.name: [] for f in READ_SCHEMA}

    def add(self, **row: Any) -> None:
        for name, col in self.cols.items():
            col.append(row.get(name))

    def item(self, item: Document | Skipped, fidx: int, blk: int, k: int, line: int = 0) -> None:
        """Add the ``k``-th item of an input split, found at ``line`` of it."""
        if isinstance(item, Document):
            self.chars += len(item.text)
            self.add(kind="doc", fidx=fidx, blk=blk, k=k, line=line, id=item.id, text=item.text,
                     source=item.source, date=item.date, title=item.title, url=item.url,
                     date_source=item.date_source, date_precision=item.date_precision,
                     extra=json.dumps(item.extra, ensure_ascii=False, default=str),
                     origin=item.origin, **fingerprint(item.text, item.date, self.cfg))
        else:
            self.add(kind="skip", fidx=fidx, blk=blk, k=k, line=line, origin=item.origin,
                     reason=item.reason, category=item.category)

    def flush(self, force: bool = False) -> Iterator[pa.RecordBatch]:
        n = len(self.cols["kind"])
        if n and (force or n >= BATCH_ROWS or self.chars >= BATCH_CHARS):
            self.cols["grams"] = [None if g is None else g.tolist() for g in self.cols["grams"]]
            yield pa.RecordBatch.from_pydict(self.cols, schema=READ_SCHEMA)
            self.cols = {f.name: [] for f in READ_SCHEMA}
            self.chars = 0


def read_jsonl_fn(cfg: ScanConfig, files: Any) -> ArrowFn:
    """Read JSONL lines (columns ``raw`` binary, ``file``, ``blk``).

    ``files`` is a broadcast of ``{path: (fidx, rel, display)}``. Lines of one
    input split arrive in file order and are parsed as they stream in. Items
    get ``k`` = their position in the split; Skipped also get the line number
    in the split (the driver makes it the file's, see :func:`fix_line`). A
    ``count`` row per split closes the output.
    """

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = files.value
        rows = _Rows(cfg)
        lines = ((path, blk, raw) for batch in batches
                 for raw, path, blk in zip(*(batch.column(c).to_pylist()
                                             for c in ("raw", "file", "blk"))))
        for (path, blk), split in groupby(lines, key=lambda line: line[:2]):
            fidx, _, display = table[unquote(path)]
            n_lines = [0]

            def raws(split: Iterator[tuple[str, int, bytes]] = split) -> Iterator[bytes]:
                for _, _, raw in split:
                    n_lines[0] += 1
                    yield raw

            k = -1
            for k, item in enumerate(parse_jsonl_lines(raws(), display, max_chars=cfg.max_chars)):
                rows.item(item, fidx, blk, k, _split_line(item.origin, display))
                yield from rows.flush()
            rows.add(kind="count", fidx=fidx, blk=blk, n_lines=n_lines[0], n_items=k + 1)
        yield from rows.flush(force=True)

    return run


def _split_line(origin: str, display: str) -> int:
    """The line number in an origin ``display:LINE`` (0 when it names the file)."""
    rest = origin[len(display):]
    return int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else 0


def fix_line(origin: str, reason: str, line_in_split: int, first_line: int) -> tuple[str, str]:
    """Origin and reason of a JSONL Skipped with the split's line number made the file's.

    ``first_line`` is the number of file lines before the split.

    >>> fix_line("a.jsonl:2", "line 2: not valid JSON", 2, 40)
    ('a.jsonl:42', 'line 42: not valid JSON')
    """
    if first_line == 0 or line_in_split == 0:
        return origin, reason
    real = line_in_split + first_line
    head = f"line {line_in_split}"
    if reason.startswith(head) and not reason[len(head):len(head) + 1].isdigit():
        reason = f"line {real}" + reason[len(head):]
    suffix = f":{line_in_split}"
    if origin.endswith(suffix):
        origin = origin[: -len(suffix)] + f":{real}"
    return origin, reason


def read_files_fn(cfg: ScanConfig, files: Any, folder: bool) -> ArrowFn:
    """Read whole files (columns ``content`` binary, ``path``) with
    :func:`~wiretrace.read.parse_bytes` (.txt, .html, .csv).

    ``folder`` says whether the input was a folder (ids of .txt/.html files are
    then relative paths, errors become Skipped) or this one file (errors are
    ``fatal``, as read.py raises them for a top-level file).
    """

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = files.value
        rows = _Rows(cfg)
        for batch in batches:
            cols = batch.to_pydict()
            for content, key in zip(cols["content"], cols["path"]):
                fidx, rel, display = table[key]
                k = -1
                try:
                    for k, item in enumerate(parse_bytes(rel, content, origin=display,
                                                         strict=not folder,
                                                         max_chars=cfg.max_chars)):
                        rows.item(item, fidx, 0, k, _split_line(item.origin, display))
                        yield from rows.flush()
                except WiretraceError as exc:  # a top-level file read.py refuses
                    rows.add(kind="fatal", fidx=fidx, origin=display,
                             reason=getattr(exc, "reason", str(exc)),
                             category=getattr(exc, "category", "bad-file"))
                rows.add(kind="count", fidx=fidx, blk=0, n_lines=0, n_items=k + 1)
        yield from rows.flush(force=True)

    return run


def read_parquet_fn(cfg: ScanConfig, files: Any, columns: list[str]) -> ArrowFn:
    """Read Parquet rows (the data ``columns`` plus ``_file``, ``_blk``, ``_row``)
    with :func:`~wiretrace.read.parse_record`, as read.py reads Parquet."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = files.value
        rows = _Rows(cfg)
        counts: dict[tuple[int, int], int] = {}
        for batch in batches:
            for rec in batch.to_pylist():
                fidx, _, display = table[unquote(rec["_file"])]
                key, row = (fidx, rec["_blk"]), rec["_row"] + 1
                for out in parse_record({c: rec.get(c) for c in columns}, f"{display}:{row}",
                                        where=f"row {row}", max_chars=cfg.max_chars):
                    k = counts.get(key, 0)
                    counts[key] = k + 1
                    rows.item(out, fidx, key[1], k, row)
                yield from rows.flush()
        for (fidx, blk), n in counts.items():
            rows.add(kind="count", fidx=fidx, blk=blk, n_lines=0, n_items=n)
        yield from rows.flush(force=True)

    return run


# -- the input (driver side) ------------------------------------------------

@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file: position in read.py's walk, Hadoop path, id base and display path."""

    fidx: int
    path: str
    rel: str
    display: str
    kind: str  # "jsonl" | "parquet" | "file" (.txt/.html/.csv) | "other"


def _kind(name: str) -> str:
    fmt = input_format(name)
    return {None: "other", "jsonl": "jsonl", "parquet": "parquet"}.get(fmt, "file")


def has_scheme(path: str) -> bool:
    head = path.split("/", 1)[0]
    return head.endswith(":") and len(head) > 2


def list_input(spark: "SparkSession", input_path: str) -> tuple[list[InputFile], bool]:
    """The files of ``input_path`` in read.py's order, and whether it is a folder.

    Folders are walked recursively, sorted by name at each level, skipping
    names that start with a dot, as :func:`wiretrace.read.iter_documents` does.
    """
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(input_path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(hpath):
        raise InputError(f"no such file or folder; wiretrace reads {SUPPORTED}",
                         path=input_path)
    status = fs.getFileStatus(hpath)
    root = status.getPath().toString()
    shown = input_path if has_scheme(input_path) else str(Path(input_path))
    if not status.isDirectory():
        kind = _kind(status.getPath().getName())
        if kind == "other":
            raise InputError(f"unsupported input type; wiretrace reads {SUPPORTED}",
                             path=input_path)
        return [InputFile(0, root, status.getPath().getName(), shown, kind)], False
    found = []
    it = fs.listFiles(hpath, True)
    while it.hasNext():
        full = it.next().getPath().toString()
        rel = full[len(root):].lstrip("/")
        parts = rel.split("/")
        if rel and not any(p.startswith(".") for p in parts):
            found.append((parts, full, rel))
    found.sort(key=lambda f: f[0])
    return [InputFile(i, full, rel, f"{shown.rstrip('/')}/{rel}", _kind(parts[-1]))
            for i, (parts, full, rel) in enumerate(found)], True


def _glob_escape(path: str) -> str:
    return "".join("\\" + ch if ch in "*?[]{}\\" else ch for ch in path)


def read_input(spark: "SparkSession", files: list[InputFile], folder: bool,
                cfg: ScanConfig) -> tuple["DataFrame | None", list[tuple[int, Skipped]]]:
    """One DataFrame of read rows (see ``spark_stages.READ_SCHEMA``) and the
    Skipped items decided on the driver (unsupported files, Parquet without an
    id or text column), with their file positions."""
    from pyspark.sql import functions as F

    table = {}
    for f in files:
        table[f.path] = (f.fidx, f.rel, f.display)
    files_bc = spark.sparkContext.broadcast(table)
    frames = []
    driver_items: list[tuple[int, Skipped]] = []
    others = [f for f in files if f.kind == "other"]
    driver_items.extend((f.fidx, unsupported_file(f.display)) for f in others)
    jsonl = [_glob_escape(f.path) for f in files if f.kind == "jsonl"]
    if jsonl:
        lines = spark.read.option("lineSep", "\n").text(jsonl).select(
            F.col("value").cast("binary").alias("raw"), F.col("_metadata.file_path").alias("file"),
            F.col("_metadata.file_block_start").alias("blk"))
        frames.append(lines.mapInArrow(read_jsonl_fn(cfg, files_bc), READ_DDL))
    whole = [_glob_escape(f.path) for f in files if f.kind == "file"]
    if whole:
        raw = spark.read.format("binaryFile").load(whole).select("path", "content")
        frames.append(raw.mapInArrow(read_files_fn(cfg, files_bc, folder), READ_DDL))
    parquet = [f for f in files if f.kind == "parquet"]
    if parquet:
        pq = spark.read.option("mergeSchema", "true").parquet(*[_glob_escape(f.path) for f in parquet])
        columns = list(pq.columns)
        try:
            require_columns(columns, parquet[0].display)
        except InputError as exc:
            if not folder:
                raise InputError(exc.reason, path=parquet[0].display) from None
            driver_items.extend((f.fidx, Skipped(f.display, exc.reason,
                                                 getattr(exc, "category", "bad-header")))
                                for f in parquet)
        else:
            rows = pq.select(*[F.col(f"`{c}`") for c in columns],
                             F.col("_metadata.file_path").alias("_file"),
                             F.col("_metadata.file_block_start").alias("_blk"),
                             F.col("_metadata.row_index").alias("_row"))
            frames.append(rows.mapInArrow(read_parquet_fn(cfg, files_bc, columns),
                                          READ_DDL))
    if not frames:
        return None, driver_items
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out, driver_items


def input_signature(spark: "SparkSession", path: str) -> list[int]:
    """File count, total size and newest modification time of the input (the
    local engine's signature for local paths), so a rerun on an edited corpus
    starts over instead of resuming stale stages."""
    if not has_scheme(path):
        return local_signature(path)
    hpath = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    count = size = newest = 0
    it = fs.listFiles(hpath, True)
    while it.hasNext():
        st = it.next()
        count, size = count + 1, size + st.getLen()
        newest = max(newest, st.getModificationTime())
    return [count, size, newest]


# -- after reading ----------------------------------------------------------

SKIP_SCHEMA = TABLES["skipped"]
SKIP_DDL = ddl(SKIP_SCHEMA)


def fix_skipped_fn() -> ArrowFn:
    """Skipped rows with file line numbers (columns ``pos``, ``line``, ``line_base``,
    ``origin``, ``reason``, ``category``, ``dup_id``): a JSONL split's line numbers
    become the file's; a ``dup_id`` row is a later occurrence of an id, reported
    as the local engine reports it."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            c = batch.to_pydict()
            out: dict[str, list[Any]] = {"pos": [], "origin": [], "category": [], "reason": [],
                                         "run": []}
            for pos, line, base, origin, reason, category, dup in zip(
                    c["pos"], c["line"], c["line_base"], c["origin"], c["reason"], c["category"],
                    c["dup_id"]):
                origin, reason = fix_line(origin or "", reason or "", line or 0, base or 0)
                if dup is not None:
                    category, reason = "duplicate-id", duplicate_reason(dup)
                for key, value in zip(out, (pos, origin, category, reason, 1)):
                    out[key].append(value)
            yield pa.RecordBatch.from_pydict(out, schema=SKIP_SCHEMA)

    return run


def duplicate_reason(doc_id: str) -> str:
    """The local engine's reason for a repeated id (engines/local.py ``_ingest``)."""
    return (f"id {doc_id!r} was already used (first occurrence wins); give every record its "
            "own id")


# -- alignment ----------------------------------------------------------------

#: a passage as the pairs rows carry it (the ``passages`` table without ``a``, ``b``)
PASSAGE_TYPE = pa.struct([f for f in TABLES["passages"] if f.name in PASSAGE_FIELDS])
#: the ``pairs`` table's columns (document numbers as int64), then the story flag and
#: the pair's passages
PAIR_SCHEMA = pa.schema([*widened("pairs", a=pa.int64(), b=pa.int64()),
                         ("story_link", pa.bool_()), ("passages", pa.list_(PASSAGE_TYPE))])
PAIR_DDL = ddl(PAIR_SCHEMA)


def align_fn(cfg: ScanConfig) -> ArrowFn:
    """Judge candidate pairs (columns ``a, b, shared, exact`` and per side
    ``text, date, common``) with the local engine's own align task, so the
    outlet-boilerplate re-judging is the same code. Each batch tokenizes each
    of its documents once. ``story_link`` marks related pairs that may join a
    story on their own (copies: :func:`wiretrace.stories.is_reuse_link`) and
    whose dates are not too far apart for any story to hold both ends."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from .spark_stories import may_unite

        for batch in batches:
            c = batch.to_pydict()
            chunk = list(zip(c["a"], c["b"], c["shared"], c["exact"]))
            docs: dict[int, CorpusText] = {}
            for side in ("a", "b"):
                for n, text, date, common in zip(c[side], c[f"{side}_text"], c[f"{side}_date"],
                                                 c[f"{side}_common"]):
                    docs[n] = CorpusText(text, date, np.asarray(common or [], dtype=np.int64))
            rows, passages, _ = align_batch(chunk, docs, cfg)
            by_pair: dict[tuple[int, int], list[dict[str, Any]]] = {}
            for p in passages:
                by_pair.setdefault((p["a"], p["b"]), []).append({f: p[f] for f in PASSAGE_FIELDS})
            out: dict[str, list[Any]] = {f.name: [] for f in PAIR_SCHEMA}
            for r in rows:
                for key in TABLES["pairs"].names:
                    out[key].append(r[key])
                a, b = r["a"], r["b"]
                link = Link(a, b, r["similarity"], r["relation"], r["source"], r["a_coverage"],
                            r["b_coverage"], bool(r["exact"]))
                out["story_link"].append(bool(r["related"]) and may_unite(link, docs[a].date,
                                                                           docs[b].date, cfg))
                out["passages"].append(by_pair.get((a, b), []))
            yield pa.RecordBatch.from_pydict(out, schema=PAIR_SCHEMA)

    return run

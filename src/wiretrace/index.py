"""The corpus index: one DuckDB database file.

Tables (``doc`` is an internal document number, the input position of the
record plus the run's base, so a rerun of the same input gives the same
numbers):

* ``documents``  id (unique), source, date, ts, title, url, extra (JSON), text,
  origin, ntok, body_hash, run, date_source, date_precision (``ts`` is set for
  day dates only: a year or a month orders nothing)
* ``postings``   (doc, gram): distinct hashed word n-grams per document
* ``outlet_common`` (source, gram): each outlet's boilerplate grams; ``doc_boiler``
  (doc, grams): those of each document, sorted
* ``candidates`` (a, b, shared, exact), ``pairs`` (every judged pair with its
  ``Comparison.to_dict()`` JSON, a ``related`` flag and each side's literal
  share, ``a_literal``/``b_literal``: see ``engines._work.literal_shares``), ``passages``
* ``story_terms`` (doc, term, tf, kind, line): content words, names and numbers
  per document and line (:mod:`wiretrace.storyterms`); ``story_pairs`` (a, b, score, a_rank,
  b_rank): story evidence between documents (:func:`wiretrace.candidates.story_steps`)
* ``doc_story``  (doc, story), ``stories`` (headline, provenance, chains, earliest
  and ``earliest_by``: the evidence that orders it first, NULL = order unknown)
* ``skipped``    (pos, origin, category, reason)
* ``runs``, ``stages`` (stage, config_hash, finished_at: resume bookkeeping)
  and ``meta`` (schema and wiretrace version)

Every write batch is one transaction, so a killed process leaves whole
batches only.

    >>> ix = Index.open(":memory:")
    >>> ix.stage_done("ingest", "h")
    False
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from .errors import IndexBusyError, WiretraceError
from .index_lists import ListReads
from .schema import DATA_TABLES, TABLES, VIEWS, create_sql

if TYPE_CHECKING:
    from .records import Comparison

SCHEMA_VERSION = "2"

__all__ = ["Index", "IndexStoreError", "busy_error", "comparison_from_json", "SCHEMA_VERSION"]

# the DDL is derived from the one schema per table (wiretrace.schema)
_DDL = [create_sql(name) for name in (*TABLES, *VIEWS)]


class IndexStoreError(WiretraceError):
    """The index file cannot be opened or is not a wiretrace index."""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _identity(path: str) -> tuple[int, ...]:
    """Which file is at ``path`` now: inode, size and modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def busy_error(path: str, exc: Exception) -> IndexBusyError:
    """The error for an index another program holds open for writing (DuckDB's lock),
    naming its process when DuckDB tells it."""
    pid = re.search(r"PID (\d+)", str(exc))
    who = f"process {pid.group(1)}" if pid else "another process"
    return IndexBusyError(f"index {path} is busy: {who} holds it open for writing; retry when "
                          "it finishes")


def auto_memory_limit() -> str | None:
    """A fifth of physical memory (at least 1 GB), as a DuckDB size: room for
    the align workers and the rest of the machine beside the database, whose
    own default (80%) let a large scan take most of it. None where the
    platform cannot tell."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    return f"{max(1024, total // 5 // 2**20)}MB"


def refuse_if_held(index_path: str) -> None:
    """Raise :class:`IndexBusyError` when another program holds ``index_path`` open
    for writing (DuckDB's own lock); any other problem with the file is left to
    the writer's own open, which says what is wrong with it (the writers' check)."""
    try:
        Index.open(index_path, read_only=True).close()
    except IndexBusyError:
        raise
    except WiretraceError:
        pass


class Index(ListReads):
    """A wiretrace DuckDB index. Use :meth:`open`; one writer process at a time.
    Its paginated lists (pairs with facets, conflicts) are :class:`~wiretrace.index_lists.ListReads`.

    >>> with Index.open(":memory:") as ix:
    ...     ix.document_count()
    0
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str, read_only: bool):
        self.con = con
        self.path = path
        self.read_only = read_only
        self._identity: tuple[int, ...] = ()

    # -- opening ---------------------------------------------------------

    @classmethod
    def open(cls, path: str, *, read_only: bool = False, threads: int | None = None,
             memory_limit: str | None = None) -> "Index":
        """Open (creating unless ``read_only``) the index at ``path``.

        Raises :class:`IndexBusyError` when another process holds the file and
        :class:`IndexStoreError` when it is not a usable DuckDB database.
        """
        if read_only and path != ":memory:" and not os.path.exists(path):
            raise IndexStoreError(f"index {path} does not exist; build it first with "
                                  "`wiretrace scan INPUT --out DIR --index PATH`")
        config: dict[str, Any] = {"threads": threads} if threads else {}
        if memory_limit == "auto":
            memory_limit = auto_memory_limit()
        if memory_limit:
            if not re.fullmatch(r"\s*\d+(\.\d+)?\s*[KMGT]i?B\s*", str(memory_limit), re.IGNORECASE):
                from .errors import ConfigError

                raise ConfigError(f"memory_limit {memory_limit!r} is not a size; write it like '4GB' "
                                  "or '512MB'")
            config["memory_limit"] = memory_limit
        identity = _identity(path)
        try:
            if read_only and path != ":memory:":
                # attached to a private in-memory database: DuckDB shares one database per
                # path within a process, which would keep a reader on a replaced file
                con = duckdb.connect(":memory:", config=config)
                try:
                    con.execute(f"ATTACH '{path.replace(chr(39), chr(39) * 2)}' AS wt (READ_ONLY)")
                    con.execute("USE wt")
                except BaseException:
                    con.close()
                    raise
            else:
                con = duckdb.connect(path, read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise busy_error(path, exc) from None
            raise IndexStoreError(f"cannot open index {path} ({exc}); check the path: give the "
                                  "index.duckdb that `wiretrace scan` wrote, or scan into a new "
                                  "folder") from None
        except duckdb.Error as exc:
            raise IndexStoreError(f"cannot open index {path} ({exc}); it is not a wiretrace "
                                  "DuckDB index: give the index.duckdb that `wiretrace scan` "
                                  "wrote, or scan into a new folder") from None
        # DuckDB draws its own progress bar on stdout for queries over 2 s (into a
        # --json summary, under the CLI's bars): only cli.py prints
        con.execute("SET enable_progress_bar = false")
        ix = cls(con, path, read_only)
        ix._identity = identity
        try:
            if read_only:
                ix._check_schema()
            else:
                ix._create()
        except BaseException:
            con.close()  # release the file: the caller may delete and rebuild it
            raise
        return ix

    def stale(self) -> bool:
        """Whether a writer has published a newer index at this path since it was
        opened (a reader sees the file it opened until it reopens)."""
        return self.path != ":memory:" and _identity(self.path) != self._identity

    def _create(self) -> None:
        # Checkpointing every 16 MB of WAL (the default) rewrote the file on most
        # ingest commits; a larger WAL is replayed after a crash all the same.
        self.con.execute("SET checkpoint_threshold = '1GB'")
        for ddl in _DDL:
            self.con.execute(ddl)
        from . import __version__

        version = self.meta("schema_version")
        if version is not None and version != SCHEMA_VERSION:
            exc = IndexStoreError(f"index {self.path} has schema {version}, this wiretrace "
                                  f"writes {SCHEMA_VERSION}; rebuild it with scan --force")
            exc.old_schema = True  # type: ignore[attr-defined]  # scan --force may replace it
            raise exc
        self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?), "
                         "('wiretrace_version', ?)", [SCHEMA_VERSION, __version__])
        if self.meta("created_at") is None:
            self.con.execute("INSERT INTO meta VALUES ('created_at', ?)", [_now().isoformat()])

    def _check_schema(self) -> None:
        try:
            version = self.meta("schema_version")
        except duckdb.CatalogException:
            version = None
        if version != SCHEMA_VERSION:
            raise IndexStoreError(f"{self.path} is not a wiretrace index (schema {version!r}); "
                                  "build one with `wiretrace scan INPUT --out DIR`")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One all-or-nothing write batch."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- bookkeeping -----------------------------------------------------

    def row(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        """The first row of a query, or None (the result is always read to the end:
        DuckDB refuses other work on a connection with an unfinished result)."""
        rows = self.con.execute(sql, list(params)).fetchall()
        return rows[0] if rows else None

    def meta(self, key: str) -> str | None:
        row = self.row("SELECT value FROM meta WHERE key = ?", [key])
        return row[0] if row else None

    def stage_done(self, stage: str, config_hash: str) -> bool:
        """Whether ``stage`` finished with this configuration hash."""
        row = self.row("SELECT config_hash, finished_at FROM stages WHERE stage = ?", [stage])
        return bool(row and row[0] == config_hash and row[1] is not None)

    def stage_started(self, stage: str) -> str | None:
        """Configuration hash of the last start of ``stage`` (finished or not)."""
        row = self.row("SELECT config_hash FROM stages WHERE stage = ?", [stage])
        return row[0] if row else None

    def start_stage(self, stage: str, config_hash: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO stages VALUES (?, ?, ?, NULL, NULL)",
                         [stage, config_hash, _now()])

    def finish_stage(self, stage: str, config_hash: str, info: dict[str, Any] | None = None) -> None:
        self.con.execute("UPDATE stages SET finished_at = ?, info = ? WHERE stage = ? AND "
                         "config_hash = ?", [_now(), json.dumps(info or {}), stage, config_hash])

    def clear_stages(self, stages: Sequence[str] | None = None) -> None:
        if stages is None:
            self.con.execute("DELETE FROM stages")
        else:
            self.con.execute("DELETE FROM stages WHERE stage IN (SELECT unnest(?))", [list(stages)])

    def stages(self) -> dict[str, dict[str, Any]]:
        """``{stage: {config_hash, started_at, finished_at, info}}``."""
        rows = self.con.execute("SELECT stage, config_hash, started_at, finished_at, info "
                                "FROM stages").fetchall()
        return {r[0]: {"config_hash": r[1], "started_at": r[2], "finished_at": r[3],
                       "info": json.loads(r[4]) if r[4] else None} for r in rows}

    def reset(self) -> None:
        """Delete all corpus data and stage records (a fresh scan)."""
        with self.transaction() as con:
            # dropping (not deleting rows) lets the checkpoint free the blocks
            con.execute("DROP VIEW IF EXISTS doc_meta")
            for table in (*DATA_TABLES, "stages", "runs"):
                con.execute(f"DROP TABLE IF EXISTS {table}")
            for ddl in _DDL:
                con.execute(ddl)
        self.con.execute("CHECKPOINT")

    def begin_run(self, kind: str, input_path: str, config: dict[str, Any], config_hash: str,
                  *, resume: bool = True) -> tuple[int, int]:
        """``(run, base)``: resume the unfinished run of the same kind and input, or start
        a new one whose document numbers begin after every existing one."""
        from . import __version__

        if resume:
            row = self.row("SELECT run, base FROM runs WHERE kind = ? AND input = ? AND "
                           "config_hash = ? AND finished_at IS NULL ORDER BY run DESC LIMIT 1",
                           [kind, input_path, config_hash])
            if row:
                return int(row[0]), int(row[1])
        run = self.con.execute("SELECT coalesce(max(run), 0) + 1 FROM runs").fetchall()[0][0]
        base = self.con.execute(
            "SELECT greatest((SELECT coalesce(max(doc) + 1, 0) FROM documents), "
            "(SELECT coalesce(max(pos) + 1, 0) FROM skipped), "
            "(SELECT coalesce(max(base) + 1, 0) FROM runs))").fetchall()[0][0]
        # Leave room for the whole input so a resumed run never collides.
        self.con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                         [run, kind, input_path, base, json.dumps(config), config_hash,
                          __version__, _now()])
        return int(run), int(base)

    def finish_run(self, run: int, summary: dict[str, Any]) -> None:
        self.con.execute("UPDATE runs SET finished_at = ?, summary = ? WHERE run = ?",
                         [_now(), json.dumps(summary, default=str), run])

    # -- reading ---------------------------------------------------------

    def document_count(self) -> int:
        return int(self.con.execute("SELECT count(*) FROM documents").fetchall()[0][0])

    def ids(self) -> dict[str, int]:
        """``{id: doc}`` of every indexed document."""
        return dict(self.con.execute("SELECT id, doc FROM documents").fetchall())

    def skipped_positions(self, lo: int) -> set[int]:
        rows = self.con.execute("SELECT pos FROM skipped WHERE pos >= ?", [lo]).fetchall()
        return {int(r[0]) for r in rows}

    def skipped_counts(self, run: int | None = None) -> dict[str, int]:
        where = "" if run is None else f"WHERE run = {int(run)}"
        rows = self.con.execute(f"SELECT category, count(*) FROM skipped {where} GROUP BY 1 "
                                "ORDER BY 2 DESC, 1").fetchall()
        return {c: int(k) for c, k in rows}

    @contextmanager
    def need(self, docs: Sequence[int]) -> Iterator[str]:
        """Register ``docs`` as a one-column table ``_wt_need(doc)`` for a join (a hash
        join on it is ~5x faster than ``doc IN (list)``); yields the table name."""
        self.con.register("_wt_need", pa.table({"doc": pa.array(list(map(int, docs)), pa.int32())}))
        try:
            yield "_wt_need"
        finally:
            self.con.unregister("_wt_need")

    def fetch_documents(self, docs: Sequence[int]) -> dict[int, tuple[str, str | None, str | None]]:
        """``{doc: (text, date, source)}`` for the given numbers."""
        with self.need(docs) as need:
            rows = self.con.execute(f"SELECT d.doc, d.text, d.date, d.source FROM {need} n "
                                    "JOIN documents d ON d.doc = n.doc").fetchall()
        return {int(r[0]): (r[1], r[2], r[3]) for r in rows}

    def insert_arrow(self, table: str, data: Any, *, ignore: bool = False) -> None:
        """Append an Arrow table (or anything DuckDB scans) to ``table``, matching
        columns by name (a column the data lacks is NULL); with ``ignore``, rows
        whose key already exists are skipped."""
        self.con.register("_wt_batch", data)
        try:
            verb = "INSERT OR IGNORE" if ignore else "INSERT"
            self.con.execute(f"{verb} INTO {table} BY NAME SELECT * FROM _wt_batch")
        finally:
            self.con.unregister("_wt_batch")

    # -- reading by id (the viewer's questions; ids, never document numbers) ---

    #: what :meth:`document_summaries` gives for each document
    SUMMARY_FIELDS = ("id", "source", "date", "story", "title", "url", "date_source", "date_precision")

    def document_summaries(self) -> list[dict[str, Any]]:
        """Every document's :data:`SUMMARY_FIELDS` (no text), in document order."""
        rows = self.con.execute(
            "SELECT d.id, d.source, d.date, s.story, d.title, d.url, d.date_source, d.date_precision "
            "FROM documents d LEFT JOIN doc_story s ON s.doc = d.doc ORDER BY d.doc").fetchall()
        return [dict(zip(self.SUMMARY_FIELDS, r)) for r in rows]

    def document_extra(self, doc_id: str) -> dict[str, Any] | None:
        """The other fields of a document's input record; None when ``doc_id`` is unknown."""
        row = self.row("SELECT extra FROM documents WHERE id = ?", [doc_id])
        return None if row is None else json.loads(row[0] or "{}")

    def text(self, doc_id: str) -> str | None:
        row = self.row("SELECT text FROM documents WHERE id = ?", [doc_id])
        return None if row is None else row[0]

    def search_text(self, needle: str, limit: int) -> list[str]:
        """Ids of up to ``limit`` documents whose text contains ``needle``, ignoring case."""
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.con.execute("SELECT id FROM documents WHERE text ILIKE ? ESCAPE '\\' LIMIT ?",
                                [pattern, limit]).fetchall()
        return [r[0] for r in rows]

    def pair_record(self, a: str, b: str) -> dict[str, Any] | None:
        """The related pair ``a``, ``b`` (in stored order) as a line of pairs.jsonl: ids,
        ``exact``, each side's literal share, then :meth:`Comparison.to_dict` fields."""
        row = self.row("SELECT p.exact, p.a_literal, p.b_literal, p.result FROM pairs p "
                       "JOIN documents da ON da.doc = p.a JOIN documents db ON db.doc = p.b "
                       "WHERE da.id = ? AND db.id = ? AND p.related", [a, b])
        if row is None:
            return None
        return {"a": a, "b": b, "exact": bool(row[0]), "a_literal": row[1], "b_literal": row[2],
                **json.loads(row[3])}

    def story_records(self) -> list[dict[str, Any]]:
        """Each story with its member ids, earliest document (and why), headline and
        provenance edges (:meth:`wiretrace.stories.Edge.to_dict`), largest first."""
        rows = self.con.execute("SELECT story, documents, earliest, earliest_by, headline, provenance "
                                "FROM stories ORDER BY size DESC, story").fetchall()
        return [{"story": r[0], "documents": json.loads(r[1]), "earliest": r[2], "earliest_by": r[3],
                 "headline": r[4], "provenance": json.loads(r[5]) if r[5] else []} for r in rows]


def comparison_from_json(data: str | dict[str, Any]) -> "Comparison":
    """Rebuild a :class:`~wiretrace.records.Comparison` from its ``to_dict()`` (or JSON).

    >>> from wiretrace import compare
    >>> r = compare("Kerry said the talks in Rome went well.", "Kerry said the talks in Rome went well.")
    >>> comparison_from_json(json.dumps(r.to_dict())) == r
    True
    """
    from .records import Comparison

    return Comparison.from_dict(json.loads(data) if isinstance(data, str) else data)

"""One Arrow schema per table of the corpus index, and what is derived from it.

Every engine and reader works from these schemas: the DuckDB tables
(:func:`create_sql`), the local engine's Arrow batches (:func:`to_table`), the
Spark schemas (:func:`spark_ddl`, :func:`widened`), the views Spark's result
index puts over its Parquet files (:func:`select_list`) and the web viewer.
Adding a column to a table means adding it here and to the code that fills it.

``doc`` (and ``a``, ``b``) is a document number: its input position plus the
run's base, so a rerun of the same input gives the same numbers.

    >>> create_sql("candidates")
    'CREATE TABLE IF NOT EXISTS candidates (a INTEGER, b INTEGER, shared INTEGER, exact BOOLEAN)'
    >>> to_table("candidates", [{"a": 1, "b": 2, "shared": 5, "exact": False}]).num_rows
    1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

__all__ = ["TABLES", "DATA_TABLES", "VIEWS", "PASSAGE_FIELDS", "columns", "create_sql",
           "duckdb_type", "select_list", "spark_ddl", "to_table", "widened"]


def _f(name: str, typ: pa.DataType, sql: str | None = None) -> pa.Field:
    """A field; ``sql`` is its DuckDB column constraint (PRIMARY KEY, ...)."""
    return pa.field(name, typ, metadata={"sql": sql} if sql else None)


_I32, _I64, _F64, _STR, _BOOL, _TS = (pa.int32(), pa.int64(), pa.float64(), pa.string(),
                                      pa.bool_(), pa.timestamp("us"))

#: every table of the index, in creation order
TABLES: dict[str, pa.Schema] = {
    # bookkeeping
    "meta": pa.schema([_f("key", _STR, "PRIMARY KEY"), _f("value", _STR)]),
    "runs": pa.schema([_f("run", _I32, "PRIMARY KEY"), _f("kind", _STR), _f("input", _STR),
                       _f("base", _I64), _f("config", _STR), _f("config_hash", _STR),
                       _f("version", _STR), _f("started_at", _TS), _f("finished_at", _TS),
                       _f("summary", _STR)]),
    "stages": pa.schema([_f("stage", _STR, "PRIMARY KEY"), _f("config_hash", _STR),
                         _f("started_at", _TS), _f("finished_at", _TS), _f("info", _STR)]),
    # ingest: ``ts`` is set for day dates only (a year or a month orders nothing)
    "documents": pa.schema([
        _f("doc", _I32, "PRIMARY KEY"), _f("id", _STR, "UNIQUE NOT NULL"), _f("source", _STR),
        _f("date", _STR), _f("ts", _TS), _f("title", _STR), _f("url", _STR), _f("extra", _STR),
        _f("text", _STR), _f("origin", _STR), _f("ntok", _I32), _f("body_hash", _I64),
        _f("run", _I32), _f("date_source", _STR), _f("date_precision", _STR)]),
    "postings": pa.schema([_f("doc", _I32), _f("gram", _I64)]),
    "skipped": pa.schema([_f("pos", _I64, "PRIMARY KEY"), _f("origin", _STR), _f("category", _STR),
                          _f("reason", _STR), _f("run", _I32)]),
    # candidates
    "candidates": pa.schema([_f("a", _I32), _f("b", _I32), _f("shared", _I32), _f("exact", _BOOL)]),
    # align: every judged pair with its ``Comparison.to_dict()`` JSON (``result``), whether
    # it is related, and each side's literal share (``stories.literal_shares``)
    "pairs": pa.schema([
        _f("a", _I32), _f("b", _I32), _f("shared", _I32), _f("exact", _BOOL),
        _f("relation", _STR), _f("source", _STR), _f("similarity", _F64),
        _f("a_coverage", _F64), _f("b_coverage", _F64), _f("n_passages", _I32),
        _f("boiler_dropped", _I32), _f("related", _BOOL), _f("result", _STR),
        _f("a_literal", _F64), _f("b_literal", _F64)]),
    "passages": pa.schema([
        _f("a", _I32), _f("b", _I32), _f("a_start", _I32), _f("a_end", _I32), _f("b_start", _I32),
        _f("b_end", _I32), _f("kind", _STR), _f("score", _F64), _f("matched_words", _I32),
        _f("edit_rate", _F64)]),
    # stories
    "doc_story": pa.schema([_f("doc", _I32, "PRIMARY KEY"), _f("story", _STR)]),
    "stories": pa.schema([
        _f("story", _STR, "PRIMARY KEY"), _f("size", _I32), _f("documents", _STR),
        _f("earliest", _STR), _f("first_date", _STR), _f("last_date", _STR), _f("headline", _STR),
        _f("provenance", _STR), _f("chains", _STR), _f("earliest_by", _STR)]),
    # candidates: each outlet's boilerplate grams, and those of each document (sorted)
    "outlet_common": pa.schema([_f("source", _STR), _f("gram", _I64)]),
    "doc_boiler": pa.schema([_f("doc", _I32), _f("grams", pa.list_(_I64))]),
    # stories: content words, names and numbers per document and line (storyterms)
    "story_terms": pa.schema([_f("doc", _I32), _f("term", _I64), _f("tf", _F64),
                              _f("kind", pa.int8()), _f("line", _I64)]),
    # stories across languages: the language and lead embedding of each document of a
    # corpus of several languages (crosslingual.py); no rows in a one-language corpus
    "doc_vectors": pa.schema([_f("doc", _I32), _f("lang", _STR), _f("vec", pa.list_(pa.float32()))]),
    "story_pairs": pa.schema([_f("a", _I32), _f("b", _I32), _f("score", _F64), _f("a_rank", _I32),
                              _f("b_rank", _I32)]),
}

#: views over the tables, created after them
VIEWS: dict[str, str] = {
    "doc_meta": "SELECT doc, source, ts, body_hash FROM documents",
}

#: tables holding corpus data (everything but bookkeeping), dependents first
DATA_TABLES = ("stories", "doc_story", "story_pairs", "doc_vectors", "story_terms", "passages",
               "pairs", "candidates", "outlet_common", "doc_boiler", "skipped", "postings", "documents")

#: a passage's own columns (the ``passages`` table without the pair's ``a``, ``b``)
PASSAGE_FIELDS = tuple(TABLES["passages"].names[2:])

_DUCKDB = {pa.int8(): "TINYINT", pa.int32(): "INTEGER", pa.int64(): "BIGINT", pa.float64(): "DOUBLE",
           pa.float32(): "FLOAT", pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN", pa.timestamp("us"): "TIMESTAMP"}


def duckdb_type(typ: pa.DataType) -> str:
    """The DuckDB type of an Arrow type used in :data:`TABLES`.

    >>> duckdb_type(pa.list_(pa.int64()))
    'BIGINT[]'
    """
    if pa.types.is_list(typ):
        return duckdb_type(typ.value_type) + "[]"
    return _DUCKDB[typ]


def create_sql(name: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for table ``name`` (or ``CREATE OR REPLACE VIEW``
    for a view of :data:`VIEWS`)."""
    if name in VIEWS:
        return f"CREATE OR REPLACE VIEW {name} AS {VIEWS[name]}"
    cols = []
    for f in TABLES[name]:
        sql = (f.metadata or {}).get(b"sql")
        cols.append(f"{f.name} {duckdb_type(f.type)}" + (f" {sql.decode()}" if sql else ""))
    return f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(cols)})"


def columns(name: str, rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Rows keyed by column name, as one list per column of table ``name``
    (a missing key is NULL).

    >>> columns("doc_story", [{"doc": 1, "story": "s1"}])
    {'doc': [1], 'story': ['s1']}
    """
    names = TABLES[name].names
    out: dict[str, list[Any]] = {c: [] for c in names}
    for r in rows:
        for c in names:
            out[c].append(r.get(c))
    return out


def to_table(name: str, rows: Iterable[Mapping[str, Any]] | Mapping[str, Sequence[Any]]) -> pa.Table:
    """An Arrow table of table ``name``'s schema from rows (mappings keyed by column
    name) or from columns (one sequence or array per column)."""
    schema = _plain(TABLES[name])
    if isinstance(rows, Mapping):
        return pa.table({f.name: pa.array(rows[f.name], f.type) for f in schema}, schema=schema)
    return pa.table(columns(name, rows), schema=schema)


def _plain(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type) for f in schema])


def widened(name: str, **types: pa.DataType) -> list[pa.Field]:
    """Table ``name``'s fields with the given columns' types replaced (Spark keeps
    document numbers as int64 end to end).

    >>> [f.type for f in widened("candidates", a=pa.int64())][:2]
    [DataType(int64), DataType(int32)]
    """
    return [pa.field(f.name, types.get(f.name, f.type)) for f in TABLES[name]]


def spark_ddl(schema: pa.Schema | pa.DataType | Sequence[pa.Field]) -> str:
    """A Spark DDL string for an Arrow schema (``mapInArrow``'s output schema).

    >>> spark_ddl(pa.schema([("a", pa.int32()), ("b", pa.list_(pa.int64()))]))
    'a int, b array<long>'
    """
    if isinstance(schema, (pa.Schema, list, tuple)):
        return ", ".join(f"{f.name} {spark_ddl(f.type)}" for f in schema)
    if pa.types.is_list(schema):
        return f"array<{spark_ddl(schema.value_type)}>"
    if pa.types.is_struct(schema):
        return "struct<" + ", ".join(f"{f.name}:{spark_ddl(f.type)}" for f in schema) + ">"
    if pa.types.is_timestamp(schema):
        return "timestamp_ntz"
    return {pa.int8(): "byte", pa.int32(): "int", pa.int64(): "long", pa.float64(): "double",
            pa.string(): "string", pa.bool_(): "boolean"}[schema]


def select_list(name: str, source: str = "") -> str:
    """``SELECT`` of every column of table ``name``, each cast to its index type,
    from ``source`` (a view of a table stored with other types).

    >>> select_list("candidates", "t")
    'SELECT a::INTEGER AS a, b::INTEGER AS b, shared::INTEGER AS shared, exact::BOOLEAN AS exact FROM t'
    """
    cols = ", ".join(f"{f.name}::{duckdb_type(f.type)} AS {f.name}" for f in TABLES[name])
    return f"SELECT {cols}" + (f" FROM {source}" if source else "")

"""Low-level readers for the web viewer: JSONL lines by byte offset, and a DuckDB
index opened read-only whose every query binds its values."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Iterator

TEXT_COLUMNS = ("text", "body", "content")


def jsonish(value: Any) -> Any:
    """DuckDB may hand back nested data as JSON text: decode it when it is."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(byte offset, record) for each JSON object line of ``path``."""
    pos = 0
    with open(path, "rb") as fh:
        for line in fh:
            start, pos = pos, pos + len(line)
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict):
                yield start, rec


def read_line(path: Path, offset: int) -> dict[str, Any] | None:
    with open(path, "rb") as fh:
        fh.seek(offset)
        try:
            rec = json.loads(fh.readline())
        except ValueError:
            return None
    return rec if isinstance(rec, dict) else None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class ReadOnlyIndex:
    """A DuckDB index opened read-only, lazily; every query binds its values."""

    def __init__(self, path: Path):
        self.path = path
        self._con: Any = None
        self._lock = threading.RLock()
        self.tables: dict[str, list[str]] = {}
        self.types: dict[tuple[str, str], str] = {}

    def _connect(self) -> Any:
        if self._con is None:
            import duckdb

            self._con = duckdb.connect(str(self.path), read_only=True)
            rows = self._con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "ORDER BY table_name, ordinal_position").fetchall()
            self.tables, self.types = {}, {}
            for table, column, dtype in rows:
                self.tables.setdefault(table, []).append(column)
                self.types[(table, column)] = str(dtype).upper()
        return self._con

    def query(self, sql: str, params: list[Any] | tuple = ()) -> list[tuple]:
        with self._lock:
            return self._connect().execute(sql, list(params)).fetchall()

    def rows(self, table: str, where: str = "", params: list[Any] | tuple = (),
             exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Rows of ``table`` as dicts (``table``/``exclude`` come from the schema, never a user)."""
        with self._lock:
            self._connect()
            cols = [c for c in self.tables.get(table, []) if c not in exclude]
            if not cols:
                return []
            sql = (f"SELECT {', '.join(quote_ident(c) for c in cols)} FROM {quote_ident(table)} "
                   f"{where}")
            return [{c: jsonish(v) for c, v in zip(cols, row)}
                    for row in self._con.execute(sql, list(params)).fetchall()]

    def table(self, *names: str, needs: tuple[str, ...] = ()) -> str | None:
        """The first of ``names`` that exists and has the columns ``needs``."""
        with self._lock:
            self._connect()
            for n in names:
                if n in self.tables and all(c in self.tables[n] for c in needs):
                    return n
        return None

    def id_match(self, table: str) -> str:
        """``id = ?`` (uses the index's key) when ids are text, else a cast comparison."""
        return "id = ?" if self.types.get((table, "id")) == "VARCHAR" else "CAST(id AS VARCHAR) = ?"

    def text_column(self, table: str) -> str | None:
        cols = self.tables.get(table, [])
        return next((c for c in TEXT_COLUMNS if c in cols), None)

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

"""Stored check results, so that each check has a read-only permalink.

A check (the submitted text, its fields and its hits as the check page's JSON
has them) is one JSON file in a folder beside the index, ``index.duckdb.checks/``
(:func:`checks_beside`; never in the index: it has a single writer, see
:mod:`wiretrace.writer`; a name with the index's own prefix, so a later scan into
the folder takes it for its own and resumes there), named by a
content hash of the submission and of the index file it was checked against:
the same article checked against the same index has one permalink, and a
permalink keeps showing what was found then, after the index grows.

The store is capped (:data:`MAX_FILES` files, :data:`MAX_BYTES` in all):
when full, a check still shows its results but gets no permalink, and the page
says so. Nothing is ever removed from it by the server.

    >>> import tempfile
    >>> store = CheckStore(Path(tempfile.mkdtemp()) / "checks")
    >>> key = store.save({"text": "x"}, salt="index-1")
    >>> store.load(key)["text"], store.load("0" * 32)
    ('x', None)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from ..errors import WiretraceError

log = logging.getLogger("wiretrace.web")

MAX_FILES = 10_000
MAX_BYTES = 512 * 2**20
KEY = re.compile(r"[0-9a-f]{32}")

__all__ = ["CheckStore", "CheckStoreFull", "KEY", "MAX_FILES", "MAX_BYTES", "checks_beside",
           "content_key"]


def checks_beside(index_path: Path) -> Path:
    """The default check store of an index: ``INDEX.checks`` in its folder.

    >>> checks_beside(Path("scan/index.duckdb")).as_posix()
    'scan/index.duckdb.checks'
    """
    return index_path.with_name(index_path.name + ".checks")


class CheckStoreFull(WiretraceError):
    """The store of check results is at its cap."""


def content_key(record: dict[str, Any], salt: str) -> str:
    """The permalink key of a check: a hash of what was submitted and ``salt``
    (the index's identity), 32 hex digits.

    >>> content_key({"text": "a"}, "s") == content_key({"text": "a"}, "s") != content_key({"text": "a"}, "t")
    True
    """
    blob = json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(salt.encode("utf-8", "surrogatepass") + b"\0" + blob).hexdigest()[:32]


class CheckStore:
    """A folder of stored checks, ``KEY.json`` each."""

    def __init__(self, folder: Path, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES):
        self.folder = Path(folder)
        self.max_files = max_files
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._usage: tuple[int, int] | None = None  # (files, bytes), counted once then kept

    def _count(self) -> tuple[int, int]:
        if self._usage is None:
            files = [p for p in self.folder.glob("*.json") if KEY.fullmatch(p.stem)] \
                if self.folder.is_dir() else []
            self._usage = (len(files), sum(p.stat().st_size for p in files))
        return self._usage

    def save(self, record: dict[str, Any], *, salt: str, key_of: dict[str, Any] | None = None) -> str:
        """Store ``record`` under the content key of ``key_of`` (default: the record)
        and ``salt``; returns the key. An existing key is kept as it is.

        Raises :class:`CheckStoreFull` at the cap, and ``OSError`` when the folder
        cannot be written."""
        key = content_key(record if key_of is None else key_of, salt)
        path = self.folder / f"{key}.json"
        data = json.dumps({**record, "key": key}, ensure_ascii=False).encode("utf-8", "surrogatepass")
        with self._lock:
            if path.exists():
                return key
            files, size = self._count()
            if files + 1 > self.max_files or size + len(data) > self.max_bytes:
                raise CheckStoreFull(f"the check store {self.folder} holds {files} checks "
                                     f"({size / 2**20:.0f} MB), its cap: this check has no permalink; "
                                     "start the server with another --checks-dir to keep more")
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)  # whole or absent: a reader never sees half a file
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
            self._usage = (files + 1, size + len(data))
        return key

    def load(self, key: str) -> dict[str, Any] | None:
        """The stored check ``key``, or None (unknown, malformed key, unreadable file)."""
        if not KEY.fullmatch(key):
            return None
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8", errors="surrogatepass"))
        except (OSError, ValueError) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.warning("stored check %s is unreadable: %s", key, exc)
            return None
        return data if isinstance(data, dict) else None

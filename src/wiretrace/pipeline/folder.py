"""The scan folder: what a scan may write into, and which folder an index's
outputs live in.

A scan writes into an empty or new folder, or into the folder of an earlier
scan of the same input (it resumes there). A folder holding another input's
scan, or files wiretrace did not write, is refused unless ``force`` is given,
so a typo in ``--out`` never replaces someone's work.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     check_out_dir(d, "/data/news.jsonl", os.path.join(d, INDEX_FILE), force=False)
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..errors import WiretraceError
from ..index import Index
from ..writer import lock_path, work_path
from .plan import INDEX_FILE, OUTPUT_FILES

__all__ = ["OutFolderError", "check_out_dir", "scan_folder", "moved_from", "mark_stale", "folder_input",
           "locate_index", "OWN_NAMES"]

#: every name a scan may leave in its folder (besides ``*.tmp`` files of a killed run)
OWN_NAMES = frozenset(OUTPUT_FILES) | {
    INDEX_FILE, INDEX_FILE + ".wal", INDEX_FILE + ".grams", "_spark",
    # the writer's lock and work copy (wiretrace.writer)
    lock_path(INDEX_FILE), work_path(INDEX_FILE), work_path(INDEX_FILE) + ".wal"}
#: files beside the index that only wiretrace names this way (the writer's bookkeeping,
#: snapshot and work files of a killed run)
OWN_PREFIX = INDEX_FILE + "."


class OutFolderError(WiretraceError):
    """The ``--out`` folder holds work a scan would replace."""


def _read_config(out_dir: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(out_dir, "config.json"), encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError):
        return None
    return d if isinstance(d, dict) else None


def _index_input(index_path: str) -> str | None:
    """The input of the last scan stored in the index (None: no index, no scan, unreadable)."""
    if not os.path.isfile(index_path):
        return None
    try:
        with Index.open(index_path, read_only=True) as ix:
            row = ix.row("SELECT input FROM runs WHERE kind = 'scan' ORDER BY run DESC LIMIT 1")
    except Exception:  # noqa: BLE001 - the scan itself reports an unusable index
        return None
    return str(row[0]) if row else None


def folder_input(out_dir: str, index_path: str) -> str | None:
    """The input of the scan whose outputs or index are in ``out_dir`` (None: none)."""
    cfg = _read_config(out_dir)
    if cfg and isinstance(cfg.get("input"), str):
        return cfg["input"]
    return _index_input(index_path)


def check_out_dir(out_dir: str, input_key: str, index_path: str, *, force: bool) -> None:
    """Raise :class:`OutFolderError` unless a scan of ``input_key`` may write to
    ``out_dir`` (and its index at ``index_path``): the folder is new or empty,
    or holds only a scan of the same input; ``force`` allows anything."""
    if force:
        return
    names = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    other = folder_input(out_dir, index_path) if names or os.path.exists(index_path) else None
    if other is not None and other != input_key:
        raise OutFolderError(
            f"{out_dir} holds the scan of {other}, not of {input_key}; give another --out folder "
            "(a new or empty one) for this input, or add --force to replace that scan")
    foreign = [n for n in names if n not in OWN_NAMES and not n.endswith(".tmp")
               and not n.startswith(".") and not n.startswith(OWN_PREFIX)]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutFolderError(
            f"{out_dir} holds files a scan did not write ({shown}); give a new or empty --out "
            "folder, or add --force to write the scan outputs beside them")


def scan_folder(index_path: str, recorded: str | None = None) -> tuple[str, str] | None:
    """``(folder, scan input)`` of the scan whose outputs were written from the
    index at ``index_path``: ``recorded`` (the folder the index noted when it
    wrote them) or the index's own folder, whichever ``config.json`` names the
    index; else None."""
    for folder in (recorded, os.path.dirname(os.path.abspath(index_path))):
        cfg = _read_config(folder) if folder else None
        if (cfg and isinstance(cfg.get("input"), str)
                and os.path.abspath(str(cfg.get("index", ""))) == os.path.abspath(index_path)):
            return folder, cfg["input"]
    return None


def moved_from(index_path: str, recorded: str | None) -> tuple[str, str] | None:
    """``(folder, scan input)`` of the outputs this index wrote before it was moved:
    ``recorded`` (the folder the index noted), when its ``config.json`` names an
    index that no longer exists; else None (a copied index leaves the folder to
    the original, which still exists)."""
    cfg = _read_config(recorded) if recorded else None
    if not (cfg and isinstance(cfg.get("input"), str) and isinstance(cfg.get("index"), str)):
        return None
    named = os.path.abspath(cfg["index"])
    if named == os.path.abspath(index_path) or os.path.exists(named):
        return None
    return str(recorded), cfg["input"]


def mark_stale(folder: str, stale: dict[str, Any]) -> bool:
    """Record in ``folder/config.json`` (key ``stale``) that its outputs no longer
    describe the index; False when the file cannot be written.

        >>> import tempfile
        >>> d = tempfile.mkdtemp()
        >>> mark_stale(d, {"reason": "moved"}), _read_config(d)["stale"]["reason"]
        (True, 'moved')
    """
    cfg = _read_config(folder) or {}
    cfg["stale"] = stale
    path = os.path.join(folder, "config.json")
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(cfg, fh, indent=2)
        os.replace(path + ".tmp", path)
    except OSError:
        return False
    return True


def _is_duckdb(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def locate_index(path: str) -> str:
    """The index file ``path`` names: itself, or the ``index.duckdb`` of a scan
    folder. Raises :class:`~wiretrace.errors.WiretraceError` saying what to give
    instead when ``path`` is a scan output, another file or a folder without an index.

        >>> locate_index("/no/such/index.duckdb")
        Traceback (most recent call last):
        ...
        wiretrace.errors.WiretraceError: no index at /no/such/index.duckdb; give the folder of a scan \
(or its index.duckdb), or build one with `wiretrace scan INPUT --out DIR`
    """
    if os.path.isdir(path):
        inner = os.path.join(path, INDEX_FILE)
        if os.path.isfile(inner):
            return inner
        raise WiretraceError(f"{path} is a folder without an {INDEX_FILE}; give the folder of a scan "
                             "(or its index.duckdb), or build one with `wiretrace scan INPUT --out DIR`")
    if not os.path.exists(path):
        raise WiretraceError(f"no index at {path}; give the folder of a scan (or its index.duckdb), "
                             "or build one with `wiretrace scan INPUT --out DIR`")
    if _is_duckdb(path):
        return path
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.basename(path) in OWN_NAMES and os.path.isfile(os.path.join(folder, INDEX_FILE)):
        raise WiretraceError(f"{path} is a scan output, not the index; give the scan folder "
                             f"{os.path.dirname(path) or '.'} (or {os.path.join(os.path.dirname(path), INDEX_FILE)})")
    raise WiretraceError(f"{path} is not a wiretrace index; give the folder of a scan (or its "
                         "index.duckdb), or build one with `wiretrace scan INPUT --out DIR`")

"""The gram snapshot beside an index: written after a scan or add, read by queries.

The DuckDB ``postings`` table is the truth, but a query against it is a scan
of every posting (≈12 ms at 2.5M postings, ≈90 ms at 100M even when sorted).
So a scan or add also writes the postings sorted by gram as memory-mapped
numpy arrays (``grams.npy``, ``docs.npy``, plus body hashes and per-document
sizes) in ``<index>.grams/``. The snapshot is derived data: delete it and
queries fall back to SQL (and the next add or scan rebuilds it).

    >>> snapshot_dir("/tmp/out/index.duckdb")
    '/tmp/out/index.duckdb.grams'
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import numpy as np

from .._arrays import group_positions
from ..index import Index, IndexStoreError
from ..writer import disk_error

__all__ = ["REBUILD_SHARE", "Snapshot", "snapshot_dir", "read_meta", "prefix_intact",
           "write_snapshot"]

#: rebuild the snapshot on add once the postings outside it exceed this share
REBUILD_SHARE = 0.2
#: rows per batch when exporting the sorted postings
_EXPORT_BATCH = 2_000_000
_FORMAT = 2


def snapshot_dir(index_path: str) -> str:
    """Where the gram snapshot of ``index_path`` lives."""
    return os.path.abspath(index_path) + ".grams"


def read_meta(folder: str) -> dict[str, Any] | None:
    """The snapshot's ``meta.json``, or None when there is no usable snapshot."""
    try:
        with open(os.path.join(folder, "meta.json"), encoding="utf-8") as fh:
            meta = json.load(fh)
    except (OSError, ValueError):
        return None
    return meta if meta.get("format") == _FORMAT else None


def _postings_state(ix: Index) -> tuple[int, int]:
    """(number of postings, highest document number with postings)."""
    n, top = ix.con.execute("SELECT count(*), coalesce(max(doc), -1) FROM postings").fetchall()[0]
    return int(n), int(top)


def _ingest_stamp(ix: Index) -> str:
    """When the corpus was last ingested by a scan: a rescan (even of input with
    the same counts) changes it, an add does not (its documents are the tail)."""
    rows = ix.con.execute("SELECT started_at, finished_at FROM stages WHERE stage = 'ingest'").fetchall()
    return repr(rows[0]) if rows else ""


def write_snapshot(ix: Index, index_path: str, *, force: bool = False) -> bool:
    """Write (or refresh) the gram snapshot of an open index; True when written.

    Skipped when the snapshot is current, or when documents added since make
    up less than :data:`REBUILD_SHARE` of the postings (queries read those
    from DuckDB). Written to a temporary folder and renamed, so a reader
    never sees half a snapshot.
    """
    if index_path == ":memory:":
        return False
    folder = snapshot_dir(index_path)
    total, top = _postings_state(ix)
    meta = read_meta(folder)
    stamp = _ingest_stamp(ix)
    if meta is not None and not force and meta.get("ingest") == stamp:
        if meta["postings"] == total and meta["max_doc"] == top:
            return False
        newer = total - meta["postings"]
        if 0 <= newer <= REBUILD_SHARE * max(1, meta["postings"]) and prefix_intact(ix, meta):
            return False
    tmp = folder + ".tmp"
    try:
        _export(ix, tmp, total, top, stamp)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    except Exception as exc:  # noqa: BLE001 - a full or read-only disk, in numpy's writes or DuckDB's
        translated = disk_error(exc, folder)
        if translated is None:
            raise
        shutil.rmtree(tmp, ignore_errors=True)  # half a snapshot is no use to anyone
        raise translated from None
    return True


def _export(ix: Index, tmp: str, total: int, top: int, stamp: str) -> None:
    """Write the snapshot's files into the folder ``tmp``."""
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    # plain writes, not a memory map: the mapped pages of 1.5 GB of output counted
    # in the process's memory on top of DuckDB's sort (PSS 8.5 GB at 1M documents)
    k = 0
    with open(os.path.join(tmp, "grams.npy"), "wb") as fg, \
            open(os.path.join(tmp, "docs.npy"), "wb") as fd:
        for fh, dtype in ((fg, "<i8"), (fd, "<i4")):
            np.lib.format.write_array_header_1_0(
                fh, {"descr": dtype, "fortran_order": False, "shape": (total,)})
        reader = ix.con.sql(f"SELECT gram, doc FROM postings WHERE doc <= {top} ORDER BY gram, doc")
        for batch in reader.to_arrow_reader(_EXPORT_BATCH):
            fg.write(batch.column(0).to_numpy().astype("<i8", copy=False).tobytes())
            fd.write(batch.column(1).to_numpy().astype("<i4", copy=False).tobytes())
            k += batch.num_rows
    if k != total:  # cannot happen while we hold the index, but never write a bad header
        raise IndexStoreError(f"snapshot read {k} postings where the index has {total}; "
                              "run `wiretrace scan` again with --force")
    hashes = ix.con.execute("SELECT body_hash, doc FROM documents WHERE body_hash IS NOT NULL "
                            f"AND doc <= {top} ORDER BY body_hash, doc").fetchnumpy()
    np.save(os.path.join(tmp, "hashes.npy"), np.asarray(hashes["body_hash"], dtype=np.int64))
    np.save(os.path.join(tmp, "hash_docs.npy"), np.asarray(hashes["doc"], dtype=np.int32))
    # n-grams per document, for containment: a short copy sharing 50 grams is
    # more derived than a long roundup sharing 60
    sizes = np.zeros(top + 1, dtype=np.int32)
    for batch in ix.con.sql(f"SELECT doc, count(*) FROM postings WHERE doc <= {top} GROUP BY doc"
                            ).to_arrow_reader(_EXPORT_BATCH):
        sizes[batch.column(0).to_numpy()] = batch.column(1).to_numpy()
    np.save(os.path.join(tmp, "sizes.npy"), sizes)
    with open(os.path.join(tmp, "meta.json"), "w", encoding="utf-8") as fh:
        json.dump({"format": _FORMAT, "postings": k, "max_doc": top, "ingest": stamp}, fh)


def prefix_intact(ix: Index, meta: dict[str, Any]) -> bool:
    """The snapshot's documents still have exactly its postings (nothing rebuilt under it)."""
    if meta.get("ingest") != _ingest_stamp(ix):
        return False
    n = ix.con.execute("SELECT count(*) FROM postings WHERE doc <= ?", [meta["max_doc"]]).fetchall()[0][0]
    return int(n) == meta["postings"]


class Snapshot:
    """The memory-mapped sorted postings of documents ``<= max_doc``."""

    def __init__(self, folder: str, meta: dict[str, Any]):
        self.max_doc = int(meta["max_doc"])
        self.grams = np.load(os.path.join(folder, "grams.npy"), mmap_mode="r")
        self.docs = np.load(os.path.join(folder, "docs.npy"), mmap_mode="r")
        self.hashes = np.load(os.path.join(folder, "hashes.npy"))
        self.hash_docs = np.load(os.path.join(folder, "hash_docs.npy"))
        self.sizes = np.load(os.path.join(folder, "sizes.npy"), mmap_mode="r")

    def postings(self, grams: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(df per query gram, gram index per posting, doc per posting)."""
        lo = np.searchsorted(self.grams, grams, "left")
        hi = np.searchsorted(self.grams, grams, "right")
        df = (hi - lo).astype(np.int64)
        idx = np.repeat(np.arange(len(grams)), df)
        if len(idx) == 0:
            return df, idx, np.zeros(0, np.int64)
        within = group_positions(df)
        pos = np.repeat(lo, df) + within
        return df, idx, np.asarray(self.docs[pos], dtype=np.int64)

    def same_body(self, h: int) -> np.ndarray:
        lo = int(np.searchsorted(self.hashes, h, "left"))
        hi = int(np.searchsorted(self.hashes, h, "right"))
        return np.asarray(self.hash_docs[lo:hi], dtype=np.int64)

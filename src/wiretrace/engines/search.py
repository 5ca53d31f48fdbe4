"""Fast lookups against a built index: "who used this story?" in milliseconds.

The DuckDB ``postings`` table is the truth, but a query against it is a scan
of every posting (≈12 ms at 2.5M postings, ≈90 ms at 100M even when sorted).
So a scan or add also writes a *gram snapshot* beside the index: the postings
sorted by gram as two memory-mapped numpy arrays (``grams.npy``,
``docs.npy``) in ``<index>.grams/``. A query binary-searches its own
n-grams there (a few page reads each) and reads only the newer postings,
those of documents added after the snapshot, from DuckDB, where they sit at
the end of the append-ordered table and are found by zonemap pruning.

The snapshot is derived data: delete it and queries fall back to SQL (and
the next add or scan rebuilds it). :class:`Searcher` keeps the index open
for many queries; :func:`query` opens one per call.

    >>> with Searcher("out/index.duckdb") as s:  # doctest: +SKIP
    ...     [h.id for h in s.query(open("paper.txt").read())]
    ['wire-17']
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pyarrow as pa

from ..candidates import body_hash
from ..config import ScanConfig
from ..dates import check_date
from ..errors import ConfigError
from ..fingerprint import document_fingerprints
from ..index import Index
from ..judge import related
from ..normalize import Tokens, tokenize
from ..pipeline.plan import effective_config, index_config
from ..pipeline.snapshot import Snapshot, prefix_intact, read_meta, snapshot_dir
from ..rank import Verdicts, literal_share, rank_hits, verdicts_from
from ..records import Comparison
from .search_pool import Comparer, Comparers, helpers_for

__all__ = ["QueryHit", "Searcher", "query", "compare_indexed", "LEXICAL_MARGIN", "FULL_MARGIN"]

#: candidates given the lexical pass beyond ``limit`` (holding most of the query first), and
#: compared in full beyond ``limit`` (best lexical coverage first): a candidate
#: further down can only overtake by the meaning pass lifting its coverage
LEXICAL_MARGIN = 5
FULL_MARGIN = 3


@dataclass(frozen=True, slots=True)
class QueryHit:
    """One indexed document related to a queried text (the text is side ``a``)."""

    id: str
    source: str | None
    date: str | None
    title: str | None
    story: str | None
    comparison: Comparison = field(repr=False)
    #: literal share of the query this hit explains (:func:`wiretrace.rank.literal_share`)
    explains: float = 0.0
    #: ``(id, evidence)`` of the hits it was lifted above as their likelier source (:mod:`wiretrace.rank`)
    source_of: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        # the outlet is "source"; the comparison's own "source" ("a"/"b") is
        # kept under "likely_source" so neither overwrites the other
        d = self.comparison.to_dict()
        d["likely_source"] = d.pop("source")
        return {"id": self.id, "source": self.source, "date": self.date, "title": self.title,
                "story": self.story, "explains": self.explains,
                "source_of": [{"id": i, "evidence": e} for i, e in self.source_of], **d}


def _rank(docs: np.ndarray, shared: np.ndarray, size: np.ndarray, n_query: int,
          same: np.ndarray, k: int) -> list[int]:
    """The ``k`` best candidates: documents with the query's whole body first, then
    by the share of the query's n-grams they hold (the hits are ranked by how much
    of the query they explain, :mod:`wiretrace.rank`: a roundup sharing 60 n-grams
    explains more than a short copy sharing 50), then by containment on the
    document's side (the closer copy), then by document number.

    >>> _rank(np.array([1, 2, 3]), np.array([50, 60, 50]), np.array([55, 400, 80]), 200, np.array([]), 5)
    [2, 1, 3]
    """
    share = shared.astype(np.float64)
    of_query = share / max(1, n_query)
    of_doc = share / np.maximum(size, 1)
    scores = {int(d): (float(q), float(c)) for d, q, c in zip(docs, of_query, of_doc)}
    for d in np.asarray(same).tolist():
        scores[int(d)] = (2.0, 0.0)
    return sorted(scores, key=lambda d: (-scores[d][0], -scores[d][1], d))[:k]


class Searcher:
    """An index opened read-only for many queries (see the module docstring).

    A writer (``wiretrace add``) works beside it: each query first reopens the
    index when a newer one has been published (:meth:`refresh`), so it sees
    every document added before it started.
    ``workers`` processes (default the index's ``workers``, 0 = all cores)
    share each query's candidates; the helpers start in the background and
    join once ready, and the answer never depends on how many there are.
    """

    def __init__(self, index_path: str, *, config: ScanConfig | None = None,
                 workers: int | None = None):
        self.index_path = index_path
        self._config = config
        self.ix = self._open()
        try:
            n = self.cfg.workers if workers is None else workers
            self.work = Comparers(self.ix, index_path, self.cfg, helpers_for(n))
        except BaseException:
            self.ix.close()
            raise

    def _open(self) -> Index:
        """Open the index as it is now, with its snapshot (sets ``cfg``, ``snap``, ``_tail``)."""
        ix = Index.open(self.index_path, read_only=True)
        try:
            self.cfg = effective_config(index_config(ix, self._config))
            meta = read_meta(snapshot_dir(self.index_path))
            self.snap = None
            if meta is not None and prefix_intact(ix, meta):
                self.snap = Snapshot(snapshot_dir(self.index_path), meta)
            # documents past the snapshot, read from DuckDB per query
            self._tail = self.snap is not None and ix.con.execute(
                "SELECT count(*) FROM documents WHERE doc > ?", [self.snap.max_doc]).fetchall()[0][0] > 0
        except BaseException:
            ix.close()
            raise
        return ix

    def refresh(self) -> bool:
        """Reopen the index when a writer has published a newer one since it was
        opened (every query asks first); True when it did. Helper processes
        reopen on their own the same way."""
        if not self.ix.stale():
            return False
        ix = self._open()
        old, self.ix = self.ix, ix
        self.work.local.ix = ix
        old.close()
        return True

    def wait_ready(self, timeout: float = 30.0) -> int:
        """Wait for the helper processes to start (queries never wait for them);
        returns how many are ready."""
        return self.work.wait_ready(timeout)

    def close(self) -> None:
        self.work.close()
        self.ix.close()

    def __enter__(self) -> "Searcher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def candidates(self, grams: np.ndarray, bhash: int | None, k: int) -> list[int]:
        """Documents sharing at least ``min_shared`` not-too-common n-grams (or the
        whole body) with the query, holding most of it first (:func:`_rank`), at most ``k``."""
        cfg = self.cfg
        grams = np.unique(np.asarray(grams, dtype=np.int64))
        if self.snap is None:
            return self._candidates_sql(grams, bhash, k)
        df, idx, docs = self.snap.postings(grams)
        same = self.snap.same_body(bhash) if bhash is not None else np.zeros(0, np.int64)
        if self._tail:
            df, idx, docs, same = self._tail_postings(grams, bhash, df, idx, docs, same)
        keep = df[idx] <= cfg.max_df
        u, shared = np.unique(docs[keep], return_counts=True)
        ok = shared >= cfg.min_shared
        u, shared = u[ok], shared[ok]
        size = np.zeros(len(u), np.int64)
        old = u <= self.snap.max_doc
        size[old] = self.snap.sizes[u[old]]
        size[~old] = self._sizes(u[~old])  # added since the snapshot
        return _rank(u, shared, size, len(grams), same, k)

    def _tail_postings(self, grams: np.ndarray, bhash: int | None, df: np.ndarray, idx: np.ndarray,
                       docs: np.ndarray, same: np.ndarray) -> tuple[np.ndarray, ...]:
        """The snapshot's answer with the documents added after it: the tail of the
        append-ordered postings table."""
        self.ix.con.register("_wt_query", pa.table({"gram": grams}))
        try:
            tail = self.ix.con.execute(
                "SELECT p.gram, p.doc FROM postings p SEMI JOIN _wt_query q ON q.gram = p.gram "
                f"WHERE p.doc > {self.snap.max_doc}").fetchnumpy()
        finally:
            self.ix.con.unregister("_wt_query")
        if len(tail["doc"]):
            t_idx = np.searchsorted(grams, np.asarray(tail["gram"], dtype=np.int64))
            df = df + np.bincount(t_idx, minlength=len(grams))
            idx = np.r_[idx, t_idx]
            docs = np.r_[docs, np.asarray(tail["doc"], dtype=np.int64)]
        if bhash is not None:
            late = self.ix.con.execute("SELECT doc FROM documents WHERE body_hash = ? AND doc > ?",
                                       [bhash, self.snap.max_doc]).fetchall()
            same = np.r_[same, np.asarray([r[0] for r in late], dtype=np.int64)]
        return df, idx, docs, same

    def _candidates_sql(self, grams: np.ndarray, bhash: int | None, k: int) -> list[int]:
        """The snapshot plan as SQL (no snapshot, or a stale one)."""
        cfg = self.cfg
        self.ix.con.register("_wt_query", pa.table({"gram": grams}))
        try:
            hits = self.ix.con.execute(f"""
                WITH g AS (SELECT q.gram FROM _wt_query q JOIN postings p ON p.gram = q.gram
                           GROUP BY q.gram HAVING count(*) <= {int(cfg.max_df)})
                SELECT p.doc, count(*) AS shared FROM postings p JOIN g ON g.gram = p.gram
                GROUP BY p.doc HAVING count(*) >= {int(cfg.min_shared)}""").fetchnumpy()
        finally:
            self.ix.con.unregister("_wt_query")
        same = [r[0] for r in self.ix.con.execute("SELECT doc FROM documents WHERE body_hash = ?",
                                                  [bhash]).fetchall()] if bhash is not None else []
        u = np.asarray(hits["doc"], dtype=np.int64)
        return _rank(u, np.asarray(hits["shared"], dtype=np.int64), self._sizes(u), len(grams),
                     np.asarray(same, dtype=np.int64), k)

    def _sizes(self, docs: np.ndarray) -> np.ndarray:
        """n-grams per document, from the postings table."""
        if len(docs) == 0:
            return np.zeros(0, np.int64)
        listed = ",".join(str(int(d)) for d in docs)
        got = dict(self.ix.con.execute(
            f"SELECT doc, count(*) FROM postings WHERE doc IN ({listed}) GROUP BY doc").fetchall())
        return np.asarray([got.get(int(d), 0) for d in docs], dtype=np.int64)

    def query(self, text: str, *, title: str | None = None, date: str | None = None,
              limit: int = 20) -> list[QueryHit]:
        """Indexed documents related to ``text``, the hit that explains most of it
        first and a likelier source never below its copies (:meth:`rank`, the order
        is explained in :mod:`wiretrace.rank`; see also
        :func:`query`). Past ``limit`` candidates with
        passages, the rest are not compared: when more than ``limit`` documents
        are about equally derived (forty copies of one wire story), which of
        them fill the list may differ from comparing every candidate, and only
        hits compared in full can be lifted above their copies
        (``bench/eval_query_rank.py`` measures the difference)."""
        if not isinstance(text, str) or not text.strip():
            raise ConfigError("query() needs a non-empty article text")
        if limit < 1:
            raise ConfigError(f"limit must be at least 1, got {limit}")
        check_date(date, "date")  # a bad date is an error, not silently no date
        self.refresh()
        cfg = self.cfg
        ta = tokenize(text, strip_boilerplate=cfg.compare.strip_boilerplate)
        work = self.work
        work.begin(text, ta)
        grams = document_fingerprints(ta, cfg.ngram)
        docs = self.candidates(grams, body_hash(ta), max(limit * 5, 50))
        # Two passes: the lexical pass on candidates, holding most of the query first, until
        # ``limit + LEXICAL_MARGIN`` of them share passages; then the full comparison
        # (meaning pass, similarity) of those explaining most of the query (its literal
        # share, the key the final order ranks on). A candidate with lexical
        # passages outranks one without, so those are compared in full only while
        # hits are short (which keeps every weak story-level hit of a small result).
        # Each pass goes in batches that a one-at-a-time loop would also have done
        # whole (a candidate adds at most one to a count), so the answer does not
        # depend on how many processes share a batch.
        looked: list[tuple[int, float, bool]] = []
        with_passages = 0
        while len(looked) < len(docs) and with_passages < limit + LEXICAL_MARGIN:
            take = docs[len(looked):len(looked) + limit + LEXICAL_MARGIN - with_passages]
            for got in work.lexical(take):
                looked.append(got)
                with_passages += got[2]
        order = sorted(range(len(looked)), key=lambda i: (-looked[i][1], i))
        hits: list[QueryHit] = []
        full = 0
        while full < min(len(order), limit + FULL_MARGIN):
            take = []
            for i in order[full:limit + FULL_MARGIN]:
                if not looked[i][2] and len(hits) + len(take) >= limit:
                    break
                take.append(looked[i][0])
            if not take:
                break
            for _, (doc_id, source, ddate, dtitle, story), r in work.full(date, take):
                if related(False, len(r.passages), r.similarity, cfg.story_similarity):
                    hits.append(QueryHit(doc_id, source, ddate, dtitle, story, r))
            full += len(take)
        return self.rank(ta, hits)[:limit]

    def rank(self, ta: Tokens, hits: list[QueryHit]) -> list[QueryHit]:
        """``hits`` of the query ``ta`` in rank order, each with what it explains and
        the hits it was lifted above as their likelier source (:mod:`wiretrace.rank`;
        which hit is which one's source comes from the stories' provenance)."""
        ranked = rank_hits(ta, [(h.id, h.date, h.comparison) for h in hits], self._verdicts(hits))
        return [dataclasses.replace(hits[k], explains=e.explains, source_of=e.source_of)
                for k, e in ranked]

    def _verdicts(self, hits: list[QueryHit]) -> Verdicts:
        """Which hit is which one's source, from the provenance of the stories the
        hits belong to (:func:`wiretrace.rank.verdicts_from`); hits of different
        stories are left to their dates. (The ``pairs`` table has no index: looking
        pairs up in it is a scan, ~10 ms a query at 10k documents and growing.)"""
        story_of = {h.id: h.story for h in hits}
        con = self.ix.con

        def lookup(wanted: list[tuple[str, str]]) -> Mapping[tuple[str, str], tuple[str | None, str]]:
            stories = sorted({story_of[x] for x, y in wanted if story_of[x] and story_of[x] == story_of[y]})
            parents: dict[str, tuple[str, str]] = {}
            known: dict[str, str | None] = {}
            for story in stories:  # one or two: a lookup by primary key each
                row = con.execute("SELECT provenance FROM stories WHERE story = ?", [story]).fetchall()
                try:
                    edges = json.loads(row[0][0]) if row and row[0][0] else []
                except ValueError:
                    continue  # unreadable provenance: its hits are left to their dates
                known.update({i: s for i, s in story_of.items() if s == story})
                # every primary edge, not only the hits': a chain may pass through documents
                # that are not hits (wire → trim → copy with the trim outside the list)
                for e in edges if isinstance(edges, list) else []:
                    if isinstance(e, dict) and e.get("primary") and e.get("derived") is not None:
                        parents[str(e["derived"])] = (str(e.get("source")), str(e.get("by") or ""))
            return verdicts_from(known, parents)(wanted)
        return lookup

    def compare_one(self, text: str, doc_id: str, *, date: str | None = None) -> QueryHit | None:
        """The query's comparison with one indexed document, exactly as :meth:`query`
        makes it (same options, same passes); None when ``doc_id`` is not indexed.
        The web check page draws a hit's side by side from it."""
        if not isinstance(text, str) or not text.strip():
            raise ConfigError("compare_one() needs a non-empty article text")
        self.refresh()
        row = self.ix.con.execute("SELECT doc FROM documents WHERE id = ?", [doc_id]).fetchall()
        if not row:
            return None
        ta = tokenize(text, strip_boilerplate=self.cfg.compare.strip_boilerplate)
        one = Comparer(self.ix, self.cfg)
        one.begin(text, ta)
        (_, (hid, source, ddate, dtitle, story), r), = one.full(date, [int(row[0][0])])
        return QueryHit(hid, source, ddate, dtitle, story, r, literal_share(ta, r.passages))


def query(index_path: str, text: str, *, title: str | None = None, date: str | None = None,
          limit: int = 20, config: ScanConfig | None = None) -> list[QueryHit]:
    """Indexed documents related to ``text`` (its source, its copies, its story),
    the hit that explains most of the text first and a likelier source never below
    its copies (:mod:`wiretrace.rank`). Opens the index read-only for this one call; for many
    queries keep a :class:`Searcher` open. ``date`` (ISO 8601) lets dates decide the
    likelier source; ``title`` is accepted like :func:`wiretrace.compare`'s and does
    not change the comparison.

        >>> [h.id for h in query("out/index.duckdb", open("paper.txt").read())]  # doctest: +SKIP
        ['wire-17']
    """
    # one process: a helper's start (~1 s) would cost more than it saves on one query
    with Searcher(index_path, config=config, workers=1) as s:  # it checks the text and limit
        return s.query(text, title=title, date=date, limit=limit)


def compare_indexed(index_path: str, text: str, doc_id: str, *, date: str | None = None,
                    config: ScanConfig | None = None) -> QueryHit | None:
    """The comparison of ``text`` with the indexed document ``doc_id`` that :func:`query`
    makes for it (same options and passes), or None when the id is not indexed."""
    with Searcher(index_path, config=config, workers=1) as s:
        return s.compare_one(text, doc_id, date=date)

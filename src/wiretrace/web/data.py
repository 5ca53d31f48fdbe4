"""Read-only access to a scan: its index, through :class:`wiretrace.index.Index`.

This is where the viewer asks the index its questions, so the rest of the
web viewer sees plain Python objects. A scan's output folder holds the index
(:data:`wiretrace.engines.local.INDEX_FILE`, or the path its ``config.json``
names when the scan was given ``--index``); the index is the truth, the JSONL
files are exports of it (``wiretrace add`` grows the index alone).

Only small summaries are kept in memory; a document's text and a pair's
comparison are read on demand, so a large scan opens quickly and stays small.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import WiretraceError
from ..index_lists import ConflictFilter, PairFilter
from ..pipeline.plan import INDEX_FILE
from ..read import TEXT_FIELDS
from ..records import Comparison
from .store import SharedIndex

_GENERATIONS = itertools.count(1)


class CorpusError(WiretraceError):
    """The path is not a scan output directory or index."""


@dataclass(slots=True)
class DocMeta:
    """What the viewer keeps in memory about one document."""

    id: str
    source: str | None = None
    date: str | None = None
    title: str | None = None
    url: str | None = None
    story: str | None = None
    #: "day", "month" or "year"; where the date came from ("input", "page-metadata"…)
    date_precision: str | None = None
    date_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("id", "source", "date", "title", "url", "story",
                                              "date_precision", "date_source")}

    def day(self) -> str | None:
        """The date when it is a day date (the only kind that orders documents), else None."""
        if not self.date:
            return None
        if self.date_precision is None:  # an older scan: read the precision off the text
            from ..dates import parse_date

            got = parse_date(self.date)
            return self.date if got is not None and got.precision == "day" else None
        return self.date if self.date_precision == "day" else None


@dataclass(slots=True)
class PairMeta:
    """Summary of one related pair; the passages are loaded on demand."""

    a: str
    b: str
    relation: str = "non-derived"
    source: str | None = None
    similarity: float = 0.0
    a_coverage: float = 0.0
    b_coverage: float = 0.0
    passages: int = 0
    conflicts: int = 0

    def other(self, doc_id: str) -> str:
        """The id on the other side of ``doc_id``."""
        return self.b if doc_id == self.a else self.a

    def side(self, doc_id: str) -> str:
        """``"a"`` or ``"b"``: which side ``doc_id`` is on."""
        return "a" if doc_id == self.a else "b"

    def original(self) -> str | None:
        """Id of the likelier source document, if one was decided."""
        return {"a": self.a, "b": self.b}.get(self.source or "")

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("a", "b", "relation", "source", "similarity",
                                              "a_coverage", "b_coverage", "passages", "conflicts")}


@dataclass(slots=True)
class Story:
    """A group of documents telling the same story."""

    id: str
    documents: list[str]
    #: the document the evidence puts first; None: order unknown
    earliest: str | None = None
    headline: str | None = None
    #: what puts ``earliest`` first ("date", "provenance", "date+provenance")
    earliest_by: str | None = None
    #: provenance edges (from, to): ``to`` copied from ``from``
    edges: list[tuple[str, str]] = field(default_factory=list)
    #: the edges that are a secondary (not the likeliest) source of their copy
    secondary: set[tuple[str, str]] = field(default_factory=set)
    date: str | None = None
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "documents": list(self.documents), "earliest": self.earliest,
                "earliest_by": self.earliest_by, "order": "known" if self.earliest else "unknown",
                "headline": self.headline, "date": self.date, "sources": list(self.sources),
                "edges": [{"from": f, "to": t, "primary": (f, t) not in self.secondary}
                          for f, t in self.edges]}


class Corpus:
    """A scan, read-only. Build with :meth:`Corpus.open`.

    >>> Corpus.open("no/such/dir")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    CorpusError: ...
    """

    def __init__(self, root: Path, index_path: Path):
        self.root = root
        self.index_path = index_path
        self.index = SharedIndex(index_path)
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._comparisons: OrderedDict[tuple[str, str], Comparison] = OrderedDict()
        self._lock = threading.Lock()
        self.documents: dict[str, DocMeta] = {}
        self.pairs: dict[tuple[str, str], PairMeta] = {}
        self.by_doc: dict[str, list[PairMeta]] = {}
        self.stories: dict[str, Story] = {}
        self.doc_story: dict[str, str] = {}
        #: unique to every (re)load of any corpus in this process, so views can cache by it
        self.generation = 0
        self._stamp: tuple = ()

    # -- opening ----------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> "Corpus":
        """Open a scan output directory, or its index file.

        Raises :class:`CorpusError` when there is no index there, and the index's
        own errors (:class:`~wiretrace.index.IndexStoreError`,
        :class:`~wiretrace.errors.IndexBusyError`) when it cannot be read.
        """
        p = Path(path)
        if p.is_dir():
            root, index = p, cls._find_index(p)
        elif p.is_file():
            root, index = p.parent, p
        else:
            raise CorpusError(f"{p}: no such scan directory or index; run `wiretrace scan INPUT --out DIR` first")
        if index is None:
            raise CorpusError(f"{p}: no wiretrace index here; point at a `wiretrace scan` output directory, "
                              "or run `wiretrace scan INPUT --out DIR` first")
        corpus = cls(root, index)
        corpus.load()
        return corpus

    @staticmethod
    def _find_index(root: Path) -> Path | None:
        """``DIR/index.duckdb``, else the index named in ``config.json`` (a scan run
        with ``--index PATH``). The folder's own file wins, so a copied scan
        never points back at the original's index."""
        if (root / INDEX_FILE).is_file():
            return root / INDEX_FILE
        try:
            conf = json.loads((root / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        val = conf.get("index") if isinstance(conf, dict) else None
        if isinstance(val, str) and val:
            cand = Path(val) if os.path.isabs(val) else root / val
            if cand.is_file():
                return cand
        return None

    def _stamp_now(self) -> tuple:
        out = []
        # a writer publishes a new file (wiretrace.writer); an older one's committed work
        # may sit in the write-ahead log until it checkpoints
        for p in (self.index_path, Path(str(self.index_path) + ".wal")):
            try:
                st = p.stat()
                out.append((st.st_ino, st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((0, 0, 0))
        return tuple(out)

    def index_identity(self) -> tuple:
        """Which index file (and write-ahead log) this corpus reads now: a permalink
        made against it names this state."""
        return (str(self.index_path),) + self._stamp_now()

    def load(self) -> None:
        """(Re)read the summaries of documents, pairs and stories."""
        with self.index.use() as ix:
            doc_rows = ix.document_summaries()
            pair_rows = ix.related_pairs()
            ix.prepare_lists()  # the pair and conflict lists, and each story's conflicts
            story_rows = ix.story_records()
        docs = {r["id"]: DocMeta(id=r["id"], source=r["source"], date=r["date"], title=r["title"],
                                 url=r["url"], story=r["story"], date_precision=r["date_precision"],
                                 date_source=r["date_source"]) for r in doc_rows}
        pairs = {(r["a"], r["b"]): PairMeta(**r) for r in pair_rows}
        with self._lock:
            self.documents, self.pairs = docs, pairs
            self.by_doc = {}
            for pm in pairs.values():
                self.by_doc.setdefault(pm.a, []).append(pm)
                self.by_doc.setdefault(pm.b, []).append(pm)
            self._texts.clear()
            self._comparisons.clear()
            self._build_stories(story_rows)
            self._stamp = self._stamp_now()
            self.generation = next(_GENERATIONS)

    def _build_stories(self, rows: list[dict[str, Any]]) -> None:
        stories: dict[str, Story] = {}
        for rec in rows:
            edges = [(e["source"], e["derived"], bool(e["primary"])) for e in rec["provenance"]]
            stories[rec["story"]] = Story(
                id=rec["story"], documents=[i for i in rec["documents"] if i in self.documents],
                earliest=rec["earliest"], headline=rec["headline"], earliest_by=rec["earliest_by"],
                edges=[(f, t) for f, t, _ in edges],
                secondary={(f, t) for f, t, primary in edges if not primary})
        # a document whose story the stories table lacks still gets one
        for d in self.documents.values():
            if d.story is not None and d.story not in stories:
                stories[d.story] = Story(id=d.story, documents=[])
            if d.story is not None and d.id not in stories[d.story].documents:
                stories[d.story].documents.append(d.id)
        self.doc_story = {}
        for st in stories.values():
            docs = [self.documents[i] for i in st.documents if i in self.documents]
            # day dates in order first; a year or a month orders nothing
            docs.sort(key=lambda d: (d.day() is None, d.day() or "", d.id))
            st.documents = [d.id for d in docs]
            for d in docs:
                self.doc_story.setdefault(d.id, st.id)
            if st.earliest not in self.documents:
                # no evidence puts a document first (or the scan named none): order unknown
                st.earliest, st.earliest_by = None, None
            first = self.documents.get(st.earliest or "")
            st.date = (first.day() if first else None) or next((d.day() for d in docs if d.day()), None)
            st.sources = sorted({d.source for d in docs if d.source})
            if not st.headline:
                st.headline = next((d.title for d in docs if d.title), None)
        self.stories = stories

    def reload_if_changed(self) -> bool:
        """Reload when the index changed on disk (after ``wiretrace add``); True if it did."""
        if self._stamp_now() == self._stamp:
            return False
        self.release()
        self.load()
        return True

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Close our read-only connection and keep it closed for the block, so the
        corpus engine can open the index in its own mode (DuckDB allows one mode per
        file in a process)."""
        with self.index.closed():
            yield

    def release(self) -> None:
        """Close the index connection (reopened on the next read)."""
        self.index.close()

    # -- reading ----------------------------------------------------------

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """The full record of one document, ``text`` included; None if unknown.
        Its fields as documents.jsonl has them: the summary, then the input's others."""
        meta = self.documents.get(doc_id)
        if meta is None:
            return None
        with self.index.use() as ix:
            extra = ix.document_extra(doc_id) or {}
        rec: dict[str, Any] = {"id": meta.id, "source": meta.source, "date": meta.date, "story": meta.story,
                               "title": meta.title, "url": meta.url, "date_source": meta.date_source,
                               "date_precision": meta.date_precision}
        for k, v in extra.items():
            # another text field of the input is not shown beside the text
            if k not in TEXT_FIELDS:
                rec.setdefault(k, v)
        rec["story"] = meta.story or self.doc_story.get(doc_id)
        rec["text"] = self.text(doc_id) or ""
        return rec

    def text(self, doc_id: str) -> str | None:
        """A document's text, cached."""
        with self._lock:
            if doc_id in self._texts:
                self._texts.move_to_end(doc_id)
                return self._texts[doc_id]
        if doc_id not in self.documents:
            return None
        with self.index.use() as ix:
            text = ix.text(doc_id)
        if text is not None:
            with self._lock:
                self._texts[doc_id] = text
                while len(self._texts) > 512:
                    self._texts.popitem(last=False)
        return text

    def pair(self, x: str, y: str) -> PairMeta | None:
        """The pair of ``x`` and ``y`` in whichever order it was stored."""
        return self.pairs.get((x, y)) or self.pairs.get((y, x))

    def pair_record(self, pm: PairMeta) -> dict[str, Any]:
        """The full stored record of a pair, as pairs.jsonl has it (``a``, ``b``,
        ``exact``, the literal shares and the comparison fields)."""
        with self.index.use() as ix:
            rec = ix.pair_record(pm.a, pm.b)
        return rec if rec is not None else pm.to_dict() | {"passages": [], "conflicts": []}

    def comparison(self, pm: PairMeta) -> Comparison:
        """The stored :class:`Comparison` of a pair (parsed ones are kept, LRU)."""
        key = (pm.a, pm.b)
        with self._lock:
            if key in self._comparisons:
                self._comparisons.move_to_end(key)
                return self._comparisons[key]
        r = Comparison.from_dict(self.pair_record(pm))
        with self._lock:
            self._comparisons[key] = r
            while len(self._comparisons) > 1024:
                self._comparisons.popitem(last=False)
        return r

    def pair_list(self, f: PairFilter, *, limit: int, offset: int) -> dict[str, Any]:
        """One page of related pairs with facet counts (:meth:`wiretrace.index.Index.pair_list`)."""
        with self.index.use() as ix:
            return ix.pair_list(f, limit=limit, offset=offset)

    def conflict_list(self, f: ConflictFilter, *, limit: int, offset: int) -> dict[str, Any]:
        """One page of conflicts with counts per kind (:meth:`wiretrace.index.Index.conflict_list`)."""
        with self.index.use() as ix:
            return ix.conflict_list(f, limit=limit, offset=offset)

    def search_text(self, q: str, limit: int = 2000) -> set[str]:
        """Ids of documents whose text contains ``q`` (case-insensitive)."""
        if not q:
            return set()
        with self.index.use() as ix:
            return set(ix.search_text(q, limit))

"""Read-only access to a scan output directory (or its DuckDB index).

This is the one place that knows the scan's on-disk schema, so the rest of
the web viewer sees plain Python objects:

* ``documents.jsonl``: ``id``, ``source``, ``date``, ``title``, ``url``, ``story``
  (and ``text`` when the scan kept it there);
* ``pairs.jsonl``: ``a``, ``b`` and the :meth:`Comparison.to_dict` fields;
* ``stories.jsonl``: ``story`` (or ``id``), ``documents``, ``earliest``,
  ``headline``, provenance ``edges``;
* the DuckDB index (``index.duckdb`` or the path in ``config.json``), opened
  with ``read_only=True`` and queried with bound parameters only: used for
  document text, full-text search, and as the whole store when the JSONL
  files are absent.

Only small summaries are kept in memory; a document's text and a pair's
passages are read on demand (by byte offset into the JSONL file, or by a
parameterized query), so a large scan opens quickly and stays small.
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
from ..records import Comparison
from .store import TEXT_COLUMNS, ReadOnlyIndex, iter_jsonl, quote_ident, read_line

INDEX_NAMES = ("index.duckdb", "wiretrace.duckdb")
#: index bookkeeping columns that are not document fields
_INTERNAL = ("doc", "ts", "origin", "ntok", "body_hash", "run", "extra")


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
    #: byte offset of its line in documents.jsonl, -1 when read from the index
    offset: int = -1
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
    offset: int = -1

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


def _s(value: Any) -> str | None:
    """``None`` stays ``None``; anything else becomes its string form."""
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def comparison_from_dict(d: dict[str, Any]) -> Comparison:
    """Rebuild a :class:`Comparison` from its :meth:`~Comparison.to_dict` form."""
    return Comparison.from_dict(d)


def _edge(raw: Any) -> tuple[str, str, bool] | None:
    """``(from, to, primary)`` from ``[from, to]`` or a dict with source/derived
    (or from/to, source/target, a/b) keys; ``primary`` False marks a secondary source."""
    if isinstance(raw, (list, tuple)) and len(raw) >= 2:
        return str(raw[0]), str(raw[1]), True
    if isinstance(raw, dict):
        for f, t in (("source", "derived"), ("from", "to"), ("source", "target"), ("src", "dst"),
                     ("a", "b")):
            if raw.get(f) is not None and raw.get(t) is not None:
                return str(raw[f]), str(raw[t]), raw.get("primary", True) is not False
    return None


class Corpus:
    """A scan, read-only. Build with :meth:`Corpus.open`.

    >>> Corpus.open("no/such/dir")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    CorpusError: ...
    """

    def __init__(self, root: Path, index_path: Path | None):
        self.root = root
        self.index_path = index_path
        self._index = ReadOnlyIndex(index_path) if index_path else None
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._comparisons: OrderedDict[tuple[str, str], Comparison] = OrderedDict()
        self._lock = threading.Lock()
        self.documents: dict[str, DocMeta] = {}
        self.pairs: dict[tuple[str, str], PairMeta] = {}
        self.by_doc: dict[str, list[PairMeta]] = {}
        self.stories: dict[str, Story] = {}
        self.doc_story: dict[str, str] = {}
        self._texts_in_jsonl = False
        #: whether the summaries were read from the index (JSONL files absent or stale)
        self.from_index = False
        #: unique to every (re)load of any corpus in this process, so views can cache by it
        self.generation = 0
        self._stamp: tuple = ()
        #: index document numbers to ids (the index keys pairs by number)
        self._num_id: dict[Any, str] = {}

    # -- opening ----------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> "Corpus":
        """Open a scan output directory, or an index file (its folder's JSONL files are used too)."""
        p = Path(path)
        if p.is_dir():
            root, index = p, cls._find_index(p)
        elif p.is_file():
            root, index = p.parent, p
        else:
            raise CorpusError(f"{p}: no such scan directory or index; run `wiretrace scan INPUT --out DIR` first")
        if not (root / "documents.jsonl").is_file() and index is None:
            raise CorpusError(f"{p}: no documents.jsonl or index here; point at a `wiretrace scan` output directory")
        corpus = cls(root, index)
        corpus.load()
        return corpus

    @staticmethod
    def _find_index(root: Path) -> Path | None:
        """``DIR/index.duckdb``, else the index named in ``config.json`` (a scan run
        with ``--index PATH``). The folder's own file wins, so a copied scan
        never points back at the original's index."""
        local = next((root / n for n in INDEX_NAMES if (root / n).is_file()), None)
        if local is not None:
            return local
        cfg = root / "config.json"
        try:
            conf = json.loads(cfg.read_text(encoding="utf-8")) if cfg.is_file() else {}
        except (OSError, ValueError):
            conf = {}
        for key in ("index", "index_path"):
            val = conf.get(key) if isinstance(conf, dict) else None
            if isinstance(val, str) and val:
                cand = Path(val) if os.path.isabs(val) else root / val
                if cand.is_file():
                    return cand
        return None

    def _files(self) -> dict[str, Path]:
        return {n: self.root / f"{n}.jsonl" for n in ("documents", "pairs", "stories")
                if (self.root / f"{n}.jsonl").is_file()}

    def _stamp_now(self) -> tuple:
        paths = list(self._files().values()) + ([self.index_path] if self.index_path else [])
        out = []
        for p in paths:
            try:
                st = p.stat()
                out.append((str(p), st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((str(p), 0, 0))
        return tuple(out)

    def load(self) -> None:
        """(Re)read the summaries of documents, pairs and stories."""
        files = self._files()
        docs: dict[str, DocMeta] = {}
        pairs: dict[tuple[str, str], PairMeta] = {}
        raw_stories: list[dict[str, Any]] = []
        texts_in_jsonl = False
        self._num_id = {}
        if "documents" in files:
            for off, rec in iter_jsonl(files["documents"]):
                d = self._doc_meta(rec, off)
                if d is not None:
                    docs[d.id] = d
                    texts_in_jsonl = texts_in_jsonl or any(k in rec for k in TEXT_COLUMNS)
        # `wiretrace add` grows the index but not the JSONL files: then the index is the truth
        from_index = self._index is not None and ("documents" not in files or self._index_count() not in (None, len(docs)))
        if from_index:
            docs, texts_in_jsonl = {}, False
            self._docs_from_index(docs)
        if "pairs" in files and not from_index:
            for off, rec in iter_jsonl(files["pairs"]):
                self._add_pair(pairs, rec, off)
        elif self._index is not None and self._index.table("pairs", needs=("a", "b")):
            related = "WHERE related" if "related" in self._index.tables["pairs"] else ""
            for rec in self._index.rows("pairs", related, exclude=("result", "comparison")):
                rec["a"], rec["b"] = self._num_id.get(rec["a"], rec["a"]), self._num_id.get(rec["b"], rec["b"])
                if rec.get("passages") is None and rec.get("n_passages") is not None:
                    rec["passages"] = rec["n_passages"]
                self._add_pair(pairs, rec, -1)
        self.from_index = from_index
        if "stories" in files and not from_index:
            raw_stories = [rec for _, rec in iter_jsonl(files["stories"])]
        elif self._index is not None:
            table = self._index.table("stories", needs=("documents",))
            raw_stories = self._index.rows(table) if table else []
        with self._lock:
            self.documents, self.pairs = docs, pairs
            self._texts_in_jsonl = texts_in_jsonl
            self.by_doc = {}
            for pm in pairs.values():
                self.by_doc.setdefault(pm.a, []).append(pm)
                self.by_doc.setdefault(pm.b, []).append(pm)
            self._texts.clear()
            self._comparisons.clear()
            self._build_stories(raw_stories)
            self._stamp = self._stamp_now()
            self.generation = next(_GENERATIONS)

    def _index_count(self) -> int | None:
        """Documents in the index, None when it has no documents table."""
        assert self._index is not None
        table = self._index.table("documents", "docs", needs=("id",))
        return int(self._index.query(f"SELECT count(*) FROM {quote_ident(table)}")[0][0]) if table else None

    def _docs_from_index(self, docs: dict[str, DocMeta]) -> None:
        """Document summaries from the index; ``doc`` numbers mapped to ids."""
        assert self._index is not None
        table = self._index.table("documents", "docs", needs=("id",))
        if table is None:
            return
        story_of: dict[Any, str] = {}
        if self._index.table("doc_story", needs=("doc", "story")):
            story_of = {r["doc"]: str(r["story"]) for r in self._index.rows("doc_story")}
        for rec in self._index.rows(table, exclude=TEXT_COLUMNS + ("extra", "origin")):
            if rec.get("story") is None and rec.get("doc") in story_of:
                rec["story"] = story_of[rec["doc"]]
            d = self._doc_meta(rec, -1)
            if d is not None:
                docs[d.id] = d
                if rec.get("doc") is not None:
                    self._num_id[rec["doc"]] = d.id

    @staticmethod
    def _doc_meta(rec: dict[str, Any], offset: int) -> DocMeta | None:
        if rec.get("id") is None:
            return None
        return DocMeta(id=str(rec["id"]), source=_s(rec.get("source")), date=_s(rec.get("date")),
                       title=_s(rec.get("title")), url=_s(rec.get("url")), story=_s(rec.get("story")),
                       offset=offset, date_precision=_s(rec.get("date_precision")),
                       date_source=_s(rec.get("date_source")))

    @staticmethod
    def _add_pair(pairs: dict[tuple[str, str], PairMeta], rec: dict[str, Any], offset: int) -> None:
        if rec.get("a") is None or rec.get("b") is None:
            return
        a, b = str(rec["a"]), str(rec["b"])
        n_pass = rec.get("passages")
        n_conf = rec.get("conflicts")
        pairs[(a, b)] = PairMeta(
            a=a, b=b, relation=str(rec.get("relation") or "non-derived"),
            source=rec.get("source") if rec.get("source") in ("a", "b") else None,
            similarity=_num(rec.get("similarity")), a_coverage=_num(rec.get("a_coverage")),
            b_coverage=_num(rec.get("b_coverage")),
            passages=len(n_pass) if isinstance(n_pass, list) else int(_num(n_pass)),
            conflicts=len(n_conf) if isinstance(n_conf, list) else int(_num(n_conf)),
            offset=offset)

    def _build_stories(self, raw: list[dict[str, Any]]) -> None:
        stories: dict[str, Story] = {}
        has_provenance: set[str] = set()
        for rec in raw:
            sid = rec.get("story", rec.get("id"))
            members = rec.get("documents") or []
            if sid is None or not isinstance(members, list):
                continue
            ids = [str(m.get("id")) if isinstance(m, dict) else str(m) for m in members]
            prov = rec.get("provenance")
            edges_raw = rec.get("edges") or (prov.get("edges") if isinstance(prov, dict) else prov) or []
            edges = [e for e in (_edge(x) for x in edges_raw if x is not None) if e] \
                if isinstance(edges_raw, list) else []
            stories[str(sid)] = Story(id=str(sid), documents=[i for i in ids if i in self.documents],
                                      earliest=_s(rec.get("earliest")), headline=_s(rec.get("headline")),
                                      earliest_by=_s(rec.get("earliest_by")),
                                      edges=[(f, t) for f, t, _ in edges],
                                      secondary={(f, t) for f, t, primary in edges if not primary})
            if "provenance" in rec or "edges" in rec:
                has_provenance.add(str(sid))
        # documents naming a story that stories.jsonl lacks still get one
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
            if not st.edges and st.id not in has_provenance:
                # a story list without provenance: the pairs' own likelier sources
                st.edges = self._edges_from_pairs(set(st.documents))
        self.stories = stories

    def _edges_from_pairs(self, members: set[str]) -> list[tuple[str, str]]:
        out = []
        for m in sorted(members):
            for pm in self.by_doc.get(m, []):
                orig = pm.original()
                if pm.a == m and pm.b in members and orig and pm.relation != "non-derived":
                    out.append((orig, pm.other(orig)))
        return out

    def reload_if_changed(self) -> bool:
        """Reload when a file changed on disk (after ``wiretrace add``); True if it did."""
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
        if self._index is None:
            yield
            return
        with self._index._lock:
            self._index.close()
            yield

    def release(self) -> None:
        """Close the index connection (reopened on the next read)."""
        if self._index is not None:
            self._index.close()

    # -- reading ----------------------------------------------------------

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """The full record of one document, ``text`` included; None if unknown."""
        meta = self.documents.get(doc_id)
        if meta is None:
            return None
        rec: dict[str, Any] = {}
        files = self._files()
        if meta.offset >= 0 and "documents" in files:
            rec = read_line(files["documents"], meta.offset) or {}
        elif self._index is not None:
            table = self._index.table("documents", "docs", needs=("id",))
            rows = self._index.rows(table, f"WHERE {self._index.id_match(table)}", [doc_id],
                                    exclude=TEXT_COLUMNS) if table else []
            rec = rows[0] if rows else {}
            extra = rec.get("extra")
            rec = {k: v for k, v in rec.items() if k not in _INTERNAL}
            if isinstance(extra, dict):
                rec.update({k: v for k, v in extra.items() if k not in rec})
        rec = {k: v for k, v in rec.items() if k not in TEXT_COLUMNS}
        rec.update(meta.to_dict())
        rec["story"] = meta.story or self.doc_story.get(doc_id)
        rec["text"] = self.text(doc_id) or ""
        return rec

    def text(self, doc_id: str) -> str | None:
        """A document's text (from documents.jsonl or the index), cached."""
        with self._lock:
            if doc_id in self._texts:
                self._texts.move_to_end(doc_id)
                return self._texts[doc_id]
        meta = self.documents.get(doc_id)
        if meta is None:
            return None
        text: str | None = None
        files = self._files()
        if self._texts_in_jsonl and meta.offset >= 0 and "documents" in files:
            rec = read_line(files["documents"], meta.offset) or {}
            text = next((rec[k] for k in TEXT_COLUMNS if isinstance(rec.get(k), str)), None)
        if text is None and self._index is not None:
            table = self._index.table("documents", "docs", needs=("id",))
            col = self._index.text_column(table) if table else None
            if table and col:
                rows = self._index.query(f"SELECT {quote_ident(col)} FROM {quote_ident(table)} "
                                         f"WHERE {self._index.id_match(table)} LIMIT 1", [doc_id])
                text = rows[0][0] if rows else None
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
        """The full stored record of a pair (``a``, ``b`` and the comparison fields)."""
        files = self._files()
        if pm.offset >= 0 and "pairs" in files:
            rec = read_line(files["pairs"], pm.offset)
            if rec is not None:
                return rec
        if self._index is not None and self._index.table("pairs", needs=("a", "b")):
            id_num = {v: k for k, v in self._num_id.items()}
            key = [str(id_num.get(pm.a, pm.a)), str(id_num.get(pm.b, pm.b))]
            where = "WHERE CAST(a AS VARCHAR) = ? AND CAST(b AS VARCHAR) = ?"
            rows = self._index.rows("pairs", where, key)
            if rows:
                rec = rows[0]
                for col in ("result", "comparison"):  # the comparison kept as one JSON column
                    if isinstance(rec.get(col), dict):
                        rec = {**rec.pop(col), **{k: v for k, v in rec.items() if k != col}}
                if not isinstance(rec.get("passages"), list) and self._index.table("passages", needs=("a", "b")):
                    order = "ORDER BY a_start" if "a_start" in self._index.tables["passages"] else ""
                    rec["passages"] = [{k: v for k, v in r.items() if k not in ("a", "b")}
                                       for r in self._index.rows("passages", f"{where} {order}", key)]
                rec["a"], rec["b"] = pm.a, pm.b
                return rec
        return pm.to_dict() | {"passages": [], "conflicts": []}

    def comparison(self, pm: PairMeta) -> Comparison:
        """The stored :class:`Comparison` of a pair (parsed ones are kept, LRU)."""
        key = (pm.a, pm.b)
        with self._lock:
            if key in self._comparisons:
                self._comparisons.move_to_end(key)
                return self._comparisons[key]
        r = comparison_from_dict(self.pair_record(pm))
        with self._lock:
            self._comparisons[key] = r
            while len(self._comparisons) > 1024:
                self._comparisons.popitem(last=False)
        return r

    def search_text(self, q: str, limit: int = 2000) -> set[str]:
        """Ids of documents whose text contains ``q`` (case-insensitive)."""
        if not q:
            return set()
        if self._index is not None and not self._texts_in_jsonl:
            table = self._index.table("documents", "docs", needs=("id",))
            col = self._index.text_column(table) if table else None
            if table and col:
                pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = self._index.query(
                    f"SELECT CAST(id AS VARCHAR) FROM {quote_ident(table)} "
                    f"WHERE {quote_ident(col)} ILIKE ? ESCAPE '\\' LIMIT ?", [pattern, limit])
                return {r[0] for r in rows}
        files = self._files()
        if not self._texts_in_jsonl or "documents" not in files:
            return set()
        needle, out = q.casefold(), set()
        for _, rec in iter_jsonl(files["documents"]):
            text = next((rec[k] for k in TEXT_COLUMNS if isinstance(rec.get(k), str)), "")
            if needle in text.casefold():
                out.add(str(rec.get("id")))
                if len(out) >= limit:
                    break
        return out

"""The "check an article" page: extract text, find related indexed documents,
optionally add the article to the index.

The index is searched with :func:`wiretrace.engines.local.query`. Where the
corpus engine is not installed (or the scan has no index), a bounded
in-process search compares the article with the corpus documents that share
word 5-grams with it. Either way the hits come in the order of
:mod:`wiretrace.rank`, and :func:`compare_one` redoes one hit's comparison for
its side-by-side view (the page does not keep the article between requests).
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from ..compare import compare
from ..normalize import tokenize
from ..rank import Verdicts, literal_share, rank_hits
from ..read import decode_bytes
from ..records import Comparison
from .data import Corpus

log = logging.getLogger("wiretrace.web")

#: the in-process search reads at most this many documents
FALLBACK_MAX_DOCS = 5000
#: and compares the article with at most this many candidates
FALLBACK_CANDIDATES = 50
_WORD = re.compile(r"\w+")
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<meta|<div|<p[ >]|<article)", re.I)


@dataclass(frozen=True, slots=True)
class Hit:
    """An indexed document related to the checked article (``comparison`` a = article)."""

    id: str
    source: str | None
    date: str | None
    title: str | None
    story: str | None
    comparison: Comparison
    #: literal share of the article it explains (:func:`wiretrace.rank.literal_share`)
    explains: float = 0.0
    #: ``(id, evidence)`` of the hits it was lifted above as their likelier source (:mod:`wiretrace.rank`)
    source_of: tuple[tuple[str, str], ...] = ()


class _TextParser(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head", "svg", "nav", "footer"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section",
              "blockquote", "tr", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "title":
            self._in_title = True
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str | None]:
    """Article text and title of an HTML page: trafilatura when installed, else the
    page's visible text with tags stripped."""
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
    if trafilatura is not None:
        try:
            page = trafilatura.bare_extraction(markup, with_metadata=True, include_comments=False)
            text = getattr(page, "text", None) if page is not None else None
            if isinstance(page, dict):
                text = page.get("text")
            if text and text.strip():
                title = page.get("title") if isinstance(page, dict) else getattr(page, "title", None)
                return text.strip(), title
        except Exception:  # noqa: BLE001 - trafilatura/lxml raise many kinds; fall back
            log.info("trafilatura could not parse the page; stripping tags instead")
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    title = " ".join("".join(parser.title).split()) or None
    return text, title


def extract_upload(data: bytes, filename: str = "") -> tuple[str, str | None]:
    """Text (and title, for HTML) of an uploaded file; raises InputError on binary data."""
    markup = decode_bytes(data, path=filename or "upload")
    if filename.lower().endswith((".html", ".htm")) or _HTML_START.match(data[:512]):
        return html_to_text(markup)
    return markup, None


def _engine() -> Any:
    try:
        from ..engines import local
    except ImportError:
        return None
    return local if hasattr(local, "query") else None


def _shingles(text: str, n: int = 5) -> set[int]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {hash(tuple(words[i:i + n])) for i in range(max(0, len(words) - n + 1))}


def _fallback_query(corpus: Corpus, text: str, date: str | None, limit: int) -> list[Hit]:
    mine = _shingles(text)
    if not mine:
        return []
    scored = []
    for doc_id in list(corpus.documents)[:FALLBACK_MAX_DOCS]:
        other = corpus.text(doc_id) or ""
        shared = len(mine & _shingles(other))
        if shared:
            scored.append((shared, doc_id, other))
    scored.sort(key=lambda t: -t[0])
    hits = []
    for _, doc_id, other in scored[:FALLBACK_CANDIDATES]:
        meta = corpus.documents[doc_id]
        r = compare(text, other, a_date=date or None, b_date=meta.date)
        if r.passages:
            hits.append(Hit(doc_id, meta.source, meta.date, meta.title,
                            meta.story or corpus.doc_story.get(doc_id), r))
    # the same order as the index search (wiretrace.rank), sources from the stored pairs
    ranked = rank_hits(tokenize(text), [(h.id, h.date, h.comparison) for h in hits], _pair_verdicts(corpus))
    return [dataclasses.replace(hits[k], explains=e.explains, source_of=e.source_of)
            for k, e in ranked][:limit]


def _pair_verdicts(corpus: Corpus) -> Verdicts:
    def lookup(wanted: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str | None, str]]:
        out: dict[tuple[str, str], tuple[str | None, str]] = {}
        for x, y in wanted:
            pm = corpus.pair(x, y)
            if pm is not None:
                out[(x, y)] = (pm.original() if pm.relation != "non-derived" else None, "")
        return out
    return lookup


def query(corpus: Corpus, text: str, *, title: str | None = None, date: str | None = None,
          limit: int = 20) -> tuple[list[Hit], str]:
    """Indexed documents related to ``text``, and which search found them
    (``"index"`` or ``"in-process"``)."""
    engine = _engine()
    if engine is not None and corpus.index_path is not None:
        try:
            # the engine opens the index read-only too, which DuckDB lets coexist with ours
            raw = engine.query(str(corpus.index_path), text, title=title or None, date=date or None,
                               limit=limit)
        except Exception:  # noqa: BLE001 - the page still answers, from the in-process search
            log.exception("engines.local.query failed; searching in-process instead")
            return _fallback_query(corpus, text, date, limit), "in-process (index search failed)"
        return [_from_engine(h) for h in raw], "index"
    return _fallback_query(corpus, text, date, limit), "in-process"


def _from_engine(h: Any) -> Hit:
    return Hit(str(h.id), getattr(h, "source", None), getattr(h, "date", None), getattr(h, "title", None),
               getattr(h, "story", None), h.comparison, getattr(h, "explains", 0.0),
               tuple(getattr(h, "source_of", ())))


def compare_one(corpus: Corpus, text: str, doc_id: str, *, date: str | None = None) -> Hit | None:
    """The article's comparison with one document, as :func:`query` made it for its
    hit (the index engine's options and passes, else the in-process search's);
    None when the document is not in the corpus. A hit's side-by-side view."""
    engine = _engine()
    if engine is not None and corpus.index_path is not None and hasattr(engine, "compare_indexed"):
        try:
            h = engine.compare_indexed(str(corpus.index_path), text, doc_id, date=date or None)
            return None if h is None else _from_engine(h)
        except Exception:  # noqa: BLE001 - as query(): the in-process comparison answers
            log.exception("engines.local.compare_indexed failed; comparing in-process instead")
    meta = corpus.documents.get(doc_id)
    other = corpus.text(doc_id) if meta is not None else None
    if meta is None or other is None:
        return None
    r = compare(text, other, a_date=date or None, b_date=meta.date)
    return Hit(doc_id, meta.source, meta.date, meta.title, meta.story or corpus.doc_story.get(doc_id), r,
               literal_share(tokenize(text), r.passages))


def add(corpus: Corpus, text: str, *, title: str | None = None, date: str | None = None,
        source: str | None = None) -> str:
    """Add the article to the index with ``engines.local.add``; returns its new id.

    Raises :class:`~wiretrace.errors.WiretraceError` when the engine or index is missing.
    """
    from ..errors import WiretraceError

    engine = _engine()
    if engine is None or not hasattr(engine, "add") or corpus.index_path is None:
        raise WiretraceError("adding needs the corpus engine and a scan index "
                             "(run `wiretrace scan INPUT --out DIR` first)")
    doc_id = "web-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    rec = {"id": doc_id, "text": text, "title": title or None, "date": date or None,
           "source": source or None}
    fd, tmp = tempfile.mkstemp(prefix="wiretrace-add-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({k: v for k, v in rec.items() if v is not None}, ensure_ascii=False) + "\n")
        quiet = {"progress": False} if "progress" in inspect.signature(engine.add).parameters else {}
        with corpus.exclusive():
            engine.add(str(corpus.index_path), tmp, **quiet)
    finally:
        os.unlink(tmp)
    corpus.reload_if_changed()
    return doc_id

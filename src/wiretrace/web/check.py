"""The "check an article" page: extract text, find related indexed documents,
optionally add the article to the index.

The scan's index answers through the corpus engine's public API:
:func:`wiretrace.engines.search.query` finds the hits (in the order of
:mod:`wiretrace.rank`), :func:`wiretrace.engines.search.compare_indexed` redoes
one hit's comparison for its side-by-side view (the page does not keep the
article between requests) and :func:`wiretrace.engines.local.add` stores the
article. Their errors (a missing or busy index) reach the page as they are.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from html.parser import HTMLParser
from typing import Any

from ..engines import local, search
from ..engines.search import QueryHit
from ..read import decode_bytes
from .data import Corpus

log = logging.getLogger("wiretrace.web")

_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<meta|<div|<p[ >]|<article)", re.I)


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


def query(corpus: Corpus, text: str, *, title: str | None = None, date: str | None = None,
          limit: int = 20) -> list[QueryHit]:
    """Indexed documents related to ``text``, as ``wiretrace query`` finds and orders them."""
    # the engine opens the index read-only too, which DuckDB lets coexist with ours
    return search.query(str(corpus.index_path), text, title=title or None, date=date or None, limit=limit)


def compare_one(corpus: Corpus, text: str, doc_id: str, *, date: str | None = None) -> QueryHit | None:
    """The article's comparison with one document, as :func:`query` made it for its
    hit; None when the document is not indexed. A hit's side-by-side view."""
    return search.compare_indexed(str(corpus.index_path), text, doc_id, date=date or None)


def add(corpus: Corpus, text: str, *, title: str | None = None, date: str | None = None,
        source: str | None = None) -> str:
    """Add the article to the index with :func:`wiretrace.engines.local.add`; returns its new id."""
    doc_id = "web-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    rec = {"id": doc_id, "text": text, "title": title or None, "date": date or None,
           "source": source or None}
    fd, tmp = tempfile.mkstemp(prefix="wiretrace-add-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({k: v for k, v in rec.items() if v is not None}, ensure_ascii=False) + "\n")
        with corpus.exclusive():
            local.add(str(corpus.index_path), tmp)
    finally:
        os.unlink(tmp)
    corpus.reload_if_changed()
    return doc_id

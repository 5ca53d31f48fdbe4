"""Read input: a corpus (folder, JSONL, CSV, Parquet, text or HTML file) to a
stream of :class:`Document`, with a :class:`Skipped` for each unusable record.

This module walks folders and opens files; what the bytes mean is decided by
the engine-neutral parsers of :mod:`wiretrace.formats` (re-exported here), so
an engine holding data in memory reads it exactly as this module does.

    >>> docs = [d for d in iter_documents("corpus/") if isinstance(d, Document)]  # doctest: +SKIP
"""

from __future__ import annotations

import gzip
import os
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Callable

from .decoding import decode_bytes
from .errors import BadFileError, ConfigError, InputError, MissingExtraError
from .formats import (
    MAX_CHARS,
    SUPPORTED,
    TEXT_FIELDS,
    as_skipped,
    input_format,
    parse_bytes,
    parse_csv_lines,
    parse_jsonl_lines,
    parse_parquet,
    parse_record,
    require_columns,
    text_cap,
    unsupported_file,
)
from .records import Document, Skipped

__all__ = ["decode_bytes", "read_text_file", "read_article", "iter_documents", "summarize_skipped",
           "MAX_CHARS", "SUPPORTED", "input_format", "unsupported_file", "as_skipped",
           "require_columns", "parse_record", "parse_jsonl_lines", "parse_csv_lines",
           "parse_parquet", "parse_bytes", "TEXT_FIELDS"]


def read_text_file(path: str | os.PathLike[str], max_chars: int = MAX_CHARS) -> str:
    """Read a text file with :func:`decode_bytes`, at most ``max_chars`` characters (the
    limit a scan keeps of a document, :data:`MAX_CHARS`): a longer file is refused with
    the scan's message, and so is a FIFO, device or socket (reading one could block or
    never end).

        >>> read_text_file("story.txt")  # doctest: +SKIP
        'The council voted...'
    """
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise InputError("it is not a regular file (a FIFO, device or socket); pass a text file",
                             path=str(p))
        with open(p, "rb") as fh:
            data = fh.read(text_cap(max_chars) + 1)
    except FileNotFoundError:
        raise InputError("file not found; check the path", path=str(p)) from None
    except OSError as exc:
        why = "it is a folder; pass a text file" if p.is_dir() else "check its permissions"
        raise InputError(f"cannot read the file ({exc.strerror}); {why}", path=str(p)) from None
    too_long = InputError(f"text has more than {max_chars:,} characters, over max_chars="
                          f"{max_chars:,}: split the article", path=str(p))
    if len(data) > text_cap(max_chars):
        raise too_long
    text = decode_bytes(data, path=str(p))
    if len(text) > max_chars:
        raise too_long
    return text


def read_article(path: str | os.PathLike[str], *, max_chars: int = MAX_CHARS) -> Document:
    """One article file read as a scan reads it: a .html/.htm page is reduced to
    its article text (with its title and publication date), any other file is
    text; an empty file, or a page without article text, raises :class:`BadFileError`.

        >>> read_article("story.html").text  # doctest: +SKIP
        'The council voted...'
    """
    p = Path(path)
    html = input_format(p.name) == "html"
    if not html:
        # the same checks, cap and message as read_text_file (no FIFO, device or socket;
        # at most max_chars characters), then read as a scan reads a .txt file
        data = read_text_file(p, max_chars).encode("utf-8")
    else:
        try:
            if not stat.S_ISREG(os.stat(p).st_mode):
                raise InputError("it is not a regular file (a FIFO, device or socket); pass a "
                                 "saved page", path=str(p))
            data = p.read_bytes()  # a page is read whole, as a scan reads it
        except FileNotFoundError:
            raise InputError("file not found; check the path", path=str(p)) from None
        except OSError as exc:
            why = "it is a folder; pass a saved page" if p.is_dir() else "check its permissions"
            raise InputError(f"cannot read the file ({exc.strerror}); {why}", path=str(p)) from None
    name = "article.html" if html else "article.txt"
    try:
        for item in parse_bytes(name, data, origin=str(p), max_chars=max_chars):
            if isinstance(item, Document):
                return item
    except BadFileError as exc:
        if exc.category != "empty":
            raise
    raise BadFileError("no article text in the file (it is empty or only whitespace, or a page "
                       "without an article); pass a file holding the article's text",
                       path=str(p), category="empty")


# -- corpus ----------------------------------------------------------------

def iter_documents(path: str | os.PathLike[str], *,
                   max_chars: int = MAX_CHARS) -> Iterator[Document | Skipped]:
    """Stream the documents of a corpus, one at a time.

    ``path`` is a folder (walked recursively in sorted order, hidden files
    ignored; ``.txt``/``.html`` ids are relative paths like ``"wire/a.txt"``)
    or a single ``.jsonl[.gz]``, ``.csv`` or ``.parquet`` file whose records
    have ``id`` and ``text`` (also accepted: ``body``/``content``; names are
    case-insensitive), optional ``source``, ``date``, ``title``, ``url``;
    other fields go to ``Document.extra``.

    Bad records become :class:`Skipped` (origin ``"file:line"``, or
    ``"file:row"`` for Parquet) and reading goes on. Policies:

    * a ``date`` that is not ISO 8601 is dropped (``date=None``), silently; a valid one
      is kept as given with its precision ("2016" is a year, not 2016-01-01) and
      ``date_source="input"``; .txt/.html files take a date only from page
      publication metadata or the text's dateline/byline (never a copyright
      year, a modification date or the file's time); see :mod:`wiretrace.dates`;
    * text longer than ``max_chars`` is cut to ``max_chars``: the Document
      is yielded, then a ``Skipped(category="truncated")`` note for it;
    * a JSONL/CSV line that is not UTF-8 is read as cp1252 (or as UTF-8 with the
      few bad bytes replaced by U+FFFD) and its Document followed by a
      ``Skipped(category="not-utf8")`` note; when only a detector's guess fits,
      or nothing does, the record is skipped as ``bad-encoding``;
    * a record holding a lone surrogate escape (``"\\ud800"``), which no UTF-8
      store can hold, is skipped as ``bad-unicode``; an unreadable file, a
      symlink loop or a name that is not UTF-8 is skipped, and reading goes on;
    * duplicate ids are passed through; the scan layer deals with them;
    * a missing path or unsupported file raises :class:`InputError` at once;
      a top-level file unusable as a whole (no ``id`` column…) raises when
      iterated, while inside a folder it becomes a ``Skipped``.

        >>> for item in iter_documents("news.jsonl"):  # doctest: +SKIP
        ...     print(item.id if isinstance(item, Document) else item.reason)
    """
    if max_chars < 1:
        raise ConfigError(f"max_chars must be at least 1, got {max_chars}")
    p = Path(path)
    if p.is_dir():
        return _iter_folder(p, max_chars)
    if not p.exists():
        raise InputError(f"no such file or folder; wiretrace reads {SUPPORTED}", path=str(p))
    fmt = input_format(p.name)
    if fmt is None:
        raise InputError(f"unsupported input type; wiretrace reads {SUPPORTED}", path=str(p))
    return _read_file(p, fmt, p.name, max_chars)


def summarize_skipped(items: Iterable[Skipped]) -> dict[str, int]:
    """Count skipped records by category, most frequent first.

        >>> summarize_skipped([Skipped("a:1", "…", "bad-json"), Skipped("a:2", "…", "bad-json")])
        {'bad-json': 2}
    """
    counts = Counter(s.category for s in items if isinstance(s, Skipped))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _iter_folder(root: Path, max_chars: int) -> Iterator[Document | Skipped]:
    seen: set[Path] = set()

    def walk(folder: Path) -> Iterator[Document | Skipped]:
        if folder.resolve() in seen:  # a symlink loop
            return
        seen.add(folder.resolve())
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield Skipped(str(folder), f"cannot list the folder ({exc.strerror}); "
                          "check its permissions", "unreadable")
            return
        for entry in entries:
            p = Path(entry.path)
            if entry.name.startswith("."):
                continue
            try:
                entry.name.encode("utf-8")
            except UnicodeEncodeError:  # bytes Python could not decode: ids and outputs need text
                yield Skipped(_shown(p), "the name is not valid UTF-8 (shown with U+FFFD); "
                              "rename it in UTF-8, e.g. with convmv", "bad-name")
                continue
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError as exc:  # a symlink loop; a dangling link is just not a file
                yield Skipped(str(p), f"cannot follow it ({exc.strerror}); point the symbolic "
                              "link at a real file or folder", "unreadable")
                continue
            if is_dir:
                yield from walk(p)
                continue
            fmt = input_format(entry.name)
            if fmt is None or not is_file:
                yield unsupported_file(str(p), regular=is_file)
                continue
            try:
                yield from _read_file(p, fmt, p.relative_to(root).as_posix(), max_chars)
            except (InputError, MissingExtraError) as exc:
                yield as_skipped(exc, str(p))

    return walk(root)


def _shown(path: Path) -> str:
    """A path whose bytes are not UTF-8, printable (U+FFFD for the bad bytes)."""
    return os.fsencode(path).decode("utf-8", "replace")


def _open(path: Path, opener: Callable[..., Any] = open) -> Any:
    try:
        return opener(path, "rb")
    except OSError as exc:
        raise BadFileError(f"cannot open the file ({exc.strerror}); check its permissions",
                           path=str(path), category="unreadable") from None


def _read_file(path: Path, fmt: str, doc_id: str,
               max_chars: int) -> Iterator[Document | Skipped]:
    """The items of one file; JSONL and CSV stream line by line, never whole."""
    origin = str(path)
    if fmt == "jsonl":
        with _open(path, gzip.open if path.name.lower().endswith(".gz") else open) as f:
            yield from parse_jsonl_lines(f, origin, max_chars=max_chars)
    elif fmt == "csv":
        with _open(path) as f:
            yield from parse_csv_lines(f, origin, max_chars=max_chars)
    elif fmt == "parquet":
        yield from parse_parquet(path, origin, max_chars=max_chars)
    else:
        with _open(path) as f:
            data = f.read(text_cap(max_chars) + 1) if fmt == "txt" else f.read()
        yield from parse_bytes(doc_id, data, origin=origin, max_chars=max_chars)

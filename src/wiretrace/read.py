"""Read input: bytes to text, and a corpus (folder, JSONL, CSV, Parquet) to a
stream of :class:`Document`, with a :class:`Skipped` for each unusable record.

    >>> docs = [d for d in iter_documents("corpus/") if isinstance(d, Document)]  # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import json
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from .dates import page_date, parse_date, text_date
from .errors import BinaryInputError, ConfigError, DecodeError, InputError, MissingExtraError
from .records import Document, Skipped

__all__ = ["decode_bytes", "read_text_file", "iter_documents", "summarize_skipped"]

SUPPORTED = ("a folder (of .txt, .html, .htm, .jsonl, .jsonl.gz, .csv and .parquet files) "
             "or a single .jsonl, .jsonl.gz, .csv, .parquet, .txt or .html file")

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF-", "a PDF document (extract its text first, e.g. with pdftotext)"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.epub)"), (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"), (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"), (b"\x7fELF", "an executable"), (b"PAR1", "a Parquet file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
# Tab, newlines, form feed and ESC occur in real text files; other C0 bytes do not.
_CONTROL_BYTES = bytes(sorted(set(range(32)) - {9, 10, 11, 12, 13, 27})) + b"\x7f"
_HIGH_BYTES = bytes(range(128, 256))
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_UTF8_MULTIBYTE = re.compile(r"[^\x00-\x7f\ufffd]")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_FIELDS = ("id", "source", "date", "title", "url")
_TEXT_FIELDS = ("text", "body", "content")
#: the input fields that can hold a document's text (the first present wins, the others stay in extra)
TEXT_FIELDS = _TEXT_FIELDS
_BAD_ENCODING = "not text in UTF-8 or any encoding we could detect; re-save the file as UTF-8"
_JSON_TYPES = {list: "an array", str: "a string", type(None): "null", bool: "a boolean",
               int: "a number", float: "a number"}
_CSV_FIELD_LIMIT = 2**31 - 1  # the largest value csv accepts on every platform


# -- bytes to text ---------------------------------------------------------

def decode_bytes(data: bytes, *, path: str = "<bytes>") -> str:
    """Decode file bytes to text without otherwise changing it.

    UTF-8 first (a UTF-8 BOM is stripped; UTF-16/32 with a BOM are accepted),
    then a detected legacy encoding (cp1252 is preferred for mostly-ASCII
    text, as in Western news files). Line endings are kept, so offsets stay
    valid. Raises :class:`BinaryInputError` for images, archives and other
    binary data, :class:`DecodeError` when no encoding fits.

        >>> decode_bytes("caf\\u00e9".encode("cp1252"))
        'café'
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try_decode(data, encoding)
            if text is not None and _plausible(text):
                return text
            break
    _check_binary(data, path)
    text = _try_decode(data, "utf-8")
    if text is None:
        text = _decode_fallback(data)
    if text is None:
        raise DecodeError("not valid UTF-8 and no other text encoding fits; "
                          "re-save the file as UTF-8 text", path=path)
    return text


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _check_binary(data: bytes, path: str) -> None:
    what = next((label for magic, label in _MAGIC if data.startswith(magic)), None)
    if what:
        what = f"looks like {what}, not text"
    elif b"\x00" in data:
        what = "contains NUL bytes, so it is binary data, not text"
    else:
        sample = data[:65536]
        controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
        if sample and controls > 0.1 * len(sample):
            what = (f"{controls / len(sample):.0%} of its first bytes are control "
                    "characters, so it is binary data, not text")
    if what:
        raise BinaryInputError(f"{what}; convert it to text or remove it from the input",
                               path=path)


def _plausible(text: str) -> bool:
    """True when a decoding has few control characters (wrong codecs produce many)."""
    return sum(1 for _ in _CONTROL_CHARS.finditer(text)) <= max(1, len(text) // 20)


def _decode_fallback(data: bytes) -> str | None:
    """Decode bytes that are not valid UTF-8, or None."""
    # Mostly UTF-8 with a few corrupt bytes: any legacy codec would garble every
    # accented letter, so replacing the corrupt bytes does the least damage.
    replaced = data.decode("utf-8", "replace")
    good = sum(1 for _ in _UTF8_MULTIBYTE.finditer(replaced))
    if good and replaced.count("\ufffd") <= good:
        return replaced
    western = _try_decode(data, "cp1252")
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    letters = high + len(data) - len(data.translate(None, _ASCII_LETTERS))
    # Detectors guess badly on short Latin text (cp1250, mac_iceland…); when
    # most letters are ASCII, cp1252 is by far the likeliest news encoding.
    if western is not None and high <= 0.3 * letters and _plausible(western):
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    for text in (str(best) if best is not None else None, western):
        if text is not None and _plausible(text):
            return text
    return None


def read_text_file(path: str | os.PathLike[str]) -> str:
    """Read a text file with :func:`decode_bytes`.

        >>> read_text_file("story.txt")  # doctest: +SKIP
        'The council voted...'
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found; check the path", path=str(p)) from None
    except OSError as exc:
        why = "it is a folder; pass a text file" if p.is_dir() else "check its permissions"
        raise InputError(f"cannot read the file ({exc.strerror}); {why}", path=str(p)) from None
    return decode_bytes(data, path=str(p))


# -- corpus ----------------------------------------------------------------

def iter_documents(path: str | os.PathLike[str], *,
                   max_chars: int = 2_000_000) -> Iterator[Document | Skipped]:
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
    * a JSONL/CSV line that is not UTF-8 is decoded like :func:`decode_bytes`
      would (cp1252 first), or skipped as ``bad-encoding``;
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
    reader = _reader_for(p.name)
    if reader is None:
        raise InputError(f"unsupported input type; wiretrace reads {SUPPORTED}", path=str(p))
    return reader(p, p.name, max_chars)


def summarize_skipped(items: Iterable[Skipped]) -> dict[str, int]:
    """Count skipped records by category, most frequent first.

        >>> summarize_skipped([Skipped("a:1", "…", "bad-json"), Skipped("a:2", "…", "bad-json")])
        {'bad-json': 2}
    """
    counts = Counter(s.category for s in items if isinstance(s, Skipped))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


_Reader = Callable[[Path, str, int], Iterator["Document | Skipped"]]


def _reader_for(name: str) -> _Reader | None:
    name = name.lower()
    if name.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
        return _read_jsonl
    return {".txt": _read_txt, ".html": _read_html, ".htm": _read_html,
            ".csv": _read_csv, ".parquet": _read_parquet}.get(os.path.splitext(name)[1])


def _fail(message: str, path: Path, category: str) -> InputError:
    """An InputError that a folder walk turns into ``Skipped(category=...)``."""
    exc = InputError(message, path=str(path))
    exc.category = category  # type: ignore[attr-defined]
    return exc


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
            if entry.is_dir():
                yield from walk(p)
                continue
            reader = _reader_for(entry.name)
            if reader is None or not entry.is_file():
                ext = os.path.splitext(entry.name)[1] or "(no extension)"
                what = f"unsupported file type {ext}" if entry.is_file() else "not a regular file"
                yield Skipped(str(p), f"{what}; wiretrace reads .txt, .html, .htm, .jsonl, "
                              ".jsonl.gz, .csv and .parquet: convert it or remove it "
                              "from the folder", "unsupported")
                continue
            try:
                yield from reader(p, p.relative_to(root).as_posix(), max_chars)
            except MissingExtraError as exc:
                yield Skipped(str(p), f"{exc}, or remove the file", "missing-extra")
            except InputError as exc:
                category = ("binary" if isinstance(exc, BinaryInputError) else "bad-encoding"
                            if isinstance(exc, DecodeError) else getattr(exc, "category", "bad-file"))
                yield Skipped(str(p), exc.reason, category)

    return walk(root)


def _open(path: Path, opener: Callable[..., Any] = open) -> Any:
    try:
        return opener(path, "rb")
    except OSError as exc:
        raise _fail(f"cannot open the file ({exc.strerror}); check its permissions",
                    path, "unreadable") from None


def _read_bytes(path: Path, limit: int | None = None) -> tuple[bytes, bool]:
    """File bytes (at most ``limit``) and whether the file was longer."""
    with _open(path) as f:
        data = f.read() if limit is None else f.read(limit + 1)
    if limit is None or len(data) <= limit:
        return data, False
    data = data[:limit]
    # Drop a UTF-8 sequence cut in half so the capped bytes still decode.
    for back in range(1, min(4, len(data)) + 1):
        lead = data[-back]
        if lead & 0xC0 != 0x80:
            need = 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2 if lead >= 0xC0 else 1
            return (data[:-back] if need > back else data), True
    return data, True


def _read_txt(path: Path, doc_id: str, max_chars: int) -> Iterator[Document | Skipped]:
    # At most 4 bytes a character, so a huge stray file never fills memory.
    data, cut = _read_bytes(path, max_chars * 4 + 3)
    text = decode_bytes(data, path=str(path))
    if not text.strip():
        raise _fail("the file is empty or only whitespace; add text or remove it", path, "empty")
    # a file name is never an outlet, nor a file time a date: only the text's own dateline
    yield from _emit(Document(id=doc_id, text=text, origin=str(path), **_text_date(text)), "",
                     max_chars, cut)


def _read_html(path: Path, doc_id: str, max_chars: int) -> Iterator[Document | Skipped]:
    try:
        import trafilatura
    except ImportError:
        raise MissingExtraError("html", "reading .html files") from None
    data, _ = _read_bytes(path)
    _check_binary(data, str(path))
    declared = _META_CHARSET.search(data[:4096])  # the page's own charset beats guessing
    markup = _try_decode(data, declared.group(1).decode("ascii")) if declared else None
    if markup is None:
        markup = decode_bytes(data, path=str(path))
    try:
        page = trafilatura.bare_extraction(markup, with_metadata=True, include_comments=False)
    except Exception as exc:  # trafilatura/lxml raise many kinds on odd markup
        raise _fail(f"trafilatura could not parse the page ({exc}); save the article "
                    "text as .txt instead", path, "bad-html") from None
    meta = {k: getattr(page, k, None) for k in ("text", "sitename", "title", "url")}
    if not meta["text"] or not meta["text"].strip():
        raise _fail("no article text found in the page; check it is an article page, "
                    "or save its text as .txt", path, "empty")
    # Not trafilatura's date: htmldate guesses from copyright footers and modification
    # dates ("Copyright 2016" became 2016-01-01). Publication metadata, else the dateline.
    published = page_date(markup)
    dated = (dict(date=published.iso, date_source="page-metadata", date_precision=published.precision)
             if published is not None else _text_date(meta["text"]))
    doc = Document(id=doc_id, text=meta["text"], origin=str(path), **dated,
                   source=_opt_str(meta["sitename"]), title=_opt_str(meta["title"]),
                   url=_opt_str(meta["url"]))
    yield from _emit(doc, "", max_chars, False)


def _emit(item: Document | Skipped, where: str, max_chars: int,
          cut: bool = False) -> Iterator[Document | Skipped]:
    """Yield ``item``; a Document too long is cut and followed by a ``truncated`` note."""
    if isinstance(item, Skipped) or (not cut and len(item.text) <= max_chars):
        yield item
        return
    size = "more" if cut else f"{len(item.text):,}"
    yield dataclasses.replace(item, text=item.text[:max_chars])
    yield Skipped(item.origin, f"{where}text has {size} characters, over max_chars="
                  f"{max_chars:,}; kept the first {max_chars:,}: split the article or "
                  "raise max_chars", "truncated")


def _field_map(keys: Iterable[str]) -> dict[str, str]:
    """Canonical field name -> actual key, case-insensitive, exact match first."""
    found: dict[str, str] = {}
    for key in keys:
        canon = key.strip().lower() if isinstance(key, str) else None
        if (canon in _FIELDS or canon in _TEXT_FIELDS) and (canon not in found or key == canon):
            found[canon] = key
    # The first text alias present wins; any others stay in ``extra``.
    text_key = next((found[a] for a in _TEXT_FIELDS if a in found), None)
    for alias in _TEXT_FIELDS:
        found.pop(alias, None)
    if text_key is not None:
        found["text"] = text_key
    return found


def _columns(names: list[str], path: Path) -> dict[str, str]:
    """The field map of a CSV header or Parquet schema, which must name id and text."""
    fields = _field_map(names)
    for need, hint in (("id", "'id'"), ("text", "'text' (or 'body'/'content')")):
        if need not in fields:
            raise _fail(f"no {hint} column (found: {', '.join(names) or 'nothing'}); "
                        "add one", path, "bad-header")
    return fields


def _opt_str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def _input_date(value: Any) -> dict[str, str | None]:
    """A record's ``date`` field as Document date fields: the ISO 8601 text as given
    ("2016" stays a year, never 2016-01-01), its precision, source "input"; all None
    when it is not an ISO 8601 date."""
    got = parse_date(value)
    if got is None:
        return {"date": None, "date_source": None, "date_precision": None}
    return {"date": got.iso, "date_source": "input", "date_precision": got.precision}


def _text_date(text: str) -> dict[str, str | None]:
    """Document date fields from the text's own dateline or byline, if it has one."""
    got = text_date(text)
    if got is None:
        return {}
    return {"date": got[0].iso, "date_source": got[1], "date_precision": got[0].precision}


def _record(rec: dict[str, Any], fields: dict[str, str] | None, origin: str,
            where: str) -> Document | Skipped:
    """One input record as a Document, or a Skipped saying what to fix."""
    fields = _field_map(rec) if fields is None else fields
    value = {name: rec.get(key) for name, key in fields.items()}
    raw_id = value.get("id")
    if isinstance(raw_id, float) and raw_id.is_integer():
        raw_id = int(raw_id)  # exports through pandas turn integer ids into floats
    if isinstance(raw_id, (dict, list, bool)):
        return Skipped(origin, f"{where}: 'id' must be a string or a number, not "
                       f"{type(raw_id).__name__}; fix the record", "bad-id")
    doc_id = "" if raw_id is None or raw_id != raw_id else str(raw_id)  # NaN != NaN
    if not doc_id.strip():
        return Skipped(origin, f"{where}: no 'id'; give every record a non-empty id",
                       "missing-id")
    text, where = value.get("text"), f"{where} (id {doc_id!r})"
    if text is None:
        return Skipped(origin, f"{where}: no 'text'; put the article text in a 'text' "
                       "field", "missing-text")
    if not isinstance(text, str):
        return Skipped(origin, f"{where}: 'text' must be a string, not "
                       f"{type(text).__name__}; fix the record", "bad-text")
    if not text.strip():
        return Skipped(origin, f"{where}: 'text' is empty; fill it in or remove the record",
                       "empty")
    used = {key for name, key in fields.items() if not isinstance(value[name], (dict, list))}
    return Document(id=doc_id, text=text, source=_opt_str(value.get("source")),
                    **_input_date(value.get("date")), title=_opt_str(value.get("title")),
                    url=_opt_str(value.get("url")), origin=origin,
                    extra={k: v for k, v in rec.items() if k not in used})


def _decode_line(raw: bytes) -> str | None:
    text = _try_decode(raw, "utf-8")
    return text if text is not None else _decode_fallback(raw)


def _read_jsonl(path: Path, _id: str, max_chars: int) -> Iterator[Document | Skipped]:
    lineno = 0
    with _open(path, gzip.open if path.name.lower().endswith(".gz") else open) as f:
        try:
            for lineno, raw in enumerate(f, 1):
                if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                origin, where = f"{path}:{lineno}", f"line {lineno}"
                line = _decode_line(raw)
                if line is None:
                    yield Skipped(origin, f"{where}: {_BAD_ENCODING}", "bad-encoding")
                    continue
                try:
                    rec = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    msg = getattr(exc, "msg", "nested too deeply")
                    col = f" at column {exc.colno}" if hasattr(exc, "colno") else ""
                    yield Skipped(origin, f"{where}: not valid JSON ({msg}{col}); fix or "
                                  "remove the line", "bad-json")
                    continue
                if not isinstance(rec, dict):
                    yield Skipped(origin, f'{where}: expected a JSON object like {{"id": ..., '
                                  f'"text": ...}}, got {_JSON_TYPES.get(type(rec), "a value")}; '
                                  "fix or remove the line", "not-object")
                    continue
                yield from _emit(_record(rec, None, origin, where), f"{where}: ", max_chars)
        except (OSError, EOFError, zlib.error) as exc:  # a corrupt or cut .gz
            if lineno == 0:
                raise _fail(f"cannot read the file ({exc}); re-create or recompress it",
                            path, "bad-file") from None
            yield Skipped(str(path), f"the file is corrupt after line {lineno} ({exc}); "
                          "the rest was not read: re-create or recompress it", "bad-file")


def _read_csv(path: Path, _id: str, max_chars: int) -> Iterator[Document | Skipped]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    bad_lines: set[int] = set()
    f = _open(path)

    def lines() -> Iterator[str]:
        # Decoding line by line lets one bad line cost one row, not the file.
        for n, raw in enumerate(f, 1):
            text = _decode_line(raw[3:] if n == 1 and raw.startswith(codecs.BOM_UTF8) else raw)
            if text is None:
                bad_lines.add(n)
                text = raw.decode("utf-8", "replace")
            yield text

    with f:
        reader = csv.reader(lines())
        try:
            header = next(reader)
        except StopIteration:
            raise _fail("the CSV file is empty; add a header row like id,text", path,
                        "empty") from None
        except csv.Error as exc:
            raise _fail(f"cannot read the CSV header ({exc}); fix the first line", path,
                        "bad-header") from None
        fields, prev = _columns(header, path), reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield Skipped(f"{path}:{prev + 1}", f"line {prev + 1}: malformed CSV ({exc}); "
                              "fix the quoting or remove the row", "bad-csv")
                if reader.line_num == prev:
                    break  # no progress: stop rather than loop
                prev = reader.line_num
                continue
            start, prev = prev + 1, reader.line_num
            if not row:
                continue
            origin, where = f"{path}:{start}", f"line {start}"
            if bad_lines and any(n in bad_lines for n in range(start, prev + 1)):
                yield Skipped(origin, f"{where}: {_BAD_ENCODING}", "bad-encoding")
            elif len(row) != len(header):
                yield Skipped(origin, f"{where}: {len(row)} fields but the header has "
                              f"{len(header)}; quote fields that contain commas or line "
                              "breaks", "bad-row")
            else:
                item = _record(dict(zip(header, row)), fields, origin, where)
                yield from _emit(item, f"{where}: ", max_chars)


def _plain(value: Any) -> Any:
    """A Parquet value as a JSON-friendly Python value."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (Decimal, timedelta)):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _read_parquet(path: Path, _id: str, max_chars: int) -> Iterator[Document | Skipped]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise _fail(f"cannot read it as Parquet ({exc}); check it is a valid Parquet file",
                    path, "bad-file") from None
    fields, row = _columns(pf.schema_arrow.names, path), 0
    try:
        for batch in pf.iter_batches(batch_size=256):  # small: a row can be a long article
            for rec in batch.to_pylist():
                row += 1
                item = _record(_plain(rec), fields, f"{path}:{row}", f"row {row}")
                yield from _emit(item, f"row {row}: ", max_chars)
    except (OSError, pa.ArrowException) as exc:
        yield Skipped(str(path), f"the file is corrupt after row {row} ({exc}); the rest "
                      "was not read: re-create it", "bad-file")

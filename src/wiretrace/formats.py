"""Engine-neutral parsers: the lines, bytes or one record of an input format to
a stream of :class:`Document`, with a :class:`Skipped` for each unusable record.

Nothing here opens files, so the local reader (:mod:`wiretrace.read`, which
walks folders and opens files) and Spark's workers (which get input splits in
memory) produce the same items from the same data.

    >>> [type(x).__name__ for x in parse_bytes("a.jsonl", b'{"id": 1, "text": "Rain."}\\nnope')]
    ['Document', 'Skipped']
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .dates import page_date, parse_date, text_date
from .decoding import check_binary, decode_bytes, decode_legacy
from .errors import BadFileError, BinaryInputError, ConfigError, DecodeError, InputError, MissingExtraError
from .records import Document, Skipped

__all__ = ["MAX_CHARS", "SUPPORTED", "input_format", "unsupported_file", "as_skipped",
           "require_columns", "parse_record", "parse_jsonl_lines", "parse_csv_lines",
           "parse_parquet", "parse_bytes", "TEXT_FIELDS"]

#: the default cap on a document's characters (``max_chars``)
MAX_CHARS = 2_000_000
SUPPORTED = ("a folder (of .txt, .html, .htm, .jsonl, .jsonl.gz, .csv and .parquet files) "
             "or a single .jsonl, .jsonl.gz, .csv, .parquet, .txt or .html file")

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_FIELDS = ("id", "source", "date", "title", "url")
#: the input fields read as the text, first found wins
TEXT_FIELDS = ("text", "body", "content")
_TEXT_FIELDS = TEXT_FIELDS
_BAD_ENCODING = "not text in UTF-8 or any encoding we could detect; re-save the file as UTF-8"
_JSON_TYPES = {list: "an array", str: "a string", type(None): "null", bool: "a boolean",
               int: "a number", float: "a number"}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CSV_FIELD_LIMIT = 2**31 - 1  # the largest value csv accepts on every platform
_EXTENSIONS = {".txt": "txt", ".html": "html", ".htm": "html", ".csv": "csv",
               ".parquet": "parquet"}


# -- names -----------------------------------------------------------------

def input_format(name: str) -> str | None:
    """The format wiretrace reads a file name as: ``"txt"``, ``"html"``,
    ``"jsonl"``, ``"csv"`` or ``"parquet"``; None for a name it does not read.

        >>> input_format("wire/Day1.JSONL.gz"), input_format("notes.docx")
        ('jsonl', None)
    """
    name = name.lower()
    if name.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
        return "jsonl"
    return _EXTENSIONS.get(os.path.splitext(name)[1])


def unsupported_file(origin: str, *, regular: bool = True) -> Skipped:
    """The Skipped a folder walk records for a file it does not read (``regular``
    False: not a regular file, e.g. a device or a dangling link).

        >>> unsupported_file("corpus/deck.pptx").category
        'unsupported'
    """
    ext = os.path.splitext(os.path.basename(origin))[1] or "(no extension)"
    what = f"unsupported file type {ext}" if regular else "not a regular file"
    return Skipped(origin, f"{what}; wiretrace reads .txt, .html, .htm, .jsonl, .jsonl.gz, "
                   ".csv and .parquet: convert it, or keep it outside the input folder", "unsupported")


def as_skipped(exc: InputError | MissingExtraError, origin: str) -> Skipped:
    """The Skipped a folder walk records for a file whose reading raised ``exc``.

        >>> as_skipped(BadFileError("the file is empty", path="a.txt", category="empty"), "a.txt")
        Skipped(origin='a.txt', reason='the file is empty', category='empty')
    """
    if isinstance(exc, MissingExtraError):
        return Skipped(origin, f"{exc}, or leave the file out of the input", "missing-extra")
    category = ("binary" if isinstance(exc, BinaryInputError) else "bad-encoding"
                if isinstance(exc, DecodeError) else getattr(exc, "category", "bad-file"))
    return Skipped(origin, exc.reason, category)


# -- records ---------------------------------------------------------------

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


def require_columns(names: Sequence[str], origin: str) -> dict[str, str]:
    """Check a CSV header or Parquet schema names an id and a text column; raise
    :class:`BadFileError` (category ``bad-header``) saying which is missing.
    Returns the canonical field name -> column name map.

        >>> require_columns(["ID", "body", "when"], "a.csv")
        {'id': 'ID', 'text': 'body'}
    """
    fields = _field_map(names)
    for need, hint in (("id", "'id'"), ("text", "'text' (or 'body'/'content')")):
        if need not in fields:
            raise BadFileError(f"no {hint} column (found: {', '.join(names) or 'nothing'}); "
                               "add one", path=origin, category="bad-header")
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


def _record(rec: Mapping[str, Any], fields: dict[str, str] | None, origin: str,
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
    bad = next((key for key, v in rec.items() if _has_surrogate(key) or _has_surrogate(v)), None)
    if bad is not None:
        # json.loads accepts "\ud800" alone, but no UTF-8 store (DuckDB, Parquet,
        # the outputs) can hold it: refuse the record here, not the whole run later
        return Skipped(origin, f"{where}: field {bad!r} holds a lone surrogate escape "
                       "(\\ud800-\\udfff, half of a UTF-16 pair), which is no character and "
                       "cannot be stored; re-export the record with the whole character "
                       "(both halves of the pair)", "bad-unicode")
    used = {key for name, key in fields.items() if not isinstance(value[name], (dict, list))}
    return Document(id=doc_id, text=text, source=_opt_str(value.get("source")),
                    **_input_date(value.get("date")), title=_opt_str(value.get("title")),
                    url=_opt_str(value.get("url")), origin=origin,
                    extra={k: v for k, v in rec.items() if k not in used})


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return not value.isascii() and _LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


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


def _plain(value: Any) -> Any:
    """A Parquet (Arrow) value as a JSON-friendly Python value."""
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


def parse_record(rec: Mapping[str, Any], origin: str, *, where: str = "record",
                 max_chars: int = MAX_CHARS) -> Iterator[Document | Skipped]:
    """One input record (a JSON object, a CSV row as a dict, an Arrow row) as a
    Document, or a Skipped saying what to fix; a Document cut to ``max_chars``
    is followed by a ``truncated`` note. ``origin`` is where the record is
    (``"file:line"``), ``where`` how reasons name it (``"line 3"``, ``"row 3"``).
    Field names are matched as :func:`wiretrace.read.iter_documents` describes.

        >>> [d.id for d in parse_record({"ID": 7, "body": "Rain."}, "feed.jsonl:3")]
        ['7']
        >>> next(parse_record({"id": "a"}, "feed.jsonl:4", where="line 4")).reason
        "line 4 (id 'a'): no 'text'; put the article text in a 'text' field"
    """
    return _emit(_record(_plain(dict(rec)), None, origin, where), f"{where}: ", max_chars)


# -- JSONL -----------------------------------------------------------------

def _decode_line(raw: bytes) -> tuple[str | None, str | None]:
    """A JSONL/CSV line as (text, None) when it is UTF-8; (text, note) when it was
    read another way the note names; (None, reason) when it cannot be read."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        at = f"byte 0x{raw[exc.start]:02X} at column {exc.start + 1}"
    got = decode_legacy(raw)
    if got is None:
        return None, _BAD_ENCODING
    if got.guessed:  # a detector on one line is wrong too often to store its text
        return None, (f"not valid UTF-8 ({at}); it may be {got.how}, but one line is "
                      "too little to tell: re-save the file as UTF-8")
    return got.text, (f"not valid UTF-8 ({at}); read it as {got.how}: check the stored "
                      "text, and re-save the file as UTF-8 to be sure")


def parse_jsonl_lines(lines: Iterable[bytes], origin: str, *,
                      max_chars: int = MAX_CHARS) -> Iterator[Document | Skipped]:
    """The records of JSONL lines (bytes, numbered from 1; a UTF-8 BOM on line 1
    is ignored). Items' origins are ``f"{origin}:{line}"``. When iterating
    ``lines`` fails (a corrupt .gz) a ``bad-file`` Skipped ends the stream, or,
    before any line was read, :class:`BadFileError` is raised.

        >>> [x.origin for x in parse_jsonl_lines([b'{"id": "a", "text": "Rain."}', b"", b"[]"], "f.jsonl")]
        ['f.jsonl:1', 'f.jsonl:3']
    """
    lineno = 0
    try:
        for lineno, raw in enumerate(lines, 1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            if not raw.strip():
                continue
            where = f"line {lineno}"
            at = f"{origin}:{lineno}"
            line, note = _decode_line(raw)
            if line is None:
                yield Skipped(at, f"{where}: {note}", "bad-encoding")
                continue
            try:
                rec = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                msg = getattr(exc, "msg", "nested too deeply")
                col = f" at column {exc.colno}" if hasattr(exc, "colno") else ""
                yield Skipped(at, f"{where}: not valid JSON ({msg}{col}); fix or "
                              "remove the line", "bad-json")
                continue
            if not isinstance(rec, dict):
                yield Skipped(at, f'{where}: expected a JSON object like {{"id": ..., '
                              f'"text": ...}}, got {_JSON_TYPES.get(type(rec), "a value")}; '
                              "fix or remove the line", "not-object")
                continue
            item = _record(rec, None, at, where)
            yield from _emit(item, f"{where}: ", max_chars)
            if note is not None and isinstance(item, Document):
                yield Skipped(at, f"{where} (id {item.id!r}): {note}", "not-utf8")
    except (OSError, EOFError, zlib.error) as exc:  # a corrupt or cut .gz
        if lineno == 0:
            raise BadFileError(f"cannot read the file ({exc}); re-create or recompress it",
                               path=origin) from None
        yield Skipped(origin, f"the file is corrupt after line {lineno} ({exc}); "
                      "the rest was not read: re-create or recompress it", "bad-file")


# -- CSV -------------------------------------------------------------------

def parse_csv_lines(lines: Iterable[bytes], origin: str, *,
                    max_chars: int = MAX_CHARS) -> Iterator[Document | Skipped]:
    """The rows of a CSV file given as its lines (bytes, with their line breaks);
    the first row is the header, which must name an id and a text column (else
    :class:`BadFileError` is raised when iterated). Origins are ``origin:line``.

        >>> [d.id for d in parse_csv_lines([b"id,text\\n", b'7,"Rain, then sun."\\n'], "f.csv")]
        ['7']
    """
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    bad_lines: dict[int, str] = {}  # line -> why it cannot be read
    notes: dict[int, str] = {}  # line -> how it was read, not being UTF-8

    def decoded() -> Iterator[str]:
        # Decoding line by line lets one bad line cost one row, not the file.
        for n, raw in enumerate(lines, 1):
            text, note = _decode_line(raw[3:] if n == 1 and raw.startswith(codecs.BOM_UTF8) else raw)
            if text is None:
                bad_lines[n] = note or _BAD_ENCODING
                text = raw.decode("utf-8", "replace")
            elif note is not None:
                notes[n] = note
            yield text

    reader = csv.reader(decoded())
    try:
        header = next(reader)
    except StopIteration:
        raise BadFileError("the CSV file is empty; add a header row like id,text", path=origin,
                           category="empty") from None
    except csv.Error as exc:
        raise BadFileError(f"cannot read the CSV header ({exc}); fix the first line",
                           path=origin, category="bad-header") from None
    fields, prev = require_columns(header, origin), reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Skipped(f"{origin}:{prev + 1}", f"line {prev + 1}: malformed CSV ({exc}); "
                          "fix the quoting or remove the row", "bad-csv")
            if reader.line_num == prev:
                break  # no progress: stop rather than loop
            prev = reader.line_num
            continue
        start, prev = prev + 1, reader.line_num
        if not row:
            continue
        at, where = f"{origin}:{start}", f"line {start}"
        bad = next((bad_lines[n] for n in range(start, prev + 1) if n in bad_lines), None)
        if bad is not None:
            yield Skipped(at, f"{where}: {bad}", "bad-encoding")
        elif len(row) != len(header):
            yield Skipped(at, f"{where}: {len(row)} fields but the header has "
                          f"{len(header)}; quote fields that contain commas or line "
                          "breaks", "bad-row")
        else:
            item = _record(dict(zip(header, row)), fields, at, where)
            yield from _emit(item, f"{where}: ", max_chars)
            note = next((notes[n] for n in range(start, prev + 1) if n in notes), None)
            if note is not None and isinstance(item, Document):
                yield Skipped(at, f"{where} (id {item.id!r}): {note}", "not-utf8")


# -- Parquet ---------------------------------------------------------------

def parse_parquet(source: bytes | str | os.PathLike[str], origin: str, *,
                  max_chars: int = MAX_CHARS) -> Iterator[Document | Skipped]:
    """The rows of a Parquet file, given as its bytes or (as Parquet is read by
    column chunks, not lines) its path. Origins are ``origin:row``; a file that
    is not Parquet or has no id/text column raises :class:`BadFileError`.

        >>> import pyarrow as pa, pyarrow.parquet as pq
        >>> buf = pa.BufferOutputStream(); pq.write_table(pa.table({"id": [1], "text": ["Rain."]}), buf)
        >>> [d.origin for d in parse_parquet(buf.getvalue().to_pybytes(), "f.parquet")]
        ['f.parquet:1']
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(pa.BufferReader(source) if isinstance(source, bytes) else source)
    except (OSError, pa.ArrowException) as exc:
        raise BadFileError(f"cannot read it as Parquet ({exc}); check it is a valid Parquet "
                           "file", path=origin) from None
    fields, row = require_columns(pf.schema_arrow.names, origin), 0
    try:
        for batch in pf.iter_batches(batch_size=256):  # small: a row can be a long article
            for rec in batch.to_pylist():
                row += 1
                item = _record(_plain(rec), fields, f"{origin}:{row}", f"row {row}")
                yield from _emit(item, f"row {row}: ", max_chars)
    except (OSError, pa.ArrowException) as exc:
        yield Skipped(origin, f"the file is corrupt after row {row} ({exc}); the rest "
                      "was not read: re-create it", "bad-file")


# -- whole files -----------------------------------------------------------

def text_cap(max_chars: int) -> int:
    """The bytes of a .txt file worth reading for ``max_chars`` characters (UTF-8
    takes at most 4 bytes a character), so a huge stray file never fills memory.

        >>> text_cap(10)
        43
    """
    return max_chars * 4 + 3


def _cap(data: bytes, limit: int) -> tuple[bytes, bool]:
    """``data`` cut to at most ``limit`` bytes, and whether it was longer."""
    if len(data) <= limit:
        return data, False
    data = data[:limit]
    # Drop a UTF-8 sequence cut in half so the capped bytes still decode.
    for back in range(1, min(4, len(data)) + 1):
        lead = data[-back]
        if lead & 0xC0 != 0x80:
            need = 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2 if lead >= 0xC0 else 1
            return (data[:-back] if need > back else data), True
    return data, True


def _parse_txt(data: bytes, doc_id: str, origin: str,
               max_chars: int) -> Iterator[Document | Skipped]:
    data, cut = _cap(data, text_cap(max_chars))
    text = decode_bytes(data, path=origin)
    if not text.strip():
        raise BadFileError("the file is empty or only whitespace; add text or leave it out of the input",
                           path=origin, category="empty")
    # a file name is never an outlet, nor a file time a date: only the text's own dateline
    yield from _emit(Document(id=doc_id, text=text, origin=origin, **_text_date(text)), "",
                     max_chars, cut)


def _parse_html(data: bytes, doc_id: str, origin: str,
                max_chars: int) -> Iterator[Document | Skipped]:
    try:
        import trafilatura
    except ImportError:
        raise MissingExtraError("html", "reading .html files") from None
    check_binary(data, origin)
    declared = _META_CHARSET.search(data[:4096])  # the page's own charset beats guessing
    markup = None
    if declared:
        try:
            markup = data.decode(declared.group(1).decode("ascii"))
        except (UnicodeDecodeError, LookupError):
            pass
    if markup is None:
        markup = decode_bytes(data, path=origin)
    try:
        page = trafilatura.bare_extraction(markup, with_metadata=True, include_comments=False)
    except Exception as exc:  # trafilatura/lxml raise many kinds on odd markup
        raise BadFileError(f"trafilatura could not parse the page ({exc}); save the article "
                           "text as .txt instead", path=origin, category="bad-html") from None
    meta = {k: getattr(page, k, None) for k in ("text", "sitename", "title", "url")}
    if not meta["text"] or not meta["text"].strip():
        raise BadFileError("no article text found in the page; check it is an article page, "
                           "or save its text as .txt", path=origin, category="empty")
    # Not trafilatura's date: htmldate guesses from copyright footers and modification
    # dates ("Copyright 2016" became 2016-01-01). Publication metadata, else the dateline.
    published = page_date(markup)
    dated = (dict(date=published.iso, date_source="page-metadata", date_precision=published.precision)
             if published is not None else _text_date(meta["text"]))
    doc = Document(id=doc_id, text=meta["text"], origin=origin, **dated,
                   source=_opt_str(meta["sitename"]), title=_opt_str(meta["title"]),
                   url=_opt_str(meta["url"]))
    yield from _emit(doc, "", max_chars, False)


def parse_bytes(name: str, data: bytes, *, origin: str | None = None, strict: bool = True,
                max_chars: int = MAX_CHARS) -> Iterator[Document | Skipped]:
    """The items of one whole input file, read as :func:`input_format` says for
    ``name``. A .txt/.html file is one Document with id ``name`` (a folder
    walk passes the relative path); ``origin`` (default ``name``) is where
    items say they come from. A file unusable as a whole (empty, binary, no id
    column…) raises :class:`InputError` when iterated, or with ``strict=False``
    becomes one Skipped, as inside a folder. An unsupported ``name`` raises at once.

        >>> [d.id for d in parse_bytes("wire/a.txt", b"The council voted.")]
        ['wire/a.txt']
        >>> [s.category for s in parse_bytes("b.txt", b"  ", strict=False)]
        ['empty']
    """
    if max_chars < 1:
        raise ConfigError(f"max_chars must be at least 1, got {max_chars}")
    fmt, origin = input_format(name), name if origin is None else origin
    if fmt is None:
        raise InputError(f"unsupported input type; wiretrace reads {SUPPORTED}", path=origin)
    if fmt == "jsonl":
        stream = io.BytesIO(data)
        lines = gzip.GzipFile(fileobj=stream) if name.lower().endswith(".gz") else stream
        items = parse_jsonl_lines(lines, origin, max_chars=max_chars)
    elif fmt == "csv":
        items = parse_csv_lines(io.BytesIO(data), origin, max_chars=max_chars)
    elif fmt == "parquet":
        items = parse_parquet(data, origin, max_chars=max_chars)
    else:
        items = (_parse_txt if fmt == "txt" else _parse_html)(data, name, origin, max_chars)
    return items if strict else _skipping(items, origin)


def _skipping(items: Iterator[Document | Skipped], origin: str) -> Iterator[Document | Skipped]:
    try:
        yield from items
    except (InputError, MissingExtraError) as exc:
        yield as_skipped(exc, origin)

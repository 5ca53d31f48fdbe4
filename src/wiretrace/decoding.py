"""Bytes to text: UTF-8 first, then a detected legacy encoding, refusing binary data.

Shared by the file reader (:mod:`wiretrace.read`) and the record-level parsers
(:mod:`wiretrace.formats`), which decode each JSONL/CSV line on its own.

    >>> decode_bytes(b"plain text")
    'plain text'
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .errors import BinaryInputError, DecodeError

__all__ = ["decode_bytes", "check_binary", "decode_legacy", "Legacy"]

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
    check_binary(data, path)
    text = _try_decode(data, "utf-8")
    if text is None:
        legacy = decode_legacy(data)
        text = None if legacy is None else legacy.text
    if text is None:
        raise DecodeError("not valid UTF-8 and no other text encoding fits; "
                          "re-save the file as UTF-8 text", path=path)
    return text


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def check_binary(data: bytes, path: str) -> None:
    """Raise :class:`BinaryInputError` when ``data`` is an image, archive or other binary.

        >>> try:
        ...     check_binary(b"%PDF-1.7 ...", "a.txt")
        ... except BinaryInputError as exc:
        ...     print(str(exc).split(" (")[0])
        a.txt: looks like a PDF document
    """
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
        raise BinaryInputError(f"{what}; convert it to text, or leave it out of the input",
                               path=path)


def _plausible(text: str) -> bool:
    """True when a decoding has few control characters (wrong codecs produce many)."""
    return sum(1 for _ in _CONTROL_CHARS.finditer(text)) <= max(1, len(text) // 20)


@dataclass(frozen=True, slots=True)
class Legacy:
    """Text decoded from bytes that are not valid UTF-8, and how."""

    text: str
    #: what was done, for notes: "cp1252", "UTF-8 with 2 invalid byte sequences replaced…"
    how: str
    #: True when a detector chose the encoding: on a short line it is often wrong
    guessed: bool


def decode_legacy(data: bytes) -> Legacy | None:
    """Decode bytes that are not valid UTF-8, or None when no encoding fits.

        >>> decode_legacy("caf\u00e9".encode("cp1252"))
        Legacy(text='café', how='cp1252', guessed=False)
    """
    # Mostly UTF-8 with a few corrupt bytes: any legacy codec would garble every
    # accented letter, so replacing the corrupt bytes does the least damage.
    replaced = data.decode("utf-8", "replace")
    good = sum(1 for _ in _UTF8_MULTIBYTE.finditer(replaced))
    bad = replaced.count("\ufffd")
    if good and bad <= good:
        return Legacy(replaced, f"UTF-8 with {bad} invalid byte sequence{'s' * (bad != 1)} "
                      "replaced by U+FFFD", False)
    western = _try_decode(data, "cp1252")
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    letters = high + len(data) - len(data.translate(None, _ASCII_LETTERS))
    # Detectors guess badly on short Latin text (cp1250, mac_iceland…); when
    # most letters are ASCII, cp1252 is by far the likeliest news encoding.
    if western is not None and high <= 0.3 * letters and _plausible(western):
        return Legacy(western, "cp1252", False)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    for text, how in ((str(best) if best is not None else None, best and best.encoding),
                      (western, "cp1252")):
        if text is not None and _plausible(text):
            return Legacy(text, str(how), True)
    return None

"""Errors raised by wiretrace. Every message says what to do next."""

from __future__ import annotations


class WiretraceError(Exception):
    """Base class for every error wiretrace raises on purpose."""


class InputError(WiretraceError):
    """A file, line or record could not be used as input."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 record: str | None = None):
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if record is not None:
            where.append(f"record {record!r}")
        prefix = (":".join(where[:2]) if line is not None else ", ".join(where))
        if record is not None and line is not None:
            prefix += f" (record {record!r})"
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.path = path
        self.line = line
        self.record = record
        self.reason = message


class DecodeError(InputError):
    """Bytes that are not text in any encoding we could detect."""


class BinaryInputError(InputError):
    """A binary file (image, archive, executable…) where text was expected."""


class ConfigError(WiretraceError):
    """An option has a value wiretrace cannot use."""


class IndexBusyError(WiretraceError):
    """Another process holds the index for writing."""


class StorageError(WiretraceError):
    """A file could not be written: disk full, read-only folder, no permission."""


class MissingExtraError(WiretraceError):
    """An optional dependency group is not installed."""

    def __init__(self, extra: str, what: str):
        super().__init__(f"{what} needs the optional extra: pip install 'wiretrace[{extra}]'")
        self.extra = extra


class BadFileError(InputError):
    """A whole file that cannot be used (empty, no id column, corrupt, unreadable).

    A top-level input raises it; inside a folder the file becomes a ``Skipped``
    with this ``category``.
    """

    def __init__(self, message: str, *, path: str | None = None, category: str = "bad-file"):
        super().__init__(message, path=path)
        self.category = category

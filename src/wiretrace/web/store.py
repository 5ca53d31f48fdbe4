"""The scan's index as the web viewer shares it between the server's threads."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..index import Index


class SharedIndex:
    """A :class:`wiretrace.index.Index` opened read-only on first use and kept open.

    The server answers from several threads and one DuckDB connection must not
    run two statements at once, so every use holds the lock.
    """

    def __init__(self, path: Path):
        self.path = path
        self._ix: Index | None = None
        self._lock = threading.RLock()

    @contextmanager
    def use(self) -> Iterator[Index]:
        """The open index, for this thread alone until the block ends.

        Raises :class:`~wiretrace.index.IndexStoreError` when the file is gone or
        not an index, :class:`~wiretrace.errors.IndexBusyError` while another
        process writes it.
        """
        with self._lock:
            if self._ix is None:
                self._ix = Index.open(str(self.path), read_only=True)
            yield self._ix

    @contextmanager
    def closed(self) -> Iterator[None]:
        """Close the connection and keep it closed for the block: DuckDB lets a
        process open a file in one mode only, and a writer needs it."""
        with self._lock:
            self.close()
            yield

    def close(self) -> None:
        """Close the connection (the next :meth:`use` opens it again)."""
        with self._lock:
            if self._ix is not None:
                self._ix.close()
                self._ix = None

"""One writer at a time, and readers never in its way.

DuckDB lets one process open a file read-write, or many open it read-only,
never both. So a writer (``scan``, ``add``) never opens the index readers use:

1. it takes the writer lock, ``<index>.lock`` (``flock``: released by the
   kernel when the process dies, even by ``kill -9``), waiting at most
   ``wait`` seconds with a note every few seconds, then failing with the
   holder's process id and command line;
2. it works on a copy, ``<index>.next`` (a killed writer's copy is resumed,
   so a rerun after ``kill -9`` continues where it stopped);
3. it checkpoints the copy and renames it over the index in one step.

Readers (:meth:`wiretrace.index.Index.open` with ``read_only``) keep the file
they opened, whole and consistent, until they reopen; :meth:`Index.stale`
says when a newer index has been published.

    >>> work_path("out/index.duckdb")
    'out/index.duckdb.next'
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .errors import ConfigError, IndexBusyError, StorageError, WiretraceError

__all__ = ["WAIT_ENV", "DEFAULT_WAIT", "StorageError", "work_path", "lock_path", "write_wait",
           "writing", "storage_error", "disk_error", "copy_file"]

#: the environment variable that sets how long a writer waits for another
WAIT_ENV = "WIRETRACE_WRITE_WAIT"
DEFAULT_WAIT = 600.0
#: seconds between two "waiting for ..." notes
NOTE_EVERY = 5.0


_ADVICE = {
    errno.ENOSPC: "no space left on the device; free some space or choose a folder on another disk",
    errno.EDQUOT: "the disk quota is used up; free some space or choose a folder on another disk",
    errno.EROFS: "the file system is read-only; choose a writable folder",
    errno.EACCES: "permission denied; choose a folder you can write, or fix its permissions",
    errno.EPERM: "permission denied; choose a folder you can write, or fix its permissions",
    errno.EFBIG: "the file would be larger than this process may write (ulimit -f) or the file "
                 "system allows; raise the limit or choose a folder on another disk",
}
#: what a DuckDB I/O error says when the disk refused a write, and the errno it stands for
_DUCKDB_SAYS = (("no space left", errno.ENOSPC), ("quota exceeded", errno.EDQUOT),
                ("read-only file system", errno.EROFS), ("permission denied", errno.EACCES),
                ("operation not permitted", errno.EPERM), ("file too large", errno.EFBIG))


def storage_error(exc: OSError, path: str) -> StorageError:
    """A one-line :class:`StorageError` naming ``path`` and what to do.

    >>> str(storage_error(OSError(errno.ENOSPC, "No space left on device"), "out/index.duckdb"))
    'cannot write out/index.duckdb: no space left on the device; free some space or choose a folder on another disk'
    """
    advice = _ADVICE.get(exc.errno or 0, f"{exc.strerror or exc}; check the path and the disk")
    return StorageError(f"cannot write {path}: {advice}")


def disk_error(exc: BaseException, path: str) -> StorageError | None:
    """The :class:`StorageError` for an error the disk caused (an ``OSError`` or a
    DuckDB I/O error: full, read-only, no permission, too large), naming the file
    the error names, else ``path``; None for any other error.

    >>> import duckdb
    >>> str(disk_error(duckdb.IOException('Could not write file "a/b.duckdb": '
    ...                                   'No space left on device'), "out"))
    'cannot write a/b.duckdb: no space left on the device; free some space or choose a folder on another disk'
    >>> disk_error(ValueError("no"), "out") is None
    True

    An error raised while handling a disk error (DuckDB's "Current transaction is
    aborted" from the clean-up after a failed write) is that disk error.
    """
    seen = 0
    cur: BaseException | None = exc
    while cur is not None and seen < 8:
        found = _disk_error(cur, path)
        if found is not None:
            return found
        cur = cur.__cause__ or cur.__context__
        seen += 1
    return None


def _disk_error(exc: BaseException, path: str) -> StorageError | None:
    if isinstance(exc, OSError):
        if exc.errno not in _ADVICE and exc.errno != errno.EDQUOT:
            return None
        return storage_error(exc, str(exc.filename or path))
    if type(exc).__module__.split(".")[0] not in ("duckdb", "_duckdb"):
        return None
    text = str(exc)
    code = next((c for said, c in _DUCKDB_SAYS if said in text.lower()), None)
    if code is None:
        return None
    quoted = re.search(r'[Ff]ile \\?"([^"\\]+)', text)  # 'Could not write file "PATH"'; JSON-escaped too
    return storage_error(OSError(code, os.strerror(code)), quoted.group(1) if quoted else path)


def work_path(index_path: str) -> str:
    """Where a writer builds the next version of ``index_path``."""
    return index_path + ".next"


def lock_path(index_path: str) -> str:
    """The writer lock of ``index_path``."""
    return index_path + ".lock"


def write_wait(wait: float | None = None) -> float:
    """Seconds a writer waits for another: ``wait``, else ``$WIRETRACE_WRITE_WAIT``, else 600.

    >>> write_wait(2)
    2.0
    """
    if wait is None:
        raw = os.environ.get(WAIT_ENV)
        if not raw:
            return DEFAULT_WAIT
        try:
            wait = float(raw)
        except ValueError:
            raise ConfigError(f"{WAIT_ENV}={raw!r} is not a number of seconds") from None
    if not wait >= 0:
        raise ConfigError(f"the writer wait must be 0 or more seconds, got {wait}")
    return float(wait)


def _holder(path: str) -> str:
    """Who holds the lock, as its owner wrote it: "process 123 (wiretrace add x.jsonl, since 17:02:11)"."""
    try:
        with open(path, encoding="utf-8") as fh:
            pid, since, cmd = fh.readline().rstrip("\n").split("\t", 2)
        when = time.strftime("%H:%M:%S", time.localtime(float(since)))
        return f"process {int(pid)} ({cmd}, since {when})"
    except (OSError, ValueError):
        return "another process"


def _lock(index_path: str, wait: float, on_wait: Callable[[str], None] | None) -> int:
    path = lock_path(index_path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise storage_error(exc, path) from None
    start = time.monotonic()
    noted = 0.0
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            waited = time.monotonic() - start
            if waited >= wait:
                os.close(fd)
                raise IndexBusyError(
                    f"index {index_path} is being written by {_holder(path)}; gave up after "
                    f"{waited:.0f} s: retry when it finishes, or wait longer with --wait SECONDS "
                    f"(or {WAIT_ENV})") from None
            if on_wait is not None and waited >= noted:
                on_wait(f"waiting for {_holder(path)} to finish writing {index_path} "
                        f"({waited:.0f} s of at most {wait:.0f} s)")
                noted += NOTE_EVERY
            time.sleep(0.05)
    cmd = " ".join(["wiretrace" if i == 0 else a for i, a in enumerate(sys.argv)])[:200]
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\t{time.time()}\t{cmd or 'python'}\n".encode(), 0)
    except OSError:
        pass  # the note is a courtesy; the lock holds without it
    return fd


def _identity(path: str) -> list[int]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return []
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def _resumable(work: str, resume: tuple[str, str, str] | None) -> bool:
    """Whether every unfinished run in a killed writer's copy is the one ``resume``
    (kind, input, configuration hash) names: another one (an edited input, another
    file) would be published half done, so the copy is made again instead."""
    from .index import Index

    try:
        with Index.open(work, read_only=True) as ix:
            rows = ix.con.execute("SELECT kind, input, config_hash FROM runs "
                                  "WHERE finished_at IS NULL").fetchall()
    except WiretraceError:
        return False
    return all(resume is not None and tuple(r) == tuple(resume) for r in rows)


def _prepare(index_path: str, resume: tuple[str, str, str] | None) -> str:
    """The work copy: a killed writer's, when it started from the index as it is and
    holds only the run this writer resumes, else a fresh copy of the index (none when
    there is no index yet)."""
    work, origin = work_path(index_path), work_path(index_path) + ".from"
    try:
        with open(origin, encoding="utf-8") as fh:
            reuse = json.load(fh) == _identity(index_path) and os.path.exists(work)
    except (OSError, ValueError):
        reuse = False
    if reuse and _resumable(work, resume):
        return work
    try:
        for p in (work, work + ".wal", work + ".part", work + ".part.wal"):
            if os.path.exists(p):
                os.remove(p)
        if os.path.exists(index_path):
            copy_file(index_path, work + ".part")
            if os.path.exists(index_path + ".wal"):
                shutil.copyfile(index_path + ".wal", work + ".wal")
            os.replace(work + ".part", work)
        with open(origin, "w", encoding="utf-8") as fh:
            json.dump(_identity(index_path), fh)
    except OSError as exc:
        raise storage_error(exc, work) from None
    return work


#: ioctl FICLONE (linux/fs.h): share the source's blocks, copy on write
_FICLONE = 0x40049409


def copy_file(src: str, dst: str) -> str:
    """Copy ``src`` to ``dst``: a clone sharing its blocks where the file system
    can (btrfs, XFS with reflink; instant, no extra space until written), else a
    plain copy (``shutil.copyfile``: in-kernel on Linux); says which.

    >>> import tempfile
    >>> d = tempfile.mkdtemp(); open(d + "/a", "w").write("x")
    1
    >>> copy_file(d + "/a", d + "/b") in ("clone", "copy"), open(d + "/b").read()
    (True, 'x')
    """
    if sys.platform.startswith("linux"):
        try:
            with open(src, "rb") as fi, open(dst, "wb") as fo:
                fcntl.ioctl(fo.fileno(), _FICLONE, fi.fileno())
            return "clone"
        except OSError:
            pass  # ext4, tmpfs, another device: copy (a failed clone left dst empty)
    shutil.copyfile(src, dst)
    return "copy"


def _publish(work: str, index_path: str) -> None:
    """Rename the finished work copy over the index (checkpointed first, so no
    write-ahead log is left behind)."""
    try:
        if os.path.exists(work + ".wal"):
            import duckdb

            with duckdb.connect(work) as con:
                con.execute("CHECKPOINT")
        fd = os.open(work, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if os.path.exists(index_path + ".wal"):  # an older wiretrace's, already in the copy
            os.remove(index_path + ".wal")
        os.replace(work, index_path)
        os.remove(work + ".from")
        folder = os.open(os.path.dirname(os.path.abspath(index_path)), os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        raise storage_error(exc, index_path) from None


@contextmanager
def writing(index_path: str, *, wait: float | None = None,
            on_wait: Callable[[str], None] | None = None,
            check: Callable[[str], None] | None = None,
            resume: tuple[str, str, str] | None = None) -> Iterator[str]:
    """Hold the writer lock of ``index_path`` and yield the work copy to open and
    write; when the block ends without an error (and the copy is closed), publish
    it. ``check(index_path)`` runs under the lock before the copy (say, to refuse
    an index another program holds). An error keeps the work copy for the next
    writer to resume when it resumes the same run, ``resume`` = (kind, input,
    configuration hash) as :meth:`wiretrace.index.Index.begin_run` records it."""
    fd = _lock(index_path, write_wait(wait), on_wait)
    try:
        if check is not None and os.path.exists(index_path):
            check(index_path)
        work = _prepare(index_path, resume)
        try:
            yield work
        except Exception as exc:  # noqa: BLE001 - a full or read-only disk inside DuckDB too
            # a bare permission error here may come from reading the input: not ours to rename
            unsure = isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM)
            translated = None if unsure else disk_error(exc, work)
            if translated is None:
                raise
            raise translated from None
        _publish(work, index_path)
    finally:
        os.close(fd)  # releases the lock

"""The local engine's process pool: tasks run inline or on forked workers, with a
bounded number in flight (a pool's own feeder would read the whole input ahead
into memory). A worker that dies (killed, out of memory, a crash in a native
library) fails the run with a clear error instead of leaving it waiting for a
result that never comes; the batches stored before it are kept."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import ConfigError, WiretraceError

__all__ = ["Runner", "WorkerDiedError", "worker_count"]


class WorkerDiedError(WiretraceError):
    """A worker process ended without finishing its task."""


def worker_count(workers: int) -> int:
    """Processes for a ``workers`` setting (0 = all cores).

    >>> worker_count(3)
    3
    """
    if workers < 0:
        raise ConfigError(f"workers must be 0 (all cores) or more, got {workers}")
    return workers or os.cpu_count() or 1


_DIED = ("a worker process died before finishing its batch (killed, out of memory, or a "
         "crash in a native library); run the same command again: it resumes after the "
         "batches already stored, and `-o workers=1` runs everything in one process")


def _context(preload: tuple[str, ...]) -> Any:
    """fork when this process runs no other Python thread, else forkserver.

    fork starts a worker in milliseconds and needs no ``if __name__ ==
    "__main__"`` guard in the caller's script, but a forked child inherits every
    lock as it was at the fork: with other threads alive (a web server, an
    asyncio executor, a test runner) one may be held forever, and the worker
    hangs or crashes at its first task. A forkserver is a fresh interpreter that
    imports ``preload`` once; workers fork from it instead of from us.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))
    return ctx


class Runner:
    """Runs ``fn(payload)`` for each task, inline (one worker) or on a pool.

    >>> r = Runner(1); got = []
    >>> r.run(abs, [("x", -2)], lambda meta, res: got.append((meta, res))); got
    [('x', 2)]
    """

    def __init__(self, workers: int, preload: tuple[str, ...] = ()):
        self.n = worker_count(workers)
        self.pool = None
        self.start_method = "inline"
        if self.n > 1:
            ctx = _context(preload)
            self.start_method = ctx.get_start_method()
            self.pool = ProcessPoolExecutor(self.n, mp_context=ctx, initializer=gc.freeze)
            # gc.freeze here and in the initializer: a forked worker's collector never
            # walks what it inherited (fewer copied pages, and no traversal of objects
            # such as another thread's greenlets, which crashed a forked worker)
            gc.freeze()
            try:
                # a fork pool starts all its workers at the first task: start them now,
                # before the caller opens DuckDB (forking a process that runs DuckDB's
                # threads is unsafe)
                self.pool.submit(int).result()
            except BrokenProcessPool:
                self.close()
                raise WorkerDiedError(_DIED) from None
            finally:
                gc.unfreeze()

    def run(self, fn: Callable, tasks: Iterable[tuple[Any, Any]], done: Callable[[Any, Any], None]) -> None:
        if self.pool is None:
            for meta, payload in tasks:
                done(meta, fn(payload))
            return
        pending: deque = deque()
        try:
            for meta, payload in tasks:
                pending.append((meta, self.pool.submit(fn, payload)))
                while len(pending) > 2 * self.n:
                    m, fut = pending.popleft()
                    done(m, fut.result())
            while pending:
                m, fut = pending.popleft()
                done(m, fut.result())
        except BrokenProcessPool:
            raise WorkerDiedError(_DIED) from None

    def close(self) -> None:
        if self.pool is not None:
            # kill, not wait: after an error or Ctrl-C the queued batches are not wanted
            for proc in list(getattr(self.pool, "_processes", {}).values()):
                proc.terminate()
            self.pool.shutdown(wait=True, cancel_futures=True)

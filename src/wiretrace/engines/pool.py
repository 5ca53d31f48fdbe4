"""The local engine's process pool: tasks run inline or on forked workers, with a
bounded number in flight (the pool's own feeder would read the whole input
ahead into memory)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import ConfigError

__all__ = ["Runner", "worker_count"]


def worker_count(workers: int) -> int:
    """Processes for a ``workers`` setting (0 = all cores).

    >>> worker_count(3)
    3
    """
    if workers < 0:
        raise ConfigError(f"workers must be 0 (all cores) or more, got {workers}")
    return workers or os.cpu_count() or 1


class Runner:
    """Runs ``fn(payload)`` for each task, inline (one worker) or on a pool.

    >>> r = Runner(1); got = []
    >>> r.run(abs, [("x", -2)], lambda meta, res: got.append((meta, res))); got
    [('x', 2)]
    """

    def __init__(self, workers: int):
        self.n = worker_count(workers)
        self.pool = None
        if self.n > 1:
            methods = multiprocessing.get_all_start_methods()
            # fork starts in milliseconds; the pool is made before DuckDB opens
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            # a forked worker must never collect the parent's objects (an open DuckDB
            # connection of a library caller crashed a worker's garbage collection)
            gc.freeze()
            try:
                self.pool = ctx.Pool(self.n)
            finally:
                gc.unfreeze()

    def run(self, fn: Callable, tasks: Iterable[tuple[Any, Any]], done: Callable[[Any, Any], None]) -> None:
        if self.pool is None:
            for meta, payload in tasks:
                done(meta, fn(payload))
            return
        pending: deque = deque()
        for meta, payload in tasks:
            pending.append((meta, self.pool.apply_async(fn, (payload,))))
            while len(pending) > 2 * self.n:
                m, res = pending.popleft()
                done(m, res.get())
        while pending:
            m, res = pending.popleft()
            done(m, res.get())

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

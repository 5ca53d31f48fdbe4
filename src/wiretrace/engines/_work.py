"""Worker-side code of the local engine: what runs in the pool processes
(tokenizing, aligning candidate pairs with outlet-boilerplate re-judging), the
pool runner with bounded work in flight, and the progress bars.

Kept apart from the orchestration in :mod:`wiretrace.engines.local` (which
re-exports these names) so that the Spark engine can run the very same
align task on its executors.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._arrays import prefix_sums
from ..candidates import body_hash
from ..compare import compare_tokens
from ..config import ScanConfig
from ..dates import pair_dates
from ..errors import ConfigError
from ..fingerprint import document_fingerprints, ngram_hashes, seed_mask
from ..judge import covered_mask
from ..stories import literal_shares
from ..normalize import Tokens, tokenize

#: share of a passage's grams that must be outlet boilerplate for it to be dropped
BOILER_SHARE = 0.8


def _workers(workers: int) -> int:
    """Processes for a ``workers`` setting (0 = all cores)."""
    if workers < 0:
        raise ConfigError(f"workers must be 0 (all cores) or more, got {workers}")
    return workers or os.cpu_count() or 1


_W: dict[str, Any] = {}


def _init_worker(cfg: ScanConfig) -> None:
    _W["cfg"] = cfg


def _ingest_task(rows: list[tuple[int, str, str | None]]
                 ) -> tuple[list[tuple[int, int, int | None, np.ndarray]], dict[str, np.ndarray]]:
    """Tokenize and fingerprint ``(doc, text, title)`` rows: ``(doc, ntok, body_hash, grams)``
    per row, and their story terms (the ``story_terms`` columns), computed here
    while the text is at hand rather than read back for the story stage."""
    from ._stories import content_terms, content_text

    cfg: ScanConfig = _W["cfg"]
    strip = cfg.compare.strip_boilerplate
    out = []
    contents = []
    for doc, text, title in rows:
        t = tokenize(text, strip_boilerplate=strip)
        out.append((doc, len(t), body_hash(t), document_fingerprints(t, cfg.ngram)))
        # the story terms' text without boilerplate, from the spans tokenize found
        contents.append((content_text(text or "", strip, t.boilerplate), title))
    return out, content_terms([doc for doc, _, _ in rows], contents)


def _mask(t: Tokens, spans: list[tuple[int, int]]) -> Tokens:
    """``t`` with ``spans`` marked as boilerplate, so they neither seed nor count."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(list(t.boilerplate) + spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return dataclasses.replace(t, boiler=t.boiler | covered_mask(t, spans), boilerplate=merged)


class _Doc:
    """One document inside an align task, tokens and gram windows built on demand.

    Tokenizing again here is as cheap as storing tokens at ingest and reading
    them back (measured on Reuters: candidate pairs are local, so a task of
    600 pairs needs ~800 documents), and keeps the index small."""

    __slots__ = ("text", "date", "common", "_tokens", "_grams")

    def __init__(self, text: str, date: str | None, common: np.ndarray):
        self.text, self.date, self.common = text, date, common
        self._tokens: Tokens | None = None
        self._grams: tuple[np.ndarray, np.ndarray] | None = None

    def tokens(self, cfg: ScanConfig) -> Tokens:
        if self._tokens is None:
            self._tokens = tokenize(self.text, strip_boilerplate=cfg.compare.strip_boilerplate)
        return self._tokens

    def is_boiler(self, cfg: ScanConfig, start: int, end: int) -> bool:
        """Whether the span's n-grams are mostly boilerplate of this document's outlet."""
        if len(self.common) == 0:
            return False
        t = self.tokens(cfg)
        if self._grams is None:
            # prefix sums of usable windows and of boilerplate windows: O(1) per passage
            ok = seed_mask(t, cfg.ngram)
            boiler = ok & np.isin(ngram_hashes(t.ids, cfg.ngram), self.common)
            self._grams = (prefix_sums(ok), prefix_sums(boiler))
        n_ok, n_boiler = self._grams
        i = int(np.searchsorted(t.starts, start, "left"))
        j = int(np.searchsorted(t.ends, end, "right")) - cfg.ngram + 1
        if j <= i:
            return False
        usable = n_ok[j] - n_ok[i]
        return usable > 0 and (n_boiler[j] - n_boiler[i]) >= BOILER_SHARE * usable


def _align_task(task: tuple[list[tuple[int, int, int, bool]], dict[int, tuple]]) -> tuple[list, list, int]:
    """Judge candidate pairs: ``(pair rows, passage rows, boilerplate passages dropped)``."""
    cfg: ScanConfig = _W["cfg"]
    pairs, payload = task
    docs = {n: _Doc(*v) for n, v in payload.items()}
    rows, passages, dropped_total = [], [], 0
    for a, b, shared, exact in pairs:
        da, db = docs[a], docs[b]
        ta, tb = da.tokens(cfg), db.tokens(cfg)
        # dates go in only when they order the pair: a year, a month or a day without a
        # time against a timed one would otherwise decide the source by an invented instant
        a_date, b_date = pair_dates(da.date, db.date)
        r = compare_tokens(ta, tb, cfg.compare, a_date=a_date, b_date=b_date)
        dropped = 0
        if r.passages and not exact and r.relation != "wholly-derived" and (
                len(da.common) or len(db.common)):
            bad = [p for p in r.passages if da.is_boiler(cfg, p.a_start, p.a_end)
                   or db.is_boiler(cfg, p.b_start, p.b_end)]
            if bad:
                dropped = len(bad)
                r = compare_tokens(_mask(ta, [(p.a_start, p.a_end) for p in bad]),
                                   _mask(tb, [(p.b_start, p.b_end) for p in bad]),
                                   cfg.compare, a_date=a_date, b_date=b_date)
        if exact and r.relation != "wholly-derived":
            # identical bodies are whole copies by definition, even where short
            # lines ("Pay April 15") are below the passage length
            r = dataclasses.replace(r, relation="wholly-derived", source_evidence=[
                *r.source_evidence, "identical text after normalization"])
        dropped_total += dropped
        # every result is kept, so a new story threshold needs no new alignment
        rows.append((a, b, shared, exact, r.relation, r.source, r.similarity, r.a_coverage,
                     r.b_coverage, len(r.passages), dropped,
                     bool(exact or r.passages or r.similarity >= cfg.story_similarity),
                     json.dumps(r.to_dict(), ensure_ascii=False), *literal_shares(r)))
        passages.extend((a, b, p.a_start, p.a_end, p.b_start, p.b_end, p.kind, p.score,
                         p.matched_words, p.edit_rate) for p in r.passages)
    return rows, passages, dropped_total


class _Runner:
    """Runs tasks inline or on a pool, with a bounded number in flight (the
    pool's own feeder would read the whole input ahead into memory)."""

    def __init__(self, cfg: ScanConfig):
        self.n = _workers(cfg.workers)
        self.pool = None
        if self.n > 1:
            methods = multiprocessing.get_all_start_methods()
            # fork starts in milliseconds; the pool is made before DuckDB opens
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self.pool = ctx.Pool(self.n, initializer=_init_worker, initargs=(cfg,))
        else:
            _init_worker(cfg)

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


class _Progress:
    """rich progress bars on stderr when enabled; silent otherwise."""

    def __init__(self, enabled: bool):
        self.p = None
        if enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self.p = Progress(TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(),
                              TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                              TimeRemainingColumn(), console=Console(stderr=True), transient=False)
            self.p.start()

    def task(self, name: str, total: int | None) -> Callable[[int], None]:
        if self.p is None:
            return lambda n: None
        tid = self.p.add_task(name, total=total, rate="")
        start = time.perf_counter()
        count = [0]

        def advance(n: int) -> None:
            count[0] += n
            rate = count[0] / max(time.perf_counter() - start, 1e-6)
            self.p.update(tid, advance=n, rate=f"{rate:,.0f}/s")
        return advance

    def close(self) -> None:
        if self.p is not None:
            self.p.stop()

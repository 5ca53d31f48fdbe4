"""Judging a pair of corpus documents: :func:`~wiretrace.compare_tokens` plus the
two rules that only hold inside a corpus.

* **Outlet boilerplate.** A passage whose n-grams are mostly grams its outlet
  repeats across many documents (``outlet_common``, found by the candidate
  plan) is the outlet's furniture, not reuse: such passages are masked and the
  pair judged again, unless it is a whole copy.
* **Identical bodies** are wholly-derived by definition, even where short
  lines ("Pay April 15") are below the passage length.

Pure functions over texts and arrays: every engine runs the same code.

    >>> cfg = ScanConfig()
    >>> a = CorpusText("Kerry said the talks in Rome went well on Tuesday.", None, np.zeros(0, np.int64))
    >>> r, dropped = judge_pair(a, a, True, cfg)
    >>> r.relation, dropped
    ('wholly-derived', 0)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._arrays import prefix_sums
from .compare import compare_tokens
from .config import ScanConfig
from .dates import pair_dates
from .fingerprint import ngram_hashes, seed_mask
from .judge import covered_mask
from .normalize import Tokens, tokenize
from .records import Comparison

__all__ = ["BOILER_SHARE", "CorpusText", "judge_pair", "mask_spans"]

#: share of a passage's grams that must be outlet boilerplate for it to be dropped
BOILER_SHARE = 0.8


def mask_spans(t: Tokens, spans: list[tuple[int, int]]) -> Tokens:
    """``t`` with ``spans`` marked as boilerplate, so they neither seed nor count.

    >>> t = mask_spans(tokenize("one two three"), [(0, 3)])
    >>> t.boiler.tolist(), t.boilerplate
    ([True, False, False], [(0, 3)])
    """
    merged: list[tuple[int, int]] = []
    for s, e in sorted(list(t.boilerplate) + spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return dataclasses.replace(t, boiler=t.boiler | covered_mask(t, spans), boilerplate=merged)


class CorpusText:
    """One document of a batch of pairs: its text, date and outlet-boilerplate grams
    (``common``, sorted), with tokens and gram windows built on first use.

    Tokenizing again per batch is as cheap as storing tokens at ingest and
    reading them back (measured on Reuters: candidate pairs are local, so a
    batch of 600 pairs needs ~800 documents), and keeps the index small."""

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


def judge_pair(da: CorpusText, db: CorpusText, exact: bool, cfg: ScanConfig) -> tuple[Comparison, int]:
    """The comparison of two corpus documents under the corpus rules (module
    docstring), and how many passages were dropped as outlet boilerplate.
    ``exact``: the candidate plan found their bodies identical after normalization."""
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
            r = compare_tokens(mask_spans(ta, [(p.a_start, p.a_end) for p in bad]),
                               mask_spans(tb, [(p.b_start, p.b_end) for p in bad]),
                               cfg.compare, a_date=a_date, b_date=b_date)
    if exact and r.relation != "wholly-derived":
        r = dataclasses.replace(r, relation="wholly-derived", source_evidence=[
            *r.source_evidence, "identical text after normalization"])
    return r, dropped

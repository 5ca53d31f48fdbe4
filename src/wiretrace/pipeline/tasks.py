"""The per-batch work of a scan, the same on every engine: records go in, rows
keyed by the columns of :mod:`wiretrace.schema` come out, and the options are
passed in (no module state), so a process pool and a Spark executor run the
very same calls.

* :func:`ingest_batch`  ``(doc, text, title)`` rows -> per document ``(doc, ntok,
  body_hash, grams)``, and the ``story_terms`` columns.
* :func:`align_batch`   candidate pairs and their documents -> ``pairs`` rows,
  ``passages`` rows and how many passages were dropped as outlet boilerplate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..candidates import body_hash
from ..config import ScanConfig
from ..corpus_judge import CorpusText, judge_pair
from ..fingerprint import document_fingerprints
from ..judge import related
from ..normalize import tokenize
from ..records import Comparison
from ..schema import PASSAGE_FIELDS
from ..stories import literal_shares
from .stories import content_terms, content_text

__all__ = ["ingest_batch", "align_batch", "pair_row", "CorpusText"]


def ingest_batch(rows: Sequence[tuple[int, str, str | None]], cfg: ScanConfig
                 ) -> tuple[list[tuple[int, int, int | None, np.ndarray]], dict[str, np.ndarray]]:
    """Tokenize and fingerprint ``(doc, text, title)`` rows: ``(doc, ntok, body_hash, grams)``
    per row, and their story terms (the ``story_terms`` columns), computed here
    while the text is at hand rather than read back for the story stage.

    >>> out, terms = ingest_batch([(0, "Kerry said the talks in Rome went well.", None)], ScanConfig())
    >>> out[0][:2], sorted(terms)
    ((0, 8), ['doc', 'kind', 'line', 'term', 'tf'])
    """
    strip = cfg.compare.strip_boilerplate
    out = []
    contents = []
    for doc, text, title in rows:
        t = tokenize(text, strip_boilerplate=strip)
        out.append((doc, len(t), body_hash(t), document_fingerprints(t, cfg.ngram)))
        # the story terms' text without boilerplate, from the spans tokenize found
        contents.append((content_text(text or "", strip, t.boilerplate), title))
    return out, content_terms([doc for doc, _, _ in rows], contents)


def pair_row(a: int, b: int, shared: int, exact: bool, r: Comparison, dropped: int,
             cfg: ScanConfig) -> dict[str, Any]:
    """The ``pairs`` row of a judged pair."""
    a_lit, b_lit = literal_shares(r)
    return {"a": a, "b": b, "shared": shared, "exact": exact, "relation": r.relation,
            "source": r.source, "similarity": r.similarity, "a_coverage": r.a_coverage,
            "b_coverage": r.b_coverage, "n_passages": len(r.passages), "boiler_dropped": dropped,
            # every result is kept, so a new story threshold needs no new alignment
            "related": related(exact, len(r.passages), r.similarity, cfg.story_similarity),
            "result": json.dumps(r.to_dict(), ensure_ascii=False),
            "a_literal": a_lit, "b_literal": b_lit}


def align_batch(pairs: Sequence[tuple[int, int, int, bool]], docs: Mapping[int, CorpusText],
                cfg: ScanConfig) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Judge candidate pairs ``(a, b, shared, exact)`` (:func:`wiretrace.corpus_judge.judge_pair`):
    ``(pairs rows, passages rows, passages dropped as outlet boilerplate)``.
    ``docs`` holds every document the pairs name; each is tokenized once."""
    rows, passages, dropped_total = [], [], 0
    for a, b, shared, exact in pairs:
        r, dropped = judge_pair(docs[a], docs[b], exact, cfg)
        dropped_total += dropped
        rows.append(pair_row(a, b, shared, exact, r, dropped, cfg))
        for p in r.passages:
            row = {"a": a, "b": b}
            row.update((f, getattr(p, f)) for f in PASSAGE_FIELDS)
            passages.append(row)
    return rows, passages, dropped_total

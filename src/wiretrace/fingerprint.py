"""Hashed word n-grams: the seeds of alignment and the postings of the corpus index.

Pure numpy over the token id arrays produced by :mod:`wiretrace.normalize`.
"""

from __future__ import annotations

import numpy as np

from .normalize import Tokens, form_id

# Short function words: an n-gram made only of these ("it is the") says nothing
# about reuse and would seed spurious matches.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves s t said says say one two new mr mrs ms per""".split()
)
_STOP_IDS = np.array(sorted(form_id(w) for w in STOPWORDS), dtype=np.int64)

# Odd 64-bit multipliers, one per position in the n-gram (up to 16 words).
MULT = np.array(
    [0x9E3779B97F4A7C15 ^ (0xBF58476D1CE4E5B9 * (k + 1) & 0xFFFFFFFFFFFFFFFF) | 1 for k in range(16)],
    dtype=np.uint64,
)


def is_stopword(ids: np.ndarray) -> np.ndarray:
    """Boolean mask of stopword ids.

    >>> from wiretrace.normalize import tokenize
    >>> is_stopword(tokenize("the cat").ids).tolist()
    [True, False]
    """
    pos = np.searchsorted(_STOP_IDS, ids)
    pos = np.minimum(pos, len(_STOP_IDS) - 1)
    return _STOP_IDS[pos] == ids


def stop_mask(tokens: Tokens) -> np.ndarray:
    """:func:`is_stopword` of a text's ids, computed once per text (read-only).

    >>> from wiretrace.normalize import tokenize
    >>> stop_mask(tokenize("the cat")).tolist()
    [True, False]
    """
    return tokens.cached("stop_mask", lambda: is_stopword(tokens.ids))


def ngram_hashes(ids: np.ndarray, n: int) -> np.ndarray:
    """One int64 hash per window of ``n`` consecutive ids (``len(ids) - n + 1`` of them).

    >>> ngram_hashes(np.array([1, 2, 3, 1, 2, 3]), 3).tolist()[0] == ngram_hashes(np.array([1, 2, 3]), 3).tolist()[0]
    True
    """
    m = len(ids) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.int64)
    u = ids.astype(np.uint64, copy=False)
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h ^= u[k : k + m] * MULT[k]
            h = (h << np.uint64(7)) | (h >> np.uint64(57))
        h ^= h >> np.uint64(31)
    return (h >> np.uint64(1)).astype(np.int64)


def seed_mask(tokens: Tokens, n: int) -> np.ndarray:
    """Which n-gram windows may seed a match: no boilerplate word inside, and at
    least one word that is not a stopword."""
    m = len(tokens) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=bool)
    content = (~stop_mask(tokens)) & (~tokens.boiler)
    boiler = tokens.boiler
    has_content = np.zeros(m, dtype=bool)
    has_boiler = np.zeros(m, dtype=bool)
    for k in range(n):
        has_content |= content[k : k + m]
        has_boiler |= boiler[k : k + m]
    return has_content & ~has_boiler


def document_fingerprints(tokens: Tokens, n: int) -> np.ndarray:
    """Distinct n-gram hashes of one document usable as corpus postings, sorted.

    >>> from wiretrace.normalize import tokenize
    >>> len(document_fingerprints(tokenize("Kerry said the talks in Rome went well"), 5)) > 0
    True
    """
    h = ngram_hashes(tokens.ids, n)
    return np.unique(h[seed_mask(tokens, n)])

"""Story evidence across languages. Pure functions, no I/O.

The story score (:func:`wiretrace.candidates.story_steps`) is a TF-IDF cosine
of words, names and numbers: a German and an English report of one event share
a few names at most, and a Chinese one shares nothing. A multilingual sentence
embedding (multilingual-e5-small, :mod:`wiretrace.meaning.embed`) puts the
leads of two reports of one event close together whatever their languages.

So, in a corpus of several languages, each document's lead (:func:`lead`) is
embedded once, and each document's nearest neighbours *in other languages*
(:func:`cross_pairs`) whose cosine comes near ``story_cross_cos`` become story
pairs. :func:`story_score` puts such a cosine on the story score's scale: the
bar scores exactly ``story_threshold``, so a pair at the bar joins two single
documents, and one a little under it adds to a cluster's mean like any story
pair (a weak one).
Pairs of one language are left to the lexical score, which is stronger there;
a corpus of one language pays nothing (:func:`is_multilingual`).

This is story evidence only ("these report one event"), never evidence of
reuse: a derived claim across languages needs translated passages
(:mod:`wiretrace.meaning.translation`).

    >>> import numpy as np
    >>> v = np.array([[1, 0], [0.96, 0.28], [0, 1]], np.float32)
    >>> a, b, cos = cross_pairs(["en", "de", "fr"], v, k=2, min_cos=0.9)
    >>> list(zip(a.tolist(), b.tolist()))
    [(0, 1)]
    >>> round(float(story_score(0.9, min_cos=0.9, threshold=0.2)), 3)
    0.2
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["BELOW", "LEAD_CHARS", "cross_pairs", "is_multilingual", "lead", "story_score"]

#: characters of a document's content embedded as its lead: the opening
#: paragraph names the event (and e5 reads ~512 word pieces at most)
LEAD_CHARS = 600
#: cosines this far under the bar still count, under the story threshold (story_score)
BELOW = 0.05
#: rows of the cosine matrix computed at once (a block of 1024 x N floats)
BLOCK = 1024


def lead(content: str, title: str | None = None, chars: int = LEAD_CHARS) -> str:
    """The text embedded for a document: its title, then its content, with runs
    of white space made one space, cut to ``chars`` characters.

    >>> lead("Talks  began\\n on Monday.", "Peace talks")
    'Peace talks. Talks began on Monday.'
    """
    text = " ".join(content.split())
    head = " ".join((title or "").split())
    if head and not text.startswith(head):
        text = f"{head.rstrip('.')}. {text}"
    return text[:chars]


def is_multilingual(langs: Sequence[str], min_docs: int = 2) -> bool:
    """Whether documents of at least two known languages are each ``min_docs``
    or more (one stray quotation in another language does not make a corpus
    multilingual).

    >>> is_multilingual(["en", "en", "de", "de", ""]), is_multilingual(["en", "en", "de", ""])
    (True, False)
    """
    counts = Counter(x for x in langs if x)
    return sum(1 for n in counts.values() if n >= min_docs) >= 2


def cross_pairs(langs: Sequence[str], vecs: np.ndarray, *, k: int, min_cos: float,
                block: int = BLOCK) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row pairs ``(a, b, cosine)`` with ``a < b``, the two rows in different known
    languages, ``b`` among the ``k`` nearest other-language rows of ``a`` or the
    other way round, and cosine ``>= min_cos``. ``vecs`` are unit rows; a row of
    unknown language ("") pairs with nothing.

    Exact search, blockwise: the work grows with the square of the rows (100k
    documents: about 4e12 multiply-adds, minutes on two cores).
    """
    n = len(langs)
    if n == 0 or k <= 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0, np.float32)
    codes = {lang: i for i, lang in enumerate(sorted(set(langs)))}
    lang = np.array([codes[x] for x in langs], np.int32)
    known = np.array([bool(x) for x in langs])
    vecs = np.asarray(vecs, np.float32)
    found_a, found_b, found_c = [], [], []
    kk = min(k, n)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        sims = vecs[lo:hi] @ vecs.T
        # same language (this row's own included) or unknown language: never a pair
        sims[lang[lo:hi, None] == lang[None, :]] = -2.0
        sims[:, ~known] = -2.0
        sims[~known[lo:hi]] = -2.0
        top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk] if kk < n else np.tile(np.arange(n), (hi - lo, 1))
        rows = np.repeat(np.arange(lo, hi), top.shape[1])
        cols = top.ravel()
        cos = sims[rows - lo, cols]
        keep = cos >= min_cos
        found_a.append(rows[keep])
        found_b.append(cols[keep])
        found_c.append(cos[keep])
    a, b, c = (np.concatenate(x) for x in (found_a, found_b, found_c))
    lo_, hi_ = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((hi_, lo_))
    lo_, hi_, c = lo_[order], hi_[order], c[order]
    first = np.ones(len(lo_), bool)
    first[1:] = (lo_[1:] != lo_[:-1]) | (hi_[1:] != hi_[:-1])
    return lo_[first].astype(np.int64), hi_[first].astype(np.int64), c[first].astype(np.float32)


def story_score(cos: np.ndarray | float, *, min_cos: float, threshold: float) -> np.ndarray | float:
    """A cross-language cosine on the story score's scale, piecewise linear: the
    bar ``min_cos`` maps to ``threshold`` and 1 to 1; under the bar, down to
    ``min_cos - BELOW``, a cosine scores from ``threshold`` to 0. Such a pair never
    joins two documents on its own (it scores under the threshold), but it counts
    in a cluster's mean: a third report close to the bar joins the two that agree.

    >>> [round(float(story_score(c, min_cos=0.87, threshold=0.2)), 3) for c in (1.0, 0.87, 0.845, 0.8)]
    [1.0, 0.2, 0.1, 0.0]
    """
    c = np.asarray(cos, np.float64)
    above = threshold + (1.0 - threshold) * (c - min_cos) / max(1e-9, 1.0 - min_cos)
    below = threshold * (c - (min_cos - BELOW)) / BELOW
    return np.clip(np.where(c >= min_cos, above, below), 0.0, 1.0)

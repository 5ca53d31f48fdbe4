"""Story similarity: one calibrated number in [0, 1] for any pair of texts.

A linear blend of a few features (clipped to [0, 1]), each meaningful on its own:

- ``lex``: damped-tf cosine over content words, names weighted up;
- ``recall``: share of the content words of the *less* covered side that the
  other text also uses (low when one text adds a lot the other lacks);
- ``emb``: cosine of the MiniLM embeddings of the two leads (semantic mode);
- ``reuse``: sqrt(a_coverage * b_coverage) from the aligned passages;
- ``names``: Dice overlap of capitalised names (aliases folded);
- ``numbers``: share of numbers that only one side has (a disagreement signal).

The coefficients were fitted once on dev data by ``python bench/fit_similarity.py``
(and ``--lexical``): the article regime on SemEval-2022 task 8 en-en pairs
(target (4 - Overall) / 3), the sentence regime on MSRP train, each slope held
to its natural sign (non-negative least squares), and are kept here as
constants. Figures at fitting time (Pearson vs -Overall; 5-fold CV in brackets):

=========  ==============  ===========  ==========================
mode       SemEval en-en   MSRP AUC     SemEval, all languages
=========  ==============  ===========  ==========================
semantic   0.841 (0.834)   0.788 (.786) 0.544 (en-en + 300 others)
lexical    0.734 (0.730)   0.763 (.762) 0.433 (all 1283 pairs)
=========  ==============  ===========  ==========================
Texts with no passage still get a graded value from the word, name and
embedding features.
"""

from __future__ import annotations

import math

import numpy as np

from ..fingerprint import is_stopword
from ..normalize import Tokens
from .aliases import canonical
from .facts import sentence_initial

#: characters of each text's lead that are embedded (MiniLM reads ~256 word pieces)
LEAD_CHARS = 1200

# Fitted by `python bench/fit_similarity.py` (semantic) and `... --lexical`; see
# the module docstring. Order: intercept, lex, recall, emb, reuse, names, numbers.
# Two regimes: DOC is fitted on SemEval-2022 en-en article pairs (graded), SENT
# on MSRP sentence pairs (binary); GATE_WORDS blends them by the shorter text's
# length, so articles use DOC and single sentences SENT.
COEF_SEMANTIC_DOC = (-0.060, 0.0, 0.0, 1.095, 0.115, 0.0, 0.0)
COEF_SEMANTIC_SENT = (-0.418, 0.0, 0.609, 0.826, 0.105, 0.0, -0.106)
COEF_LEXICAL_DOC = (0.078, 1.541, 0.0, 0.0, 0.0, 0.0, 0.0)
COEF_LEXICAL_SENT = (-0.006, 0.0, 1.057, 0.0, 0.069, 0.0, -0.098)
#: share of the scale reserved for literal reuse: only texts whose words are
#: reused (verbatim or edited passages) reach the top, so a copy outranks an
#: edit, which outranks a paraphrase of the same story
LITERAL_WEIGHT = 0.15
#: words (of the shorter text) at which the two regimes weigh equally, and the spread
GATE_WORDS = 30.0
GATE_SCALE = 2.0

FEATURES = ("lex", "recall", "emb", "reuse", "names", "numbers")


def _content(t: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Content-word ids (no stopwords, boilerplate or one-letter words) and caps flags."""
    keep = ~is_stopword(t.ids) & ~t.boiler & ((t.ends - t.starts) > 1)
    return t.ids[keep], t.caps[keep]


def _lex_cos(ia: np.ndarray, ca: np.ndarray, ib: np.ndarray, cb: np.ndarray) -> float:
    def bag(ids, caps):
        w = np.where(caps, 2.0, 1.0)
        uniq, inv = np.unique(ids, return_inverse=True)
        tf = np.bincount(inv, weights=w, minlength=len(uniq))
        return uniq, 1.0 + np.log(np.maximum(tf, 1.0))

    ua, wa = bag(ia, ca)
    ub, wb = bag(ib, cb)
    if len(ua) == 0 or len(ub) == 0:
        return 0.0
    _, xa, xb = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    return float(wa[xa] @ wb[xb] / (np.linalg.norm(wa) * np.linalg.norm(wb)))


def _recall(ia: np.ndarray, ib: np.ndarray) -> float:
    sa, sb = np.unique(ia), np.unique(ib)
    if len(sa) == 0 or len(sb) == 0:
        return 0.0
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    return min(inter / len(sa), inter / len(sb))


def _names(t: Tokens) -> set[str]:
    """Capitalised words not opening a sentence, folded through the alias table."""
    ini = sentence_initial(t)
    mask = t.caps & ~ini & ~t.boiler
    out = set()
    for k in np.flatnonzero(mask).tolist():
        raw = t.text[int(t.starts[k]):int(t.ends[k])]
        out.add(canonical(raw))
    return out


def _numbers(t: Tokens) -> set[str]:
    return {f for f in t.forms if f[:1].isdigit()}


def _lead(t: Tokens) -> str:
    text = t.text
    if t.boilerplate:
        # drop bylines and datelines from the lead
        keep, pos = [], 0
        for s, e in sorted(t.boilerplate):
            keep.append(text[pos:s])
            pos = max(pos, e)
        keep.append(text[pos:])
        text = " ".join(x.strip() for x in keep if x.strip())
    return " ".join(text[:LEAD_CHARS].split())


def features(ta: Tokens, tb: Tokens, a_cov: float, b_cov: float, encode=None,
             needed: frozenset[str] | None = None) -> dict[str, float]:
    """The similarity features of a pair (``emb`` is 0 without an encoder).

    ``needed`` limits the work to the features with a non-zero coefficient
    (the others are reported as 0.0); None computes all of them.
    """
    want = needed if needed is not None else frozenset(FEATURES)
    out = dict.fromkeys(FEATURES, 0.0)
    if want & {"lex", "recall"}:
        ia, ca = _content(ta)
        ib, cb = _content(tb)
        if "lex" in want:
            out["lex"] = _lex_cos(ia, ca, ib, cb)
        if "recall" in want:
            out["recall"] = _recall(ia, ib)
    if "emb" in want and encode is not None and len(ta) and len(tb):
        v = encode([_lead(ta), _lead(tb)])
        out["emb"] = float(v[0] @ v[1])
    if "reuse" in want:
        out["reuse"] = math.sqrt(max(0.0, a_cov) * max(0.0, b_cov))
    if "names" in want:
        na, nb = _names(ta), _names(tb)
        out["names"] = 2 * len(na & nb) / (len(na) + len(nb)) if na or nb else 0.0
    if "numbers" in want:
        ma, mb = _numbers(ta), _numbers(tb)
        out["numbers"] = len(ma ^ mb) / len(ma | mb) if ma or mb else 0.0
    return out


def _needed(semantic: bool) -> frozenset[str]:
    coefs = (COEF_SEMANTIC_DOC, COEF_SEMANTIC_SENT) if semantic else (COEF_LEXICAL_DOC, COEF_LEXICAL_SENT)
    return frozenset(n for k, n in enumerate(FEATURES) if any(c[k + 1] != 0.0 for c in coefs))


def gate(words: int) -> float:
    """Weight of the sentence regime for a pair whose shorter text has ``words`` tokens."""
    # clamp: exp overflows past ~709, and beyond ±50 the logistic is 0 or 1 anyway
    x = max(-50.0, min(50.0, (words - GATE_WORDS) / GATE_SCALE))
    return 1.0 / (1.0 + math.exp(x))


def squash(z):
    """Map the linear blend into (0, 1): identity on [0.1, 0.9], exponential tails
    outside, so pairs far below or above the fitted range stay ranked (graded)
    instead of being clipped to one value (numpy friendly)."""
    import numpy as _np

    z = _np.asarray(z, dtype=float)
    lo = 0.1 * _np.exp((_np.minimum(z, 0.1) - 0.1) / 0.1)
    hi = 1.0 - 0.1 * _np.exp(-(_np.maximum(z, 0.9) - 0.9) / 0.1)
    return _np.where(z < 0.1, lo, _np.where(z > 0.9, hi, z))


def finish(z, literal, g=0.0):
    """Final similarity from the blend ``z``, the literal-reuse share and the
    sentence-regime weight ``g`` (numpy friendly).

    For articles the top of the scale is kept for literal reuse and a pair
    scores at least its literal share; single sentences (MSRP-like pairs)
    are left to the sentence regime, where sharing a verbatim stretch is not
    evidence of saying the same thing (a copied sentence scores ~0.99).
    """
    import numpy as _np

    g = _np.asarray(g, dtype=float)
    literal = _np.asarray(literal, dtype=float)
    w = LITERAL_WEIGHT * (1.0 - g)
    return _np.maximum((1.0 - w) * squash(z) + w * literal, literal * (1.0 - g))


def blend(f: dict[str, float], semantic: bool, words: int = 1000) -> float:
    """The linear blend (unclipped) from the features (``words``: the shorter text's length)."""
    g = gate(words)
    doc, sent = (COEF_SEMANTIC_DOC, COEF_SEMANTIC_SENT) if semantic else (COEF_LEXICAL_DOC, COEF_LEXICAL_SENT)
    z = 0.0
    for coef, w in ((doc, 1.0 - g), (sent, g)):
        z += w * (coef[0] + sum(c * f[name] for c, name in zip(coef[1:], FEATURES)))
    return z


def similarity(ta: Tokens, tb: Tokens, passages, a_cov: float, b_cov: float, cfg) -> float:
    """``Comparison.similarity``: graded in [0, 1], 1 = the same story told the same way.

    For articles the top of the scale is reserved for literal reuse
    (:data:`LITERAL_WEIGHT`) and a pair scores at least its literal reuse (the
    smaller coverage by verbatim and edited passages), so a verbatim copy is 1.
    """
    if len(ta) == 0 or len(tb) == 0:
        return 0.0
    from . import semantic_active
    from .embed import encode

    semantic = semantic_active(cfg)
    try:
        f = features(ta, tb, a_cov, b_cov, encode if semantic else None, _needed(semantic))
    except RuntimeError:  # the backend failed mid-run: lexical features only
        semantic = False
        f = features(ta, tb, a_cov, b_cov, None, _needed(False))
    words = min(len(ta), len(tb))
    sim = float(finish(blend(f, semantic, words), _lexical_coverage(ta, tb, passages), gate(words)))
    if sim < 1.0 and _lexical_coverage(ta, tb, passages, ("verbatim",)) >= 0.999:
        sim = 1.0  # the same words throughout: the same story told the same way
    return round(min(1.0, max(0.0, sim)), 4)


def _lexical_coverage(ta: Tokens, tb: Tokens, passages, kinds=("verbatim", "edited")) -> float:
    """min(a, b) coverage by passages of the given kinds (by default not paraphrases)."""
    from ..judge import coverage

    lex = [p for p in passages if p.kind in kinds]
    if not lex:
        return 0.0
    return min(coverage(ta, [(p.a_start, p.a_end) for p in lex]),
               coverage(tb, [(p.b_start, p.b_end) for p in lex]))

"""Judgements over an alignment: coverage, METER relation, likelier source,
story-level similarity and the spans each text has on its own."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np

from ._arrays import group_ends
from .boilerplate import wire_signals
from .config import CompareConfig
from .fingerprint import stop_mask
from .normalize import Tokens
from .records import Passage, Span


def covered_mask(tokens: Tokens, spans: list[tuple[int, int]]) -> np.ndarray:
    """Tokens lying inside any of the character spans (read-only: the mask is
    remembered per text, since one comparison asks for the same spans several times)."""
    n = len(tokens)
    if not spans or n == 0:
        return np.zeros(n, dtype=bool)
    key = tuple(spans)
    seen = tokens.memo.get("covered")
    if seen is None:
        seen = tokens.memo["covered"] = {}
    mask = seen.get(key)
    if mask is None:
        sp = np.asarray(spans, dtype=np.int64)
        lo = tokens.starts.searchsorted(sp[:, 0], "left")
        hi = tokens.ends.searchsorted(sp[:, 1], "right")
        delta = np.bincount(lo, minlength=n + 1) - np.bincount(hi, minlength=n + 1)
        mask = delta[:n].cumsum() > 0
        mask.flags.writeable = False
        if len(seen) >= 16:  # a scan meets this text in many pairs: keep only recent spans
            seen.clear()
        seen[key] = mask
    return mask


def coverage(tokens: Tokens, spans: list[tuple[int, int]]) -> float:
    """Share of the text's word characters (boilerplate excluded) inside ``spans``.

    >>> from wiretrace.normalize import tokenize
    >>> coverage(tokenize("aa bb"), [(0, 2)])
    0.5
    """
    if len(tokens) == 0:
        return 0.0
    weight, total = tokens.cached("char_weight", lambda: _char_weight(tokens))
    if total == 0:
        return 0.0
    return float(weight[covered_mask(tokens, spans)].sum() / total)


def _char_weight(tokens: Tokens) -> tuple[np.ndarray, int]:
    weight = (tokens.ends - tokens.starts) * ~tokens.boiler
    return weight, int(weight.sum())


def relation(a_cov: float, b_cov: float, source: str | None, cfg: CompareConfig, *,
             derived: bool = True, source_is_firm: bool = False) -> str:
    """METER relation: how a stands to b.

    ``derived``: whether the pair's evidence shows reuse at all (a shared run
    of the writers' own words, or a text retold sentence by sentence; see
    :mod:`wiretrace.meaning.evidence`); without it the pair is non-derived,
    whatever the coverage. A derived pair is wholly derived when the derived
    side's coverage reaches ``wholly_derived_coverage``. The coverage is read
    on a, unless a is *firmly* the original (dates or wire signals say so), in
    which case it is read on b. Coverage asymmetry alone never flips the
    reading: "a contains b" is a trimmed copy in news but an embedded excerpt
    in plagiarism, so it is no firm evidence.

    >>> relation(0.95, 0.5, "b", CompareConfig())
    'wholly-derived'
    >>> relation(0.3, 0.95, "a", CompareConfig(), source_is_firm=True)
    'wholly-derived'
    >>> relation(0.3, 0.3, None, CompareConfig(), derived=False)
    'non-derived'
    """
    if not derived:
        return "non-derived"
    cov = b_cov if (source == "a" and source_is_firm) else a_cov
    if cov >= cfg.wholly_derived_coverage:
        return "wholly-derived"
    return "partially-derived"


def _when(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)
    except (TypeError, ValueError):
        return None


def likely_source(a: Tokens, b: Tokens, passages: list[Passage], a_cov: float, b_cov: float,
                  a_date=None, b_date=None) -> tuple[str | None, list[str], bool]:
    """Which text is the likelier original, the evidence (strongest first), and
    whether that evidence is firm (dates, agency datelines, bylines, credits)
    rather than coverage asymmetry alone.

    Dates decide when both are given and differ. Otherwise agency datelines,
    bylines and credit lines count for the text that carries them, and the
    text that keeps less of the other (the copy keeps most of its source,
    the source keeps only what was picked) leans towards being the source.
    """
    if not passages:
        return None, [], False
    evidence: list[str] = []
    ta, tb = _when(a_date), _when(b_date)
    if ta is not None and tb is not None and ta != tb:
        side = "a" if ta < tb else "b"
        evidence.append(f"{side} is dated earlier ({min(ta, tb).isoformat()})")
        return side, evidence, True
    score = 0.0  # > 0 favours a as the source
    sa = wire_signals(a.text, a.paragraphs)
    sb = wire_signals(b.text, b.paragraphs)
    score += 1.0 * len(sa) - 1.0 * len(sb)
    firm = len(sa) != len(sb)
    evidence += [f"a has {s}" for s in sa] + [f"b has {s}" for s in sb]
    diff = b_cov - a_cov
    if abs(diff) >= 0.05:
        score += max(-1.5, min(1.5, diff * 5))
        evidence.append(
            f"{'b' if diff > 0 else 'a'} keeps more of the other "
            f"(coverage a={a_cov:.2f}, b={b_cov:.2f})"
        )
    if abs(score) < 0.25:
        return None, evidence, False
    side = "a" if score > 0 else "b"
    return side, evidence, firm and (len(sa) > len(sb)) == (side == "a")


def _bag(tokens: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Content-word ids and their damped weights; names and numbers count double."""
    keep = ~stop_mask(tokens) & ~tokens.boiler & ((tokens.ends - tokens.starts) > 1)
    ids = tokens.ids[keep]
    w = np.where(tokens.caps[keep], 2.0, 1.0)
    uniq, inv = np.unique(ids, return_inverse=True)
    tf = np.bincount(inv, weights=w, minlength=len(uniq))
    return uniq, 1.0 + np.log(np.maximum(tf, 1.0))


def lexical_similarity(a: Tokens, b: Tokens, a_cov: float, b_cov: float) -> float:
    """Graded story similarity in [0, 1] from shared content words and reuse.

    A damped (log) tf cosine over content words, names weighted up, blended
    with the reuse coverage so that copies score near 1.
    """
    ia, wa = _bag(a)
    ib, wb = _bag(b)
    if len(ia) == 0 or len(ib) == 0:
        return 0.0
    _, xa, xb = np.intersect1d(ia, ib, assume_unique=True, return_indices=True)
    cos = float(wa[xa] @ wb[xb] / (np.linalg.norm(wa) * np.linalg.norm(wb)))
    reuse = math.sqrt(a_cov * b_cov)
    sim = max(cos, 0.5 * cos + 0.5 * reuse, min(a_cov, b_cov))
    return float(round(min(1.0, max(0.0, sim)), 4))


def uncovered_spans(tokens: Tokens, spans: list[tuple[int, int]]) -> list[Span]:
    """Stretches of content words outside every span, one per paragraph run.

    >>> from wiretrace.normalize import tokenize
    >>> [s.text for s in uncovered_spans(tokenize("one two three four five"), [(0, 7)])]
    ['three four five']
    """
    outside = ~(covered_mask(tokens, spans) | tokens.boiler)
    if not outside.any():
        return []
    idx = np.flatnonzero(outside)
    brk = np.ones(len(idx), dtype=bool)
    brk[1:] = (idx[1:] != idx[:-1] + 1) | (tokens.para[idx[1:]] != tokens.para[idx[:-1]])
    first = idx[brk]
    last = idx[group_ends(np.flatnonzero(brk), len(idx))]
    out: list[Span] = []
    for i, j in zip(first.tolist(), last.tolist()):
        # single stray words between passages are alignment noise, not added content
        if j - i < 2 and len(first) > 1:
            continue
        s, e = int(tokens.starts[i]), int(tokens.ends[j])
        out.append(Span(s, e, tokens.text[s:e]))
    return out


#: :func:`related` as a SQL condition over a ``pairs`` row (one parameter: the threshold)
RELATED_SQL = "exact OR n_passages > 0 OR similarity >= ?"


def related(exact: bool, n_passages: int, similarity: float, story_similarity: float) -> bool:
    """Whether a judged pair is kept as related (listed in pairs.jsonl, a story link):
    an exact duplicate, any passage, or a story similarity at the threshold.
    :data:`RELATED_SQL` is the same rule for pairs already stored.

    >>> related(False, 0, 0.2, 0.35), related(False, 1, 0.0, 0.35)
    (False, True)
    """
    return bool(exact or n_passages or similarity >= story_similarity)

"""Paraphrase passages: sentences the lexical pass left unaligned, matched by meaning.

Only *gap* sentences (mostly outside lexical passages) are considered. Each
gap sentence pair gets lexical evidence (shared content words, names,
numbers, an existing short passage joining them) and, when the semantic extra
is installed, the cosine of their sentence embeddings (on one scale for every
model: ``embed.Backend.calibrate``). Two sentences on the same
topic are not a reused passage, so a pair is accepted only when the cosine and
the lexical evidence agree (see :func:`pair_score`); pairs are then taken
best first, one-to-one. A paraphrase passage spans whole sentences and
absorbs the short lexical passages lying inside the same sentence pair (the
"40 per cent … 20 per cent" fragment of the seed pair), so a sentence pair is
described once; it never overlaps a passage it does not absorb.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from .._arrays import prefix_sums
from ..fingerprint import STOPWORDS
from ..judge import covered_mask
from ..normalize import Tokens, sentence_spans
from ..records import Passage
from .aliases import canonical, same_entity
from .facts import known_capitals, mentions, quantities_and_dates

#: a sentence is a gap when at most this share of its words is in lexical passages
GAP_MAX_COVERED = 0.5
#: sentences shorter than this many words are not matched on their own
MIN_SENTENCE_WORDS = 5
#: accept a pair at or above this score (see pair_score); lexical evidence alone
#: is held higher (checked on SemEval en-en pairs judged different stories)
MIN_SCORE = 0.7
MIN_SCORE_LEXICAL = 0.9
#: at most this many gap sentences per text are matched (very long texts)
MAX_SENTENCES = 400


@dataclass(slots=True)
class Sentence:
    """One sentence of a text: characters ``s..e``, tokens ``i..j``, its evidence."""

    s: int
    e: int
    i: int
    j: int
    covered: float
    words: frozenset = field(default_factory=frozenset)
    names: tuple = ()
    numbers: frozenset = field(default_factory=frozenset)
    text: str = ""
    done: bool = False


def sentences(t: Tokens, known: frozenset[str], covered: np.ndarray | None = None,
              initial: np.ndarray | None = None, only_gaps: bool = False) -> list[Sentence]:
    """The text's sentences with token ranges, lexical coverage and evidence sets.

    With ``only_gaps``, paragraphs with fewer than MIN_SENTENCE_WORDS uncovered
    words are not even split (the costly step), and only gap sentences get
    their evidence computed.
    """
    out: list[Sentence] = []
    if len(t) == 0:
        return out
    starts = t.starts
    paragraphs = t.paragraphs
    if only_gaps and covered is not None and paragraphs:
        free = np.bincount(t.para[~covered & ~t.boiler], minlength=len(paragraphs))
        paragraphs = [p for k, p in enumerate(paragraphs) if free[k] >= MIN_SENTENCE_WORDS]
    spans = _sentence_spans(t.text, paragraphs)
    if not spans:
        return out
    # token ranges, boilerplate and coverage of all sentences at once (prefix sums)
    se = np.array(spans, dtype=np.int64).reshape(-1, 2)
    ii = starts.searchsorted(se[:, 0], "left")
    jj = starts.searchsorted(se[:, 1], "left")
    boil = prefix_sums(t.boiler)
    cum = prefix_sums(covered) if covered is not None else None
    ok = (jj > ii) & (boil[jj] == boil[ii])
    for k in np.flatnonzero(ok).tolist():
        i, j = int(ii[k]), int(jj[k])
        cov = float(cum[j] - cum[i]) / (j - i) if cum is not None else 0.0
        out.append(Sentence(spans[k][0], spans[k][1], i, j, cov))
    forms = t.forms
    for sen in out:
        if not only_gaps or _is_gap(sen):
            sen.words = frozenset(f[:6] for f in forms[sen.i:sen.j]
                                  if len(f) > 2 and f not in STOPWORDS and not f[:1].isdigit())
            sen.text = t.text[sen.s:sen.e]
            if not only_gaps:
                _evidence(t, sen, known, initial)
    return out


_SPLIT_CACHE: OrderedDict[str, list[tuple[int, int]]] = OrderedDict()
_SPLIT_CACHE_SIZE = 50_000


def _sentence_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """:func:`~wiretrace.normalize.sentence_spans`, cached per paragraph text.

    Splitting is the costly step of the lexical pass, and in a corpus scan one
    document meets many others: its paragraphs are split once.
    """
    out: list[tuple[int, int]] = []
    for ps, pe in paragraphs:
        chunk = text[ps:pe]
        rel = _SPLIT_CACHE.get(chunk)
        if rel is None:
            rel = sentence_spans(chunk, [(0, len(chunk))])
            _SPLIT_CACHE[chunk] = rel
            if len(_SPLIT_CACHE) > _SPLIT_CACHE_SIZE:
                try:
                    _SPLIT_CACHE.popitem(last=False)
                except KeyError:  # another thread emptied it first
                    pass
        else:
            try:
                _SPLIT_CACHE.move_to_end(chunk)
            except KeyError:
                pass
        out.extend((ps + s, ps + e) for s, e in rel)
    return out


def _is_gap(x: Sentence) -> bool:
    return x.covered <= GAP_MAX_COVERED and x.j - x.i >= MIN_SENTENCE_WORDS


def _evidence(t: Tokens, sen: Sentence, known: frozenset[str], initial: np.ndarray | None = None) -> None:
    """Names and numbers of a sentence (computed only for candidate pairs)."""
    if sen.done:
        return
    sen.names = tuple(canonical(m.value) for m in mentions(t, sen.i, sen.j, known, initial))
    sen.numbers = frozenset((f.value, f.unit if f.kind == "number" and f.unit == "percent" else f.kind)
                            for f in quantities_and_dates(t, sen.i, sen.j)
                            if f.kind == "number" or f.sub == "year")
    sen.done = True


@dataclass(frozen=True, slots=True)
class PairEvidence:
    dice: float        # content-word Dice (crude stems)
    shared_words: int
    shared_names: int
    missing_names: int  # names of the shorter side with no counterpart on the other
    shared_numbers: int
    clashing_numbers: int
    anchored: bool      # a lexical passage already joins the two sentences


def evidence(x: Sentence, y: Sentence, anchored: bool) -> PairEvidence:
    shared = len(x.words & y.words)
    dice = 2 * shared / max(1, len(x.words) + len(y.words))
    sn = sum(1 for n in x.names if any(same_entity(n, m) for m in y.names))
    small, big = (x.names, y.names) if len(x.names) <= len(y.names) else (y.names, x.names)
    miss = sum(1 for n in set(small) if not any(same_entity(n, m) for m in big))
    snum = len(x.numbers & y.numbers)
    clash = min(len(x.numbers - y.numbers), len(y.numbers - x.numbers))
    return PairEvidence(dice, shared, sn, miss, snum, clash, anchored)


def pair_score(ev: PairEvidence, cos: float | None, min_cosine: float = 0.72) -> float:
    """Belief in [0, 1] that two sentences state the same thing.

    With embeddings: the cosine, lifted by shared names/numbers/words and an
    anchoring lexical passage, lowered by names only one side has. Without:
    lexical evidence alone, held to a stricter standard (it cannot see
    synonyms, so it must see many shared words or a numeric anchor).
    """
    lex = (1.6 * ev.dice + 0.12 * min(ev.shared_names, 3) + 0.15 * min(ev.shared_numbers, 3)
           + (0.2 if ev.anchored else 0.0) - 0.12 * min(ev.missing_names, 3)
           - 0.2 * min(ev.clashing_numbers, 2))
    if cos is None:
        z = 6.0 * (lex - 0.75)
    else:
        z = 10.0 * (cos - min_cosine) + 5.0 * (lex - 0.35)
    return 1.0 / (1.0 + math.exp(-z))


def _anchors(passages: list[Passage], sa: list[Sentence], sb: list[Sentence]) -> dict[tuple[int, int], list[int]]:
    """Sentence pairs joined by a lexical passage lying inside both: pair -> passage indices."""
    out: dict[tuple[int, int], list[int]] = {}
    if not passages:
        return out
    a_st = [x.s for x in sa]
    b_st = [y.s for y in sb]
    for k, p in enumerate(passages):
        ia = bisect_right(a_st, p.a_start) - 1
        ib = bisect_right(b_st, p.b_start) - 1
        if ia < 0 or ib < 0:
            continue
        if p.a_end <= sa[ia].e and p.b_end <= sb[ib].e:
            out.setdefault((ia, ib), []).append(k)
    return out


def find(ta: Tokens, tb: Tokens, passages: list[Passage], encode=None,
         min_cosine: float | None = None, known: frozenset[str] | None = None,
         initial: tuple | None = None, extra: list[str] | None = None,
         calibrate=None) -> tuple[list[Passage], bool]:
    """Add paraphrase passages to ``passages`` (sorted by a_start).

    ``encode`` maps a list of sentence strings to unit vectors (the semantic
    backend) or is None for lexical evidence only; ``extra`` texts are
    embedded in the same batch (the caller's later lookups then hit the
    cache); ``calibrate`` maps the model's raw cosines onto the scale
    ``min_cosine`` is set on (None: as they are). Returns the new passage list
    and whether the embedding pass ran.
    """
    extra = list(extra or [])
    a_spans = [(p.a_start, p.a_end) for p in passages]
    b_spans = [(p.b_start, p.b_end) for p in passages]
    cov_a = covered_mask(ta, a_spans)
    cov_b = covered_mask(tb, b_spans)
    if known is None:
        known = known_capitals(ta) | known_capitals(tb)
    ia, ib = initial if initial is not None else (None, None)
    sa = sentences(ta, known, cov_a, ia, only_gaps=True)
    ga = [k for k, x in enumerate(sa) if _is_gap(x)]
    # b's sentences matter only when a has a gap to fill
    sb = sentences(tb, known, cov_b, ib, only_gaps=True) if ga else []
    gb = [k for k, y in enumerate(sb) if _is_gap(y)]
    if not ga or not gb:
        if encode is not None and extra:
            encode(extra)
        return passages, False
    anchors = _anchors(passages, sa, sb)
    ga, gb = ga[:MAX_SENTENCES], gb[:MAX_SENTENCES]
    cos = None
    ran = False
    if encode is not None:
        # a sentence sharing no content word with any gap sentence of the other
        # text could only pass at a cosine of ~0.9; not worth embedding
        words_a = frozenset().union(*(sa[k].words for k in ga))
        words_b = frozenset().union(*(sb[k].words for k in gb))
        anchored_a = {ka for ka, _ in anchors}
        anchored_b = {kb for _, kb in anchors}
        ga = [k for k in ga if k in anchored_a or not sa[k].words.isdisjoint(words_b)]
        gb = [k for k in gb if k in anchored_b or not sb[k].words.isdisjoint(words_a)]
        if not ga or not gb:
            if extra:
                encode(extra)
            return passages, False
        v = encode(extra + [sa[k].text for k in ga] + [sb[k].text for k in gb])[len(extra):]
        cos = v[:len(ga)] @ v[len(ga):].T  # one batch for both sides (and the extras)
        if calibrate is not None:
            cos = calibrate(cos)
        ran = True
    cands = []
    mc = min_cosine if min_cosine is not None else 0.72
    for x, ka in enumerate(ga):
        wa = sa[ka].words
        for y, kb in enumerate(gb):
            anchored = (ka, kb) in anchors
            shared = len(wa & sb[kb].words)
            c = None if cos is None else float(cos[x, y])
            # cheap prefilter: nothing can lift a pair this far below the bar
            if not anchored and shared < 3 and (c is None or c < mc - 0.2):
                continue
            bar = MIN_SCORE if c is not None else MIN_SCORE_LEXICAL
            # names and numbers cost most to extract: skip the pair when even the
            # best case for them (pair_score rises with shared and falls with
            # missing or clashing ones) cannot reach the bar
            dice = 2 * shared / max(1, len(wa) + len(sb[kb].words))
            if pair_score(PairEvidence(dice, shared, 3, 0, 3, 0, anchored), c, mc) < bar:
                continue
            _evidence(ta, sa[ka], known, ia)
            _evidence(tb, sb[kb], known, ib)
            ev = evidence(sa[ka], sb[kb], anchored)
            sc = pair_score(ev, c, mc)
            if sc >= bar:
                cands.append((sc, ka, kb, ev))
    if not cands:
        return passages, ran
    cands.sort(key=lambda c: -c[0])
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    absorbed: set[int] = set()
    new: list[Passage] = []
    for sc, ka, kb, ev in cands:
        if ka in taken_a or kb in taken_b:
            continue
        p = _make_passage(sa[ka], sb[kb], passages, anchors.get((ka, kb), []), sc, ev, ta, tb)
        if p is None:
            continue
        taken_a.add(ka)
        taken_b.add(kb)
        absorbed.update(anchors.get((ka, kb), []))
        new.append(p)
    kept = [p for k, p in enumerate(passages) if k not in absorbed]
    out = sorted(kept + new, key=lambda p: (p.a_start, p.b_start))
    return out, ran


def _free_span(s: int, e: int, others: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Shrink ``s..e`` so it overlaps none of ``others`` (which only clip its ends)."""
    for os_, oe in others:
        if oe <= s or os_ >= e:
            continue
        if os_ <= s:
            s = oe
        elif oe >= e:
            e = os_
        else:
            return None  # an unabsorbed passage in the middle: leave the pair alone
        if e <= s:
            return None
    return s, e


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and not text[s].isalnum() and text[s] not in "\"“'‘$£€":
        s += 1
    while e > s and not text[e - 1].isalnum() and text[e - 1] not in "\"”'’.%)":
        e -= 1
    return s, e


def _make_passage(x: Sentence, y: Sentence, passages: list[Passage], absorb: list[int],
                  score: float, ev: PairEvidence, ta: Tokens, tb: Tokens) -> Passage | None:
    skip = set(absorb)
    a_other = [(p.a_start, p.a_end) for k, p in enumerate(passages) if k not in skip]
    b_other = [(p.b_start, p.b_end) for k, p in enumerate(passages) if k not in skip]
    fa = _free_span(x.s, x.e, a_other)
    fb = _free_span(y.s, y.e, b_other)
    if fa is None or fb is None:
        return None
    fa, fb = _trim(ta.text, *fa), _trim(tb.text, *fb)
    if fa[1] - fa[0] < 10 or fb[1] - fb[0] < 10:
        return None
    matched = sum(p.matched_words for k, p in enumerate(passages) if k in skip) or ev.shared_words
    return Passage(fa[0], fa[1], fb[0], fb[1], "paraphrase", round(float(score), 4),
                   int(matched), round(1.0 - ev.dice, 4))

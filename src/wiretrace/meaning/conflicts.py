"""Conflicts: aligned statements that disagree on a number, date, name or negation.

Only aligned statement pairs are examined (the passages, paraphrases
included), never the texts at large. Inside a lexical passage the two sides
are aligned word by word and each edit is checked by value: a name against
its aliases, a number against its spelling ("five"/"5", "1.5
million"/"1,500,000", "per cent"/"%" compare equal). Inside a paraphrase the
words are reordered, so facts are compared as sets, and a name counts only
when it is attached to a quantity both sides share ("20 per cent in Syria" vs
"20 percent of its lands in Iraq"). Aliases and formatting never conflict.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import Levenshtein

from ..fingerprint import STOPWORDS
from ..normalize import Tokens
from ..records import Conflict, Passage
from .aliases import same_entity
from .facts import MONTHS, MULT, UNITS, WEEKDAYS, Fact, char_span, mentions, negations, quantities_and_dates

_PREPOSITIONS = frozenset({"in", "of", "from", "at", "across", "inside", "within", "for", "to",
                           "into", "near", "outside", "throughout"})
_MONEY = frozenset({"percent", "usd", "eur", "gbp", "jpy", "cny"})
#: how far after a shared quantity (in words) its place or name may stand
ATTACH_WINDOW = 8


class _Side:
    """One side of a passage: its token range; facts and names found lazily."""

    __slots__ = ("t", "i", "j", "known", "initial", "_facts", "_ments")

    def __init__(self, t: Tokens, s: int, e: int, known: frozenset[str], initial: np.ndarray):
        self.t = t
        self.i = t.first_at(s)
        self.j = t.first_at(e)
        self.known = known
        self.initial = initial
        self._facts = None
        self._ments = None

    @property
    def facts(self) -> list[Fact]:
        if self._facts is None:
            self._facts = quantities_and_dates(self.t, self.i, self.j)
        return self._facts

    @property
    def ments(self) -> list[Fact]:
        if self._ments is None:
            self._ments = mentions(self.t, self.i, self.j, self.known, self.initial)
        return self._ments

    def region_facts(self, i: int, j: int) -> list[Fact]:
        """Facts overlapping tokens ``i..j-1`` (looking two words around for their edges)."""
        lo, hi = max(self.i, i - 2), min(self.j, j + 2)
        return [f for f in quantities_and_dates(self.t, lo, hi) if f.i < j and f.j > i]

    def region_mentions(self, i: int, j: int) -> list[Fact]:
        lo, hi = max(self.i, i - 3), min(self.j, j + 3)
        return [m for m in mentions(self.t, lo, hi, self.known, self.initial) if m.i < j and m.j > i]

    def chars(self, i: int, j: int) -> tuple[int, int]:
        return int(self.t.starts[i]), int(self.t.ends[j - 1])


def _in(facts: list[Fact], i: int, j: int) -> list[Fact]:
    return [f for f in facts if f.i < j and f.j > i]


def _conflict(a: _Side, b: _Side, sa: tuple[int, int], sb: tuple[int, int], kind: str, note: str) -> Conflict:
    return Conflict(sa[0], sa[1], sb[0], sb[1], kind, a.t.text[sa[0]:sa[1]], b.t.text[sb[0]:sb[1]], note)


def _fact_chars(side: _Side, f: Fact) -> tuple[int, int]:
    return char_span(side.t, f)


def _compatible(fa: Fact, fb: Fact) -> bool:
    """Two numbers measure the same kind of thing (both percentages, same currency, same noun)."""
    if fa.unit in _MONEY or fb.unit in _MONEY:
        return fa.unit == fb.unit
    if not fa.unit or not fb.unit:
        return fa.unit == fb.unit
    return fa.unit[:5] == fb.unit[:5]


def _edit_regions(a: _Side, b: _Side) -> list[tuple[int, int, int, int]]:
    """Token ranges of the edits between the two sides (adjacent edits merged)."""
    out: list[tuple[int, int, int, int]] = []
    for op in Levenshtein.opcodes(a.t.forms[a.i:a.j], b.t.forms[b.i:b.j]):
        if op.tag == "equal":
            continue
        ai, aj = a.i + op.src_start, a.i + op.src_end
        bi, bj = b.i + op.dest_start, b.i + op.dest_end
        if out and out[-1][1] == ai and out[-1][3] == bi:
            p = out.pop()
            out.append((p[0], aj, p[2], bj))
        else:
            out.append((ai, aj, bi, bj))
    return out


def _edited(a: _Side, b: _Side, out: list[Conflict]) -> None:
    """Word-aligned passage: check every edit."""
    fa_forms, fb_forms = a.t.forms, b.t.forms
    for ai, aj, bi, bj in _edit_regions(a, b):
        factual = aj > ai and bj > bi and _factual(fa_forms, ai, aj) and _factual(fb_forms, bi, bj)
        fa = a.region_facts(ai, aj) if factual else []
        fb = b.region_facts(bi, bj) if factual else []
        for kind in ("number", "date"):
            xs = [f for f in fa if f.kind == kind]
            ys = [f for f in fb if f.kind == kind]
            if not xs or not ys:
                continue
            if {_key(f) for f in xs} == {_key(f) for f in ys}:
                continue  # "five" / "5", "1.5 million" / "1,500,000"
            for x, y in zip(xs, ys):
                if _key(x) == _key(y):
                    continue
                if kind == "number" and not _compatible(x, y):
                    continue
                if kind == "date" and x.sub != y.sub:
                    continue
                out.append(_conflict(a, b, _fact_chars(a, x), _fact_chars(b, y), kind,
                                     f"{kind} differs"))
        # count_nonzero: ndarray.any() on a few words costs ~4 us of Python dispatch
        if aj > ai and bj > bi and np.count_nonzero(a.t.caps[ai:aj]) and np.count_nonzero(b.t.caps[bi:bj]) \
                and not _same_caps(a.t, ai, aj, b.t, bi, bj):
            ra, rb = a.region_mentions(ai, aj), b.region_mentions(bi, bj)
            if ra and rb:
                b_names = [m.value for m in b.ments]
                a_names = [m.value for m in a.ments]
                ma = [m for m in ra if not any(same_entity(m.value, n) for n in b_names)]
                mb = [m for m in rb if not any(same_entity(m.value, n) for n in a_names)]
                if ma and mb:
                    x, y = ma[0], mb[0]
                    out.append(_conflict(a, b, a.chars(x.i, x.j), b.chars(y.i, y.j), "entity",
                                         f"{x.value} / {y.value}"))
        na, nb = negations(a.t, ai, aj), negations(b.t, bi, bj)
        if len(na) != len(nb) and len(negations(a.t, a.i, a.j)) != len(negations(b.t, b.i, b.j)):
            out.append(_negation(a, b, ai, aj, bi, bj))


_NUMERIC_WORDS = frozenset(UNITS) | frozenset(MULT) | WEEKDAYS | frozenset(MONTHS) | {"noon", "midnight"}


def _factual(forms: list[str], i: int, j: int) -> bool:
    """Might tokens ``i..j-1`` (or their neighbours) hold a number or a date?"""
    return any(f[:1].isdigit() or f in _NUMERIC_WORDS or f.rstrip("s") in WEEKDAYS
               for f in forms[max(0, i - 1):j + 1])


def _same_caps(ta: Tokens, ai: int, aj: int, tb: Tokens, bi: int, bj: int) -> bool:
    """The capitalised words of two edited stretches name the same thing ("IS" / "Islamic State")."""
    xa = " ".join(ta.text[ta.starts[k]:ta.ends[k]] for k in range(ai, aj) if ta.caps[k])
    xb = " ".join(tb.text[tb.starts[k]:tb.ends[k]] for k in range(bi, bj) if tb.caps[k])
    return same_entity(xa, xb)


def _key(f: Fact):
    return (f.kind, f.sub, f.value, f.unit if f.unit in _MONEY else "")


def _negation(a: _Side, b: _Side, ai: int, aj: int, bi: int, bj: int) -> Conflict:
    """A negation edit, widened by one word each way so both fragments are non-empty."""
    ai, bi = max(a.i, ai - 1), max(b.i, bi - 1)
    aj, bj = min(a.j, max(aj, ai + 1) + 1), min(b.j, max(bj, bi + 1) + 1)
    return _conflict(a, b, a.chars(ai, aj), b.chars(bi, bj), "negation", "one side negates the statement")


def _attached(side: _Side, f: Fact, stops: set[int]) -> Fact | None:
    """The name standing after a quantity ("20 per cent in Syria"), within its clause."""
    t = side.t
    end = min(side.j, f.j + ATTACH_WINDOW)
    for m in side.ments:
        if m.i < f.j or m.i >= end:
            continue
        if any(f.j <= s < m.i for s in stops):
            return None
        gap = t.text[int(t.ends[f.j - 1]):int(t.starts[m.i])]
        if any(c in gap for c in ".;:!?()\"“”"):
            return None
        if m.i > 0 and t.forms[m.i - 1] in _PREPOSITIONS:
            return m
        return None
    return None


def _paraphrase(a: _Side, b: _Side, out: list[Conflict]) -> None:
    """Reordered statement pair: compare facts as sets."""
    nums_a = [f for f in a.facts if f.kind == "number"]
    nums_b = [f for f in b.facts if f.kind == "number"]
    # shared quantities anchor the names attached to them
    used_b: set[int] = set()
    stops_a = {f.i for f in nums_a}
    stops_b = {f.i for f in nums_b}
    unmatched_a: list[Fact] = []
    for x in nums_a:
        k = next((k for k, y in enumerate(nums_b) if k not in used_b and y.value == x.value
                  and _compatible(x, y)), None)
        if k is None:
            unmatched_a.append(x)
            continue
        used_b.add(k)
        y = nums_b[k]
        ea, eb = _attached(a, x, stops_a), _attached(b, y, stops_b)
        if ea is not None and eb is not None and not same_entity(ea.value, eb.value):
            qs, qe = _fact_chars(a, x)
            out.append(_conflict(a, b, a.chars(ea.i, ea.j), b.chars(eb.i, eb.j), "entity",
                                 f"place or name of '{a.t.text[qs:qe]}': {ea.value} / {eb.value}"))
    unmatched_b = [y for k, y in enumerate(nums_b) if k not in used_b]
    for x in unmatched_a:
        k = next((k for k, y in enumerate(unmatched_b) if _compatible(x, y) and x.unit), None)
        if k is not None:
            y = unmatched_b.pop(k)
            out.append(_conflict(a, b, _fact_chars(a, x), _fact_chars(b, y), "number", "number differs"))
    for sub in ("weekday", "month", "year", "time"):
        xs = [f for f in a.facts if f.kind == "date" and f.sub == sub]
        ys = [f for f in b.facts if f.kind == "date" and f.sub == sub]
        if xs and ys and not ({f.value for f in xs} & {f.value for f in ys}):
            out.append(_conflict(a, b, _fact_chars(a, xs[0]), _fact_chars(b, ys[0]), "date", f"{sub} differs"))
    na, nb = negations(a.t, a.i, a.j), negations(b.t, b.i, b.j)
    if bool(na) != bool(nb):
        neg_side, other, ks = (a, b, na) if na else (b, a, nb)
        target = _negated_word(neg_side, ks[0])
        if target is not None:
            stem = neg_side.t.forms[target][:4]
            hit = next((k for k in range(other.i, other.j) if other.t.forms[k][:4] == stem), None)
            if hit is not None:
                span_neg = neg_side.chars(ks[0] - (1 if neg_side.t.forms[ks[0]] == "t" else 0), target + 1)
                span_other = other.chars(hit, hit + 1)
                sa, sb = (span_neg, span_other) if neg_side is a else (span_other, span_neg)
                out.append(_conflict(a, b, sa, sb, "negation", "one side negates the statement"))


def _negated_word(side: _Side, k: int) -> int | None:
    """The content word a negator applies to ("not plan" -> plan), within three words."""
    forms = side.t.forms
    for n in range(k + 1, min(side.j, k + 4)):
        if forms[n] not in STOPWORDS and len(forms[n]) > 2:
            return n
    return None


def find(ta: Tokens, tb: Tokens, passages: list[Passage], known: frozenset[str],
         initial: tuple[np.ndarray, np.ndarray]) -> list[Conflict]:
    """Conflicts inside aligned passages, sorted by a_start.

    ``known`` are the forms written capitalised mid-sentence in either text
    and ``initial`` the per-token sentence-initial masks of a and b
    (:func:`~wiretrace.meaning.facts.sentence_initial`).
    """
    out: list[Conflict] = []
    for p in passages:
        # a translation spells names its own way ("Libya", "Libyen"): fact-by-fact
        # comparison across languages is not done yet
        if p.kind in ("verbatim", "translation"):
            continue
        a = _Side(ta, p.a_start, p.a_end, known, initial[0])
        b = _Side(tb, p.b_start, p.b_end, known, initial[1])
        if a.j <= a.i or b.j <= b.i:
            continue
        if p.kind == "paraphrase":
            _paraphrase(a, b, out)
        else:
            _edited(a, b, out)
    seen = set()
    uniq = []
    for c in sorted(out, key=lambda c: (c.a_start, c.b_start, c.kind)):
        key = (c.a_start, c.a_end, c.b_start, c.b_end, c.kind)
        if key not in seen:
            seen.add(key)
            uniq.append(c)
    return uniq

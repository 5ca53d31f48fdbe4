"""Word-level differences inside aligned passages and altered quotes.

A passage says *that* ``a_text[a_start:a_end]`` corresponds to
``b_text[b_start:b_end]``; these functions say *which words* changed inside it
("IS" for "Islamic State", "are in" for "met in"), as character offsets into the
caller's original texts. Words are compared on their matching forms
(:func:`wiretrace.normalize.word_form`), so "U.S." against "U.S" or "per cent"
against "percent" is no change.

They are computed on demand, by the views and for JSON output, never inside
:func:`wiretrace.compare`: a corpus scan compares millions of pairs whose word
differences nobody looks at, and the seed-pair compare is already near its
3x-difflib budget (bench/bench_compare.py).
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from .meaning.quotes import altered_runs
from .normalize import Tokens, tokenize
from .records import Changes, Comparison, Passage, Quote, WordOp


def _op_name(a_empty: bool, b_empty: bool) -> str:
    return "insert" if a_empty else "delete" if b_empty else "replace"


def _char_span(t: Tokens, i0: int, i1: int, lo: int) -> tuple[int, int]:
    """Characters of tokens ``i0:i1``; for an empty range, the point after the
    previous token (or ``lo``, the start of the stretch, when there is none)."""
    if i1 > i0:
        return int(t.starts[i0]), int(t.ends[i1 - 1])
    at = int(t.ends[i0 - 1]) if i0 > 0 else lo
    at = max(at, lo)
    return at, at


def runs_to_ops(ta: Tokens, tb: Tokens, runs: list[tuple[int, int, int, int]],
                a_lo: int = 0, b_lo: int = 0) -> list[WordOp]:
    """Token runs ``(i0, i1, j0, j1)`` as :class:`WordOp` with character offsets;
    ``a_lo``/``b_lo`` bound where an insertion point may sit (the stretch start)."""
    out = []
    for i0, i1, j0, j1 in runs:
        a_s, a_e = _char_span(ta, i0, i1, a_lo)
        b_s, b_e = _char_span(tb, j0, j1, b_lo)
        out.append(WordOp(_op_name(i1 <= i0, j1 <= j0), a_s, a_e, b_s, b_e))
    return out


def span_runs(ta: Tokens, tb: Tokens, a_start: int, a_end: int, b_start: int,
              b_end: int) -> list[tuple[int, int, int, int]]:
    """Changed word runs between two character stretches, as token ranges
    ``(i0, i1, j0, j1)``; adjacent edits are one run ("IS" / "Islamic State")."""
    i0, i1 = ta.first_at(a_start), ta.first_at(a_end)
    j0, j1 = tb.first_at(b_start), tb.first_at(b_end)
    runs: list[tuple[int, int, int, int]] = []
    for op in Levenshtein.opcodes(ta.forms[i0:i1], tb.forms[j0:j1]):
        if op.tag == "equal":
            continue
        run = (i0 + op.src_start, i0 + op.src_end, j0 + op.dest_start, j0 + op.dest_end)
        if runs and runs[-1][1] == run[0] and runs[-1][3] == run[2]:
            run = (runs[-1][0], run[1], runs[-1][2], run[3])
            runs.pop()
        runs.append(run)
    return runs


def span_ops(ta: Tokens, tb: Tokens, a_start: int, a_end: int, b_start: int, b_end: int) -> list[WordOp]:
    """Word ops turning ``a_text[a_start:a_end]`` into ``b_text[b_start:b_end]``.

    >>> a, b = tokenize("Officials are in Rome today."), tokenize("Officials met in Rome today.")
    >>> [(op.op, a.text[op.a_start:op.a_end], b.text[op.b_start:op.b_end]) for op in span_ops(a, b, 0, 28, 0, 28)]
    [('replace', 'are', 'met')]
    """
    return runs_to_ops(ta, tb, span_runs(ta, tb, a_start, a_end, b_start, b_end), a_start, b_start)


def passage_ops(a_text: str, b_text: str, passage: Passage) -> list[WordOp] | None:
    """Word ops inside one passage of ``compare(a_text, b_text)``; None for a
    paraphrase or a translation, whose sides are not a word-for-word alignment.

    >>> a = "IS forces have attacked the oil infrastructure of Libya."
    >>> b = "Islamic State forces have attacked the oil infrastructure of Libya."
    >>> [(op.op, a[op.a_start:op.a_end], b[op.b_start:op.b_end])
    ...  for op in passage_ops(a, b, Passage(0, len(a), 0, len(b), "edited", 0.9))]
    [('replace', 'IS', 'Islamic State')]
    """
    if passage.kind in ("paraphrase", "translation"):
        return None
    return span_ops(tokenize(a_text, strip_boilerplate=False), tokenize(b_text, strip_boilerplate=False),
                    passage.a_start, passage.a_end, passage.b_start, passage.b_end)


def quote_ops(t: Tokens, quote: Quote, other: Tokens, t_is_a: bool) -> list[WordOp] | None:
    """The changed words of an "altered" quote of ``t`` against ``other``, oriented
    A to B; None for a quote of any other status."""
    if quote.status != "altered":
        return None
    runs = altered_runs(t, quote, other)
    if t_is_a:
        return runs_to_ops(t, other, runs, quote.start, 0)
    return runs_to_ops(other, t, [(j0, j1, i0, i1) for i0, i1, j0, j1 in runs], 0, quote.start)


def word_changes(a_text: str, b_text: str, comparison: Comparison) -> Changes:
    """Word ops of every passage and altered quote of ``comparison`` (the result
    of ``compare(a_text, b_text)``), for views and ``to_dict(changes)``.

    >>> from wiretrace import compare
    >>> a = "Officials from 23 countries are in Rome to review the fight against IS militants."
    >>> b = "Officials from 23 countries met in Rome to review the fight against Islamic State militants."
    >>> ch = word_changes(a, b, compare(a, b, semantic=False))
    >>> [(a[o.a_start:o.a_end], b[o.b_start:o.b_end]) for o in ch.passages[0]]
    [('are', 'met'), ('IS', 'Islamic State')]
    """
    ta = tokenize(a_text, strip_boilerplate=False)
    tb = tokenize(b_text, strip_boilerplate=False)
    r = comparison
    return Changes(
        passages=tuple(None if p.kind in ("paraphrase", "translation") else
                       tuple(span_ops(ta, tb, p.a_start, p.a_end, p.b_start, p.b_end)) for p in r.passages),
        a_quotes=tuple(_tupled(quote_ops(ta, q, tb, True)) for q in r.a_quotes),
        b_quotes=tuple(_tupled(quote_ops(tb, q, ta, False)) for q in r.b_quotes),
    )


def inline_diff(base: str, other: str, start: int, end: int, ops: list[WordOp] | tuple[WordOp, ...],
                base_is_a: bool) -> list[tuple[str, str]]:
    """``base[start:end]`` as ``(kind, text)`` pieces with the other text's words
    put in: kind "" (unchanged), "del" (A's words) or "ins" (B's words).

    >>> a, b = "we have seen IS playing", "we have seen Daesh playing"
    >>> inline_diff(a, b, 0, len(a), [WordOp("replace", 13, 15, 13, 18)], True)
    [('', 'we have seen '), ('del', 'IS'), ('ins', 'Daesh'), ('', ' playing')]
    """
    out: list[tuple[str, str]] = []
    pos = start
    for op in sorted(ops, key=lambda o: (o.a_start, o.b_start) if base_is_a else (o.b_start, o.a_start)):
        mine = (op.a_start, op.a_end) if base_is_a else (op.b_start, op.b_end)
        if mine[0] < pos or mine[1] > end:
            continue
        a_w = (base if base_is_a else other)[op.a_start:op.a_end]
        b_w = (other if base_is_a else base)[op.b_start:op.b_end]
        out.append(("", base[pos:mine[0]]))
        out += [("del", a_w), ("ins", b_w)]
        pos = mine[1]
    out.append(("", base[pos:end]))
    return [(k, t) for k, t in out if t]


def altered_quotes(comparison: Comparison, changes: Changes) -> list[tuple[str, Quote, tuple[WordOp, ...]]]:
    """``(side, quote, ops)`` of each altered quote with changed words, A's first.
    A quote of B whose changes are those of a quote of A already listed is left
    out: both texts quote the same words, and one line says it.

    >>> q = Quote(0, 9, "seen IS go", None, "altered")
    >>> ops = (WordOp("replace", 5, 7, 5, 10),)
    >>> [s for s, _, _ in altered_quotes(Comparison([], 0, 0, "non-derived", None, 0, a_quotes=[q], b_quotes=[q]),
    ...                                  Changes(a_quotes=(ops,), b_quotes=(ops,)))]
    ['a']
    """
    out = []
    seen = set()
    for side, quotes, per in (("a", comparison.a_quotes, changes.a_quotes),
                              ("b", comparison.b_quotes, changes.b_quotes)):
        for q, ops in zip(quotes, per):
            key = tuple((o.a_start, o.a_end, o.b_start, o.b_end) for o in ops or ())
            if not key or key in seen:
                continue
            seen.add(key)
            out.append((side, q, ops))
    return out


def _tupled(ops: list[WordOp] | None) -> tuple[WordOp, ...] | None:
    return None if ops is None else tuple(ops)

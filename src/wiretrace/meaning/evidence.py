"""Evidence of reuse: was one text made from the other, or do two writers
state the same facts?

Independent reports of one event share names ("Fundamentalist Church of Jesus
Christ of Latter Day Saints"), stock phrases ("said in a statement on
Tuesday"), the words of the people they quote, and sentences that say the same
thing in other words. None of that is reuse. What independent writers rarely
share by chance is a long run of their *own* words, or a whole text retold
sentence by sentence in the same order. So a pair is derived only on one of:

* **copied**: a lexical passage with at least ``reuse_min_run_words`` *free*
  words (matched words that are neither inside a direct quotation on both
  sides nor part of a name), or lexical passages in one consistent order
  whose free words add up to ``reuse_min_total_words``, or a passage outside
  quotations with ``reuse_min_run_matched`` matched words of any kind (no
  name is that long: a copied list), or one text lying whole in passages;
* **translated**: at least ``translation_min_sentences`` sentence pairs of a
  translation (:mod:`~wiretrace.meaning.translation`: mutual best matches of a
  multilingual model, clearly ahead of the runner-up, same numbers, in one
  order) that explain ``translation_min_share`` of the shorter text, or twice
  that many sentences;
* **rewritten**: at least ``rewrite_min_sentences`` paraphrased sentence
  pairs that follow both texts' order (one chain with the lexical passages;
  and at least :data:`REWRITE_IN_ORDER` of all such pairs do)
  and share their content words (Dice at least ``rewrite_min_dice``: the
  embedding model may find a paraphrase, it never proves one alone); with
  the lexical passages of the same chain they cover ``rewrite_min_share`` of
  the shorter text (or they are ``rewrite_min_sentences_alone`` sentences,
  half of all such matches: a long text retold in part).

Otherwise the verdict is **shared-quotes** when the pair shares a direct
quotation (two outlets quoting one speaker share the speaker's words, not each
other's copy), else **none**. :func:`keep` then drops the passages the verdict
does not support: in a derived pair, paraphrases out of the chain's order; in
a shared-quotes pair, everything but the quotations; otherwise every passage.
The thresholds live in :class:`~wiretrace.config.CompareConfig` and were
chosen on the dev sets of ``bench/eval_claims.py`` (see BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._arrays import prefix_sums
from ..config import CompareConfig
from ..fingerprint import stop_mask
from ..judge import coverage
from ..normalize import Tokens
from ..records import Evidence, Passage, Quote
from .facts import sentence_initial

#: a retelling has at least this share of its matched sentences in one order
REWRITE_IN_ORDER = 0.75
#: a "quote" longer than this is taken for stray quote marks (web text, an
#: unclosed mark), not a speaker's words
QUOTE_MAX_WORDS = 80
#: a passage counts as quotation when at least this share of its words lies
#: inside quote marks on both sides
QUOTED_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class _Side:
    """Per-token prefix sums of one text: words that are not names, and quoted words."""

    free: np.ndarray
    quoted: np.ndarray
    words: int


def _side(t: Tokens, quotes: list[Quote]) -> _Side:
    def make():
        n = len(t)
        quoted = np.zeros(n, dtype=bool)
        for q in quotes:
            i, j = t.first_at(q.start), t.first_at(q.end)
            if j - i <= QUOTE_MAX_WORDS:
                quoted[i:j] = True
        name = t.caps & ~stop_mask(t) & ~sentence_initial(t)
        free = ~name & ~t.boiler
        return prefix_sums(free), prefix_sums(quoted & ~t.boiler), int((~t.boiler).sum())
    free, quoted, words = t.cached(("evidence_side", tuple((q.start, q.end) for q in quotes)), make)
    return _Side(free, quoted, words)


def _chain(passages: list[Passage]) -> list[int]:
    """Indices of the heaviest set of passages in the same order on both sides
    (weighted longest increasing subsequence, weight = matched words)."""
    n = len(passages)
    if n <= 1:
        return list(range(n))
    order = sorted(range(n), key=lambda k: (passages[k].a_start, passages[k].b_start))
    if all(passages[x].a_end <= passages[y].a_start and passages[x].b_end <= passages[y].b_start
           for x, y in zip(order, order[1:])):
        return order  # the usual case: nothing reordered, every passage is in the chain
    best = [0.0] * n
    prev = [-1] * n
    # quadratic, but a pair has few passages; long texts are capped below
    if n > 400:
        return list(range(n))
    for x, k in enumerate(order):
        pk = passages[k]
        w = float(max(1, pk.matched_words))
        best[x] = w
        for y in range(x):
            q = passages[order[y]]
            if q.a_end <= pk.a_start and q.b_end <= pk.b_start and best[y] + w > best[x]:
                best[x] = best[y] + w
                prev[x] = y
    x = max(range(n), key=lambda i: best[i])
    out = []
    while x >= 0:
        out.append(order[x])
        x = prev[x]
    return out[::-1]


def weigh(ta: Tokens, tb: Tokens, passages: list[Passage], a_quotes: list[Quote],
          b_quotes: list[Quote], cfg: CompareConfig) -> tuple[Evidence, list[Passage]]:
    """The pair's :class:`~wiretrace.records.Evidence` and the passages it supports.

    >>> from wiretrace.normalize import tokenize
    >>> a = tokenize("Police said the suspect fled the scene in a blue van late on Friday night.")
    >>> b = tokenize("Officers said the suspect fled the scene in a blue van late on Friday night.")
    >>> p = Passage(7, 76, 9, 78, "verbatim", 1.0, 14, 0.0)
    >>> ev, kept = weigh(a, b, [p], [], [], CompareConfig())
    >>> ev.verdict, ev.longest_run, len(kept)
    ('copied', 13, 1)
    """
    sa, sb = _side(ta, a_quotes), _side(tb, b_quotes)
    info: list[tuple[int, bool, int, int]] = []
    if passages:
        # all passages at once: token ranges by searchsorted (Tokens.first_at, vectorized)
        off = np.array([(p.a_start, p.a_end, p.b_start, p.b_end) for p in passages], dtype=np.int64)
        ia, ja = ta.starts.searchsorted(off[:, 0]), ta.starts.searchsorted(off[:, 1])
        ib, jb = tb.starts.searchsorted(off[:, 2]), tb.starts.searchsorted(off[:, 3])
        na, nb = np.maximum(1, ja - ia), np.maximum(1, jb - ib)
        qa, qb = sa.quoted[ja] - sa.quoted[ia], sb.quoted[jb] - sb.quoted[ib]
        # words quoted on both sides are the speaker's, not the writers'; a quote
        # on one side only is copy the other did not mark (or a stray mark)
        free = np.maximum(0, np.minimum(sa.free[ja] - sa.free[ia], sb.free[jb] - sb.free[ib])
                          - np.minimum(qa, qb))
        quoted = (qa >= QUOTED_SHARE * na) & (qb >= QUOTED_SHARE * nb)
        info = [(round(f * (1.0 - p.edit_rate)), q, x, y) for f, q, x, y, p in
                zip(free.tolist(), quoted.tolist(), na.tolist(), nb.tolist(), passages)]
    chain = set(_chain(passages))
    lexical = [k for k, p in enumerate(passages) if p.kind in ("verbatim", "edited")]
    longest = max((info[k][0] for k in lexical), default=0)
    # a run this long is no name, whatever its capitals (a copied list of companies)
    longest_matched = max((passages[k].matched_words for k in lexical if not info[k][1]), default=0)
    total = sum(info[k][0] for k in lexical if k in chain and info[k][0] >= cfg.reuse_min_passage_free)
    quoted_words = sum(passages[k].matched_words for k in lexical if info[k][1])
    supported = [k for k, p in enumerate(passages) if p.kind == "paraphrase"
                 and 1.0 - p.edit_rate >= cfg.rewrite_min_dice]
    rewrites = [k for k in supported if k in chain]
    # a retelling keeps the order; sentences on one topic match all over
    ordered = len(rewrites) >= REWRITE_IN_ORDER * len(supported)
    small = min(sa.words, sb.words) or 1
    side = 0 if sa.words <= sb.words else 1
    # a retelling explains most of the shorter text, in order: its rewritten
    # sentences and the lexical passages of the same chain
    share = min(1.0, sum(info[k][2 + side] for k in chain
                         if k in rewrites or passages[k].kind in ("verbatim", "edited")) / small)
    # translated sentences (meaning/translation.py already kept only one ordered chain);
    # a speaker's words translated on one side and quoted on the other are the
    # speaker's, like a shared quotation
    translated = [k for k, p in enumerate(passages) if p.kind == "translation" and not info[k][1]]
    quoted_words += sum(info[k][2] for k, p in enumerate(passages) if p.kind == "translation" and info[k][1])
    t_share = min(1.0, sum(info[k][2 + side] for k in translated) / small)
    notes: list[str] = []
    whole = None
    if longest >= cfg.reuse_min_run_words or total >= cfg.reuse_min_total_words \
            or longest_matched >= cfg.reuse_min_run_matched:
        verdict = "copied"
        notes.append(f"a shared run of {longest} words of the writers' own (not quotes or names)"
                     if longest >= cfg.reuse_min_run_words else
                     f"{total} of the writers' own words in shared runs, in the same order"
                     if total >= cfg.reuse_min_total_words else
                     f"a shared run of {longest_matched} words outside quotations")
    elif (whole := _whole(ta, tb, [passages[k] for k in lexical], cfg)):
        verdict = "copied"
        notes.append(f"the whole of {whole} lies in the other's passages")
    elif (ordered and len(rewrites) >= cfg.rewrite_min_sentences and share >= cfg.rewrite_min_share) \
            or (len(rewrites) >= cfg.rewrite_min_sentences_alone and 2 * len(rewrites) >= len(supported)):
        verdict = "rewritten"
        notes.append(f"{len(rewrites)} sentences retold in the same order; with the shared "
                     f"runs they explain {share:.0%} of the shorter text")
    elif len(translated) >= cfg.translation_min_sentences and (
            t_share >= cfg.translation_min_share or len(translated) >= 2 * cfg.translation_min_sentences):
        verdict = "translated"
        notes.append(f"{len(translated)} sentences translated in the same order; they explain "
                     f"{t_share:.0%} of the shorter text")
    elif quoted_words:
        verdict = "shared-quotes"
        notes.append(f"only direct quotation is shared ({quoted_words} words)")
    else:
        verdict = "none"
        if passages:
            notes.append("no evidence of reuse: the shared wording is too short, names, "
                         "or sentences on the same topic")
    ev = Evidence(verdict, longest, total, quoted_words, len(rewrites), round(share, 4), notes)
    if ev.derived:
        kept = [p for k, p in enumerate(passages) if p.kind != "paraphrase" or k in chain]
    elif ev.shared_quotes:
        kept = [p for k, p in enumerate(passages) if p.kind != "paraphrase" and info[k][1]]
    else:
        kept = []
    return ev, kept


def _whole(ta: Tokens, tb: Tokens, lexical: list[Passage], cfg: CompareConfig) -> str | None:
    """"a" or "b" when that text lies (almost) whole inside lexical passages with
    at least ``reuse_min_run_words`` matched words: a short table or brief
    copied whole is reuse even when its words are names and figures."""
    if not lexical or sum(p.matched_words for p in lexical) < cfg.reuse_min_run_words:
        return None
    for name, t, spans in (("a", ta, [(p.a_start, p.a_end) for p in lexical]),
                           ("b", tb, [(p.b_start, p.b_end) for p in lexical])):
        if coverage(t, spans) >= cfg.wholly_derived_coverage:
            return name
    return None

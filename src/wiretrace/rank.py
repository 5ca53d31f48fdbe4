"""The order of query hits: the hit that explains most of the query first, and a
likelier source never below its own copies.

A query (``query``, :class:`~wiretrace.engines.search.Searcher`, the web check
page) compares one text, side ``a``, with many indexed documents. The answer is
read top down, so the order is a claim: the first hit is where the text most
likely comes from. It is decided in two steps.

1. **Score.** Each hit's key (:func:`hit_order`) is, in turn:

   - derived before non-derived: a hit the comparison does not judge derived
     explains none of the query by reuse, whatever its passages cover;
   - the *literal share* of the query the hit explains (:func:`literal_share`):
     the query's words (by characters, boilerplate left out, as for coverage)
     inside the hit's passages, each counted at ``1 - edit rate`` of its
     passage, so a verbatim source (1.0 a word) outranks an edited copy and a
     paraphrase (``1 - edit rate`` of a paraphrase is its word overlap);
   - the plain share of the query covered (``a_coverage``);
   - the earlier date (both at least day precision; a year or month alone
     orders nothing), undated last;
   - the share of the hit covered (the closer copy), the similarity, the id.

   Shares are compared to :data:`SHARE_DIGITS` digits (1% of the query): a
   closer difference is noise of passage edges, and the next key decides.
2. **Sources before their copies.** Hit X must come before hit Y when X is the
   likelier source of the text the query shares with Y, that is when both hold:

   - X's passages cover at least :data:`SAME_TEXT_SHARE` of the query text
     that Y's passages cover (they explain the same part of the query);
   - X is Y's likelier source: the stored verdict says so (the index search
     reads it from the story's provenance, built from the pair comparisons:
     dates, wire signals, then containment, the copy keeping most of its
     source), or, when there is
     none, X is dated earlier.

   The hits are placed in score order, each after its sources (recursively,
   sources in score order), so a source is lifted to just above its best
   ranked copy and nothing else moves. Evidence that loops (A before B
   before A, possible only from undated coverage asymmetry) is broken where
   the loop closes, in score order. Only a hit scored below another can need
   lifting, so only those pairs are asked about, and each lift is reported
   with its evidence (:attr:`Explanation.source_of`).

So for a query that is a copy of a copy (Q copies B, B edits A), B explains Q
most literally, but A ranks first when the comparison of A and B names A as
B's source, and B follows it; a paper's version queried against the wire story
it trims puts the wire story first, then the paper; copies explaining the same
span keep their score order (earlier date first) unless one is the other's
source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Mapping, Sequence

import numpy as np

from .normalize import Tokens
from .records import Comparison, Passage

#: X explains "the same text" as Y when X covers at least this share of what Y
#: covers of the query: then a source X outranks its copy Y. Half: a wire story
#: quoted for a tenth of a roundup does not outrank the roundup itself
SAME_TEXT_SHARE = 0.5
#: shares are compared rounded to this many digits (a difference under 1% of
#: the query is passage-edge noise, not a better explanation)
SHARE_DIGITS = 2
_DERIVED = ("wholly-derived", "partially-derived")

#: ``(id, date, comparison)`` of one hit; the comparison's side ``a`` is the query
HitFacts = tuple[str, "str | None", Comparison]
#: given the id pairs that need it, the stored verdict of each: ``(x, y)`` with
#: ``x < y`` → ``(id of the likelier source, its evidence)`` when the pair was
#: judged derived, ``(None, "")`` when it was compared but not derived or no
#: source was decided; pairs never compared are left out
Verdicts = Callable[[list[tuple[str, str]]], Mapping[tuple[str, str], "tuple[str | None, str]"]]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why one hit stands where it does."""

    #: literal share of the query it explains (see :func:`literal_share`)
    explains: float
    #: ``(id, evidence)`` of each hit that explains more of the query but ranks
    #: below it: it is the likelier source of the text the query shares with that hit
    source_of: tuple[tuple[str, str], ...] = ()


def _weights(tokens: Tokens) -> np.ndarray:
    # the same weights as judge.coverage: word characters, boilerplate left out
    return tokens.cached("rank_weight", lambda: ((tokens.ends - tokens.starts) * ~tokens.boiler)
                         .astype(np.float64))


def _credit(tokens: Tokens, passages: Sequence[Passage]) -> np.ndarray:
    """Per query token, the best ``1 - edit rate`` of a passage covering it (0 outside)."""
    credit = np.zeros(len(tokens), dtype=np.float64)
    if not passages or not len(tokens):
        return credit
    starts = np.fromiter((p.a_start for p in passages), np.int64, len(passages))
    ends = np.fromiter((p.a_end for p in passages), np.int64, len(passages))
    # a token is inside a span when it starts and ends in it (as judge.covered_mask)
    lo = tokens.starts.searchsorted(starts, "left")
    hi = tokens.ends.searchsorted(ends, "right")
    for p, i, j in zip(passages, lo.tolist(), hi.tolist()):
        if j > i:
            np.maximum(credit[i:j], max(0.0, 1.0 - float(p.edit_rate)), out=credit[i:j])
    return credit


def literal_share(query: Tokens, passages: Sequence[Passage]) -> float:
    """Share of the query's words inside ``passages`` (side ``a``), each word
    counted at ``1 - edit rate`` of the best passage covering it.

    >>> from wiretrace.normalize import tokenize
    >>> q = tokenize("aa bb cc dd")
    >>> literal_share(q, [Passage(0, 5, 0, 5, "verbatim", 1.0), Passage(6, 11, 0, 5, "edited", 0.5, 0, 0.5)])
    0.75
    """
    w = _weights(query)
    total = float(w.sum())
    if total == 0.0:
        return 0.0
    return round(float(w @ _credit(query, passages)) / total, 4)


def _instant(value: str | None) -> tuple[datetime, bool] | None:
    """``(moment, has a time)`` of an ISO 8601 date of at least day precision."""
    if not value or len(value) < 10:
        return None  # a year or a month alone orders nothing within a story
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return t, len(value) > 10


def earlier(x: str | None, y: str | None) -> bool:
    """``x`` is dated before ``y``, at the precision both have.

    >>> earlier("2016-02-02T10:00", "2016-02-02T14:00"), earlier("2016-02-02", "2016-02-02T14:00")
    (True, False)
    >>> earlier("2016", "2017-01-05")
    False
    """
    tx, ty = _instant(x), _instant(y)
    if tx is None or ty is None:
        return False
    if tx[1] and ty[1]:
        return tx[0] < ty[0]
    return tx[0].date() < ty[0].date()


def verdicts_from(story_of: Mapping[str, "str | None"], parents: Mapping[str, tuple[str, str]]) -> Verdicts:
    """:data:`Verdicts` from a scan's stories. Two hits of one story: X is Y's
    source when the story's provenance traces Y back to X along primary edges
    (``parents``: copy id → ``(its likeliest source, what decided it)``), and
    neither is when it does not (siblings copying one wire story both look
    derived from each other, pair by pair; the provenance keeps a chain only
    where the closer link explains the copy better). Hits of different or
    unknown stories are left out: their dates decide.

    >>> v = verdicts_from({"w": "s", "t": "s", "p": "s"}, {"t": ("w", "date"), "p": ("w", "date")})
    >>> v([("p", "t"), ("p", "w")])[("p", "w")][0], v([("p", "t")])[("p", "t")]
    ('w', (None, ''))
    """
    chains: dict[str, list[str]] = {}

    def trace(copy: str, source: str) -> list[str] | None:
        path = chains.get(copy)
        if path is None:  # the copy's line of primary sources, once per copy
            path, seen = [copy], {copy}
            while path[-1] in parents and parents[path[-1]][0] not in seen:
                path.append(parents[path[-1]][0])
                seen.add(path[-1])
            chains[copy] = path
        return path[:path.index(source) + 1][::-1] if source in path[1:] else None

    def lookup(wanted: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str | None, str]]:
        out: dict[tuple[str, str], tuple[str | None, str]] = {}
        for x, y in wanted:
            sx, sy = story_of.get(x), story_of.get(y)
            if sx is not None and sx == sy:
                found = [(s, path) for s, c in ((x, y), (y, x)) if (path := trace(c, s))]
                if found:
                    s, path = found[0]
                    by = sorted({parents[c][1] for c in path[1:] if parents[c][1]})
                    out[(x, y)] = (s, f"the story's provenance traces {path[-1]} to it: "
                                      + " → ".join(path) + (f", by {', '.join(by)}" if by else ""))
                else:
                    out[(x, y)] = (None, "")
        return out
    return lookup


def hit_order(r: Comparison, doc_id: str, explains: float, date: str | None = None) -> tuple:
    """Sort key of one hit before sources are lifted (step 1 of the module
    docstring); ``explains`` is its :func:`literal_share`."""
    when = _instant(date)
    return (0 if r.relation in _DERIVED else 1, -round(explains, SHARE_DIGITS),
            -round(r.a_coverage, SHARE_DIGITS), (0, when[0]) if when else (1, datetime.max),
            -round(r.b_coverage, SHARE_DIGITS), -r.similarity, doc_id)


def rank_hits(query: Tokens, hits: Sequence[HitFacts],
              verdicts: Verdicts | None = None) -> list[tuple[int, Explanation]]:
    """The hits in rank order: ``(index into hits, explanation)`` (see the module
    docstring). ``verdicts`` gives the stored comparisons between hits; without
    it, dates alone say which hit is the likelier source."""
    n = len(hits)
    w = _weights(query)
    credits = [_credit(query, r.passages) for _, _, r in hits]
    total = float(w.sum())
    explains = [round(float(w @ c) / total, 4) if total else 0.0 for c in credits]
    keys = [hit_order(r, i, explains[k], d) for k, (i, d, r) in enumerate(hits)]
    by_score = sorted(range(n), key=keys.__getitem__)

    # which hit covers at least half of what another covers of the query; only a hit
    # scored below the other can need lifting, so only those pairs are looked up
    covered = np.array([c > 0 for c in credits]) if n else np.zeros((0, len(query)), bool)
    own = covered.astype(np.float64) @ w
    common = (covered * w) @ covered.T.astype(np.float64) if n else np.zeros((0, 0))
    shared, own = common.tolist(), own.tolist()
    same = [(x, y) for x in range(n) for y in range(n)
            if own[y] > 0 and shared[x][y] >= SAME_TEXT_SHARE * own[y] and keys[x] > keys[y]]
    asked = sorted({tuple(sorted((hits[x][0], hits[y][0]))) for x, y in same})
    stored = dict(verdicts(asked)) if verdicts is not None and asked else {}

    sources: list[list[int]] = [[] for _ in range(n)]
    evidence: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    for x, y in same:
        (xi, xd, _), (yi, yd, _) = hits[x], hits[y]
        pair = (xi, yi) if xi < yi else (yi, xi)
        if pair in stored:
            source, said = stored[pair]
            why = (said or "the stored comparison of the two names it the likelier source") \
                if source == xi else None
        else:
            why = f"dated earlier ({xd} before {yd})" if earlier(xd, yd) else None
        if why:
            sources[y].append(x)
            evidence[x].append((yi, why))

    rank = {k: pos for pos, k in enumerate(by_score)}
    placed: set[int] = set()
    out: list[int] = []

    def place(k: int, path: set[int]) -> None:
        if k in placed or k in path:  # placed, or a loop of evidence: closed here
            return
        path.add(k)
        for s in sorted(sources[k], key=rank.__getitem__):
            place(s, path)
        path.discard(k)
        placed.add(k)
        out.append(k)

    for k in by_score:
        place(k, set())
    final = {hits[k][0]: pos for pos, k in enumerate(out)}
    return [(k, Explanation(explains[k], tuple(sorted(evidence[k], key=lambda e: final[e[0]]))))
            for k in out]

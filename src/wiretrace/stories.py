"""Stories and provenance from judged pairs. Pure functions, no I/O.

A *story* is a group of documents reporting one event. Two kinds of evidence
join documents:

* **reuse** (hard links): exact duplicates, wholly-derived pairs and pairs
  where at least :data:`REUSE_COVERAGE` of one text comes from the other. They
  are united first, strongest first, by union-find: a copy is the same story.
  But two clusters of two or more documents join through a copy only when
  their mean story score reaches :data:`REUSE_MIN_STORY`: a roundup made of
  two wire stories, and its copies, copy both, yet the two stories stay apart
  (the roundup goes with one of them).
  A pair sharing only a background paragraph is not (a follow-up story often
  recalls an earlier event of the same kind), so it counts as story evidence.
* **story evidence** (soft links): ``Link.story``, the cosine of two
  documents' TF-IDF vectors of content words, names and numbers (see
  :func:`wiretrace.candidates.story_steps`). Clusters then merge by *average
  linkage*: two clusters join when the mean story score over all their
  cross pairs (a missing pair scores 0) reaches ``story_threshold``. Unlike
  union-find, one similar pair cannot chain two stories together: a
  cluster must agree with the other as a whole. And two clusters of at least
  :data:`KNN_MIN_SIZE` documents join only when at least :data:`KNN_SHARE` of
  their documents have one of their :data:`KNN` nearest neighbours (by story
  score, ``Link.a_rank``/``b_rank``) on the other side: two events of one kind
  (two DUI arrests of one team's players) share so many topic words that their
  mean score can pass the threshold, but each document's nearest neighbours
  stay with its own event. On ECB+ (33 topics) this lifts the ARI from 0.82
  (0.90 at the best threshold for average linkage alone) to 0.93 (the earlier
  union-find over copies and compare similarity scored 0.45).

A union is refused when the merged story would span more than
``story_max_days`` between its earliest and latest dated documents: without
that, formulaic wire copy (daily market reports) chains a whole corpus into
one story. Exact duplicates always share a story, whatever their dates (they
are the same text). A year or a month counts only where it is certain (see
:class:`_Clusters`).

Provenance orients each derived pair only on evidence: day dates that order
the two (:func:`wiretrace.dates.date_order`; a year or a month never does),
then the pair's ``Comparison.source`` (wire signals, or its containment
asymmetry), then containment (the more covered text is the copy); a pair
with none of these gets no edge. A copy's primary source is the one it copies
most literally (:func:`literal_shares`). The earliest witness is named only
where the evidence puts one document before every other ordered one
(:func:`provenance`); otherwise it is None: order unknown.

    >>> nodes = {1: Node("wire", "2024-03-01"), 2: Node("paper", "2024-03-02")}
    >>> links = [Link(1, 2, similarity=0.9, relation="wholly-derived", source="a",
    ...               a_coverage=0.8, b_coverage=0.95)]
    >>> assign = group_stories(nodes, links, story_threshold=0.2, story_max_days=7)
    >>> assign[1] == assign[2]
    True
    >>> [(e.source, e.derived) for e in provenance(nodes, links).edges]
    [('wire', 'paper')]
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import xxhash

from .boilerplate import boilerplate_spans
from .dates import date_bounds, date_order, parse_date
from .normalize import paragraph_spans, sentence_spans
from .witness import earliest_witness

__all__ = ["Node", "Link", "Edge", "Provenance", "parse_when", "literal_shares", "is_reuse_link",
           "is_story_link", "story_id", "group_stories", "provenance", "headline", "REUSE_COVERAGE",
           "REUSE_MIN_STORY", "KNN", "KNN_SHARE", "KNN_MIN_SIZE", "SAME_TEXT_COVERAGE"]

#: a partially-derived pair is a hard link when this share of one text is in passages
REUSE_COVERAGE = 0.5
#: two clusters of at least two documents each join through a copy only when
#: their mean story score reaches this: a roundup built from two wire stories
#: (and its own copies) is a copy of both, and must not weld their two
#: families into one story
REUSE_MIN_STORY = 0.1
#: nearest neighbours per document that count for the merge check of two clusters
KNN = 3
#: share of two clusters' documents that must have a nearest neighbour across
KNN_SHARE = 0.2
#: the nearest-neighbour check applies when both clusters have this many documents
KNN_MIN_SIZE = 3


@dataclass(frozen=True, slots=True)
class Node:
    """A document as stories see it: its id and date (ISO 8601 or None)."""

    id: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A pair ``a < b`` (internal document numbers) with its Comparison figures (a
    pair that was not aligned is ``non-derived`` with similarity 0) and its story
    evidence: ``story`` score, and each side's rank of the other among its story
    partners (1 = nearest; 0 = not ranked)."""

    a: int
    b: int
    similarity: float
    relation: str
    source: str | None = None
    a_coverage: float = 0.0
    b_coverage: float = 0.0
    exact: bool = False
    story: float = 0.0
    a_rank: int = 0
    b_rank: int = 0
    #: :func:`literal_shares` of the pair (None: not stored, coverage stands in)
    a_literal: float | None = None
    b_literal: float | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    """``derived`` takes text from ``source``; ``coverage`` is the share of ``derived``
    inside shared passages; ``by`` says what decided the direction."""

    source: str
    derived: str
    relation: str
    coverage: float
    similarity: float
    by: str
    #: the likeliest source of ``derived`` (others are kept as secondary)
    primary: bool = False
    #: the share of ``derived`` copied literally from ``source`` (:func:`literal_shares`)
    literal: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "derived": self.derived, "relation": self.relation,
                "coverage": self.coverage, "literal": self.literal, "similarity": self.similarity,
                "by": self.by, "primary": self.primary}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who took from whom inside one story."""

    edges: list[Edge] = field(default_factory=list)
    #: paths source → … → derived along primary edges, longest first (length ≥ 2)
    chains: list[list[str]] = field(default_factory=list)
    #: the document shown to come before every other ordered one (None: order unknown)
    earliest: str | None = None
    #: what shows it: "date", "provenance" (edges) or "date+provenance"; None with no earliest
    earliest_by: str | None = None


def parse_when(value: Any) -> datetime | None:
    """A day-precision ISO 8601 date or datetime as a naive UTC datetime, or None
    (a year or a month is not an instant: see :mod:`wiretrace.dates`).

    >>> parse_when("2024-03-01T10:00:00+02:00"), parse_when("nope"), parse_when("2024")
    (datetime.datetime(2024, 3, 1, 8, 0), None, None)
    """
    got = parse_date(value)
    return None if got is None else got.when


def literal_shares(r: Any) -> tuple[float, float]:
    """How literally each side of a :class:`~wiretrace.records.Comparison` is made of
    the other: its coverage weighted by ``1 - edit_rate`` of the passages that make
    it (character-weighted; a paraphrase counts 0). A verbatim copy of three
    paragraphs scores its full coverage; an edited copy of them scores less, so a
    copy's primary source is the text it copies most literally.

    >>> from wiretrace.records import Comparison, Passage
    >>> r = Comparison([Passage(0, 10, 0, 10, "edited", 0.8, 8, 0.2)], 1.0, 0.5, "wholly-derived", "b", 0.9)
    >>> literal_shares(r)
    (0.8, 0.4)
    """
    out = []
    for side, cov in (("a", r.a_coverage), ("b", r.b_coverage)):
        total = weighted = 0.0
        for p in r.passages:
            n = (p.a_end - p.a_start) if side == "a" else (p.b_end - p.b_start)
            total += n
            if p.kind != "paraphrase":
                weighted += n * max(0.0, 1.0 - float(p.edit_rate))
        out.append(round(cov * weighted / total, 4) if total > 0 else 0.0)
    return out[0], out[1]


def is_reuse_link(link: Link) -> bool:
    """Whether a pair is a copy (a hard link): identical, wholly derived, or with
    more than :data:`REUSE_COVERAGE` of the copy (the side that is not the
    likelier source; with no source, the more covered side) in passages.

    >>> is_reuse_link(Link(1, 2, 0.6, "partially-derived", a_coverage=0.1, b_coverage=0.2))
    False
    """
    if link.exact or link.relation == "wholly-derived":
        return True
    if link.relation != "partially-derived":
        return False
    # Read on the copy when the source is known: a roundup made of two wire
    # stories holds most of each, but is only half of either, so it does not
    # weld the two stories into one (on a synthetic corpus with 10% such merged
    # copies, chaining through them grew stories of 60 unrelated events).
    derived = {"a": link.b_coverage, "b": link.a_coverage}.get(
        link.source, max(link.a_coverage, link.b_coverage))
    return derived > REUSE_COVERAGE


def is_story_link(link: Link, story_threshold: float) -> bool:
    """Whether a pair may join one story on its own (dates are checked by the
    grouping): a copy, or a story score at the threshold.

    >>> is_story_link(Link(1, 2, 0.9, "non-derived", story=0.1), 0.2)
    False
    """
    return is_reuse_link(link) or link.story >= story_threshold


def story_id(member_ids: Iterable[str]) -> str:
    """Stable story id: ``"s"`` + 12 hex digits of the smallest member id's hash.

    >>> story_id(["b", "a"]) == story_id(["a", "b"])
    True
    """
    return "s" + xxhash.xxh3_64_hexdigest(min(member_ids).encode("utf-8"))[:12]


def _strength(link: Link) -> tuple:
    return (not link.exact, link.relation != "wholly-derived",
            -max(link.a_coverage, link.b_coverage), link.a, link.b)


class _Clusters:
    """Union-find with each root's date span, members and lowest document.

    A span is ``(lo, hi)``: the earliest of its documents' *latest* possible
    instants and the latest of their *earliest* ones (:func:`wiretrace.dates.date_bounds`).
    For day dates that is the first and last date; a year or a month only
    refuses a union with documents that fall outside it by more than the
    window whatever its real day is, so an imprecise date never splits a story
    that might fit, nor stretches one."""

    def __init__(self, max_days: int):
        self.parent: dict[int, int] = {}
        self.span: dict[int, tuple[datetime | None, datetime | None]] = {}
        self.members: dict[int, list[int]] = {}
        self.max = timedelta(days=max_days)

    def add(self, key: int, bounds: tuple[datetime, datetime] | None) -> None:
        self.parent[key] = key
        self.span[key] = (bounds[1], bounds[0]) if bounds else (None, None)
        self.members[key] = [key]

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def fits(self, rx: int, ry: int) -> tuple[datetime | None, datetime | None] | None:
        """The merged span of two roots, or None when it is longer than the window."""
        (lx, hx), (ly, hy) = self.span[rx], self.span[ry]
        los = [d for d in (lx, ly) if d is not None]
        his = [d for d in (hx, hy) if d is not None]
        lo, hi = (min(los) if los else None), (max(his) if his else None)
        if lo is not None and hi is not None and hi - lo > self.max:
            return None
        return lo, hi

    def union(self, x: int, y: int, *, force: bool = False) -> int | None:
        """Merge the clusters of x and y unless the story would span too long
        (``force``: merge anyway); returns the new root or None."""
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return rx
        span = self.fits(rx, ry)
        if span is None:
            if not force:
                return None
            (lx, hx), (ly, hy) = self.span[rx], self.span[ry]
            span = (min(d for d in (lx, ly) if d is not None), max(d for d in (hx, hy) if d is not None))
        if len(self.members[rx]) < len(self.members[ry]):
            rx, ry = ry, rx
        self.parent[ry] = rx
        self.span[rx] = span
        self.members[rx].extend(self.members.pop(ry))
        del self.span[ry]
        return rx


def group_stories(nodes: Mapping[int, Node], links: Iterable[Link], *, story_threshold: float,
                  story_max_days: int, seeds: Mapping[int, str] | None = None) -> dict[int, str]:
    """Story id of every node (singletons get their own story).

    ``seeds`` maps documents already grouped (an incremental add) to their story:
    each such story starts as one cluster, new documents join it, and two of them
    merge when the evidence of the new documents unites them. A story keeps the
    id of its largest seed story; a story without one is named by
    :func:`story_id`.

    >>> nodes = {1: Node("a", "2024-01-01"), 2: Node("b", "2024-03-01")}
    >>> g = group_stories(nodes, [Link(1, 2, 0.9, "wholly-derived")], story_threshold=0.2,
    ...                   story_max_days=7)
    >>> g[1] != g[2]  # two months apart
    True
    """
    uf = _Clusters(story_max_days)
    for n in sorted(nodes):
        uf.add(n, date_bounds(nodes[n].date))
    usable = sorted((x for x in links if x.a in nodes and x.b in nodes and x.a != x.b),
                    key=lambda x: (x.a, x.b))
    if seeds:
        first: dict[str, int] = {}
        for n in sorted(seeds):
            if n in nodes:
                uf.union(first.setdefault(seeds[n], n), n, force=True)  # it was one story
    scores: dict[int, dict[int, float]] = {}
    for x in usable:
        if x.story > 0:
            scores.setdefault(x.a, {})[x.b] = x.story
            scores.setdefault(x.b, {})[x.a] = x.story
    for link in sorted((x for x in usable if is_reuse_link(x)), key=_strength):
        if link.exact or _copies_agree(uf, link.a, link.b, scores):
            uf.union(link.a, link.b, force=link.exact)
    _average_linkage(uf, [x for x in usable if x.story > 0], story_threshold)
    out: dict[int, str] = {}
    for root, group in uf.members.items():
        named: dict[str, int] = {}
        for n in group:
            if seeds and n in seeds:
                named[seeds[n]] = named.get(seeds[n], 0) + 1
        sid = (min(named, key=lambda k: (-named[k], k)) if named
               else story_id(nodes[n].id for n in group))
        out.update((n, sid) for n in group)
    return out


def _average_linkage(uf: _Clusters, links: list[Link], threshold: float) -> None:
    """Merge clusters, most similar first, while their mean story score reaches
    ``threshold`` (see the module docstring for the nearest-neighbour check).

    Heap entries carry each cluster's lowest document, so ties break the same
    way whatever else the run holds (the Spark engine runs this per component)."""
    near: dict[int, set[int]] = {}
    sums: dict[int, dict[int, float]] = {}
    for link in links:
        if 0 < link.a_rank <= KNN:
            near.setdefault(link.a, set()).add(link.b)
        if 0 < link.b_rank <= KNN:
            near.setdefault(link.b, set()).add(link.a)
        ra, rb = uf.find(link.a), uf.find(link.b)
        if ra != rb:
            sums.setdefault(ra, {})[rb] = sums.setdefault(ra, {}).get(rb, 0.0) + link.story
            sums.setdefault(rb, {})[ra] = sums[ra][rb]
    low = {r: min(m) for r, m in uf.members.items()}
    size = {r: len(m) for r, m in uf.members.items()}
    heap = [(-s / (size[x] * size[y]), low[x], low[y], x, y)
            for x, row in sums.items() for y, s in row.items()
            if low[x] < low[y] and s / (size[x] * size[y]) >= threshold]
    heapq.heapify(heap)
    while heap:
        neg, _, _, x, y = heapq.heappop(heap)
        if x not in sums or y not in sums[x] or sums[x][y] / (size[x] * size[y]) != -neg:
            continue  # stale: a merge since has pushed the current mean
        if uf.fits(x, y) is None or not _neighbours_agree(uf.members[x], uf.members[y], near):
            continue  # refused until one of them grows (which pushes the pair again)
        sx, sy = sums.pop(x), sums.pop(y)
        root = uf.union(x, y)
        other = y if root == x else x
        merged: dict[int, float] = {}
        for row in (sx, sy):
            for z, s in row.items():
                if z not in (x, y):
                    merged[z] = merged.get(z, 0.0) + s
        sums[root] = merged
        size[root], low[root] = size[x] + size[y], min(low[x], low[y])
        del size[other], low[other]
        for z, s in merged.items():
            row = sums[z]
            row.pop(x, None)
            row.pop(y, None)
            row[root] = s
            mean = s / (size[root] * size[z])
            if mean >= threshold:
                a, b = (root, z) if low[root] < low[z] else (z, root)
                heapq.heappush(heap, (-mean, low[a], low[b], a, b))


def _copies_agree(uf: _Clusters, x: int, y: int, scores: Mapping[int, Mapping[int, float]]) -> bool:
    """Whether a copy may join the clusters of ``x`` and ``y``: one is a single
    document, or their mean story score reaches :data:`REUSE_MIN_STORY`."""
    xs, ys = uf.members[uf.find(x)], uf.members[uf.find(y)]
    if xs is ys or min(len(xs), len(ys)) < 2:
        return True
    if len(xs) > len(ys):
        xs, ys = ys, xs
    other = set(ys)
    total = sum(s for n in xs for m, s in scores.get(n, {}).items() if m in other)
    return total >= REUSE_MIN_STORY * len(xs) * len(ys)


def _neighbours_agree(xs: list[int], ys: list[int], near: Mapping[int, set[int]]) -> bool:
    """Whether enough documents of two clusters have a nearest neighbour across."""
    if min(len(xs), len(ys)) < KNN_MIN_SIZE:
        return True
    sx, sy = set(xs), set(ys)
    across = sum(1 for n in xs if near.get(n, set()) & sy) + sum(1 for n in ys if near.get(n, set()) & sx)
    return across >= KNN_SHARE * (len(xs) + len(ys))


def _orient(link: Link, nodes: Mapping[int, Node]) -> tuple[int, int, str] | None:
    """``(source, derived, by)`` for a derived pair, None when undecidable."""
    order = date_order(nodes[link.a].date, nodes[link.b].date)
    if order is not None:
        return (link.a, link.b, "date") if order < 0 else (link.b, link.a, "date")
    if link.source == "a":
        return link.a, link.b, "compare"
    if link.source == "b":
        return link.b, link.a, "compare"
    if abs(link.a_coverage - link.b_coverage) >= 0.05:
        # the copy is the text more covered by the other
        return (link.b, link.a, "containment") if link.a_coverage > link.b_coverage \
            else (link.a, link.b, "containment")
    return None


#: both sides of an unoriented pair at least this covered are one text (same witness)
SAME_TEXT_COVERAGE = 0.9


def provenance(nodes: Mapping[int, Node], links: Iterable[Link], *, max_sources: int = 3) -> Provenance:
    """Source edges, chains and earliest witness of one story's documents.

    Each derived document keeps up to ``max_sources`` sources. The primary one
    is the text it copies most literally (:func:`literal_shares`: the lowest
    edit rate over the largest share of the copy), then the earlier, then the
    one covering more of it; so in A→B→C, C's primary source is B only where
    B explains C better than A does.

    >>> nodes = {1: Node("A", "2024-01-01"), 2: Node("B", "2024-01-02"), 3: Node("C", "2024-01-03")}
    >>> ls = [Link(1, 2, .9, "wholly-derived", None, .9, .9), Link(2, 3, .9, "wholly-derived", None, .9, .9),
    ...       Link(1, 3, .8, "wholly-derived", None, .85, .85)]
    >>> p = provenance(nodes, ls)
    >>> p.chains, p.earliest, p.earliest_by
    ([['A', 'B', 'C']], 'A', 'date')
    """
    found: dict[int, list[tuple[float, float, float, tuple, int, Edge]]] = {}
    same: list[tuple[int, int]] = []
    for link in links:
        if link.relation == "non-derived" or link.a not in nodes or link.b not in nodes:
            continue
        oriented = _orient(link, nodes)
        if oriented is None:
            if link.exact or min(link.a_coverage, link.b_coverage) >= SAME_TEXT_COVERAGE:
                same.append((link.a, link.b))
            continue
        src, der, by = oriented
        on_a = der == link.a
        cov = link.a_coverage if on_a else link.b_coverage
        lit = link.a_literal if on_a else link.b_literal
        lit = cov if lit is None else lit
        edge = Edge(nodes[src].id, nodes[der].id, link.relation, round(cov, 4), link.similarity, by,
                    literal=round(lit, 4))
        when = parse_when(nodes[src].date)
        found.setdefault(der, []).append((lit, cov, link.similarity, (when is None, when or datetime.min),
                                          src, edge))
    edges: list[Edge] = []
    best: dict[int, int] = {}
    for der, cands in sorted(found.items()):
        top = max(c[1] for c in cands)
        # the most literal source first (a verbatim copy of the wire's first paragraphs
        # comes from the wire, not from an edited copy that holds them too); then the
        # earlier, the more of the copy, the more similar telling
        cands.sort(key=lambda c: (-round(c[0], 2), c[3], -round(c[1], 2), -c[2], nodes[c[4]].id))
        kept = [c for c in cands if c[1] >= max(0.03, 0.25 * top)][:max_sources]
        for i, (_, _, _, _, src, edge) in enumerate(kept):
            if i == 0:
                best[der] = src
            edges.append(Edge(edge.source, edge.derived, edge.relation, edge.coverage,
                              edge.similarity, edge.by, primary=i == 0, literal=edge.literal))
    ids = {nodes[n].id: n for n in nodes}
    earliest, by = earliest_witness({n: nodes[n].date for n in nodes},
                                    [(ids[e.source], ids[e.derived], "date" if e.by == "date" else "provenance")
                                     for e in edges], same)
    earliest = None if earliest is None else nodes[earliest].id
    return Provenance(edges, _chains(nodes, best), earliest, by)


def _chains(nodes: Mapping[int, Node], best: Mapping[int, int]) -> list[list[str]]:
    has_child = set(best.values())
    chains: list[list[str]] = []
    for leaf in sorted(best):
        if leaf in has_child:
            continue
        path, seen, x = [leaf], {leaf}, leaf
        while x in best and best[x] not in seen:  # undated cycles stop here
            x = best[x]
            path.append(x)
            seen.add(x)
        chains.append([nodes[n].id for n in reversed(path)])
    chains.sort(key=lambda c: (-len(c), c))
    return chains


_FIRST_SENTENCE = re.compile(r"\S.*?(?:[.!?](?=\s|$)|\n\s*\n|$)", re.S)


def _after_packaging(text: str) -> str:
    """``text`` from its first word of reporting: without the bylines, credit lines
    and datelines that open it (:func:`~wiretrace.boilerplate.boilerplate_spans`)."""
    head = text[:4000]  # the packaging opens the text; no need to look further
    pos = 0
    for s, e in sorted(boilerplate_spans(head, paragraph_spans(head))):
        if s >= pos and not head[pos:s].strip():
            pos = e
    rest = text[pos:]
    return rest if rest.strip() else text


def headline(title: str | None, text: str | None, limit: int = 160) -> str:
    """The title, else the first sentence of the text, cut to ``limit``
    characters; never the byline or dateline the text opens with.

    >>> headline(None, "  Talks began in Rome. They ended.")
    'Talks began in Rome.'
    >>> headline(None, "By Jo Bloggs\\n\\nROME (Reuters) - U.S. talks began. They ended.")
    'U.S. talks began.'
    """
    if title and title.strip():
        out = " ".join(_after_packaging(title).split())
    else:
        rest = _after_packaging(text or "")[:4000]
        first = sentence_spans(rest)[:1]  # knows "U.S." does not end a sentence
        m = _FIRST_SENTENCE.search(rest)
        out = " ".join((rest[first[0][0]:first[0][1]] if first else m.group() if m else "").split())
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def story_rows(story_ids: set[str], nodes: Mapping[int, Node], links: Iterable[Link],
               assign: Mapping[int, str]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The ``stories`` rows of ``story_ids`` (``headline`` left None) and each
    story's headline document (its earliest witness, else its first document).

    >>> rows, first = story_rows({"s"}, {1: Node("a", None)}, [], {1: "s"})
    >>> rows[0]["documents"], first
    ('["a"]', {'s': 1})
    """
    import json

    members: dict[str, list[int]] = {}
    for n, sid in assign.items():
        if sid in story_ids:
            members.setdefault(sid, []).append(n)
    by_story: dict[str, list[Link]] = {}
    for link in links:
        if link.relation == "non-derived":
            continue  # provenance needs derived pairs only
        sa, sb = assign.get(link.a), assign.get(link.b)
        if sa is not None and sa == sb and sa in story_ids:
            by_story.setdefault(sa, []).append(link)
    rows = []
    first: dict[str, int] = {}
    for sid, docs in members.items():
        # day dates first, in date order; a year or a month orders nothing, so those
        # documents follow the dated ones by id, like undated ones
        docs.sort(key=lambda n: (parse_when(nodes[n].date) is None,
                                 parse_when(nodes[n].date) or 0, nodes[n].id))
        prov = provenance({n: nodes[n] for n in docs}, by_story.get(sid, []))
        dates = [nodes[n].date for n in docs if parse_when(nodes[n].date) is not None]
        by_id = {nodes[n].id: n for n in docs}
        first[sid] = by_id.get(prov.earliest, docs[0])
        rows.append({"story": sid, "size": len(docs),
                     "documents": json.dumps([nodes[n].id for n in docs], ensure_ascii=False),
                     "earliest": prov.earliest, "first_date": dates[0] if dates else None,
                     "last_date": dates[-1] if dates else None, "headline": None,
                     "provenance": json.dumps([e.to_dict() for e in prov.edges], ensure_ascii=False),
                     "chains": json.dumps(prov.chains, ensure_ascii=False),
                     "earliest_by": prov.earliest_by})
    return rows, first

"""Stories and provenance from judged pairs. Pure functions, no I/O.

A *story* is a group of documents reporting one event. Documents are joined
by union-find over their story links, strongest first (exact duplicates,
then wholly-derived pairs, then by similarity). A link is a pair that is an
exact duplicate, reaches ``story_similarity``, or has passages that make its
relation other than non-derived. A union is refused when the merged story
would span more than ``story_max_days`` between its earliest and latest dated
documents: without that, formulaic wire copy (daily market reports) chains a
whole corpus into one story. Exact duplicates always share a story,
whatever their dates (they are the same text).

Provenance orients each derived pair: dates first, then the pair's
``Comparison.source``, then containment (the more covered text is the copy).

    >>> nodes = {1: Node("wire", "2024-03-01"), 2: Node("paper", "2024-03-02")}
    >>> links = [Link(1, 2, similarity=0.9, relation="wholly-derived", source="a",
    ...               a_coverage=0.8, b_coverage=0.95)]
    >>> assign = group_stories(nodes, links, story_similarity=0.35, story_max_days=7)
    >>> assign[1] == assign[2]
    True
    >>> [(e.source, e.derived) for e in provenance(nodes, links).edges]
    [('wire', 'paper')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import xxhash

__all__ = ["Node", "Link", "Edge", "Provenance", "parse_when", "is_story_link", "story_id",
           "group_stories", "join_stories", "provenance", "headline"]


@dataclass(frozen=True, slots=True)
class Node:
    """A document as stories see it: its id and date (ISO 8601 or None)."""

    id: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A judged pair ``a < b`` (internal document numbers) with its Comparison figures."""

    a: int
    b: int
    similarity: float
    relation: str
    source: str | None = None
    a_coverage: float = 0.0
    b_coverage: float = 0.0
    exact: bool = False


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

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "derived": self.derived, "relation": self.relation,
                "coverage": self.coverage, "similarity": self.similarity, "by": self.by,
                "primary": self.primary}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who took from whom inside one story."""

    edges: list[Edge] = field(default_factory=list)
    #: paths source → … → derived along primary edges, longest first (length ≥ 2)
    chains: list[list[str]] = field(default_factory=list)
    #: the earliest dated document, else the document most others derive from
    earliest: str | None = None


def parse_when(value: Any) -> datetime | None:
    """An ISO 8601 date or datetime as a naive UTC datetime, or None.

    >>> parse_when("2024-03-01T10:00:00+02:00"), parse_when("nope")
    (datetime.datetime(2024, 3, 1, 8, 0), None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    else:
        try:
            when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when


def is_story_link(link: Link, story_similarity: float) -> bool:
    """Whether a pair may join one story (dates are checked by the grouping).

    >>> is_story_link(Link(1, 2, 0.1, "non-derived"), 0.35)
    False
    """
    return link.exact or link.similarity >= story_similarity or link.relation != "non-derived"


def story_id(member_ids: Iterable[str]) -> str:
    """Stable story id: ``"s"`` + 12 hex digits of the smallest member id's hash.

    >>> story_id(["b", "a"]) == story_id(["a", "b"])
    True
    """
    return "s" + xxhash.xxh3_64_hexdigest(min(member_ids).encode("utf-8"))[:12]


def _strength(link: Link) -> tuple:
    return (not link.exact, link.relation != "wholly-derived", -link.similarity, link.a, link.b)


class _Clusters:
    """Union-find with each root's date span; ``frozen`` roots never merge with each other."""

    def __init__(self, max_days: int):
        self.parent: dict[Any, Any] = {}
        self.span: dict[Any, tuple[datetime | None, datetime | None]] = {}
        self.frozen: set[Any] = set()
        self.max = timedelta(days=max_days)

    def add(self, key: Any, lo: datetime | None, hi: datetime | None, frozen: bool = False) -> None:
        self.parent[key] = key
        self.span[key] = (lo, hi)
        if frozen:
            self.frozen.add(key)

    def find(self, x: Any) -> Any:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, x: Any, y: Any, *, force: bool = False) -> bool:
        """Merge unless the story would span too long (``force``: merge anyway)."""
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return True
        if rx in self.frozen and ry in self.frozen:
            return False
        (lx, hx), (ly, hy) = self.span[rx], self.span[ry]
        los = [d for d in (lx, ly) if d is not None]
        his = [d for d in (hx, hy) if d is not None]
        lo, hi = (min(los) if los else None), (max(his) if his else None)
        if not force and lo is not None and hi is not None and hi - lo > self.max:
            return False
        if ry in self.frozen:  # an existing story keeps its root
            rx, ry = ry, rx
        self.parent[ry] = rx
        self.span[rx] = (lo, hi)
        return True


def group_stories(nodes: Mapping[int, Node], links: Iterable[Link], *, story_similarity: float,
                  story_max_days: int) -> dict[int, str]:
    """Story id of every node (singletons get their own story).

    >>> nodes = {1: Node("a", "2024-01-01"), 2: Node("b", "2024-03-01")}
    >>> g = group_stories(nodes, [Link(1, 2, 0.9, "wholly-derived")], story_similarity=0.35,
    ...                   story_max_days=7)
    >>> g[1] != g[2]  # two months apart
    True
    """
    uf = _Clusters(story_max_days)
    for n, node in nodes.items():
        when = parse_when(node.date)
        uf.add(n, when, when)
    for link in sorted((x for x in links if is_story_link(x, story_similarity)
                        and x.a in nodes and x.b in nodes), key=_strength):
        uf.union(link.a, link.b, force=link.exact)
    members: dict[Any, list[int]] = {}
    for n in nodes:
        members.setdefault(uf.find(n), []).append(n)
    out: dict[int, str] = {}
    for group in members.values():
        sid = story_id(nodes[n].id for n in group)
        out.update((n, sid) for n in group)
    return out


def join_stories(new: Mapping[int, Node], links: Iterable[Link], existing: Mapping[int, str],
                 spans: Mapping[str, tuple[str | None, str | None]], *, story_similarity: float,
                 story_max_days: int) -> dict[int, str]:
    """Incremental grouping: story ids for the ``new`` nodes only.

    ``existing`` maps already indexed documents (those linked to new ones) to
    their stories and ``spans`` gives each such story's earliest and latest
    date. A new document joins the story of its strongest link when the story
    stays within ``story_max_days``; new documents may join each other; two
    existing stories are never merged (their ids stay stable; a full rescan
    regroups).

    >>> new = {3: Node("c", "2024-01-02")}
    >>> join_stories(new, [Link(1, 3, 0.8, "wholly-derived")], {1: "s1"},
    ...              {"s1": ("2024-01-01", "2024-01-01")}, story_similarity=0.35, story_max_days=7)
    {3: 's1'}
    """
    uf = _Clusters(story_max_days)
    for sid, (lo, hi) in spans.items():
        uf.add(("story", sid), parse_when(lo), parse_when(hi), frozen=True)
    for n, node in new.items():
        when = parse_when(node.date)
        uf.add(n, when, when)

    def key(n: int) -> Any:
        return n if n in new else ("story", existing[n]) if n in existing else None

    for link in sorted(links, key=_strength):
        ka, kb = key(link.a), key(link.b)
        if ka is None or kb is None or not is_story_link(link, story_similarity):
            continue
        uf.union(ka, kb, force=link.exact)
    groups: dict[Any, list[int]] = {}
    for n in new:
        groups.setdefault(uf.find(n), []).append(n)
    out: dict[int, str] = {}
    for root, group in groups.items():
        if isinstance(root, tuple):
            sid = root[1]
        else:
            sid = story_id(new[n].id for n in group)
        out.update((n, sid) for n in group)
    return out


def _orient(link: Link, nodes: Mapping[int, Node]) -> tuple[int, int, str] | None:
    """``(source, derived, by)`` for a derived pair, None when undecidable."""
    wa, wb = parse_when(nodes[link.a].date), parse_when(nodes[link.b].date)
    if wa is not None and wb is not None and wa != wb:
        return (link.a, link.b, "date") if wa < wb else (link.b, link.a, "date")
    if link.source == "a":
        return link.a, link.b, "compare"
    if link.source == "b":
        return link.b, link.a, "compare"
    if abs(link.a_coverage - link.b_coverage) >= 0.05:
        # the copy is the text more covered by the other
        return (link.b, link.a, "containment") if link.a_coverage > link.b_coverage \
            else (link.a, link.b, "containment")
    return None


def provenance(nodes: Mapping[int, Node], links: Iterable[Link], *, max_sources: int = 3) -> Provenance:
    """Source edges, chains and earliest witness of one story's documents.

    Each derived document keeps up to ``max_sources`` sources: the one that
    covers most of its text first, then the more similar, then the earlier
    (so in A→B→C, C's primary source is B when B gave it more than A did).

    >>> nodes = {1: Node("A", "2024-01-01"), 2: Node("B", "2024-01-02"), 3: Node("C", "2024-01-03")}
    >>> ls = [Link(1, 2, .9, "wholly-derived", None, .9, .9), Link(2, 3, .9, "wholly-derived", None, .9, .9),
    ...       Link(1, 3, .8, "wholly-derived", None, .85, .85)]
    >>> provenance(nodes, ls).chains
    [['A', 'B', 'C']]
    """
    found: dict[int, list[tuple[float, float, datetime | None, int, Edge]]] = {}
    for link in links:
        if link.relation == "non-derived" or link.a not in nodes or link.b not in nodes:
            continue
        oriented = _orient(link, nodes)
        if oriented is None:
            continue
        src, der, by = oriented
        cov = link.a_coverage if der == link.a else link.b_coverage
        edge = Edge(nodes[src].id, nodes[der].id, link.relation, round(cov, 4), link.similarity, by)
        found.setdefault(der, []).append((cov, link.similarity, parse_when(nodes[src].date), src, edge))
    edges: list[Edge] = []
    best: dict[int, int] = {}
    for der, cands in sorted(found.items()):
        top = max(c[0] for c in cands)
        # most of the copy's text first (a closer link in a chain A→B→C carries
        # more of C), then the more similar telling; on a tie the earlier document
        cands.sort(key=lambda c: (-round(c[0], 2), -c[1], c[2] is None, c[2] or datetime.min, c[3]))
        kept = [c for c in cands if c[0] >= max(0.03, 0.25 * top)][:max_sources]
        for i, (_, _, _, src, edge) in enumerate(kept):
            if i == 0:
                best[der] = src
            edges.append(Edge(edge.source, edge.derived, edge.relation, edge.coverage,
                              edge.similarity, edge.by, primary=i == 0))
    return Provenance(edges, _chains(nodes, best), _earliest(nodes, best))


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


def _earliest(nodes: Mapping[int, Node], best: Mapping[int, int]) -> str | None:
    if not nodes:
        return None
    dated = [(w, nodes[n].id) for n in nodes if (w := parse_when(nodes[n].date)) is not None]
    if dated:
        return min(dated)[1]
    counts: dict[int, int] = {}
    for src in best.values():
        counts[src] = counts.get(src, 0) + 1
    roots = [n for n in nodes if n not in best] or list(nodes)
    return min((-counts.get(n, 0), nodes[n].id) for n in roots)[1]


_FIRST_SENTENCE = re.compile(r"\S.*?(?:[.!?](?=\s|$)|\n\s*\n|$)", re.S)


def headline(title: str | None, text: str | None, limit: int = 160) -> str:
    """The title, else the first sentence of the text, cut to ``limit`` characters.

    >>> headline(None, "  Talks began in Rome. They ended.")
    'Talks began in Rome.'
    """
    if title and title.strip():
        out = " ".join(title.split())
    else:
        m = _FIRST_SENTENCE.search(text or "")
        out = " ".join(m.group().split()) if m else ""
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"

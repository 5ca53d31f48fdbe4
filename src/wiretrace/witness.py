"""The earliest witness of a story: the document that evidence puts before
every other ordered one, or nobody (order unknown). Pure functions.

Evidence is what :mod:`wiretrace.stories` draws: provenance edges (dates,
wire signals, containment) and day dates; a year, a month, an id or a
document's position in the input never order anything.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

from .dates import DateInfo, date_order, parse_date
from .unionfind import smallest_roots

__all__ = ["earliest_witness"]


def earliest_witness(dates: Mapping[int, str | None], edges: list[tuple[int, int, str]],
                     same: list[tuple[int, int]]) -> tuple[int | None, str | None]:
    """The earliest witness of a story's documents (``dates``: document → ISO date
    or None; ``edges``: (source, copy, kind) provenance edges, kind "date" for an
    edge oriented by dates, else "provenance"; ``same``: unoriented pairs that
    are one text) and the evidence for it ("date", "provenance" or
    "date+provenance"), or ``(None, None)``: order unknown.

    Evidence orders documents: an edge puts its source before its copy, and
    day dates order two documents (:func:`wiretrace.dates.date_order`), both
    transitively. Documents with no such evidence (undated, no edge) are left
    out. Unoriented copies of one text (exact duplicates, whole copies both
    ways) are one witness. The earliest witness is a document of the one
    witness that comes before every other ordered document; when there are two
    or more unordered roots, a cycle, or the root witness has several undated
    texts, it is None.

    >>> earliest_witness({1: None, 2: None, 3: None}, [(1, 2, "provenance")], [])  # 3 is unordered
    (1, 'provenance')
    >>> earliest_witness({1: None, 2: None, 3: None}, [(1, 2, "provenance"), (3, 2, "provenance")], [])
    (None, None)
    >>> earliest_witness({1: "2016-01-12", 2: "2016-01-13", 3: "2016"}, [], [])
    (1, 'date')
    """
    nodes = dates
    if len(nodes) < 2:
        return None, None
    group = _same_text_groups(nodes, same)
    members: dict[int, list[int]] = {}
    for n in sorted(nodes):
        members.setdefault(group[n], []).append(n)
    info = {n: d for n in nodes if (d := parse_date(nodes[n])) is not None and d.when is not None}
    dated = sorted(info, key=lambda n: (info[n].when.date(), n))  # type: ignore[union-attr]
    pred, succ = _date_neighbours(dated, info, group)
    children: dict[int, dict[int, str]] = {}
    has_parent: set[int] = set()
    for s, d, kind in edges:
        if group[s] != group[d]:
            children.setdefault(s, {}).setdefault(d, kind)
            has_parent.add(group[d])
    ordered = {group[n] for n in dated if pred[n] or succ[n]} | {group[n] for e in edges for n in e[:2]
                                                                if group[e[0]] != group[e[1]]}
    roots = [g for g in ordered if g not in has_parent and not any(pred[n] for n in members[g] if n in pred)]
    if len(roots) != 1:
        return None, None
    # the simplest evidence that orders every document: dates alone (with edges oriented
    # by dates), copy evidence alone (edges from wire signals or containment), or both
    by = None
    for kinds in (("date",), ("provenance",), ("date", "provenance")):
        reached = _reach(members[roots[0]], members, group, children, dated, info, kinds)
        if ordered <= {group[n] for n in reached}:
            by = "+".join(kinds)
            break
    if by is None:
        return None, None
    root = members[roots[0]]
    if len(root) > 1:  # copies of one text: the one dated before the others
        firsts = [n for n in root if n in info and all(
            m == n or date_order(info[n], info[m]) == -1 for m in root if m in info)]
        if len(firsts) != 1:
            return None, None
        root = firsts
    return root[0], by


def _same_text_groups(nodes: Mapping[int, Any], same: list[tuple[int, int]]) -> dict[int, int]:
    return {n: root for n, root in smallest_roots(same, nodes).items() if n in nodes}


def _date_neighbours(dated: list[int], info: Mapping[int, DateInfo], group: Mapping[int, int]
                     ) -> tuple[dict[int, bool], dict[int, bool]]:
    """Whether each dated document has a document of another witness dated before
    it (``pred``) and after it (``succ``), in O(n log n): per prefix (suffix) of
    the date order, the first two witnesses seen are enough to tell."""
    pred = {n: False for n in dated}
    succ = {n: False for n in dated}
    days: dict[Any, list[int]] = {}
    for n in dated:
        days.setdefault(info[n].when.date(), []).append(n)  # type: ignore[union-attr]
    keys = sorted(days)
    for flag, order in ((pred, keys), (succ, keys[::-1])):
        seen: list[int] = []  # up to two distinct witnesses from earlier (later) days
        for day in order:
            todo = days[day]
            for n in todo:
                flag[n] = any(g != group[n] for g in seen)
            # the same day: only two timed dates order; the same two-witness trick over
            # blocks of equal instants, earliest first (latest first for ``succ``)
            timed = sorted((n for n in todo if info[n].has_time), key=lambda n: info[n].when,
                           reverse=flag is succ)
            before: list[int] = []
            i = 0
            while i < len(timed):
                j = i
                while j < len(timed) and info[timed[j]].when == info[timed[i]].when:
                    j += 1
                for n in timed[i:j]:
                    flag[n] = flag[n] or any(g != group[n] for g in before)
                for n in timed[i:j]:
                    if len(before) < 2 and group[n] not in before:
                        before.append(group[n])
                i = j
            for n in todo:
                if len(set(seen)) < 2 and group[n] not in seen:
                    seen.append(group[n])
    return pred, succ


def _reach(start: list[int], members: Mapping[int, list[int]], group: Mapping[int, int],
           children: Mapping[int, Mapping[int, str]], dated: list[int], info: Mapping[int, DateInfo],
           kinds: tuple[str, ...]) -> set[int]:
    """Documents shown to come after ``start`` (transitively) by the evidence of
    ``kinds``: "date" (day dates, and edges oriented by them), "provenance"."""
    reached: set[int] = set()
    days = [info[n].when.date() for n in dated]  # type: ignore[union-attr]
    low = len(dated)  # dated[low:] are all reached by date already
    queue: list[int] = []

    def reach(n: int) -> None:
        if n in reached:
            return
        for m in members[group[n]]:
            if m not in reached:
                reached.add(m)
                queue.append(m)

    for n in start:
        reach(n)
    while queue:
        x = queue.pop()
        for c, kind in sorted(children.get(x, {}).items()):
            if kind in kinds:
                reach(c)
        if x not in info or "date" not in kinds:
            continue
        d = info[x].when.date()  # type: ignore[union-attr]
        first_later = bisect.bisect_right(days, d)
        if first_later < low:
            for n in dated[first_later:low]:
                reach(n)
            low = first_later
        if info[x].has_time:
            i = bisect.bisect_left(days, d)
            for n in dated[i:first_later]:
                if info[n].has_time and info[n].when > info[x].when:  # type: ignore[operator]
                    reach(n)
    return reached

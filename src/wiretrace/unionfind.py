"""Connected components by union-find, each named by its smallest member."""

from __future__ import annotations

from collections.abc import Hashable, Iterable


def smallest_roots(edges: Iterable[tuple[Hashable, Hashable]],
                   nodes: Iterable[Hashable] = ()) -> dict:
    """Every node of ``edges`` (and of ``nodes``) -> the smallest member of its component.

    >>> smallest_roots([(3, 1), (4, 5)], nodes=[9])
    {9: 9, 3: 1, 1: 1, 4: 4, 5: 4}
    """
    parent = {n: n for n in nodes}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}

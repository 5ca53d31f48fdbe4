"""Small numpy idioms the stages share.

They are here, not inline, because the inline forms (``np.r_[0, np.cumsum(x)]``,
``np.diff(np.r_[0, m, 0])``) cost several microseconds of Python dispatch
each, and a corpus scan calls them a few dozen times per candidate pair
(measured: ``np.r_`` alone was 4% of the align workers' time at 1M documents).
"""

from __future__ import annotations

import numpy as np


def prefix_sums(x: np.ndarray) -> np.ndarray:
    """``[0, x0, x0+x1, ...]`` as int64: ``s[j] - s[i]`` sums ``x[i:j]``.

    >>> prefix_sums(np.array([True, False, True])).tolist()
    [0, 1, 1, 2]
    """
    out = np.zeros(len(x) + 1, np.int64)
    # the ufunc itself: np.cumsum reaches it through two layers of Python dispatch
    # (7 us against 18 us for a 600-word text; ~10 calls a comparison)
    np.add.accumulate(x, dtype=np.int64, out=out[1:])
    return out


def true_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-open ``(starts, ends)`` of the maximal runs of True in ``mask``.

    >>> [a.tolist() for a in true_runs(np.array([1, 1, 0, 1], bool))]
    [[0, 3], [2, 4]]
    """
    padded = np.zeros(len(mask) + 2, np.int8)
    padded[1:-1] = mask
    edges = padded[1:] - padded[:-1]
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def group_ends(starts: np.ndarray, n: int) -> np.ndarray:
    """Last index of each group of a length-``n`` array cut at ``starts``
    (ascending, ``starts[0] == 0``).

    >>> group_ends(np.array([0, 2, 3]), 5).tolist()
    [1, 2, 4]
    """
    ends = np.empty(len(starts), np.int64)
    if len(starts):
        ends[:-1] = starts[1:] - 1
        ends[-1] = n - 1
    return ends


def group_positions(sizes: np.ndarray) -> np.ndarray:
    """Each element's position within its group, for groups of ``sizes`` laid end to end.

    >>> group_positions(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(sizes.cumsum() - sizes, sizes)

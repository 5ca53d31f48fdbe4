"""The shared numpy idioms agree with the plain (slower) numpy forms they replace."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from wiretrace._arrays import group_ends, group_positions, prefix_sums, true_runs

bools = st.lists(st.booleans(), max_size=60).map(lambda xs: np.array(xs, dtype=bool))


@given(bools)
def test_prefix_sums_match_cumsum(mask):
    got = prefix_sums(mask)
    assert got.dtype == np.int64
    assert got.tolist() == np.r_[0, np.cumsum(mask)].tolist()


@given(bools)
def test_true_runs_cover_exactly_the_true_positions(mask):
    starts, ends = true_runs(mask)
    rebuilt = np.zeros(len(mask), dtype=bool)
    for s, e in zip(starts.tolist(), ends.tolist()):
        assert s < e
        assert not rebuilt[s:e].any()
        rebuilt[s:e] = True
    assert rebuilt.tolist() == mask.tolist()
    # maximal: runs never touch
    assert all(e < s for e, s in zip(ends[:-1].tolist(), starts[1:].tolist()))


@given(st.lists(st.integers(1, 5), max_size=20))
def test_group_ends_are_the_last_index_of_each_group(sizes):
    starts = np.cumsum([0] + sizes[:-1]) if sizes else np.zeros(0, np.int64)
    n = sum(sizes)
    assert group_ends(np.asarray(starts, np.int64), n).tolist() == [s + k - 1 for s, k in zip(starts, sizes)]


@given(st.lists(st.integers(0, 5), max_size=20))
def test_group_positions_count_within_each_group(sizes):
    assert group_positions(np.array(sizes, np.int64)).tolist() == [i for k in sizes for i in range(k)]

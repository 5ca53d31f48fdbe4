"""Lexical alignment of reused passages between two tokenized texts.

1. Seed: hashed word n-grams shared by both texts (repeats pruned).
2. Runs: seeds on one diagonal with consecutive positions form exact runs.
3. Select: longest runs first, each word used once per side (so passages are
   disjoint and reordered paragraphs each find their own counterpart).
4. Chain: runs that follow each other on both sides within ``max_gap`` words
   merge across small edits; the gaps get a word-level Levenshtein alignment,
   so the cost is linear in the passage length, never quadratic in the text.
5. Extend each chain word by word, then split it at paragraph breaks of
   either text so a passage never bridges unrelated paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain as chain_items

import numpy as np
from rapidfuzz.distance import Levenshtein

from ._arrays import group_ends, group_positions, prefix_sums, true_runs
from .config import CompareConfig
from .fingerprint import ngram_hashes, seed_mask
from .normalize import Tokens
from .records import Passage


@dataclass(frozen=True, slots=True)
class Block:
    """Aligned word ranges ``a[a0:a1]`` ~ ``b[b0:b1]`` with their edit count."""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int
    edits: int


def seed_pairs(a: Tokens, b: Tokens, n: int, max_repeats: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(i, j)`` where a's and b's n-grams starting there are equal."""
    empty = np.zeros(0, np.int64), np.zeros(0, np.int64)
    ua, sa, ca, pa = _seed_index(a, n)
    ub, sb, cb, pb = _seed_index(b, n)
    if len(ua) == 0 or len(ub) == 0:
        return empty
    # Each text's distinct hashes are sorted once (a scan meets a text in many
    # pairs); a pair only looks a's up in b's, with no sort of its own.
    at = ub.searchsorted(ua)
    at[at == len(ub)] = 0
    ga = np.flatnonzero(ub[at] == ua)
    gb = at[ga]
    n_a, n_b = ca[ga], cb[gb]
    # Prune n-grams repeated inside either text: they cost |a|x|b| pairs and
    # are formulae ("said in a statement") rather than evidence.
    keep = (n_a <= max_repeats) & (n_b <= max_repeats)
    if not keep.all():
        ga, gb, n_a, n_b = ga[keep], gb[keep], n_a[keep], n_b[keep]
    if len(ga) == 0:
        return empty
    first_a, first_b = sa[ga], sb[gb]
    if n_a.max() == 1 and n_b.max() == 1:
        return pa[first_a], pb[first_b]
    # every a occurrence of a value meets every b occurrence of it
    cnt = n_a * n_b
    g = np.repeat(np.arange(len(ga)), cnt)
    k = group_positions(cnt)
    return pa[first_a[g] + k // n_b[g]], pb[first_b[g] + k % n_b[g]]


def _seed_index(t: Tokens, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``t``'s seedable n-gram hashes grouped by value, once per text: the distinct values
    (ascending), where each value's positions start in the last array, how many
    there are, and the positions themselves (ascending within a value)."""
    def make() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        pos = np.flatnonzero(seed_mask(t, n))
        vals = ngram_hashes(t.ids, n)[pos]
        order = np.argsort(vals, kind="stable")
        vals = vals[order]
        head = np.ones(len(vals), dtype=bool)
        head[1:] = vals[1:] != vals[:-1]
        first = np.flatnonzero(head)
        return vals[first], first, group_ends(first, len(vals)) + 1 - first, pos[order]
    return t.cached(("seed_index", n), make)


def diagonal_runs(ai: np.ndarray, bj: np.ndarray, n: int) -> np.ndarray:
    """Maximal exact runs as rows ``(a0, a1, b0, b1)`` (word ranges, half-open)."""
    if len(ai) == 0:
        return np.zeros((0, 4), np.int64)
    d = bj - ai
    order = np.lexsort((ai, d))
    ai, d = ai[order], d[order]
    brk = np.ones(len(ai), dtype=bool)
    brk[1:] = (d[1:] != d[:-1]) | (ai[1:] != ai[:-1] + 1)
    starts = np.flatnonzero(brk)
    ends = group_ends(starts, len(ai))
    a0 = ai[starts]
    a1 = ai[ends] + n
    b0 = a0 + d[starts]
    return np.stack([a0, a1, b0, b0 + (a1 - a0)], axis=1)


def select_runs(runs: np.ndarray, na: int, nb: int, min_len: int) -> list[tuple[int, int, int, int]]:
    """Longest runs first; each word used at most once on each side."""
    if len(runs) == 0:
        return []
    # bytearrays of 0/1: C-speed find/fill per run
    used_a, used_b = bytearray(na), bytearray(nb)
    order = np.argsort(-(runs[:, 1] - runs[:, 0]), kind="stable")
    out = []
    for a0, a1, b0, b1 in runs[order].tolist():
        if used_a.find(1, a0, a1) >= 0 or used_b.find(1, b0, b1) >= 0:
            # keep the (first) longest free stretch of a partly covered run: the two
            # sides' used bytes OR-ed as big integers, then cut at the used ones
            # (bytes operations; a dozen numpy calls cost ~10x more on a short run)
            both = (int.from_bytes(used_a[a0:a1], "big") | int.from_bytes(used_b[b0:b1], "big"))
            at = best = k = 0
            for piece in both.to_bytes(a1 - a0, "big").split(b"\x01"):
                if len(piece) > best:
                    at, best = k, len(piece)
                k += len(piece) + 1
            if not best:
                continue
            a0, a1, b0, b1 = a0 + at, a0 + at + best, b0 + at, b0 + at + best
        if a1 - a0 < min_len:
            continue
        used_a[a0:a1] = b"\x01" * (a1 - a0)
        used_b[b0:b1] = b"\x01" * (b1 - b0)
        out.append((a0, a1, b0, b1))
    out.sort()
    return out


def chain_runs(runs: list[tuple[int, int, int, int]], a: Tokens, b: Tokens,
               max_gap: int) -> list[list[tuple[int, int, int, int]]]:
    """Group runs (sorted by a0) into chains that advance on both sides with small gaps."""
    chains: list[list[tuple[int, int, int, int]]] = []
    open_: list[int] = []
    # boilerplate words before each position, as Python ints: a gap holds
    # boilerplate when the counts at its ends differ (no numpy call per test)
    boil_a, boil_b = _boiler_before(a), _boiler_before(b)
    for r in runs:
        a0, _, b0, _ = r
        best, best_cost = -1, None
        still_open = []
        for ci in open_:
            last = chains[ci][-1]
            ga, gb = a0 - last[1], b0 - last[3]
            if ga > max_gap:
                continue  # runs come in a order: this chain can never grow again
            still_open.append(ci)
            if 0 <= ga and 0 <= gb <= max_gap and abs(ga - gb) <= max_gap:
                if boil_a[a0] != boil_a[last[1]] or boil_b[b0] != boil_b[last[3]]:
                    continue
                cost = ga + gb
                if best_cost is None or cost < best_cost:
                    best, best_cost = ci, cost
        open_ = still_open
        if best >= 0:
            chains[best].append(r)
        else:
            chains.append([r])
            open_.append(len(chains) - 1)
    return chains


def _boiler_before(t: Tokens) -> list[int]:
    return t.cached("boiler_before", lambda: prefix_sums(t.boiler).tolist())


def _chain_pairs(chain, a: Tokens, b: Tokens, used_a: np.ndarray, used_b: np.ndarray) -> list[tuple[int, int]]:
    """All matched word pairs of a chain: runs, aligned gaps and extended ends."""
    pairs: list[tuple[int, int]] = []
    for k, (a0, a1, b0, b1) in enumerate(chain):
        if k:
            pa, pb = chain[k - 1][1], chain[k - 1][3]
            if a0 > pa and b0 > pb:
                for op in Levenshtein.opcodes(a.forms[pa:a0], b.forms[pb:b0]):
                    if op.tag == "equal":
                        pairs.extend(zip(range(pa + op.src_start, pa + op.src_end),
                                         range(pb + op.dest_start, pb + op.dest_end)))
        pairs.extend(zip(range(a0, a1), range(b0, b1)))
    # extend on both ends while words agree and are still free
    i, j = pairs[0]
    left = []
    while i > 0 and j > 0 and not used_a[i - 1] and not used_b[j - 1] \
            and a.ids[i - 1] == b.ids[j - 1] and not a.boiler[i - 1] and not b.boiler[j - 1]:
        i, j = i - 1, j - 1
        left.append((i, j))
    i, j = pairs[-1]
    right = []
    while i + 1 < len(a) and j + 1 < len(b) and not used_a[i + 1] and not used_b[j + 1] \
            and a.ids[i + 1] == b.ids[j + 1] and not a.boiler[i + 1] and not b.boiler[j + 1]:
        i, j = i + 1, j + 1
        right.append((i, j))
    return left[::-1] + pairs + right


def _split_at_paragraphs(pairs: list[tuple[int, int]], arr: np.ndarray, a: Tokens, b: Tokens
                         ) -> list[list[tuple[int, int]]]:
    """Cut a chain's word pairs (``arr`` holds them as rows) where either side changes paragraph."""
    # the pairs ascend on both sides and paragraph numbers never decrease, so equal
    # numbers at both ends mean one paragraph on each side: no cut (most chains)
    (i0, j0), (i1, j1) = pairs[0], pairs[-1]
    if a.para[i0] == a.para[i1] and b.para[j0] == b.para[j1]:
        return [pairs]
    pa, pb = a.para[arr[:, 0]], b.para[arr[:, 1]]
    cuts = np.flatnonzero((pa[1:] != pa[:-1]) | (pb[1:] != pb[:-1])) + 1
    if len(cuts) == 0:
        return [pairs]
    bounds = [0, *cuts.tolist(), len(pairs)]
    return [pairs[s:e] for s, e in zip(bounds, bounds[1:])]


def _content_runs(boiler: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Maximal stretches of non-boilerplate words as identity runs."""
    starts, ends = true_runs(~boiler)
    return [(int(s), int(e), int(s), int(e)) for s, e in zip(starts, ends)]


def align_blocks(a: Tokens, b: Tokens, cfg: CompareConfig) -> list[Block]:
    """Aligned word blocks between two texts, disjoint on each side, sorted by a0."""
    n = cfg.ngram
    if len(a) < n or len(b) < n:
        return []
    identical = len(a) == len(b) and bool(np.array_equal(a.ids, b.ids))
    if identical:
        # Same words throughout: seeding would only lose repetitive text (tables,
        # lists) to the repeat pruning, so take every content word as matched.
        runs = _content_runs(a.boiler | b.boiler)
    else:
        ai, bj = seed_pairs(a, b, n, cfg.max_ngram_repeats)
        runs = select_runs(diagonal_runs(ai, bj, n), len(a), len(b), n)
    used_a = np.zeros(len(a), dtype=bool)
    used_b = np.zeros(len(b), dtype=bool)
    for a0, a1, b0, b1 in runs:
        used_a[a0:a1] = True
        used_b[b0:b1] = True
    blocks: list[Block] = []
    for chain in chain_runs(runs, a, b, cfg.max_gap):
        pairs = _chain_pairs(chain, a, b, used_a, used_b)
        arr = np.fromiter(chain_items.from_iterable(pairs), dtype=np.int64, count=2 * len(pairs)).reshape(-1, 2)
        used_a[arr[:, 0]] = True
        used_b[arr[:, 1]] = True
        for piece in _split_at_paragraphs(pairs, arr, a, b):
            if len(piece) < cfg.min_passage_words and not identical:
                continue
            a0, a1 = piece[0][0], piece[-1][0] + 1
            b0, b1 = piece[0][1], piece[-1][1] + 1
            # words inside the span that are not matched are the edits
            edits = max(a1 - a0, b1 - b0) - len(piece)
            blocks.append(Block(a0, a1, b0, b1, len(piece), edits))
    blocks.sort(key=lambda blk: blk.a0)
    return _absorb_edges(blocks, a, b, cfg.max_edge_words)


def _content_bounds(t: Tokens) -> tuple[dict[int, int], dict[int, int]]:
    """First and last non-boilerplate token of each paragraph."""
    return t.cached("content_bounds", lambda: _find_content_bounds(t))


def _find_content_bounds(t: Tokens) -> tuple[dict[int, int], dict[int, int]]:
    idx = np.flatnonzero(~t.boiler)
    if len(idx) == 0:
        return {}, {}
    par = t.para[idx]  # non-decreasing: tokens are in text order
    cut = np.flatnonzero(par[1:] != par[:-1]) + 1
    first = np.concatenate(([0], cut))
    last = group_ends(first, len(par))
    keys = par[first].tolist()
    return dict(zip(keys, idx[first].tolist())), dict(zip(keys, idx[last].tolist()))


def _matched(xs: list[str], ys: list[str]) -> int:
    if not xs or not ys:
        return 0
    return sum(op.src_end - op.src_start for op in Levenshtein.opcodes(xs, ys) if op.tag == "equal")


def _absorb_edges(blocks: list[Block], a: Tokens, b: Tokens, max_edge: int) -> list[Block]:
    """Stretch a passage to its paragraph edges when only a few words are left
    over on both sides ("IS forces" / "Islamic State forces" at the start of a
    paragraph): that is a substitution at the edge, not new text."""
    if not blocks or max_edge <= 0:
        return blocks
    used_a = np.zeros(len(a), dtype=bool)
    used_b = np.zeros(len(b), dtype=bool)
    for blk in blocks:
        used_a[blk.a0:blk.a1] = True
        used_b[blk.b0:blk.b1] = True
    fa, la = _content_bounds(a)
    fb, lb = _content_bounds(b)
    out = []
    for blk in blocks:
        a0, a1, b0, b1, matched, edits = blk.a0, blk.a1, blk.b0, blk.b1, blk.matched, blk.edits
        pa, pb = int(a.para[a0]), int(b.para[b0])
        if pa in fa and pb in fb:
            # leading edge: paragraph start .. passage start; trailing: passage end .. paragraph end
            for ra, rb in (((fa[pa], a0), (fb[pb], b0)), ((a1, la[pa] + 1), (b1, lb[pb] + 1))):
                m = _edge_match(ra, rb, a, b, used_a, used_b, matched, max_edge)
                if m is None:
                    continue
                ka, kb = ra[1] - ra[0], rb[1] - rb[0]
                matched, edits = matched + m, edits + max(ka, kb) - m
                used_a[ra[0]:ra[1]] = used_b[rb[0]:rb[1]] = True
                a0, a1 = min(a0, ra[0]), max(a1, ra[1])
                b0, b1 = min(b0, rb[0]), max(b1, rb[1])
        out.append(Block(a0, a1, b0, b1, matched, edits))
    return out


def _edge_match(ra: tuple[int, int], rb: tuple[int, int], a: Tokens, b: Tokens, used_a: np.ndarray,
                used_b: np.ndarray, matched: int, max_edge: int) -> int | None:
    """Words matched in the leftover ranges ``a[ra]``/``b[rb]`` if the passage may absorb them, else None."""
    ka, kb = ra[1] - ra[0], rb[1] - rb[0]
    if not (0 <= ka <= max_edge and 0 <= kb <= max_edge and (ka or kb) and matched >= 2 * max(ka, kb)):
        return None
    sa, sb = slice(*ra), slice(*rb)
    # count_nonzero: ndarray.any() on a few words costs ~4 us of Python dispatch
    if np.count_nonzero(used_a[sa]) or np.count_nonzero(used_b[sb]) or np.count_nonzero(a.boiler[sa]) \
            or np.count_nonzero(b.boiler[sb]):
        return None
    return _matched(a.forms[sa], b.forms[sb])


def blocks_to_passages(blocks: list[Block], a: Tokens, b: Tokens, cfg: CompareConfig) -> list[Passage]:
    """Turn word blocks into character-offset passages with kind and score."""
    out = []
    for blk in blocks:
        a_s, a_e = a.span(blk.a0, blk.a1)
        b_s, b_e = b.span(blk.b0, blk.b1)
        length = max(blk.a1 - blk.a0, blk.b1 - blk.b0)
        rate = blk.edits / length if length else 0.0
        kind = "verbatim" if rate <= cfg.verbatim_max_edit_rate else "edited"
        out.append(Passage(a_s, a_e, b_s, b_e, kind, round(1.0 - rate, 4), blk.matched, round(rate, 4)))
    return out

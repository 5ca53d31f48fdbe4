from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.align import align_blocks, diagonal_runs, seed_pairs, select_runs
from wiretrace.config import CompareConfig
from wiretrace.fingerprint import seed_mask
from wiretrace.normalize import tokenize

CFG = CompareConfig()
WORDS = ("minister officials ceasefire province election budget reactor harvest tariff pipeline "
         "refugees parliament coalition currency drought vaccine strike airport protest court").split()


def article(seed: int, n_paras: int = 6, words: int = 30) -> str:
    rng = random.Random(seed)
    return "\n".join(" ".join(rng.choice(WORDS) + str(rng.randint(0, 99)) for _ in range(words)) + "."
                     for _ in range(n_paras))


def test_seed_pairs_and_runs_on_identical_text():
    t = tokenize("alpha beta gamma delta epsilon zeta eta theta")
    ai, bj = seed_pairs(t, t, 3, 8)
    runs = diagonal_runs(ai, bj, 3)
    assert runs.tolist() == [[0, 8, 0, 8]]
    assert select_runs(runs, len(t), len(t), 3) == [(0, 8, 0, 8)]


def test_reordered_paragraphs_each_find_their_counterpart():
    a_paras = article(1).split("\n")
    b_paras = a_paras[::-1]
    a, b = tokenize("\n".join(a_paras)), tokenize("\n".join(b_paras))
    blocks = align_blocks(a, b, CFG)
    assert len(blocks) == len(a_paras)
    for blk in blocks:
        assert a.para[blk.a0] == len(a_paras) - 1 - b.para[blk.b0]
        assert blk.edits == 0


def test_small_edits_are_bridged_into_one_passage():
    a = tokenize("Officials from 23 countries met in Rome to review the fight against Islamic State militants "
                 "who have created a caliphate across Syria and Iraq.")
    b = tokenize("Officials from 23 countries are in Rome to review the fight against IS militants "
                 "who have created a caliphate across Syria and Iraq.")
    blocks = align_blocks(a, b, CFG)
    assert len(blocks) == 1
    assert blocks[0].a0 == 0 and blocks[0].a1 == len(a)
    assert 0 < blocks[0].edits <= 3


def test_unrelated_text_is_not_bridged():
    shared = article(5, 1, 20)
    a = tokenize(shared + " " + article(6, 1, 40) + " " + shared.replace(".", "") + " tail")
    b = tokenize(shared)
    blocks = align_blocks(a, b, CFG)
    # one text passage per copy at most, never one spanning the unrelated middle
    for blk in blocks:
        assert blk.a1 - blk.a0 <= len(b) + CFG.max_gap


def test_passages_disjoint_with_repeated_text():
    para = article(7, 1, 25)
    a = tokenize("\n".join([para] * 4))
    b = tokenize("\n".join([para] * 2))
    blocks = align_blocks(a, b, CFG)
    used_a, used_b = set(), set()
    for blk in blocks:
        ra, rb = set(range(blk.a0, blk.a1)), set(range(blk.b0, blk.b1))
        assert not ra & used_a and not rb & used_b
        used_a |= ra
        used_b |= rb
    assert len(blocks) == 2


def test_long_documents_align_without_quadratic_blowup():
    a_text = article(11, 600, 40)  # ~24,000 words
    paras = a_text.split("\n")
    b_text = "\n".join(paras[300:] + paras[:300])
    a, b = tokenize(a_text), tokenize(b_text)
    blocks = align_blocks(a, b, CFG)
    assert sum(blk.matched for blk in blocks) >= 0.95 * len(a)


def test_identical_repetitive_text_is_fully_aligned():
    # Reuters-style tables repeat n-grams past the repeat pruning; identical
    # texts must still come back as one full copy.
    row = "NET PROFIT 5.0 MLN VS 4.0 MLN\n"
    text = row * 20 + "REVS 10 MLN VS 9 MLN\n Reuter\n\x03"
    a = tokenize(text)
    blocks = align_blocks(a, a, CFG)
    matched = sum(blk.matched for blk in blocks)
    assert matched == int((~a.boiler).sum())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from("kerry rome talks the a met cat said peace".split()), max_size=60),
       st.lists(st.sampled_from("kerry rome talks the a met cat said peace".split()), max_size=60),
       st.sampled_from([1, 2, 8]))
def test_seed_pairs_equal_brute_force(wa, wb, max_repeats):
    """Every window pair with equal words, seedable on both sides, whose n-gram
    occurs at most ``max_repeats`` times in each text — and nothing else."""
    ta, tb = tokenize(" ".join(wa)), tokenize(" ".join(wb))
    n = 3
    ma, mb = seed_mask(ta, n), seed_mask(tb, n)
    ga = [tuple(ta.forms[i:i + n]) for i in range(len(ta) - n + 1)]
    gb = [tuple(tb.forms[j:j + n]) for j in range(len(tb) - n + 1)]
    ca = Counter(g for i, g in enumerate(ga) if ma[i])
    cb = Counter(g for j, g in enumerate(gb) if mb[j])
    want = {(i, j) for i, x in enumerate(ga) if ma[i] for j, y in enumerate(gb)
            if mb[j] and x == y and ca[x] <= max_repeats and cb[y] <= max_repeats}
    ai, bj = seed_pairs(ta, tb, n, max_repeats)
    got = list(zip(ai.tolist(), bj.tolist()))
    assert len(got) == len(set(got))
    assert set(got) == want

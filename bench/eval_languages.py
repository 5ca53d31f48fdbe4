"""Reuse within one language, per language of the SemEval 2022 task 8 sample.

For each language, up to ``--n`` distinct articles A are copied into a derived
text B: trimmed at both ends, about one word in ``--edit-every`` replaced by a
word of another article, and merged with a second, unrelated article C of the
same language (appended as further paragraphs). ``compare(B, A)`` must find
the copied text:

* recall: share of A's copied word characters (those kept verbatim in B) inside
  a passage's span on A's side,
* misplaced: passages whose span in B holds copied characters from outside their span in A,
* slice mismatches: verbatim passages whose two slices differ as written,
* derived: B is judged derived from A,
* false-derived: A against an unrelated same-language article D is judged
  derived (D is an article of another pair, never C),
* time: median seconds per compare (the copy pair and the unrelated pair).

Chinese and Japanese edits replace two characters (no spaces to split words).

    python bench/eval_languages.py --n 30            # lexical (default)
    python bench/eval_languages.py --n 30 --semantic # with the embedding pass
    python bench/eval_languages.py --all-pairs 40     # unrelated pairs: which are derived
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

LANGS = ("en", "de", "es", "fr", "it", "pl", "ru", "tr", "ar", "zh")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_WORD = re.compile(r"\w+")


def articles() -> dict[str, list[str]]:
    """Distinct same-language articles per language (text1 and text2 of same-language pairs)."""
    import pandas as pd

    path = C.require_shared("data", "semeval2022_task8", "training_set.csv")
    d = pd.read_csv(path)
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for row in d.itertuples():
        for lang, text in ((row.lang1, row.text1), (row.lang2, row.text2)):
            if not isinstance(text, str) or len(text) < 400:
                continue
            key = " ".join(text.split())[:300]
            if key in seen:
                continue
            seen.add(key)
            out.setdefault(lang, []).append(text)
    return out


def _units(text: str) -> list[tuple[int, int]]:
    """Editable units: words, or two-character pieces of CJK text."""
    if len(_CJK.findall(text)) > 0.3 * len(text):
        return [(m.start(), m.start() + 2) for m in re.finditer(r"[\u3400-\u9fff]{4}", text)]
    return [m.span() for m in _WORD.finditer(text) if len(m.group()) > 1]


def make_copy(a: str, other: str, rng: random.Random, edit_every: int) -> tuple[str, list[int]]:
    """B built from ``a``: trimmed, edited, merged with ``other``. Returns B and, for
    each character of B, the offset in ``a`` it was copied from (-1 for new text)."""
    n = len(a)
    lo = int(n * rng.uniform(0.05, 0.15))
    hi = int(n * rng.uniform(0.85, 0.95))
    # trim at whitespace (or anywhere in CJK text)
    while 0 < lo < n and not a[lo - 1].isspace() and not _CJK.match(a[lo - 1]):
        lo += 1
    while hi < n and not a[hi].isspace() and not _CJK.match(a[hi]):
        hi += 1
    fill = [a[s:e] for s, e in _units(other)] or ["x"]
    b: list[str] = []
    src: list[int] = []
    pos = lo
    for s, e in _units(a):
        if s < lo or e > hi or rng.randrange(edit_every):
            continue
        b.append(a[pos:s])
        src.extend(range(pos, s))
        new = rng.choice(fill)
        b.append(new)
        src.extend([-1] * len(new))
        pos = e
    b.append(a[pos:hi])
    src.extend(range(pos, hi))
    extra = "\n\n" + other[: len(other) // 2]
    b.append(extra)
    src.extend([-1] * len(extra))
    return "".join(b), src


def evaluate(lang: str, texts: list[str], n: int, edit_every: int, seed: int, options: dict) -> dict:
    from wiretrace import compare

    rng = random.Random(seed)
    m = min(n, len(texts) // 3)
    recall_num = recall_den = 0
    misplaced = mismatched = derived = false_derived = 0
    times: list[float] = []
    for k in range(m):
        a, other, unrelated = texts[k], texts[m + k], texts[2 * m + k]
        b, src = make_copy(a, other, rng, edit_every)
        t0 = time.perf_counter()
        r = compare(b, a, **options)
        times.append(time.perf_counter() - t0)
        derived += r.relation != "non-derived"
        copied = [False] * len(a)
        for bi, ai in enumerate(src):
            if ai >= 0 and (a[ai].isalnum()):
                copied[ai] = True
        covered = [False] * len(a)
        for p in r.passages:
            for i in range(p.b_start, p.b_end):
                covered[i] = True
            if p.kind == "verbatim" and b[p.a_start:p.a_end] != a[p.b_start:p.b_end]:
                mismatched += 1
            # every copied character of the b-side passage must come from inside its a-side span
            inside = [src[i] for i in range(p.a_start, p.a_end) if src[i] >= 0]
            if inside and not (p.b_start <= min(inside) and max(inside) < p.b_end):
                misplaced += 1
        recall_den += sum(copied)
        recall_num += sum(c and v for c, v in zip(copied, covered))
        t0 = time.perf_counter()
        u = compare(a, unrelated, **options)
        times.append(time.perf_counter() - t0)
        false_derived += u.relation != "non-derived"
    times.sort()
    return {"lang": lang, "articles": m, "recall": recall_num / max(recall_den, 1),
            "derived": derived / max(m, 1), "false_derived": false_derived / max(m, 1),
            "misplaced_passages": misplaced, "verbatim_slice_mismatches": mismatched,
            "median_ms_per_pair": 1000 * times[len(times) // 2] if times else 0.0}


def all_pairs(lang: str, texts: list[str], n: int, options: dict) -> dict:
    """Every pair among the first ``n`` articles of a language: how many are judged
    derived (consecutive articles may be SemEval partners: same story, shared text)."""
    from itertools import combinations

    from wiretrace import compare

    derived = []
    for (i, a), (j, b) in combinations(enumerate(texts[:n]), 2):
        if compare(a, b, **options).relation != "non-derived":
            derived.append((i, j))
    return {"lang": lang, "pairs": n * (n - 1) // 2, "derived": derived}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=30, help="articles per language")
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--edit-every", type=int, default=12, help="about one word in this many is replaced")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--semantic", action="store_true", help="run the embedding pass too")
    ap.add_argument("--all-pairs", type=int, default=0, metavar="N",
                    help="instead: compare every pair of the first N articles per language")
    C.add_option_arg(ap)
    args = ap.parse_args(argv)
    options = {"semantic": args.semantic, **C.parse_options(args.option)}
    texts = articles()
    if args.all_pairs:
        for lang in args.langs.split(","):
            row = all_pairs(lang, texts.get(lang, []), args.all_pairs, options)
            print(f"{lang:5} {row['pairs']} pairs, derived {len(row['derived'])}: {row['derived']}", flush=True)
        return 0
    rows = []
    print(f"{'lang':5} {'n':>3} {'recall':>7} {'derived':>8} {'false':>6} {'misplaced':>9} "
          f"{'mismatch':>8} {'ms/pair':>8}")
    for lang in args.langs.split(","):
        row = evaluate(lang, texts.get(lang, []), args.n, args.edit_every, args.seed, options)
        rows.append(row)
        print(f"{lang:5} {row['articles']:3d} {row['recall']:7.3f} {row['derived']:8.2f} "
              f"{row['false_derived']:6.2f} {row['misplaced_passages']:9d} "
              f"{row['verbatim_slice_mismatches']:8d} {row['median_ms_per_pair']:8.1f}", flush=True)
    C.write_json("eval_languages", {"options": options, "n": args.n, "edit_every": args.edit_every,
                                    "seed": args.seed, "rows": rows, "env": C.environment()})
    return 0


if __name__ == "__main__":
    sys.exit(main())

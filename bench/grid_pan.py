"""Small parameter grid on PAN (eval_pan metrics) with the seed pair as a guard.

For every combination of min_passage_words x max_gap x ngram, runs the
first --limit PAN pairs (+ presumed negatives) and the seed pair 000 vs 001,
and prints PAN metrics (given and re-anchored truth offsets) next to the seed
pair's coverage, relation, source and passage count.

    python bench/grid_pan.py                       # 4 x 3 x 3 grid, --limit 200
    python bench/grid_pan.py --mpw 5,6 --gap 8 --ngram 3,4 --limit 0
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402
import eval_pan as E  # noqa: E402


def ints(s: str) -> list[int]:
    return [int(x) for x in s.split(",") if x.strip()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--negatives", type=int, default=100)
    ap.add_argument("--mpw", default="4,5,6,8", help="min_passage_words values")
    ap.add_argument("--gap", default="4,8,12", help="max_gap values")
    ap.add_argument("--ngram", default="3,4,5", help="ngram values")
    ap.add_argument("--tol", type=int, default=30)
    ap.add_argument("--out", default="grid_pan", help="name of the JSON under bench/out/ (rewritten after each row)")
    C.add_option_arg(ap)
    args = ap.parse_args(argv)
    root = C.require_shared("data", "pan_no_obfuscation_subset")
    import wiretrace

    base = C.parse_options(args.option)
    pairs = E.load_pairs(root)
    if args.limit:
        pairs = pairs[: args.limit]
    pairs += E.presumed_negatives(pairs, args.negatives, 13)
    cache: dict[str, str] = {}

    def text(kind, name):
        key = f"{kind}/{name}"
        if key not in cache:
            cache[key] = C.read_text(root / kind / name)
        return cache[key]

    E.anchor_cases(pairs, text)
    s000, s001 = C.seeds()
    rows = []
    hdr = (f"{'mpw':>3s} {'gap':>3s} {'ng':>2s} | {'recall':>6s} {'r@50':>6s} {'prec':>6s} {'crec':>6s} "
           f"{'plag':>6s} | {'precA':>6s} {'crecA':>6s} {'r@50A':>6s} {'plagA':>6s} {'gran':>5s} "
           f"{'FPpos':>5s} {'negP':>4s} | {'seed a/b cov':>13s} {'rel':>7s} {'src':>3s} {'#p':>3s} | {'s/pair':>6s}")
    print(f"PAN grid on {sum(not p['presumed_negative'] for p in pairs)} pairs "
          f"(+{args.negatives} presumed negatives); A = re-anchored truth offsets; base options {base or 'default'}")
    print(hdr)
    for mpw, gap, ng in itertools.product(ints(args.mpw), ints(args.gap), ints(args.ngram)):
        opts = {**base, "min_passage_words": mpw, "max_gap": gap, "ngram": ng}
        t = time.perf_counter()
        runs, mode = E.run_pairs(pairs, text, opts)
        dt = time.perf_counter() - t
        g = E.score(pairs, runs, text, args.tol, anchored=False, keep_details=True)
        a = E.score(pairs, runs, text, args.tol, anchored=True, keep_details=False)
        r = wiretrace.compare(s000, s001, **opts)
        row = {"min_passage_words": mpw, "max_gap": gap, "ngram": ng, "mode": mode,
               "given": {k: g[k] for k in ("case_recall", "case_recall_50", "char_precision", "char_recall",
                                           "granularity", "plagdet_like", "fp_passages_in_positive_pairs")},
               "anchored": {k: a[k] for k in ("case_recall", "case_recall_50", "char_precision", "char_recall",
                                              "granularity", "plagdet_like", "fp_passages_in_positive_pairs")},
               "negative_passages": g["negatives"]["passages"],
               "seed": {"a_coverage": r.a_coverage, "b_coverage": r.b_coverage, "relation": r.relation,
                        "source": r.source, "passages": len(r.passages), "similarity": r.similarity},
               "time_per_pair_s": dt / len(pairs)}
        rows.append(row)
        C.write_json(args.out, {"limit": args.limit, "negatives": args.negatives, "base": base,
                                "env": C.environment(), "rows": rows})
        gg, aa, sd = row["given"], row["anchored"], row["seed"]
        print(f"{mpw:3d} {gap:3d} {ng:2d} | {gg['case_recall']:6.3f} {gg['case_recall_50']:6.3f} "
              f"{gg['char_precision']:6.3f} {gg['char_recall']:6.3f} {gg['plagdet_like']:6.3f} | "
              f"{aa['char_precision']:6.3f} {aa['char_recall']:6.3f} {aa['case_recall_50']:6.3f} "
              f"{aa['plagdet_like']:6.3f} {aa['granularity']:5.3f} {aa['fp_passages_in_positive_pairs']:5d} "
              f"{row['negative_passages']:4d} | {sd['a_coverage']:.3f}/{sd['b_coverage']:.3f} "
              f"{sd['relation'][:7]:>7s} {str(sd['source']):>3s} {sd['passages']:3d} | "
              f"{row['time_per_pair_s']*1000:5.1f}ms", flush=True)
    best = max(rows, key=lambda x: (x["anchored"]["plagdet_like"], x["anchored"]["char_precision"]))
    print(f"best re-anchored plagdet-like: min_passage_words={best['min_passage_words']} "
          f"max_gap={best['max_gap']} ngram={best['ngram']} -> {best['anchored']['plagdet_like']:.4f}")
    print(f"wrote {C.OUT / (args.out + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fit ``Backend.cos_floor`` of an embedding model: put its cosines on MiniLM's scale.

Dev data only: the first N pairs of MSRP train (both sentences of a pair, and
each a-sentence against the next pair's b-sentence, an unrelated sentence of the
same news genre). The calibrated cosine is (c - floor) / (1 - floor), so 1 stays
1; the floor is the least-squares fit of MiniLM's cosine of the same pairs.
Also prints, per model, the ROC AUC of the cosine for the MSRP label and for
"pair vs unrelated", and where MiniLM's paraphrase threshold (0.72) falls.

    python bench/fit_cosine.py --model e5-small --n 400
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402
from eval_similarity import load_msrp  # noqa: E402


def cosines(model: str, rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each pair and of each a with the next pair's b."""
    from fit_similarity import load_stored_embeddings
    from wiretrace.meaning import embed
    from wiretrace.meaning.simscore import _lead
    from wiretrace.normalize import tokenize

    load_stored_embeddings(model)
    n = embed.backend(model).lead_chars
    a = [_lead(tokenize(r["a"]), n) for r in rows]
    b = [_lead(tokenize(r["b"]), n) for r in rows]
    va, vb = embed.encode(a, model), embed.encode(b, model)
    return (va * vb).sum(1), (va * np.roll(vb, -1, axis=0)).sum(1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="e5-small")
    ap.add_argument("--n", type=int, default=400)
    args = ap.parse_args(argv)
    rows = load_msrp(C.require_shared("data", "msrp", "msr_paraphrase_train.txt"))[: args.n]
    labels = [r["label"] for r in rows]
    ref_pair, ref_other = cosines("minilm", rows)
    pair, other = cosines(args.model, rows)
    x = np.r_[pair, other]
    y = np.r_[ref_pair, ref_other]
    # y ≈ (x - f) / (1 - f)  <=>  x - y ≈ f (1 - y): one-parameter least squares
    f = float(((x - y) * (1 - y)).sum() / ((1 - y) ** 2).sum())
    cal = (x - f) / (1 - f)
    print(f"{args.model}: cos_floor = {f:.3f} (least squares on {len(x)} MSRP cosines, N={args.n}); "
          f"Pearson with MiniLM {C.pearson(x, y):.3f}; mean abs gap after calibration {np.abs(cal - y).mean():.3f}")
    for name, p, o in (("minilm", ref_pair, ref_other), (args.model, pair, other)):
        print(f"  {name:9s} MSRP label AUC {C.roc_auc(p, labels):.3f}  pair-vs-unrelated AUC "
              f"{C.roc_auc(np.r_[p, o], [1] * len(p) + [0] * len(o)):.3f}  "
              f"median pair {np.median(p):.3f} unrelated {np.median(o):.3f}")
    share = np.mean(ref_pair >= 0.72)
    print(f"  MiniLM >= 0.72 on {share:.2f} of MSRP pairs; {args.model} calibrated >= 0.72 on "
          f"{np.mean((pair - f) / (1 - f) >= 0.72):.2f}; raw quantile matching that share: "
          f"{np.quantile(pair, 1 - share):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

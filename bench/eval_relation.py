"""Coverage distributions behind the METER relation thresholds.

``relation`` is derived only on reuse evidence (meaning/evidence.py; its
precision per set is bench/eval_claims.py's), then reads the derived-side
coverage against ``wholly_derived_coverage`` (CompareConfig). The grid below
still shows which coverage thresholds alone would fit these sets best. This script builds labelled pair sets from the dev data,
prints the coverage distribution of each class, the confusion matrix under
the current thresholds and the thresholds that maximise macro-F1.

    python bench/eval_relation.py
    python bench/eval_relation.py --n 100 -o wholly_derived_coverage=0.6

Sets (S = synthetic, built here from real articles):
  wholly-derived     reuters_dup     Reuters-21578 exact-duplicate bodies
                     bbc_dup         BBC exact duplicates (whitespace-normalised)
                     bbc_trimmed  S  BBC article vs itself minus its last 10-20%
                                     of paragraphs, with 3-6 words edited
  partially-derived  pan             PAN pairs with cases (susp vs source)
                     seed            the seed pair 000 vs 001
                     bbc_merge    S  first half (by words) of X + second half of an
                                     unrelated Y, vs X
  non-derived        bbc_same_cat    two different BBC articles, same category
                     reuters_topic   two Reuters bodies with the same first TOPICS
                                     entry, not duplicates

Coverage figures per pair:
  cov_max   max(a_coverage, b_coverage)
  cov_code  the one relation() reads: the side that is not r.source (max when None)
  cov_true  the coverage of the side known to be derived (None for non-derived)
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

CLASSES = ("wholly-derived", "partially-derived", "non-derived")
SYNTHETIC = {"bbc_trimmed", "bbc_merge"}
_WORD_RE = re.compile(r"\b[A-Za-z]{3,}\b")


# --------------------------------------------------------------------------- sets

def _maybe_swap(rng, derived: str, original: str):
    """Put the derived text on a random side; return (a, b, derived_side)."""
    if rng.random() < 0.5:
        return derived, original, "a"
    return original, derived, "b"


def edit_words(text: str, k: int, rng: random.Random, vocab: list[str]) -> str:
    """Replace ``k`` random words (3+ letters) by other words."""
    spans = [m.span() for m in _WORD_RE.finditer(text)]
    if not spans:
        return text
    pick = sorted(rng.sample(spans, min(k, len(spans))), reverse=True)
    for s, e in pick:
        text = text[:s] + rng.choice(vocab) + text[e:]
    return text


def half_words(paras: list[str]) -> tuple[int, float]:
    """Paragraph cut nearest to half of the words, and the share of words before it."""
    cum = np.cumsum([len(p.split()) for p in paras])
    shares = cum[:-1] / cum[-1]
    k = int(np.argmin(np.abs(shares - 0.5)))
    return k + 1, float(shares[k])


def build_sets(n: int, seed: int, limit: int) -> list[dict]:
    rng = random.Random(seed)
    items: list[dict] = []

    def add(set_name, label, a, b, derived=None, note=""):
        items.append({"set": set_name, "label": label, "synthetic": set_name in SYNTHETIC,
                      "a": a, "b": b, "derived": derived, "note": note})

    # ---- Reuters
    reuters = C.reuters_docs()
    groups = C.reuters_duplicate_groups(reuters)
    dup_pairs = [(g[0], g[k]) for g in groups for k in range(1, len(g))]
    for x, y in dup_pairs[: limit or None]:
        add("reuters_dup", "wholly-derived", x["text"], y["text"], None, f"{x['id']}~{y['id']}")
    norm = {d["id"]: C.ws_norm(d["text"]) for d in reuters}
    by_topic = defaultdict(list)
    for d in reuters:
        if d["topics"]:
            by_topic[d["topics"][0]].append(d)
    with_topic = [d for d in reuters if d["topics"] and len(by_topic[d["topics"][0]]) > 1]
    seen = set()
    count = 0
    while count < min(n, limit or n) and with_topic:
        x = rng.choice(with_topic)
        y = rng.choice(by_topic[x["topics"][0]])
        key = tuple(sorted((x["id"], y["id"])))
        if x["id"] == y["id"] or key in seen or norm[x["id"]] == norm[y["id"]]:
            continue
        seen.add(key)
        add("reuters_topic", "non-derived", x["text"], y["text"], None,
            f"{x['id']}~{y['id']} topic={x['topics'][0]}")
        count += 1

    # ---- BBC
    arts = C.bbc_articles()
    dups = C.bbc_duplicate_pairs(arts)
    for x, y in dups[: limit or None]:
        add("bbc_dup", "wholly-derived", x["text"], y["text"], None, f"{x['id']}~{y['id']}")
    dup_second = {y["id"] for _, y in dups}
    uniq = [a for a in arts if a["id"] not in dup_second]
    vocab = sorted({w for a in uniq[:300] for w in _WORD_RE.findall(a["text"])})
    long_enough = [a for a in uniq if len(C.bbc_paragraphs(a["text"])) >= 6]
    for art in rng.sample(long_enough, min(n, limit or n, len(long_enough))):
        paras = C.bbc_paragraphs(art["text"])
        drop = max(1, round(len(paras) * rng.uniform(0.10, 0.20)))
        copy = "\n\n".join(paras[:-drop])
        copy = edit_words(copy, rng.randint(3, 6), rng, vocab)
        a, b, d = _maybe_swap(rng, copy, art["text"])
        add("bbc_trimmed", "wholly-derived", a, b, d, f"{art['id']} minus {drop}/{len(paras)} paragraphs")
    by_cat = defaultdict(list)
    for art in uniq:
        by_cat[art["category"]].append(art)
    seen = set()
    count = 0
    while count < min(n, limit or n):
        x = rng.choice(uniq)
        y = rng.choice(by_cat[x["category"]])
        key = tuple(sorted((x["id"], y["id"])))
        if x["id"] == y["id"] or key in seen:
            continue
        seen.add(key)
        add("bbc_same_cat", "non-derived", x["text"], y["text"], None, f"{x['id']}~{y['id']}")
        count += 1
    count = 0
    while count < min(n, limit or n):
        x = rng.choice(long_enough)
        y = rng.choice([a for a in long_enough if a["category"] != x["category"]])
        px, py = C.bbc_paragraphs(x["text"]), C.bbc_paragraphs(y["text"])
        (kx, sx), (ky, sy) = half_words(px), half_words(py)
        if not (0.35 <= sx <= 0.65 and 0.35 <= sy <= 0.65):
            continue  # one huge paragraph: no clean half
        count += 1
        merged = "\n\n".join(px[:kx] + py[ky:])
        a, b, d = _maybe_swap(rng, merged, x["text"])
        add("bbc_merge", "partially-derived", a, b, d, f"half {x['id']} + half {y['id']} vs {x['id']}")

    # ---- PAN and the seed pair
    pan_root = C.SHARED / "data" / "pan_no_obfuscation_subset"
    if pan_root.exists():
        sys.path.insert(0, str(C.BENCH))
        from eval_pan import load_pairs

        pan = [p for p in load_pairs(pan_root) if p["cases"]]
        for p in pan[: limit or None]:
            add("pan", "partially-derived", C.read_text(pan_root / "susp" / p["susp"]),
                C.read_text(pan_root / "src" / p["src"]), "a", p["name"])
    s000, s001 = C.seeds()
    add("seed", "partially-derived", s000, s001, "a", "000 reuses 001")
    return items


# --------------------------------------------------------------------------- scoring

def confusion(labels, preds) -> dict:
    m = {t: {p: 0 for p in CLASSES} for t in CLASSES}
    for t, p in zip(labels, preds):
        m[t][p] += 1
    return m


def macro_f1(m: dict) -> tuple[float, dict]:
    f1s = {}
    for c in CLASSES:
        tp = m[c][c]
        fp = sum(m[t][c] for t in CLASSES if t != c)
        fn = sum(m[c][p] for p in CLASSES if p != c)
        f1s[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return float(np.mean(list(f1s.values()))), f1s


def best_thresholds(cov: np.ndarray, labels: list[str], step: float = 0.0025) -> dict:
    """Grid search of (partial, wholly) thresholds maximising macro-F1.

    Predict wholly if cov >= tw, partial if tp <= cov < tw, else non-derived.
    Counts below each grid value come from sorted per-class coverages, so the
    whole grid costs O(grid^2), not O(grid^2 * n).
    """
    grid = np.round(np.arange(0.0, 1.0 + step / 2, step), 6)
    below = {}
    totals = {}
    for c in CLASSES:
        v = np.sort(cov[np.asarray(labels) == c])
        below[c] = np.searchsorted(v, grid, "left").astype(float)  # count cov < t
        totals[c] = float(len(v))
    tp_, tw_ = np.meshgrid(np.arange(len(grid)), np.arange(len(grid)), indexing="ij")
    valid = tw_ > tp_
    # predicted counts per (true class, predicted class)
    cnt = {}
    for c in CLASSES:
        lo, hi = below[c][tp_], below[c][tw_]
        cnt[(c, "non-derived")] = lo
        cnt[(c, "partially-derived")] = hi - lo
        cnt[(c, "wholly-derived")] = totals[c] - hi
    f1 = np.zeros(tp_.shape)
    for c in CLASSES:
        tp = cnt[(c, c)]
        pred = sum(cnt[(t, c)] for t in CLASSES)
        denom = pred + totals[c]
        f1 += np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-9), 0.0)
    f1 = np.where(valid, f1 / len(CLASSES), -1)
    best = f1.max()
    ii, jj = np.nonzero(np.isclose(f1, best))
    # the optimal plateau; recommend its centre (most margin on both sides)
    tps, tws = grid[ii], grid[jj]
    centre_tp = float(np.round((tps.min() + tps.max()) / 2, 4))
    centre_tw = float(np.round((tws.min() + tws.max()) / 2, 4))
    k = int(np.argmin((tps - centre_tp) ** 2 + (tws - centre_tw) ** 2))
    return {"macro_f1": round(float(best), 4),
            "partially_derived_coverage": float(tps[k]), "wholly_derived_coverage": float(tws[k]),
            "plateau_partial": [float(tps.min()), float(tps.max())],
            "plateau_wholly": [float(tws.min()), float(tws.max())]}


def predict(cov: np.ndarray, tp: float, tw: float) -> list[str]:
    return ["wholly-derived" if c >= tw else "partially-derived" if c >= tp else "non-derived" for c in cov]


def fmt_dist(d: dict) -> str:
    if not d.get("n"):
        return "n=0"
    return (f"n={d['n']:4d} min {d['min']:.3f} p5 {d['p5']:.3f} p50 {d['p50']:.3f} "
            f"p95 {d['p95']:.3f} max {d['max']:.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=300, help="pairs per sampled/synthetic set")
    ap.add_argument("--limit", type=int, default=0, help="cap every set at N pairs (0 = no cap)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--examples", type=int, default=8, help="misclassified examples kept per class in JSON")
    ap.add_argument("--out", default="eval_relation", help="name of the JSON under bench/out/")
    C.add_option_arg(ap)
    args = ap.parse_args(argv)
    C.require_shared("data")
    import wiretrace
    from wiretrace.config import CompareConfig

    options = C.parse_options(args.option)
    cfg = CompareConfig().replace(**options)
    t0 = time.perf_counter()
    items = build_sets(args.n, args.seed, args.limit)
    t_build = time.perf_counter() - t0
    rows = []
    t0 = time.perf_counter()
    for it in items:
        r = wiretrace.compare(it["a"], it["b"], **options)
        ca, cb = r.a_coverage, r.b_coverage
        code = cb if r.source == "a" else ca if r.source == "b" else max(ca, cb)
        true = None if it["derived"] is None else (ca if it["derived"] == "a" else cb)
        rows.append({"set": it["set"], "label": it["label"], "synthetic": it["synthetic"],
                     "note": it["note"], "a_cov": ca, "b_cov": cb, "cov_max": max(ca, cb),
                     "cov_code": code, "cov_true": true, "source": r.source,
                     "derived": it["derived"], "relation": r.relation,
                     "passages": len(r.passages), "a_words": len(it["a"].split()),
                     "b_words": len(it["b"].split())})
    t_cmp = time.perf_counter() - t0

    out = {"options": options, "thresholds": {"wholly_derived_coverage": cfg.wholly_derived_coverage},
           "env": C.environment(), "n": args.n, "seed": args.seed,
           "time_s": {"build": round(t_build, 2), "compare": round(t_cmp, 2)}}
    print(f"METER relation sets ({len(rows)} pairs, compare {t_cmp:.1f}s; S = synthetic; "
          f"current: derived on reuse evidence, wholly>={cfg.wholly_derived_coverage})")

    # ---- distributions
    dists = {}
    print("\nderived-side coverage per set (cov_code = what relation() reads; cov_max; cov_true)")
    for label in CLASSES:
        sets = sorted({r["set"] for r in rows if r["label"] == label})
        for s in sets + ["ALL"]:
            sub = [r for r in rows if r["label"] == label and (s == "ALL" or r["set"] == s)]
            tag = " S" if s in SYNTHETIC else "  "
            d = {k: C.dist(r[k] for r in sub if r[k] is not None) for k in ("cov_code", "cov_max", "cov_true")}
            acc = sum(r["relation"] == label for r in sub) / len(sub)
            src_known = [r for r in sub if r["derived"]]
            src_acc = (sum(r["source"] is not None and r["source"] != r["derived"] for r in src_known)
                       / len(src_known)) if src_known else None
            d["relation_accuracy"] = round(acc, 4)
            d["source_accuracy"] = None if src_acc is None else round(src_acc, 4)
            d["synthetic"] = s in SYNTHETIC
            dists[f"{label}/{s}"] = d
            name = f"{label[:7]}/{s}{tag}"
            print(f"  {name:28s} cov_code {fmt_dist(d['cov_code'])}   acc {acc:.3f}"
                  + (f"  source ok {src_acc:.2f}" if src_acc is not None else ""))
            if s == "ALL" or d["cov_max"] != d["cov_code"]:
                print(f"  {'':28s} cov_max  {fmt_dist(d['cov_max'])}")
            if d["cov_true"].get("n") and d["cov_true"] != d["cov_code"]:
                print(f"  {'':28s} cov_true {fmt_dist(d['cov_true'])}")
    out["distributions"] = dists

    # ---- confusion with current thresholds (the relation compare() returned)
    labels = [r["label"] for r in rows]
    m = confusion(labels, [r["relation"] for r in rows])
    f1, per = macro_f1(m)
    out["current"] = {"confusion": m, "macro_f1": round(f1, 4), "f1": per}
    print(f"\nconfusion, current thresholds (rows = truth, cols = predicted; macro-F1 {f1:.4f})")
    print(f"  {'':20s}" + "".join(f"{c[:9]:>11s}" for c in CLASSES))
    for t in CLASSES:
        print(f"  {t:20s}" + "".join(f"{m[t][p]:11d}" for p in CLASSES))

    # ---- best thresholds
    out["best"] = {}
    print("\nthresholds maximising macro-F1 (grid step 0.0025; recommended = centre of the optimal plateau)")
    for feature in ("cov_code", "cov_max"):
        for scope in ("all", "no_synthetic"):
            sub = [r for r in rows if scope == "all" or not r["synthetic"]]
            cov = np.array([r[feature] for r in sub])
            b = best_thresholds(cov, [r["label"] for r in sub])
            mm = confusion([r["label"] for r in sub], predict(cov, b["partially_derived_coverage"],
                                                              b["wholly_derived_coverage"]))
            b["confusion"] = mm
            out["best"][f"{feature}/{scope}"] = b
            print(f"  {feature:8s} {scope:13s} macro-F1 {b['macro_f1']:.4f}  partial >= "
                  f"{b['partially_derived_coverage']:.4f} (plateau {b['plateau_partial'][0]:.4f}-"
                  f"{b['plateau_partial'][1]:.4f})  wholly >= {b['wholly_derived_coverage']:.4f} "
                  f"(plateau {b['plateau_wholly'][0]:.4f}-{b['plateau_wholly'][1]:.4f})")

    # ---- examples of errors under the current thresholds
    errs = defaultdict(list)
    for r in rows:
        if r["relation"] != r["label"] and len(errs[r["label"]]) < args.examples:
            errs[r["label"]].append({k: r[k] for k in ("set", "note", "a_cov", "b_cov", "cov_code",
                                                        "source", "derived", "relation", "passages")})
    out["errors"] = errs
    print("\nerrors by set under current thresholds: "
          + ", ".join(f"{s}: {c}" for s, c in sorted(Counter(r['set'] for r in rows
                                                             if r['relation'] != r['label']).items())))
    out["rows"] = rows
    print(f"wrote {C.write_json(args.out, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

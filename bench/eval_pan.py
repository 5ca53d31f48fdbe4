"""Overlap-tolerant PAN text-alignment evaluation of ``wiretrace.compare``.

Data: ../shared/data/pan_no_obfuscation_subset (a degraded copy: offsets are
shifted by a few characters, see its README), so every metric here tolerates
small offset errors; these are NOT official PAN plagdet numbers.

    python bench/eval_pan.py                       # all pairs, default options
    python bench/eval_pan.py --limit 200 -o min_passage_words=5 -o max_gap=12

Metrics (a = suspicious document, b = source document):
  case recall       share of truth cases with a passage overlapping the case's
                    susp span AND its source span (>= 1 char each)
  case recall@50    same, and the detecting passages cover >= 50% of the susp span
  char precision    detected susp chars (union of a-ranges) inside truth susp spans
                    widened by --tol chars each side (micro over pairs)
  char recall       truth susp chars inside detected ranges widened by --tol
  granularity       mean number of passages per detected case
  plagdet~          F1(char precision, char recall) / log2(1 + granularity)
The same character figures are reported on the source side and with tol=0.
Truth files with no case are negatives; this copy has none, so --negatives N
adds presumed-negative pairs (a susp doc with the source of another susp doc).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import xml.etree.ElementTree as ET
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

NAME_RE = re.compile(r"(suspicious-document\d+)-(source-document\d+)\.xml$")


# --------------------------------------------------------------------------- intervals

def union(spans) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted((int(s), int(e)) for s, e in spans if e > s):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def length(spans) -> int:
    return sum(e - s for s, e in spans)


def intersect(x, y) -> int:
    """Characters in both of two unions (sorted, disjoint)."""
    i = j = tot = 0
    while i < len(x) and j < len(y):
        lo, hi = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if hi > lo:
            tot += hi - lo
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return tot


def widen(spans, tol: int, n: int):
    return union((max(0, s - tol), min(n, e + tol)) for s, e in spans)


def overlaps(s0, e0, s1, e1) -> bool:
    return min(e0, e1) > max(s0, s1)


# --------------------------------------------------------------------------- data

def load_pairs(root: Path) -> list[dict]:
    pairs = []
    for path in sorted((root / "truth").glob("*.xml")):
        m = NAME_RE.search(path.name)
        if not m:
            continue
        susp, src = m.group(1) + ".txt", m.group(2) + ".txt"
        cases = []
        for feat in ET.parse(path).getroot().iter("feature"):
            if feat.get("name") != "plagiarism":
                continue
            cases.append({
                "a0": int(feat.get("this_offset")), "a1": int(feat.get("this_offset")) + int(feat.get("this_length")),
                "b0": int(feat.get("source_offset")), "b1": int(feat.get("source_offset")) + int(feat.get("source_length")),
                "obfuscation": feat.get("obfuscation"),
            })
        pairs.append({"name": path.stem, "susp": susp, "src": src, "cases": cases, "presumed_negative": False})
    return pairs


def presumed_negatives(pairs: list[dict], n: int, seed: int) -> list[dict]:
    """Susp doc X with a source that truth lists only for other susp docs."""
    if n <= 0:
        return []
    rng = random.Random(seed)
    known = {(p["susp"], p["src"]) for p in pairs}
    susps = sorted({p["susp"] for p in pairs})
    srcs = sorted({p["src"] for p in pairs})
    out, tries = [], 0
    while len(out) < n and tries < 100 * n:
        tries += 1
        s, r = rng.choice(susps), rng.choice(srcs)
        if (s, r) in known:
            continue
        known.add((s, r))
        out.append({"name": f"{s[:-4]}-{r[:-4]}(neg)", "susp": s, "src": r, "cases": [],
                    "presumed_negative": True})
    return out


# --------------------------------------------------------------------------- evaluation

def anchor_cases(pairs: list[dict], text, window: int = 1500, min_score: float = 90.0) -> list[int]:
    """Re-anchor each case's susp span on the text of its source span.

    The degraded copy lost characters in some suspicious documents, so their
    truth offsets drift (up to ~400 chars here). The source span's text is
    located in the susp document within +-``window`` chars of the given offset
    (rapidfuzz partial-ratio alignment; independent of wiretrace); cases whose
    best alignment scores below ``min_score`` keep their given offsets.
    Sets ``c["a0r"], c["a1r"]``; returns the drifts (anchored - given a0).
    """
    from rapidfuzz import fuzz

    drifts = []
    for pair in pairs:
        if not pair["cases"]:
            continue
        a, b = text("susp", pair["susp"]), text("src", pair["src"])
        for c in pair["cases"]:
            w0, w1 = max(0, c["a0"] - window), min(len(a), c["a1"] + window)
            al = fuzz.partial_ratio_alignment(b[c["b0"]:c["b1"]], a[w0:w1])
            if al is not None and al.score >= min_score:
                c["a0r"], c["a1r"] = w0 + al.dest_start, w0 + al.dest_end
            else:
                c["a0r"], c["a1r"] = c["a0"], c["a1"]
            c["anchor_score"] = round(al.score, 1) if al is not None else 0.0
            drifts.append(c["a0r"] - c["a0"])
    return drifts


def run_pairs(pairs: list[dict], text, options: dict, progress: bool = False):
    """compare() every pair once: passages as tuples, relation, time."""
    import wiretrace

    runs, mode = [], None
    for k, pair in enumerate(pairs):
        a, b = text("susp", pair["susp"]), text("src", pair["src"])
        t = time.perf_counter()
        r = wiretrace.compare(a, b, **options)
        dt = time.perf_counter() - t
        mode = getattr(r, "mode", None)
        runs.append({"time": dt, "relation": r.relation, "a_coverage": r.a_coverage,
                     "passages": [(p.a_start, p.a_end, p.b_start, p.b_end, p.matched_words, p.kind)
                                  for p in r.passages]})
        if progress and k and k % 100 == 0:
            print(f"  {k}/{len(pairs)} pairs", file=sys.stderr)
    return runs, mode


def score(pairs: list[dict], runs: list[dict], text, tol: int = 30, anchored: bool = False,
          keep_details: bool = True) -> dict:
    """All metrics over precomputed runs; ``anchored`` uses the re-anchored susp spans."""
    ka0, ka1 = ("a0r", "a1r") if anchored else ("a0", "a1")
    acc = {k: [0, 0] for k in ("prec_a", "rec_a", "prec_b", "rec_b", "prec_a0", "rec_a0")}
    n_cases = det = det50 = 0
    gran: list[int] = []
    case_rows, missed, fps = [], [], []
    neg = {"pairs": 0, "pairs_with_passage": 0, "passages": 0, "relations": {}}
    neg_words: list[int] = []
    by_kind: dict[str, list[int]] = {}  # kind -> [passages, susp chars, chars inside truth+tol]
    for pair, run in zip(pairs, runs):
        a, b = text("susp", pair["susp"]), text("src", pair["src"])
        ps = run["passages"]
        if pair["presumed_negative"]:
            neg["pairs"] += 1
            neg["passages"] += len(ps)
            neg["pairs_with_passage"] += bool(ps)
            neg["relations"][run["relation"]] = neg["relations"].get(run["relation"], 0) + 1
            for p in ps:
                neg_words.append(p[4])
                fps.append({"pair": pair["name"], "where": "presumed-negative pair",
                            "a": [p[0], p[1]], "b": [p[2], p[3]], "words": p[4], "kind": p[5],
                            "a_text": a[p[0]:p[1]][:240], "b_text": b[p[2]:p[3]][:240]})
            continue
        cases = pair["cases"]
        det_a = union((p[0], p[1]) for p in ps)
        det_b = union((p[2], p[3]) for p in ps)
        tru_a = union((c[ka0], c[ka1]) for c in cases)
        tru_b = union((c["b0"], c["b1"]) for c in cases)
        for key, det_s, tru_s, n, t_ in (("a", det_a, tru_a, len(a), tol), ("b", det_b, tru_b, len(b), tol),
                                         ("a0", det_a, tru_a, len(a), 0)):
            acc["prec_" + key][0] += intersect(det_s, widen(tru_s, t_, n))
            acc["prec_" + key][1] += length(det_s)
            acc["rec_" + key][0] += intersect(tru_s, widen(det_s, t_, n))
            acc["rec_" + key][1] += length(tru_s)
        wide_a = widen(tru_a, tol, len(a))
        for p in ps:
            k = by_kind.setdefault(p[5], [0, 0, 0])
            k[0] += 1
            k[1] += p[1] - p[0]
            k[2] += intersect([(p[0], p[1])], wide_a)
            if intersect([(p[0], p[1])], wide_a) == 0:
                fps.append({"pair": pair["name"], "where": "outside truth (positive pair)",
                            "a": [p[0], p[1]], "b": [p[2], p[3]], "words": p[4], "kind": p[5],
                            "a_text": a[p[0]:p[1]][:240], "b_text": b[p[2]:p[3]][:240]})
        for c in cases:
            n_cases += 1
            a0, a1 = c[ka0], c[ka1]
            hit = [p for p in ps if overlaps(p[0], p[1], a0, a1) and overlaps(p[2], p[3], c["b0"], c["b1"])]
            cov = intersect(union((p[0], p[1]) for p in hit), [(a0, a1)]) / max(1, a1 - a0)
            if hit:
                det += 1
                gran.append(len(hit))
                det50 += cov >= 0.5
            row = {"pair": pair["name"], "a": [a0, a1], "b": [c["b0"], c["b1"]],
                   "chars": a1 - a0, "words": len(a[a0:a1].split()),
                   "detected": bool(hit), "passages": len(hit), "susp_cover": round(cov, 3)}
            if "a0r" in c:
                row["drift"] = c["a0r"] - c["a0"]
            case_rows.append(row)
            if keep_details and (not hit or cov < 0.5):
                sa, sb = a[a0:a1], b[c["b0"]:c["b1"]]
                only_a = [p for p in ps if overlaps(p[0], p[1], a0, a1)]
                missed.append({**row,
                               "span_ratio": round(SequenceMatcher(None, sa.split(), sb.split(),
                                                                   autojunk=False).ratio(), 3),
                               "passages_on_susp_side_only": len(only_a) - len(hit),
                               "a_text": sa[:300], "b_text": sb[:300]})

    def ratio(key):
        num, den = acc[key]
        return num / den if den else float("nan")

    p_a, r_a = ratio("prec_a"), ratio("rec_a")
    f1 = 2 * p_a * r_a / (p_a + r_a) if p_a + r_a > 0 else 0.0
    g = float(np.mean(gran)) if gran else float("nan")
    out = {
        "truth": "re-anchored susp spans" if anchored else "given offsets",
        "cases": n_cases,
        "case_recall": det / n_cases if n_cases else float("nan"),
        "case_recall_50": det50 / n_cases if n_cases else float("nan"),
        "char_precision": p_a, "char_recall": r_a,
        "char_precision_src": ratio("prec_b"), "char_recall_src": ratio("rec_b"),
        "char_precision_tol0": ratio("prec_a0"), "char_recall_tol0": ratio("rec_a0"),
        "granularity": g,
        "plagdet_like": f1 / np.log2(1 + g) if gran else 0.0,
        "detected_chars": acc["prec_a"][1], "truth_chars": acc["rec_a"][1],
        "fp_passages_in_positive_pairs": sum(f["where"].startswith("outside") for f in fps),
        "negatives": {**neg, "passage_words": C.dist(neg_words)},
        "by_kind": {k: {"passages": v[0], "chars": v[1], "precision": round(v[2] / v[1], 4) if v[1] else None}
                    for k, v in sorted(by_kind.items())},
    }
    if keep_details:
        out["cases_detail"] = case_rows
        out["missed"] = missed
        out["false_positives"] = fps
    return out


def evaluate(pairs: list[dict], root: Path, options: dict, tol: int = 30,
             keep_details: bool = True, progress: bool = False) -> dict:
    """Run compare on every pair; metrics on given and on re-anchored truth offsets."""
    cache: dict[str, str] = {}

    def text(kind: str, name: str) -> str:
        key = f"{kind}/{name}"
        if key not in cache:
            cache[key] = C.read_text(root / kind / name)
        return cache[key]

    drifts = anchor_cases(pairs, text)
    runs, mode = run_pairs(pairs, text, options, progress)
    times = [r["time"] for r in runs]
    res = {
        "pairs": sum(not p["presumed_negative"] for p in pairs),
        "mode": mode,
        "time_per_pair_s": {"median": float(np.median(times)) if times else None,
                            "mean": float(np.mean(times)) if times else None,
                            "p95": float(np.percentile(times, 95)) if times else None,
                            "total": float(np.sum(times))},
        "offset_drift": {"abs": C.dist(np.abs(drifts)) if drifts else {"n": 0},
                         "cases_over_tol": int(sum(abs(d) > tol for d in drifts))},
        "given": score(pairs, runs, text, tol, anchored=False, keep_details=keep_details),
        "anchored": score(pairs, runs, text, tol, anchored=True, keep_details=keep_details),
    }
    return res


def summary_lines(res: dict) -> list[str]:
    d = res["offset_drift"]
    lines = [f"pairs {res['pairs']}  mode {res['mode']}  truth offset drift |a0r-a0|: "
             f"p50 {d['abs'].get('p50')} p95 {d['abs'].get('p95')} max {d['abs'].get('max')} chars, "
             f"{d['cases_over_tol']} cases beyond tol"]
    lines.append(f"{'':36s}{'given offsets':>15s}{'re-anchored':>14s}")
    g, an = res["given"], res["anchored"]
    for label, key in (("case recall (overlap both sides)", "case_recall"),
                       ("case recall (>=50% susp covered)", "case_recall_50"),
                       ("char precision (tol)", "char_precision"),
                       ("char recall (tol)", "char_recall"),
                       ("char precision / recall, tol=0", None),
                       ("source side char prec / recall", "src"),
                       ("granularity", "granularity"),
                       ("plagdet-like", "plagdet_like"),
                       ("FP passages outside truth+tol", "fp_passages_in_positive_pairs")):
        if key is None:
            vals = [f"{x['char_precision_tol0']:.3f}/{x['char_recall_tol0']:.3f}" for x in (g, an)]
        elif key == "src":
            vals = [f"{x['char_precision_src']:.3f}/{x['char_recall_src']:.3f}" for x in (g, an)]
        elif isinstance(g[key], int):
            vals = [str(x[key]) for x in (g, an)]
        else:
            vals = [f"{x[key]:.4f}" for x in (g, an)]
        lines.append(f"{label:36s}{vals[0]:>15s}{vals[1]:>14s}")
    lines.append("passages by kind (re-anchored): " + "; ".join(
        f"{k} {v['passages']} passages, {v['chars']} chars, precision {v['precision']}"
        for k, v in an["by_kind"].items()))
    neg = g["negatives"]
    if neg["pairs"]:
        lines.append(f"presumed negatives: {neg['pairs']} pairs, {neg['pairs_with_passage']} with a passage, "
                     f"{neg['passages']} passages, relations {neg['relations']}")
    else:
        lines.append("negative pairs: none in this copy (use --negatives N for presumed negatives)")
    t = res["time_per_pair_s"]
    lines.append(f"time per pair: median {t['median']*1000:.1f} ms, mean {t['mean']*1000:.1f} ms, "
                 f"p95 {t['p95']*1000:.1f} ms, total {t['total']:.1f} s")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="first N pairs only (0 = all)")
    ap.add_argument("--tol", type=int, default=30, help="character tolerance around spans")
    ap.add_argument("--negatives", type=int, default=100, help="presumed-negative pairs to add (0 = none)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", default="eval_pan", help="name of the JSON under bench/out/")
    C.add_option_arg(ap)
    args = ap.parse_args(argv)
    root = C.require_shared("data", "pan_no_obfuscation_subset")
    options = C.parse_options(args.option)
    pairs = load_pairs(root)
    n_truth = len(pairs)
    if args.limit:
        pairs = pairs[: args.limit]
    pairs += presumed_negatives(pairs, args.negatives, args.seed)
    res = evaluate(pairs, root, options, tol=args.tol)
    n_cases = sum(len(p["cases"]) for p in pairs)
    res = {"options": options, "tol": args.tol, "truth_files": n_truth, "truth_cases": n_cases,
           "truth_negatives": sum(1 for p in pairs if not p["cases"] and not p["presumed_negative"]),
           "limit": args.limit, "env": C.environment(), **res}
    print(f"PAN no-obfuscation subset: {n_truth} truth files ({res['truth_negatives']} without a case), "
          f"{n_cases} cases; options {options or 'default'}")
    for line in summary_lines(res):
        print("  " + line)
    path = C.write_json(args.out, res)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

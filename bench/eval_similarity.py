"""How well ``Comparison.similarity`` tracks human judgements.

SemEval-2022 Task 8 (../shared/data/semeval2022_task8/training_set.csv):
Pearson and Spearman of similarity against -Overall (Overall: 1 = very
similar .. 4 = very dissimilar), for all pairs and per language pair, with n
and a Fisher 95% interval for Pearson.
MSRP (../shared/data/msrp/msr_paraphrase_train.txt): ROC AUC of similarity
for the paraphrase label (Quality = 1).
Statistics are numpy only (no scipy).

    python bench/eval_similarity.py
    python bench/eval_similarity.py --limit 300 -o semantic=false
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402


def load_semeval(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        try:
            overall = float(r["Overall"])
        except (KeyError, ValueError):
            continue
        out.append({"id": r.get("pair_id"), "lang": f"{r['lang1']}-{r['lang2']}",
                    "a": r.get("text1") or "", "b": r.get("text2") or "", "overall": overall})
    return out


def load_msrp(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)  # header
        rows = []
        for r in reader:
            if len(r) < 5:
                continue
            rows.append({"label": int(r[0]), "a": r[3], "b": r[4]})
    return rows


def corr_block(sim, gold) -> dict:
    sim, gold = np.asarray(sim, float), np.asarray(gold, float)
    r = C.pearson(sim, gold)
    lo, hi = C.fisher_ci(r, len(sim))
    return {"n": int(len(sim)), "pearson": round(r, 4), "pearson_ci95": [round(lo, 4), round(hi, 4)],
            "spearman": round(C.spearman(sim, gold), 4)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="first N pairs of each set (0 = all)")
    ap.add_argument("--langs", default="", help="SemEval language pairs to keep, e.g. en-en,de-de (default all)")
    ap.add_argument("--skip-semeval", action="store_true")
    ap.add_argument("--skip-msrp", action="store_true")
    ap.add_argument("--out", default="eval_similarity", help="name of the JSON under bench/out/")
    C.add_option_arg(ap)
    args = ap.parse_args(argv)
    C.require_shared("data")
    import wiretrace

    options = C.parse_options(args.option)
    out: dict = {"options": options, "env": C.environment(), "limit": args.limit, "langs": args.langs}
    mode = None

    if not args.skip_semeval:
        path = C.require_shared("data", "semeval2022_task8", "training_set.csv")
        rows = load_semeval(path)
        if args.langs:
            keep = {x.strip() for x in args.langs.split(",")}
            rows = [r for r in rows if r["lang"] in keep]
        if args.limit:
            rows = rows[: args.limit]
        t0 = time.perf_counter()
        sims = []
        for r in rows:
            res = wiretrace.compare(r["a"], r["b"], **options)
            mode = getattr(res, "mode", mode)
            sims.append(res.similarity)
        dt = time.perf_counter() - t0
        gold = [-r["overall"] for r in rows]
        sem = {"all": corr_block(sims, gold), "time_s": round(dt, 2), "per_lang": {}}
        by = defaultdict(list)
        for r, s in zip(rows, sims):
            by[r["lang"]].append((s, -r["overall"]))
        same = [(s, -r["overall"]) for r, s in zip(rows, sims) if r["lang"].split("-")[0] == r["lang"].split("-")[1]]
        cross = [(s, -r["overall"]) for r, s in zip(rows, sims) if r["lang"].split("-")[0] != r["lang"].split("-")[1]]
        for name, pts in (("monolingual", same), ("cross-lingual", cross)):
            if pts:
                sem[name] = corr_block(*zip(*pts))
        for lang in sorted(by, key=lambda k: -len(by[k])):
            s, g = zip(*by[lang])
            sem["per_lang"][lang] = corr_block(s, g)
        # similarity by gold Overall bucket, all and en-en
        buckets = {}
        for lang_f in ("all", "en-en"):
            b = defaultdict(list)
            for r, s in zip(rows, sims):
                if lang_f == "all" or r["lang"] == lang_f:
                    b[int(round(r["overall"]))].append(s)
            buckets[lang_f] = {k: C.dist(v) for k, v in sorted(b.items())}
        sem["similarity_by_overall"] = buckets
        # the corpus scan links documents into stories at ScanConfig.story_similarity:
        # the share of pairs over it, by Overall, shows whether the scale moved
        from wiretrace.config import ScanConfig

        thr = ScanConfig().story_similarity
        over = defaultdict(list)
        for r, s in zip(rows, sims):
            over[int(round(r["overall"]))].append(s >= thr)
        sem["share_over_story_threshold"] = {"threshold": thr, **{k: round(float(np.mean(v)), 4)
                                                                for k, v in sorted(over.items())}}
        sem["rows"] = [{"id": r["id"], "lang": r["lang"], "overall": r["overall"], "similarity": s}
                       for r, s in zip(rows, sims)]
        out["semeval"] = sem
        print(f"SemEval-2022 task 8 training sample: {len(rows)} pairs, {dt:.1f}s; similarity vs -Overall")
        print(f"  {'pair':14s} {'n':>5s} {'Pearson':>8s} {'95% CI':>16s} {'Spearman':>9s}")
        for name, blk in [("ALL", sem["all"]), ("monolingual", sem.get("monolingual")),
                          ("cross-lingual", sem.get("cross-lingual"))] + list(sem["per_lang"].items()):
            if not blk:
                continue
            ci = blk["pearson_ci95"]
            print(f"  {name:14s} {blk['n']:5d} {blk['pearson']:8.3f} [{ci[0]:6.3f},{ci[1]:6.3f}] {blk['spearman']:9.3f}")
        en = buckets["en-en"]
        print("  en-en similarity median by Overall: "
              + ", ".join(f"{k}: {v.get('p50')} (n={v['n']})" for k, v in en.items()))
        print(f"  share of pairs with similarity >= {thr} (story threshold) by Overall: "
              + ", ".join(f"{k}: {v}" for k, v in sem["share_over_story_threshold"].items() if k != "threshold"))

    if not args.skip_msrp:
        path = C.require_shared("data", "msrp", "msr_paraphrase_train.txt")
        rows = load_msrp(path)
        if args.limit:
            rows = rows[: args.limit]
        t0 = time.perf_counter()
        sims = []
        for r in rows:
            res = wiretrace.compare(r["a"], r["b"], **options)
            mode = getattr(res, "mode", mode)
            sims.append(res.similarity)
        dt = time.perf_counter() - t0
        labels = [r["label"] for r in rows]
        auc = C.roc_auc(sims, labels)
        s, y = np.asarray(sims), np.asarray(labels)
        # best accuracy threshold, for reference
        cand = np.unique(s)
        accs = [((s >= t) == y).mean() for t in cand]
        k = int(np.argmax(accs))
        out["msrp"] = {"n": len(rows), "positives": int(y.sum()), "auc": round(auc, 4),
                       "best_accuracy": round(float(accs[k]), 4), "best_threshold": float(cand[k]),
                       "majority_baseline": round(float(max(y.mean(), 1 - y.mean())), 4),
                       "similarity_pos": C.dist(s[y == 1]), "similarity_neg": C.dist(s[y == 0]),
                       "time_s": round(dt, 2)}
        m = out["msrp"]
        print(f"MSRP train: {m['n']} pairs ({m['positives']} paraphrases), {dt:.1f}s")
        print(f"  ROC AUC {auc:.4f}; best accuracy {m['best_accuracy']:.4f} at similarity >= {m['best_threshold']:.4f} "
              f"(majority {m['majority_baseline']:.4f}); median similarity pos {m['similarity_pos']['p50']} "
              f"neg {m['similarity_neg']['p50']}")
    out["mode"] = mode
    print(f"  mode {mode}")
    print(f"wrote {C.write_json(args.out, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

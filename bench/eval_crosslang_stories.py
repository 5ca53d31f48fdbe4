"""Stories across languages: does a scan put two reports of one event in one story
when they are in different languages?

The SemEval-2022 Task 8 dev sample (../shared/data/semeval2022_task8/
training_set.csv, 1,283 rated pairs, 2,566 articles in 10 languages) is scanned
as one corpus. A labelled pair counts as *same story* when its Overall rating
is 1-2 and as *different* when it is over 2 (1 = very similar .. 4 = very
dissimilar). Reported for all pairs, cross-language and same-language pairs:
pairwise precision (of the labelled pairs the scan puts in one story, the
share rated 1-2) and recall (of the pairs rated 1-2, the share put in one
story), with and without the cross-language step (``story_languages``).

The cross-language cosine bar (``story_cross_cos``) was chosen on these same
pairs, so the scan's figures are a full fit; ``--cv`` adds a 5-fold
cross-validation of the bar at the pair level (fit on four folds: the lowest
cosine whose precision on them reaches ``--target``; score the fifth), from the
lead vectors the scan stored.

    python bench/eval_crosslang_stories.py            # two scans, ~12 min on 2 cores
    python bench/eval_crosslang_stories.py --cv --json bench/out/eval_crosslang.json
    python bench/eval_crosslang_stories.py --reuse --json bench/out/eval_crosslang_pairs.json
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

from wiretrace.config import ScanConfig  # noqa: E402
from wiretrace.engines.local import scan  # noqa: E402
from wiretrace.index import Index  # noqa: E402


def load(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r.get("Overall")]


def write_corpus(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            for side in ("1", "2"):
                fh.write(json.dumps({"id": f"{r['pair_id']}_{side}", "text": r[f"text{side}"] or "",
                                     "source": f"lang-{r['lang' + side]}"}) + "\n")


def pairwise(rows: list[dict], story: dict[str, str]) -> dict:
    out = {}
    groups: list[tuple[str, object]] = [("all", None), ("cross", True), ("same", False)]
    groups += [(p, p) for p in sorted({f"{r['lang1']}-{r['lang2']}" for r in rows})]
    for name, want in groups:
        tp = fp = fn = pos = neg = 0
        for r in rows:
            cross = r["lang1"] != r["lang2"]
            if isinstance(want, str):
                if f"{r['lang1']}-{r['lang2']}" != want:
                    continue
            elif want is not None and cross != want:
                continue
            a, b = story.get(f"{r['pair_id']}_1"), story.get(f"{r['pair_id']}_2")
            together = a is not None and a == b
            same = float(r["Overall"]) <= 2
            pos += same
            neg += not same
            tp += together and same
            fp += together and not same
            fn += same and not together
        out[name] = {"pairs": pos + neg, "same_story": pos,
                     "precision": round(tp / (tp + fp), 3) if tp + fp else None,
                     "recall": round(tp / pos, 3) if pos else None, "together": tp + fp}
    return out


def run_scan(rows: list[dict], work: Path, options: dict, reuse: bool = False) -> tuple[dict, dict, float]:
    corpus = work / "semeval.jsonl"
    seconds, info = 0.0, {}
    if not reuse:
        write_corpus(rows, corpus)
        t0 = time.perf_counter()
        summary = scan(str(corpus), str(work / "out"), config=ScanConfig(**options), force=True)
        seconds = time.perf_counter() - t0
        info = {"timings": summary.timings, "stories": summary.stories}
    with Index.open(str(work / "out" / "index.duckdb"), read_only=True) as ix:
        story = {i: s for i, s in ix.con.execute(
            "SELECT d.id, s.story FROM documents d JOIN doc_story s USING (doc)").fetchall()}
    return pairwise(rows, story), info, seconds


def cross_validate(rows: list[dict], index_path: Path, target: float, folds: int = 5) -> dict:
    with Index.open(str(index_path), read_only=True) as ix:
        got = ix.con.execute("SELECT d.id, v.vec FROM doc_vectors v JOIN documents d USING (doc)").fetchall()
    vec = {i: np.asarray(v, np.float32) for i, v in got}
    cos, same = [], []
    for r in rows:
        if r["lang1"] == r["lang2"]:
            continue
        a, b = vec.get(f"{r['pair_id']}_1"), vec.get(f"{r['pair_id']}_2")
        if a is None or b is None:
            continue
        cos.append(float(a @ b))
        same.append(float(r["Overall"]) <= 2)
    cos_, same_ = np.array(cos), np.array(same)
    rng = np.random.default_rng(8)
    fold = rng.permutation(len(cos_)) % folds
    grid = np.round(np.arange(0.80, 0.95, 0.005), 3)

    def fit(c: np.ndarray, y: np.ndarray) -> float:
        for t in grid:
            sel = c >= t
            if sel.sum() >= 5 and y[sel].mean() >= target:
                return float(t)
        return float(grid[-1])

    per = []
    for k in range(folds):
        tr, te = fold != k, fold == k
        t = fit(cos_[tr], same_[tr])
        sel = cos_[te] >= t
        per.append({"fold": k, "bar": t, "held_out_pairs": int(te.sum()), "chosen": int(sel.sum()),
                    "precision": round(float(same_[te][sel].mean()), 3) if sel.any() else None,
                    "recall": round(float(sel[same_[te]].mean()), 3) if same_[te].any() else None})
    tp = sum((p["precision"] or 0) * p["chosen"] for p in per)
    chosen = sum(p["chosen"] for p in per)
    return {"target_precision": target, "pairs_with_vectors": len(cos_), "full_fit_bar": fit(cos_, same_),
            "folds": per, "pooled_precision": round(tp / chosen, 3) if chosen else None,
            "pooled_recall": round(tp / max(1, int(same_.sum())), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="first N pairs only (0 = all)")
    ap.add_argument("--cv", action="store_true", help="also cross-validate the cosine bar (pair level)")
    ap.add_argument("--target", type=float, default=0.9, help="precision the bar is fitted to reach")
    ap.add_argument("--work", default="/tmp/eval_crosslang", help="scratch folder")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--reuse", action="store_true",
                    help="score the indexes an earlier run left in --work instead of scanning again")
    ap.add_argument("--bar", type=float, help="story_cross_cos for the cross-language scan")
    args = ap.parse_args()
    rows = load(C.require_shared("data", "semeval2022_task8", "training_set.csv"))
    if args.limit:
        rows = rows[:args.limit]
    base = {} if args.bar is None else {"story_cross_cos": args.bar}
    report: dict = {"pairs": len(rows)}
    for name, options in (("lexical_only", {"story_languages": False}), ("cross_language", base)):
        work = Path(args.work) / name
        work.mkdir(parents=True, exist_ok=True)
        figures, info, seconds = run_scan(rows, work, options, args.reuse)
        report[name] = {"figures": figures, "scan_seconds": round(seconds, 1), **info}
        print(name, f"{seconds:.0f}s", json.dumps({k: figures[k] for k in ("all", "cross", "same")}),
              flush=True)
    if args.cv:
        report["cv"] = cross_validate(rows, Path(args.work) / "cross_language" / "out" / "index.duckdb",
                                      args.target)
        print("cv", json.dumps(report["cv"]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

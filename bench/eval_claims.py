"""Precision and recall of "derived" per dev set and per mode (issue 13).

A false "derived" accuses an outlet of copying, so every set is scored on its
own, in lexical and in semantic mode:

  negative (truth: not derived)
    bbc_same_cat     two different BBC articles of one category
    reuters_topic    two Reuters bodies with the same first TOPICS entry
  same-event (truth unknown: mostly independent reports, some share wire copy)
    ecb              ECB+ topics 1-35, different documents of one event
    semeval_en       SemEval 2022 task 8 en-en pairs rated the same story (Overall <= 2)
    For these the proxy of ../shared/tools/eval_independent.py is scored: a
    pair called derived without a lexical (verbatim or edited) passage of at
    least 12 words is a likely false claim.
  positive (truth: derived)
    synth_paraphrase S  a Reuters body (>= 3 paragraphs) vs its sentence-level
                        rewrite by bench/gen_synth.py's paraphrase_para
    synth_heavy      S  the same, rewritten twice (fewer and shorter exact runs)
    seed                the seed pair 000 vs 001
    pan                 PAN pairs with plagiarism cases
    bbc_trimmed S, bbc_merge S, reuters_dup, bbc_dup   (bench/eval_relation.py)

    python bench/eval_claims.py                      # both modes, all sets
    python bench/eval_claims.py --modes lexical --n 100 -o reuse_min_run_words=10
    python bench/eval_claims.py --modes semantic --n 60 --limit 60 --sets pan,bbc_same_cat

Writes bench/out/eval_claims.json with one row per pair and mode (the
Evidence fields), for refitting the thresholds offline.
"""

from __future__ import annotations

import argparse
import collections
import csv
import glob
import itertools
import random
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

POSITIVE = {"synth_paraphrase", "synth_heavy", "seed", "pan", "bbc_trimmed", "bbc_merge", "reuters_dup", "bbc_dup"}
NEGATIVE = {"bbc_same_cat", "reuters_topic"}
PROXY = {"ecb", "semeval_en"}
#: a derived pair in a proxy set needs a lexical passage this long (eval_independent.py)
PROXY_LEX = 12


def ecb_text(path: str) -> str:
    """One sentence per line of tokens, as ../shared/tools/eval_independent.py (the
    acceptance check) builds it; bench/eval_ecb.py detokenizes for stories instead."""
    root = ET.parse(path).getroot()
    sents = collections.defaultdict(list)
    for t in root.iter("token"):
        sents[int(t.get("sentence"))].append(t.text or "")
    return "\n".join(" ".join(w) for _, w in sorted(sents.items()))


def ecb_pairs(topics: range) -> list[tuple[str, str, str]]:
    events = collections.defaultdict(list)
    for p in sorted(glob.glob(str(C.SHARED / "data" / "ecbplus" / "ECB+" / "*" / "*.xml"))):
        name = Path(p).stem
        if int(name.split("_")[0]) not in topics:
            continue
        events[(name.split("_")[0], name.endswith("plus"))].append((name, p))
    out = []
    for docs in events.values():
        texts = {n: ecb_text(p) for n, p in docs}
        for (na, _), (nb, _) in itertools.combinations(docs, 2):
            out.append((texts[na], texts[nb], f"{na}~{nb}"))
    return out


def semeval_pairs() -> list[tuple[str, str, str]]:
    path = C.SHARED / "data" / "semeval2022_task8" / "training_set.csv"
    out = []
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["lang1"] == row["lang2"] == "en" and float(row["Overall"]) <= 2.0 \
                    and row["text1"].strip() and row["text2"].strip():
                out.append((row["text1"], row["text2"], row["pair_id"]))
    return out


def paraphrase_pairs(n: int, seed: int, passes: int = 1) -> list[tuple[str, str, str, str]]:
    import gen_synth as G

    rng = random.Random(seed)
    docs = [d for d in C.reuters_docs() if len(G._reuters_paras(d["text"])) >= 3]
    out = []
    for d in rng.sample(docs, min(n, len(docs))):
        paras = G._reuters_paras(d["text"])
        rewritten = paras
        for _ in range(passes):
            rewritten = [G.paraphrase_para(p, rng) for p in rewritten]
        copy = "\n\n".join(rewritten)
        a, b, side = (copy, "\n\n".join(paras), "a") if rng.random() < 0.5 else ("\n\n".join(paras), copy, "b")
        out.append((a, b, side, d["id"]))
    return out


def build(n: int, seed: int, wanted: set[str], limit: int = 0, ecb_sample: int = 0) -> list[dict]:
    import eval_relation as R

    items = []
    if wanted & (POSITIVE | NEGATIVE) - {"synth_paraphrase"}:
        for it in R.build_sets(n, seed, limit):
            if it["set"] in wanted:
                items.append({"set": it["set"], "a": it["a"], "b": it["b"], "note": it["note"]})
    if "synth_paraphrase" in wanted:
        items += [{"set": "synth_paraphrase", "a": a, "b": b, "note": f"{i} rewritten on side {s}"}
                  for a, b, s, i in paraphrase_pairs(n, seed)]
    if "synth_heavy" in wanted:
        items += [{"set": "synth_heavy", "a": a, "b": b, "note": f"{i} rewritten twice on side {s}"}
                  for a, b, s, i in paraphrase_pairs(n, seed + 1, passes=2)]
    if "ecb" in wanted:
        pairs = ecb_pairs(range(1, 36))
        if ecb_sample and ecb_sample < len(pairs):  # a seeded sample (the full set is 4491 pairs)
            pairs = random.Random(seed).sample(pairs, ecb_sample)
        items += [{"set": "ecb", "a": a, "b": b, "note": k} for a, b, k in pairs]
    if "semeval_en" in wanted:
        items += [{"set": "semeval_en", "a": a, "b": b, "note": k} for a, b, k in semeval_pairs()]
    return items


def score(rows: list[dict]) -> dict:
    """Per set: counts, and precision / recall / false rate where the truth allows."""
    out = {}
    for s in sorted({r["set"] for r in rows}):
        sub = [r for r in rows if r["set"] == s]
        d = sum(r["derived"] for r in sub)
        rec = {"n": len(sub), "derived": d, "rate": round(d / len(sub), 4)}
        if s in POSITIVE:
            rec.update(truth="derived", tp=d, fn=len(sub) - d, precision=1.0 if d else None,
                       recall=round(d / len(sub), 4))
        elif s in NEGATIVE:
            rec.update(truth="not derived", fp=d, tn=len(sub) - d, precision=0.0 if d else None,
                       false_rate=round(d / len(sub), 4))
        else:
            unbacked = sum(r["derived"] and r["longest_lexical"] < PROXY_LEX for r in sub)
            rec.update(truth="unknown (proxy)", unbacked=unbacked,
                       unbacked_rate=round(unbacked / len(sub), 4))
        out[s] = rec
    tp = sum(v["tp"] for v in out.values() if "tp" in v)
    pos = sum(v["n"] for k, v in out.items() if k in POSITIVE)
    fp = sum(v["fp"] for v in out.values() if "fp" in v)
    out["_pooled"] = {"precision": round(tp / (tp + fp), 4) if tp + fp else None,
                      "recall": round(tp / pos, 4) if pos else None,
                      "note": "positive sets' derived over it plus the negative sets' derived"}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="pairs per sampled/synthetic set")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--limit", type=int, default=0, help="cap every eval_relation set at N pairs (0 = no cap)")
    ap.add_argument("--sets", default=",".join(sorted(POSITIVE | NEGATIVE | PROXY)))
    ap.add_argument("--ecb-sample", type=int, default=0, help="score a seeded sample of N ECB+ pairs (0 = all)")
    ap.add_argument("--modes", default="lexical,semantic")
    ap.add_argument("--out", default="eval_claims", help="name of the JSON under bench/out/")
    C.add_option_arg(ap)
    args = ap.parse_args(argv)
    C.require_shared("data")
    import wiretrace

    options = C.parse_options(args.option)
    items = build(args.n, args.seed, set(args.sets.split(",")), args.limit, args.ecb_sample)
    result = {"options": options, "n": args.n, "seed": args.seed, "env": C.environment(), "modes": {}}
    rows_all = []
    for mode in args.modes.split(","):
        rows = []
        t0 = time.perf_counter()
        for it in items:
            r = wiretrace.compare(it["a"], it["b"], **{**options, "semantic": mode == "semantic"})
            ev = getattr(r, "evidence", None)
            ev = ev.to_dict() if ev else {}
            lex = [p.matched_words for p in r.passages if p.kind != "paraphrase"]
            rows.append({"set": it["set"], "note": it["note"], "mode": mode, "relation": r.relation,
                         "derived": r.relation != "non-derived", "ran": r.mode,
                         "longest_lexical": max(lex or [0]), "kinds": dict(collections.Counter(
                             p.kind for p in r.passages)),
                         "a_coverage": r.a_coverage, "b_coverage": r.b_coverage,
                         **{k: v for k, v in ev.items() if k != "notes"}})
        secs = time.perf_counter() - t0
        sc = score(rows)
        result["modes"][mode] = {"seconds": round(secs, 1), "sets": sc}
        rows_all += rows
        print(f"\n{mode} ({len(rows)} pairs, {secs:.0f} s; ran as {collections.Counter(r['ran'] for r in rows)})")
        print(f"  {'set':18s} {'truth':16s} {'n':>5s} {'derived':>8s} {'precision':>9s} {'recall':>7s}"
              f" {'false':>7s} {'unbacked':>9s}")
        for s, v in sc.items():
            if s == "_pooled":
                continue
            f = lambda k: "-" if v.get(k) is None else f"{v[k]:.3f}"  # noqa: E731
            print(f"  {s:18s} {v['truth']:16s} {v['n']:5d} {v['derived']:8d} {f('precision'):>9s} "
                  f"{f('recall'):>7s} {f('false_rate'):>7s} {f('unbacked_rate'):>9s}")
        print(f"  pooled: precision {sc['_pooled']['precision']}, recall {sc['_pooled']['recall']}")
    result["rows"] = rows_all
    print(f"wrote {C.write_json(args.out, result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Per-language centroids of the embedding model's lead vectors (issue 15).

A multilingual encoder puts every text of one language in its own cone: two
unrelated German leads have a higher cosine than two unrelated German and
English leads, so one cosine threshold or slope cannot grade pairs of all
languages alike (SemEval-2022 task 8 dev, e5-small lead cosine: Pearson 0.76
within one language, 0.69 across, 0.68 over all pairs). Subtracting each
text's language centroid before the cosine ("mean removal") puts the pairs of
every language on one scale.

This computes the centroids from the SemEval dev leads (the same 600-character
leads ``simscore`` embeds; each text under its dataset language label), plus
"" = the mean of the language centroids for languages outside the table, and
writes them to ``src/wiretrace/meaning/data/<model>_centroids.npz``. It also
reports a fold-honest 5-fold CV of the lead cosine alone against -Overall:
centroids *and* the linear fit from the training folds only, languages of the
held-out pairs told by ``translation.language_of`` as at run time.

    python bench/fit_centroids.py                 # write the centroids, print the CV
    python bench/fit_centroids.py --dry-run       # the figures only

Leads are read from bench/out/emb_cache_<model>.npz when stored there
(``fit_similarity.load_stored_embeddings``) and embedded otherwise (~0.3 s each
on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402
from eval_similarity import load_semeval  # noqa: E402
from fit_similarity import load_stored_embeddings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FOLDS = 5


def centroid_table(vecs: np.ndarray, langs: list[str]) -> dict[str, np.ndarray]:
    """Mean vector per language label, and "" = the mean of those means."""
    by: dict[str, list[int]] = defaultdict(list)
    for k, lang in enumerate(langs):
        by[lang].append(k)
    out = {lang: vecs[idx].mean(0) for lang, idx in sorted(by.items()) if lang}
    out[""] = np.mean(list(out.values()), axis=0)
    return out


def centered_cos(va, vb, la, lb, table) -> np.ndarray:
    from wiretrace.meaning.simscore import centered_cosine

    return np.array([centered_cosine(a, b, table.get(x, table[""]), table.get(y, table[""]))
                     for a, b, x, y in zip(va, vb, la, lb)])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="e5-small")
    ap.add_argument("--dry-run", action="store_true", help="do not write the centroid file")
    args = ap.parse_args(argv)
    from wiretrace.meaning import embed
    from wiretrace.meaning import simscore as S
    from wiretrace.meaning.translation import language_of
    from wiretrace.normalize import tokenize

    if not embed.available(args.model):
        print(f"skipped: {embed.backend_notice(args.model)}")
        return 0
    print(f"{load_stored_embeddings(args.model)} stored embeddings preloaded", flush=True)
    rows = load_semeval(C.require_shared("data", "semeval2022_task8", "training_set.csv"))
    n = embed.backend(args.model).lead_chars
    leads_a = [S._lead(tokenize(r["a"]), n) for r in rows]
    leads_b = [S._lead(tokenize(r["b"]), n) for r in rows]
    va, vb = embed.encode(leads_a, args.model), embed.encode(leads_b, args.model)
    label_a = [r["lang"].split("-")[0] for r in rows]
    label_b = [r["lang"].split("-")[1] for r in rows]
    told_a = [language_of(r["a"]) for r in rows]
    told_b = [language_of(r["b"]) for r in rows]
    gold = np.array([-r["overall"] for r in rows])
    y = (4 + gold) / 3
    plain = np.einsum("ij,ij->i", va, vb)
    # CV: centroids from the training folds' texts, slope and intercept too
    fold = np.random.default_rng(0).integers(0, FOLDS, len(rows))
    pred = np.zeros(len(rows))
    for f in range(FOLDS):
        tr = fold != f
        table = centroid_table(np.vstack([va[tr], vb[tr]]),
                               [x for x, t in zip(label_a, tr) if t] + [x for x, t in zip(label_b, tr) if t])
        c = centered_cos(va, vb, told_a, told_b, table)
        A = np.c_[np.ones(len(rows)), c]
        beta = np.linalg.lstsq(A[tr], y[tr], rcond=None)[0]
        pred[~tr] = A[~tr] @ beta
    table = centroid_table(np.vstack([va, vb]), label_a + label_b)
    full = centered_cos(va, vb, told_a, told_b, table)
    by: dict[str, list[int]] = defaultdict(list)
    for k, r in enumerate(rows):
        by[r["lang"]].append(k)
    cross = np.array([r["lang"].split("-")[0] != r["lang"].split("-")[1] for r in rows])
    out = {"model": args.model, "pairs": len(rows), "languages": sorted(k for k in table if k)}
    for name, s in (("plain cosine", plain), ("centred cosine, full", full), ("centred, 5-fold CV", pred)):
        out[name] = {"all": round(C.pearson(s, gold), 4),
                     "same language": round(C.pearson(s[~cross], gold[~cross]), 4),
                     "cross-language": round(C.pearson(s[cross], gold[cross]), 4),
                     **{lang: round(C.pearson(s[idx], gold[idx]), 3)
                        for lang, idx in sorted(by.items(), key=lambda x: -len(x[1]))}}
        print(f"{name:22s} " + "  ".join(f"{k} {v}" for k, v in out[name].items()))
    if not args.dry_run:
        dest = ROOT / "src" / "wiretrace" / "meaning" / "data" / f"{args.model}_centroids.npz"
        dest.parent.mkdir(parents=True, exist_ok=True)
        langs = sorted(table)
        np.savez_compressed(dest, langs=np.array(langs, dtype="U8"),
                            vecs=np.array([table[k] for k in langs], dtype=np.float32))
        print(f"wrote {dest.relative_to(ROOT)} ({len(langs)} rows)")
    C.OUT.mkdir(parents=True, exist_ok=True)
    (C.OUT / "fit_centroids.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

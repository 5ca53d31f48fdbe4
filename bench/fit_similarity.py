"""Fit the coefficients of ``Comparison.similarity`` (wiretrace.meaning.simscore).

Dev data only: SemEval-2022 task 8 training sample (en-en pairs; target
(4 - Overall) / 3) and MSRP train (label Quality). The model is a logistic
linear blend of six features (see the module), clipped to [0, 1], in two
regimes: DOC fitted by least squares on the en-en article pairs, SENT on the
MSRP sentence pairs, each slope held to its natural sign (non-negative least
squares; unconstrained ridge, --free, gains ~0.01 on en-en but loses on
every other language); a length gate blends the regimes. (A logistic fit was
tried and ranks worse: the sigmoid flattens the graded SemEval scale.) Run
once per mode:

    python bench/fit_similarity.py                 # semantic (needs wiretrace[semantic])
    python bench/fit_similarity.py --lexical       # lexical features only

It prints the fitted coefficients (paste them into COEF_SEMANTIC /
COEF_LEXICAL), 5-fold cross-validated figures (fitted without the held-out
fold) and in-sample figures: Pearson of similarity vs -Overall per language
pair, and MSRP ROC AUC. Features are cached under bench/out/ so re-fits are
instant; --refresh recomputes them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402
from eval_similarity import load_msrp, load_semeval  # noqa: E402


def extract(rows: list[dict], semantic: bool) -> np.ndarray:
    import wiretrace
    from wiretrace.meaning import simscore as S
    from wiretrace.meaning.embed import encode
    from wiretrace.normalize import tokenize

    out = []
    t0 = time.perf_counter()
    if semantic:
        # warm the embedding cache in large batches (compare() embeds a few
        # sentences at a time, which is slow when done pair by pair)
        from wiretrace.meaning import embed
        from wiretrace.normalize import sentence_spans

        embed.CACHE_SIZE = max(embed.CACHE_SIZE, 400_000)
        texts = []
        for r in rows:
            for x in (r["a"], r["b"]):
                t = tokenize(x)
                texts.append(S._lead(t))
                texts.extend(x[s:e] for s, e in sentence_spans(x, t.paragraphs))
        texts = list(dict.fromkeys(texts))
        for k in range(0, len(texts), 1024):
            encode(texts[k:k + 1024])
        print(f"  embedded {len(texts)} sentences and leads in {time.perf_counter() - t0:.0f}s", flush=True)
    for k, r in enumerate(rows):
        res = wiretrace.compare(r["a"], r["b"], semantic=semantic)
        ta, tb = tokenize(r["a"]), tokenize(r["b"])
        f = S.features(ta, tb, res.a_coverage, res.b_coverage, encode if semantic else None)
        lexcov = S._lexical_coverage(ta, tb, res.passages)
        out.append([f[n] for n in S.FEATURES] + [lexcov])
        if k and k % 500 == 0:
            print(f"  {k}/{len(rows)} pairs, {time.perf_counter() - t0:.0f}s", flush=True)
    return np.asarray(out, dtype=float)


#: sign each coefficient must have: more shared words, names, reuse or a closer
#: embedding never lowers similarity; numbers that only one side has never raise it
SIGNS = {"lex": 1, "recall": 1, "emb": 1, "reuse": 1, "names": 1, "numbers": -1}


def signed_ls(X: np.ndarray, y: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Least squares with each slope's sign fixed (NNLS on sign-flipped columns), free intercept."""
    from scipy.optimize import nnls

    A = np.c_[X * signs, np.ones(len(X)), -np.ones(len(X))]
    b, _ = nnls(A, y)
    return np.r_[b[-2] - b[-1], b[:-2] * signs]


def ridge(X: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """Least squares with a small ridge on the slopes (the intercept is free)."""
    A = np.c_[np.ones(len(X)), X]
    reg = np.full(A.shape[1], l2)
    reg[0] = 0.0
    return np.linalg.solve(A.T @ A + np.diag(reg), A.T @ y)


def irls(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1.0, iters: int = 50) -> np.ndarray:
    """Logistic regression with soft targets y in [0, 1], sample weights w, L2 on slopes."""
    Xb = np.c_[np.ones(len(X)), X]
    beta = np.zeros(Xb.shape[1])
    reg = np.full(Xb.shape[1], l2)
    reg[0] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-Xb @ beta))
        g = Xb.T @ (w * (p - y)) + reg * beta
        H = (Xb * (w * p * (1 - p))[:, None]).T @ Xb + np.diag(reg) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(H, g)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def report(name: str, sim_sem, rows_sem, sim_ms, rows_ms) -> dict:
    gold = np.array([-r["overall"] for r in rows_sem])
    by = defaultdict(list)
    for k, r in enumerate(rows_sem):
        by[r["lang"]].append(k)
    out = {"semeval_all": C.pearson(sim_sem, gold)}
    mono = [k for k, r in enumerate(rows_sem) if r["lang"].split("-")[0] == r["lang"].split("-")[1]]
    out["semeval_monolingual"] = C.pearson(sim_sem[mono], gold[mono])
    for lang in sorted(by, key=lambda x: -len(by[x])):
        idx = by[lang]
        out[lang] = C.pearson(sim_sem[idx], gold[idx])
    out["msrp_auc"] = C.roc_auc(sim_ms, [r["label"] for r in rows_ms])
    print(f"{name}: en-en Pearson {out['en-en']:.3f}  MSRP AUC {out['msrp_auc']:.3f}  "
          f"all-langs {out['semeval_all']:.3f}  monolingual {out['semeval_monolingual']:.3f}")
    print("   " + "  ".join(f"{k} {v:.3f}" for k, v in out.items()
                            if k not in ("en-en", "msrp_auc", "semeval_all", "semeval_monolingual")))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lexical", action="store_true", help="fit the lexical-only coefficients")
    ap.add_argument("--refresh", action="store_true", help="recompute cached features")
    ap.add_argument("--l2", type=float, default=0.1, help="ridge penalty on the slopes")
    ap.add_argument("--free", action="store_true",
                    help="ridge without sign constraints (overfits en-en: worse on other languages)")
    ap.add_argument("--check", action="store_true",
                    help="evaluate the coefficients now in the code instead of fitting")
    ap.add_argument("--other-limit", type=int, default=None,
                    help="extract at most N non-en-en SemEval pairs (reporting only)")
    args = ap.parse_args(argv)
    semantic = not args.lexical
    if semantic:
        from wiretrace.meaning import embed
        if not embed.available():
            print(f"skipped: {embed.backend_notice()}")
            return 0
    sem_rows = load_semeval(C.require_shared("data", "semeval2022_task8", "training_set.csv"))
    ms_rows = load_msrp(C.require_shared("data", "msrp", "msr_paraphrase_train.txt"))
    cache = C.OUT / f"fit_similarity_{'semantic' if semantic else 'lexical'}.npz"
    from wiretrace.meaning.simscore import FEATURES as _F

    width = len(_F) + 1
    if cache.exists() and not args.refresh:
        z = np.load(cache)
        Fs, Fm = z["semeval"], z["msrp"]
    else:
        Fs = np.full((len(sem_rows), width), np.nan)
        Fm = np.full((len(ms_rows), width), np.nan)
    C.OUT.mkdir(parents=True, exist_ok=True)
    # en-en and MSRP first (the fit needs them), other languages last (report only)
    en_idx = [k for k, r in enumerate(sem_rows) if r["lang"] == "en-en"]
    other_idx = [k for k, r in enumerate(sem_rows) if r["lang"] != "en-en"][: args.other_limit]
    for name, F, rows, idx in (("SemEval en-en", Fs, sem_rows, en_idx),
                               ("MSRP", Fm, ms_rows, list(range(len(ms_rows)))),
                               ("SemEval other languages", Fs, sem_rows, other_idx)):
        todo = [k for k in idx if np.isnan(F[k, 0])]
        if not todo:
            continue
        print(f"extracting {name} features ({'semantic' if semantic else 'lexical'}): {len(todo)} pairs",
              flush=True)
        F[todo] = extract([rows[k] for k in todo], semantic)
        np.savez(cache, semeval=Fs, msrp=Fm)
    from wiretrace.meaning import simscore as S
    from wiretrace.normalize import tokenize

    FEATURES = S.FEATURES
    lens = C.OUT / "fit_similarity_lengths.npz"
    if lens.exists():
        z = np.load(lens)
        Ls, Lm = z["semeval"], z["msrp"]
    else:
        Ls = np.array([min(len(tokenize(r["a"])), len(tokenize(r["b"]))) for r in sem_rows])
        Lm = np.array([min(len(tokenize(r["a"])), len(tokenize(r["b"]))) for r in ms_rows])
        np.savez(lens, semeval=Ls, msrp=Lm)
    gate = np.vectorize(S.gate)
    cols = [k for k, n in enumerate(FEATURES) if semantic or n != "emb"]
    en = np.array([k for k, r in enumerate(sem_rows) if r["lang"] == "en-en"])
    y_en = np.array([(4 - sem_rows[k]["overall"]) / 3 for k in en])
    y_ms = np.array([r["label"] for r in ms_rows], dtype=float)
    gold_en = np.array([-sem_rows[k]["overall"] for k in en])

    def full(beta):
        out = np.zeros(len(FEATURES) + 1)
        out[0] = beta[0]
        for k, c in enumerate(cols):
            out[1 + c] = beta[1 + k]
        return out

    def predict(doc, sent, F, L):
        g = gate(L)
        z = (1 - g) * (doc[0] + F[:, :len(FEATURES)] @ doc[1:]) + g * (sent[0] + F[:, :len(FEATURES)] @ sent[1:])
        return S.finish(z, F[:, -1], g)

    signs = np.array([SIGNS[FEATURES[c]] for c in cols], dtype=float)

    def solve(X, y):
        return ridge(X, y, args.l2) if args.free else signed_ls(X, y, signs)

    def fit_doc(idx):
        return full(solve(Fs[idx][:, cols], y_en[np.searchsorted(en, idx)]))

    def fit_sent(idx):
        return full(solve(Fm[idx][:, cols], y_ms[idx]))

    if args.check:
        doc = np.array(S.COEF_SEMANTIC_DOC if semantic else S.COEF_LEXICAL_DOC)
        sent = np.array(S.COEF_SEMANTIC_SENT if semantic else S.COEF_LEXICAL_SENT)
        print("checking the coefficients in wiretrace.meaning.simscore")
    else:
        rng = np.random.default_rng(0)
        fold_en = rng.integers(0, 5, len(en))
        fold_ms = rng.integers(0, 5, len(ms_rows))
        cv_en = np.zeros(len(en))
        cv_ms = np.zeros(len(ms_rows))
        for f in range(5):
            doc = fit_doc(en[fold_en != f])
            sent = fit_sent(np.flatnonzero(fold_ms != f))
            ie = en[fold_en == f]
            cv_en[fold_en == f] = predict(doc, sent, Fs[ie], Ls[ie])
            im = np.flatnonzero(fold_ms == f)
            cv_ms[im] = predict(doc, sent, Fm[im], Lm[im])
        print(f"5-fold CV: en-en Pearson {C.pearson(cv_en, gold_en):.3f}  MSRP AUC "
              f"{C.roc_auc(cv_ms, y_ms.astype(int).tolist()):.3f}")
        doc = fit_doc(en)
        sent = fit_sent(np.arange(len(ms_rows)))
        tag = "SEMANTIC" if semantic else "LEXICAL"
        print(f"COEF_{tag}_DOC = ({', '.join(f'{v:.3f}' for v in doc)})")
        print(f"COEF_{tag}_SENT = ({', '.join(f'{v:.3f}' for v in sent)})")
    have = np.flatnonzero(~np.isnan(Fs[:, 0]))
    sim_sem = predict(doc, sent, Fs[have], Ls[have])
    sim_ms = predict(doc, sent, Fm, Lm)
    report("in-sample (DOC fit on en-en, SENT on MSRP; other languages never seen)", sim_sem,
           [sem_rows[k] for k in have], sim_ms, ms_rows)
    for k, n in enumerate(FEATURES):
        if k in cols:
            print(f"   feature {n:8s} alone: en-en Pearson {C.pearson(Fs[en, k], gold_en):.3f}  "
                  f"MSRP AUC {C.roc_auc(Fm[:, k], y_ms.astype(int).tolist()):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

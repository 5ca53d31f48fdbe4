"""Fit the coefficients of ``Comparison.similarity`` (wiretrace.meaning.simscore).

Dev data only: SemEval-2022 task 8 training sample (en-en pairs, or every
language with --fit-langs all; target (4 - Overall) / 3) and MSRP train (label
Quality). Two regimes, blended by the
shorter text's length (``simscore.gate``):

- DOC, a linear blend of the article features fitted by least squares on the
  --fit-langs pairs (default en-en), each slope held to its natural sign (non-negative least
  squares; unconstrained ridge, --free, gains ~0.01 on en-en but loses on
  every other language);
- SENT, a logistic model of the sentence features fitted on the MSRP pairs
  (L2-regularised IRLS); a feature whose slope comes out against its natural
  sign is dropped and the model refitted, so every kept slope means what its
  name says.

Run once per mode:

    python bench/fit_similarity.py                 # semantic, default model (needs wiretrace[semantic])
    python bench/fit_similarity.py --model e5-small --reuse-lexical --msrp-limit 400 --fit-langs all
                                                   # the e5-small constants now in simscore
    python bench/fit_similarity.py --model minilm  # semantic, another embedding model
    python bench/fit_similarity.py --lexical       # lexical features only
    python bench/fit_similarity.py --check         # figures of the constants now in the code

It prints the fitted coefficients (paste them into COEF_* in simscore),
5-fold cross-validated figures (each fold predicted by coefficients fitted
without it, on both data sets) and full-fit figures: Pearson of similarity vs
-Overall (en-en and every language pair; only the --fit-langs pairs are fitted on), MSRP
ROC AUC, and the share of SemEval pairs at or above the corpus scan's story
threshold by Overall. Features are cached per name under bench/out/, so a new
feature only costs its own extraction; --refresh recomputes them all.
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

#: sign each slope must have: more shared words, names, reuse, a closer embedding
#: or more alike characters never lower similarity; numbers that only one side
#: has, added words, and a shorter text that sits inside a longer one (which
#: adds around it) never raise it
SIGNS = {"lex": 1, "recall": 1, "emb": 1, "reuse": 1, "names": 1, "numbers": -1, "extra": -1,
         "inserted": -1, "chars": 1, "contained": -1, "negation": -1, "residual": 1, "emb_centered": 1}
#: features each regime may use (the others keep a zero coefficient)
DOC_FEATURES = ("lex", "recall", "emb", "emb_centered", "reuse", "names")
SENT_FEATURES = ("recall", "emb", "numbers", "extra", "inserted", "chars", "contained", "negation",
                 "residual")
#: features that need the full compare() (aligned passages) or the encoder
EXPENSIVE = frozenset({"emb", "reuse", "lexcov"})
#: ScanConfig.story_similarity: report how many SemEval pairs clear it
STORY_THRESHOLD = 0.35


MODEL: str | None = None
WARM = True
REUSE_LEXICAL = False


def load_stored_embeddings(model: str) -> int:
    """Preload bench/out/emb_cache_<model>.npz (texts and vectors embedded earlier by
    the same backend) into the embedding cache; returns how many."""
    from wiretrace.meaning import embed

    path = C.OUT / f"emb_cache_{model}.npz"
    if not path.exists():
        return 0
    z = np.load(path, allow_pickle=True)
    embed.CACHE_SIZE = max(embed.CACHE_SIZE, 400_000)
    embed.preload(z["texts"].tolist(), z["vecs"], model)
    return len(z["texts"])


def extract(rows: list[dict], names: set[str], semantic: bool) -> dict[str, np.ndarray]:
    """The named features of each pair (plus ``lexcov`` when asked), as arrays."""
    from wiretrace.meaning import embed
    from wiretrace.meaning import simscore as S
    from wiretrace.normalize import tokenize

    def encode(texts):
        return embed.encode(texts, MODEL)

    full = bool(names & EXPENSIVE)
    want = frozenset(names) - {"lexcov"}
    out = {n: np.zeros(len(rows)) for n in names}
    t0 = time.perf_counter()
    if full and semantic and WARM:
        # warm the embedding cache in large batches (compare() embeds a few
        # sentences at a time, which is slow when done pair by pair)
        from wiretrace.meaning import embed
        from wiretrace.normalize import sentence_spans

        embed.CACHE_SIZE = max(embed.CACHE_SIZE, 400_000)
        texts = []
        for r in rows:
            for x in (r["a"], r["b"]):
                t = tokenize(x)
                texts.append(S._lead(t, embed.backend(MODEL).lead_chars))
                texts.extend(x[s:e] for s, e in sentence_spans(x, t.paragraphs))
        texts = list(dict.fromkeys(texts))
        for k in range(0, len(texts), 1024):
            encode(texts[k:k + 1024])
        print(f"  embedded {len(texts)} sentences and leads in {time.perf_counter() - t0:.0f}s", flush=True)
    for k, r in enumerate(rows):
        ta, tb = tokenize(r["a"]), tokenize(r["b"])
        a_cov = b_cov = 0.0
        if full:
            import wiretrace

            res = wiretrace.compare(r["a"], r["b"], semantic=semantic and not REUSE_LEXICAL,
                                    **({"embed_model": MODEL} if MODEL else {}))
            a_cov, b_cov = res.a_coverage, res.b_coverage
            if "lexcov" in names:
                out["lexcov"][k] = S._lexical_coverage(ta, tb, res.passages)
        # the sentence features weigh nothing for a pair the gate gives to the
        # article regime: not extracting them (0) leaves every fitted figure unchanged
        want_k = want if S.gate(max(len(ta), len(tb))) > 0 else want - S.SENT_ONLY
        f = S.features(ta, tb, a_cov, b_cov, encode if semantic else None, want_k,
                       embed.backend(MODEL).lead_chars, embed.backend(MODEL).calibrate,
                       embed.backend(MODEL).centroids() if semantic else None)
        for n in want:
            out[n][k] = f[n]  # 0.0 for a feature not extracted
        if full and k and k % 500 == 0:
            print(f"  {k}/{len(rows)} pairs, {time.perf_counter() - t0:.0f}s", flush=True)
    return out


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


def irls(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 100) -> np.ndarray:
    """Logistic regression (Newton / IRLS), L2 on the slopes; returns intercept, slopes."""
    Xb = np.c_[np.ones(len(X)), X]
    beta = np.zeros(Xb.shape[1])
    reg = np.full(Xb.shape[1], l2)
    reg[0] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(Xb @ beta, -30, 30)))
        g = Xb.T @ (p - y) + reg * beta
        H = (Xb * (p * (1 - p))[:, None]).T @ Xb + np.diag(reg) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(H, g)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    return beta


def signed_logistic(X: np.ndarray, y: np.ndarray, signs: np.ndarray, l2: float) -> np.ndarray:
    """Logistic fit; drop the worst wrong-signed slope and refit until all signs hold."""
    keep = list(range(X.shape[1]))
    while True:
        beta = irls(X[:, keep], y, l2)
        bad = [(beta[1 + j] * signs[c], j) for j, c in enumerate(keep) if beta[1 + j] * signs[c] < 0]
        if not bad:
            out = np.zeros(X.shape[1] + 1)
            out[0] = beta[0]
            out[[1 + c for c in keep]] = beta[1:]
            return out
        keep.pop(min(bad)[1])


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
    print(f"{name}: en-en Pearson {out['en-en']:.4f}  MSRP AUC {out['msrp_auc']:.4f}  "
          f"all-langs {out['semeval_all']:.4f}  monolingual {out['semeval_monolingual']:.4f}")
    print("   " + "  ".join(f"{k} {v:.3f}" for k, v in out.items()
                            if k not in ("en-en", "msrp_auc", "semeval_all", "semeval_monolingual")))
    # the corpus scan links stories at STORY_THRESHOLD: the scale must stay put
    over = defaultdict(list)
    for s, r in zip(sim_sem, rows_sem):
        over[int(round(r["overall"]))].append(s)
    print(f"   SemEval similarity quartiles {np.round(np.percentile(sim_sem, [25, 50, 75]), 3).tolist()}; "
          f"share >= {STORY_THRESHOLD} by Overall: "
          + ", ".join(f"{k}: {np.mean(np.asarray(v) >= STORY_THRESHOLD):.2f}" for k, v in sorted(over.items())))
    return out


def load_features(args, semantic: bool, sem_rows, ms_rows) -> tuple[dict, dict]:
    """Per-name feature arrays for both data sets, from the cache or extracted."""
    from wiretrace.meaning.simscore import ENCODED, FEATURES

    tag = (MODEL + ("-reuselex" if REUSE_LEXICAL else "")) if semantic else "lexical"
    cache = C.OUT / f"fit_similarity_{tag}.npz"
    stored = {} if args.refresh or not cache.exists() else dict(np.load(cache))
    names = [n for n in FEATURES if semantic or n not in ENCODED] + ["lexcov"]
    data = {"semeval": {}, "msrp": {}}
    # en-en and MSRP first (the fit needs them), other languages last (report only)
    en_idx = [k for k, r in enumerate(sem_rows) if r["lang"] == "en-en"]
    langs = set(args.other_langs.split(",")) if args.other_langs else None
    other_idx = [k for k, r in enumerate(sem_rows)
                 if r["lang"] != "en-en" and (langs is None or r["lang"] in langs)][: args.other_limit]
    C.OUT.mkdir(parents=True, exist_ok=True)
    for label, key, rows, idx in (("SemEval en-en", "semeval", sem_rows, en_idx),
                                  ("MSRP", "msrp", ms_rows, list(range(len(ms_rows)))),
                                  ("SemEval other languages", "semeval", sem_rows, other_idx)):
        for n in names:
            v = stored.get(f"{key}__{n}")
            if v is None or len(v) != len(rows):  # not stored, or stored for another --msrp-limit
                v = np.full(len(rows), np.nan)
            data[key].setdefault(n, v.copy())
        missing = {n for n in names if np.isnan(data[key][n][idx]).any()}
        if not missing:
            continue
        todo = [k for k in idx if any(np.isnan(data[key][n][k]) for n in missing)]
        print(f"extracting {label} features {sorted(missing)} ({'semantic' if semantic else 'lexical'}): "
              f"{len(todo)} pairs", flush=True)
        got = extract([rows[k] for k in todo], missing, semantic)
        for n in missing:
            data[key][n][todo] = got[n]
        np.savez(cache, **{f"{s}__{n}": v for s, d in data.items() for n, v in d.items()})
    return data["semeval"], data["msrp"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lexical", action="store_true", help="fit the lexical-only coefficients")
    ap.add_argument("--refresh", action="store_true", help="recompute cached features")
    ap.add_argument("--model", default=None, help="embedding model (CompareConfig.embed_model; default: its default)")
    ap.add_argument("--reuse-lexical", action="store_true",
                    help="take reuse (and lexcov) from a lexical compare(): no sentence is embedded "
                         "but the leads and residues (a quick fit of a new model; paraphrase "
                         "passages then do not count in reuse)")
    ap.add_argument("--no-warm", action="store_true",
                    help="do not pre-embed every sentence (only what compare() embeds is encoded)")
    ap.add_argument("--l2", type=float, default=0.1, help="ridge penalty on the DOC slopes (--free)")
    ap.add_argument("--l2-sent", type=float, default=1.0, help="L2 penalty on the SENT logistic slopes")
    ap.add_argument("--free", action="store_true",
                    help="DOC by ridge without sign constraints (overfits en-en: worse on other languages)")
    ap.add_argument("--check", action="store_true",
                    help="evaluate the coefficients now in the code instead of fitting")
    ap.add_argument("--msrp-limit", type=int, default=None,
                    help="fit and score on the first N MSRP train pairs only (a quick fit)")
    ap.add_argument("--other-langs", default=None,
                    help="comma-separated language pairs to extract besides en-en (default: all)")
    ap.add_argument("--other-limit", type=int, default=None,
                    help="extract at most N non-en-en SemEval pairs (reporting only)")
    ap.add_argument("--fit-langs", default="en-en",
                    help="SemEval language pairs the DOC blend is fitted on (comma-separated), or "
                         "'all' (every extracted pair; CV folds then span every language)")
    args = ap.parse_args(argv)
    semantic = not args.lexical
    global MODEL, WARM, REUSE_LEXICAL
    from wiretrace.meaning import embed

    MODEL = embed.backend(args.model).name
    WARM = not args.no_warm and not args.reuse_lexical
    REUSE_LEXICAL = args.reuse_lexical
    if semantic:
        if not embed.available(MODEL):
            print(f"skipped: {embed.backend_notice(MODEL)}")
            return 0
        print(f"model {MODEL}: {load_stored_embeddings(MODEL)} stored embeddings preloaded", flush=True)
    sem_rows = load_semeval(C.require_shared("data", "semeval2022_task8", "training_set.csv"))
    ms_rows = load_msrp(C.require_shared("data", "msrp", "msr_paraphrase_train.txt"))[: args.msrp_limit]
    Fs, Fm = load_features(args, semantic, sem_rows, ms_rows)
    from wiretrace.meaning import simscore as S
    from wiretrace.normalize import tokenize

    FEATURES = S.FEATURES
    # words of both texts of each pair (the gate reads the longer one)
    lens = C.OUT / "fit_similarity_lengths.npz"
    z = np.load(lens) if lens.exists() and not args.refresh else None
    if z is not None and z["msrp"].ndim == 2 and len(z["msrp"]) == len(ms_rows):
        Ls, Lm = z["semeval"], z["msrp"]
    else:
        Ls = np.array([(len(tokenize(r["a"])), len(tokenize(r["b"]))) for r in sem_rows])
        Lm = np.array([(len(tokenize(r["a"])), len(tokenize(r["b"]))) for r in ms_rows])
        np.savez(lens, semeval=Ls, msrp=Lm)
    gate = np.vectorize(S.gate, otypes=[float])
    Gs, Gm = gate(Ls.max(1)), gate(Lm.max(1))
    doc_cols = [FEATURES.index(n) for n in DOC_FEATURES if semantic or n not in S.ENCODED]
    sent_cols = [FEATURES.index(n) for n in SENT_FEATURES if semantic or n not in S.ENCODED]
    Xs = np.c_[[Fs.get(n, np.zeros(len(sem_rows))) for n in FEATURES]].T
    Xm = np.c_[[Fm.get(n, np.zeros(len(ms_rows))) for n in FEATURES]].T
    have = np.flatnonzero(~np.isnan(Xs[:, 0]))
    fit_langs = None if args.fit_langs == "all" else set(args.fit_langs.split(","))
    en = np.array([k for k in have if fit_langs is None or sem_rows[k]["lang"] in fit_langs])
    y_en = np.array([(4 - sem_rows[k]["overall"]) / 3 for k in en])
    y_ms = np.array([r["label"] for r in ms_rows], dtype=float)
    gold_en = np.array([-sem_rows[k]["overall"] for k in en])
    fit_name = "en-en" if fit_langs == {"en-en"} else f"fit set ({args.fit_langs})"

    def full(beta, cols):
        out = np.zeros(len(FEATURES) + 1)
        out[0] = beta[0]
        out[[1 + c for c in cols]] = beta[1:]
        return out

    def predict(doc, sent, X, G, lexcov):
        f = {n: X[:, k] for k, n in enumerate(FEATURES)}
        return S.finish(S.blend(f, semantic, G, coefs=(doc, sent)), lexcov, G)

    def fit_doc(idx):
        X, y = Xs[idx][:, doc_cols], y_en[np.searchsorted(en, idx)]
        signs = np.array([SIGNS[FEATURES[c]] for c in doc_cols], dtype=float)
        return full(ridge(X, y, args.l2) if args.free else signed_ls(X, y, signs), doc_cols)

    def fit_sent(idx):
        signs = np.array([SIGNS[FEATURES[c]] for c in sent_cols], dtype=float)
        return full(signed_logistic(Xm[idx][:, sent_cols], y_ms[idx], signs, args.l2_sent), sent_cols)

    if args.check:
        doc, sent = (np.array(c) for c in S.coefficients(semantic, MODEL))
        print("checking the coefficients in wiretrace.meaning.simscore")
    else:
        # one generator per set: MSRP's folds do not move with the size of the SemEval fit set
        fold_en = np.random.default_rng(0).integers(0, 5, len(en))
        fold_ms = np.random.default_rng(1).integers(0, 5, len(ms_rows))
        cv_en = np.zeros(len(en))
        cv_ms = np.zeros(len(ms_rows))
        for f in range(5):
            doc = fit_doc(en[fold_en != f])
            sent = fit_sent(np.flatnonzero(fold_ms != f))
            ie = en[fold_en == f]
            cv_en[fold_en == f] = predict(doc, sent, Xs[ie], Gs[ie], Fs["lexcov"][ie])
            im = np.flatnonzero(fold_ms == f)
            cv_ms[im] = predict(doc, sent, Xm[im], Gm[im], Fm["lexcov"][im])
        print(f"5-fold CV: {fit_name} Pearson {C.pearson(cv_en, gold_en):.4f}  MSRP AUC "
              f"{C.roc_auc(cv_ms, y_ms.astype(int).tolist()):.4f}")
        if fit_langs != {"en-en"}:
            by = defaultdict(list)
            for j, k in enumerate(en):
                by[sem_rows[k]["lang"]].append(j)
            print("   CV per language pair: " + "  ".join(
                f"{lang} {C.pearson(cv_en[js], gold_en[js]):.3f}" for lang, js in
                sorted(by.items(), key=lambda x: -len(x[1]))))
        doc = fit_doc(en)
        sent = fit_sent(np.arange(len(ms_rows)))
        if semantic:
            print(f"COEF_SEMANTIC[{MODEL!r}] = (({', '.join(f'{v:.3f}' for v in doc)}),\n"
                  f"    ({', '.join(f'{v:.3f}' for v in sent)}))")
        else:
            print(f"COEF_LEXICAL_DOC = ({', '.join(f'{v:.3f}' for v in doc)})")
            print(f"COEF_LEXICAL_SENT = ({', '.join(f'{v:.3f}' for v in sent)})")
    sim_sem = predict(doc, sent, Xs[have], Gs[have], Fs["lexcov"][have])
    sim_ms = predict(doc, sent, Xm, Gm, Fm["lexcov"])
    report("the coefficients in the code" if args.check else f"full fit (DOC fit on {fit_name}, SENT on MSRP)",
           sim_sem,
           [sem_rows[k] for k in have], sim_ms, ms_rows)
    for k, n in enumerate(FEATURES):
        if semantic or n not in S.ENCODED:
            print(f"   feature {n:8s} alone: {fit_name} Pearson {C.pearson(Xs[en, k], gold_en):6.3f}  "
                  f"MSRP AUC {C.roc_auc(Xm[:, k], y_ms.astype(int).tolist()):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

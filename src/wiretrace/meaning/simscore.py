"""Story similarity: one calibrated number in [0, 1] for any pair of texts.

Two regimes, blended by the length of the longer text (:func:`gate`):

- **articles** (DOC): a linear blend, fitted by least squares on SemEval-2022
  task 8 dev pairs (target (4 - Overall) / 3): en-en for the lexical mode and
  MiniLM, all 10 languages for e5-small;
- **sentences** (SENT): a logistic model, fitted on MSRP train (paraphrase or
  not), whose features say *how* two short texts differ, which is what decides
  a paraphrase once the topic is shared.

Features, each meaningful on its own:

- ``lex``: damped-tf cosine over content words, names weighted up;
- ``recall``: share of the content words of the *less* covered side that the
  other text also uses (low when one text adds a lot the other lacks);
- ``emb``: cosine of the sentence embeddings of the two leads (semantic mode;
  for a sentence the lead is the whole text; with the multilingual e5 model
  this grades a pair across languages);
- ``reuse``: sqrt(a_coverage * b_coverage) from the aligned passages;
- ``names``: Dice overlap of capitalised names (aliases folded);
- ``emb_centered`` (semantic mode, a model with language centroids): the lead
  cosine after subtracting each text's language centroid
  (:func:`centered_cosine`). A multilingual model gives unrelated texts of one
  language a higher cosine than texts of two languages; centred, pairs of
  every language sit on one scale (SemEval all pairs 0.68 -> 0.78);

and, for the sentence regime only (not computed once the gate gives it no
weight, so articles never pay for them):

- ``numbers``: how many numbers only one side has (a changed figure is a
  changed fact);
- ``extra``: the longest run of words of one side whose stems the other lacks
  (an added clause such as "until elections can be held" is new information,
  while a paraphrase swaps scattered words); attribution runs ("said X") are
  not counted, since who said it does not change what was said;
- ``inserted``: the longest block one side inserts in the word-level edit
  alignment of the two (a replaced block is a rewording, an inserted one is
  added content), attribution again not counted;
- ``chars``: character-level similarity of the normalised word sequences, in
  order or with the words sorted, whichever is higher (spelling aware;
  forgives a moved clause);
- ``contained``: how much more alike the shorter text is to its best-matching
  stretch of the longer one than to the whole (a near-copy wrapped in added
  words reads as containment, not paraphrase);
- ``negation``: how many more negations ("not", "never", "n't", ...) one side
  has than the other (a denied statement is the opposite statement);
- ``residual`` (semantic mode): cosine of the embeddings of the words
  each side has and the other lacks. A paraphrase swaps words for words that
  mean the same ("bought" / "acquired"), so its residues are alike; new
  information leaves residues that are not. No residue on either side counts
  as alike (1), residue on one side only as unlike (0).

The coefficients were fitted once on dev data by ``python bench/fit_similarity.py``
(and ``--lexical``), each slope held to its natural sign, and are kept here as
constants. Figures at fitting time (full fit, 5-fold CV in brackets; Pearson
vs -Overall, MSRP ROC AUC of ``similarity`` for the paraphrase label):

===================  ==============  ==============  ======================
mode                 SemEval en-en   MSRP train AUC  SemEval all 1283 pairs
===================  ==============  ==============  ======================
semantic, minilm     0.851 (0.843)   0.854 (0.852)   0.399
semantic, e5-small   0.876 (0.875)   0.867 (0.855)   0.782 (0.781)
lexical              0.746 (0.742)   0.840 (0.838)   0.441
===================  ==============  ==============  ======================

(e5-small: fitted with ``--model e5-small --reuse-lexical --msrp-limit 400
--fit-langs all``, i.e. DOC on all 1,283 SemEval dev pairs of 10 languages
(5-fold CV across them), SENT on the first 400 MSRP train pairs, reuse from the
lexical passages. Its DOC regime is the language-centred lead cosine alone;
fitted on en-en only it comes out the same (0.026 + 1.230 x), all pairs 0.781.
The centroids are the mean SemEval dev lead of each language,
``bench/fit_centroids.py``; with centroids from the training folds only, the
lead cosine's CV over all pairs is 0.778.)

(Before ``negation`` and ``residual``: MSRP 0.848 (0.846) semantic, 0.834
(0.833) lexical; the earlier sentence regime, a least-squares blend of recall,
emb, reuse and a numbers ratio gated on the shorter text, had 0.788 / 0.763.) Texts
with no passage still get a graded value from the word, name and embedding
features.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from ..fingerprint import stop_mask
from ..normalize import Tokens
from .aliases import canonical
from .facts import sentence_initial
from .translation import text_language

#: characters of each text's lead that are embedded by default (MiniLM reads ~256
#: word pieces); a backend may set fewer (``embed.Backend.lead_chars``)
LEAD_CHARS = 1200

FEATURES = ("lex", "recall", "emb", "reuse", "names", "numbers", "extra", "inserted", "chars",
            "contained", "negation", "residual", "emb_centered")
#: features only the sentence regime uses; skipped when the gate gives it no weight,
#: so an article pair pays nothing for them
SENT_ONLY = frozenset({"numbers", "extra", "inserted", "chars", "contained", "negation", "residual"})
#: features that need the sentence encoder (0 in lexical mode)
ENCODED = frozenset({"emb", "residual", "emb_centered"})

# Fitted by `python bench/fit_similarity.py` (semantic, once per embedding model:
# --model) and `... --lexical`; see the module docstring. Order: intercept, then
# FEATURES. DOC is a linear blend (fitted on SemEval-2022 article pairs,
# graded); SENT is a logistic model (fitted on MSRP sentence pairs, binary): a
# probability is the natural scale for "same statement or not", and least squares
# on 0/1 labels ranks worse. Cosines enter calibrated (``embed.Backend.calibrate``).
COEF_SEMANTIC = {
    "minilm": ((-0.060, 0.0, 0.0, 1.095, 0.115, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
               (-3.698, 0.0, 1.113, 3.194, 0.0, 0.0, -0.285, -0.190, -0.184, 3.839, -3.669, -1.070, 1.683, 0.0)),
    "e5-small": ((0.024, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.250),
                 (-0.902, 0.0, 2.157, 1.320, 0.0, 0.0, -0.431, -0.190, -0.186, 1.133, -1.082, -0.349, 1.808, 0.0)),
}
COEF_LEXICAL_DOC = (0.078, 1.541, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
COEF_LEXICAL_SENT = (-2.086, 0.0, 2.049, 0.0, 0.0, 0.0, -0.239, -0.213, -0.163, 4.869, -4.256, -1.166, 0.0, 0.0)
#: share of the scale reserved for literal reuse: only texts whose words are
#: reused (verbatim or edited passages) reach the top, so a copy outranks an
#: edit, which outranks a paraphrase of the same story
LITERAL_WEIGHT = 0.15
#: words (of the *longer* text) at which the two regimes weigh equally, and the
#: spread: the sentence regime is for two short texts (MSRP pairs have at most 34
#: words); a stub against a full article is judged as articles, since the stub is
#: usually the lead (gating on the shorter text scored such SemEval pairs as
#: non-paraphrases: en-en Pearson 0.837 instead of 0.851)
GATE_WORDS = 40.0
GATE_SCALE = 2.0
#: below this weight the sentence regime is switched off (from ~54 words on)
GATE_MIN = 1e-3


def _content(t: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Content-word ids (no stopwords, boilerplate or one-letter words) and caps flags."""
    keep = ~stop_mask(t) & ~t.boiler & ((t.ends - t.starts) > 1)
    return t.ids[keep], t.caps[keep]


def _bag(t: Tokens) -> tuple[np.ndarray, np.ndarray, float]:
    """Distinct content-word ids, their damped tf (names count twice) and the norm;
    once per text (a scan compares one document with many)."""
    def make() -> tuple[np.ndarray, np.ndarray, float]:
        ids, caps = _content(t)
        w = np.where(caps, 2.0, 1.0)
        uniq, inv = np.unique(ids, return_inverse=True)
        tf = 1.0 + np.log(np.maximum(np.bincount(inv, weights=w, minlength=len(uniq)), 1.0))
        return uniq, tf, float(np.linalg.norm(tf))
    return t.cached("sim_bag", make)


def _lex_cos(ta: Tokens, tb: Tokens) -> float:
    ua, wa, na = _bag(ta)
    ub, wb, nb = _bag(tb)
    if len(ua) == 0 or len(ub) == 0:
        return 0.0
    _, xa, xb = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    return float(wa[xa] @ wb[xb] / (na * nb))


def _recall(ta: Tokens, tb: Tokens) -> float:
    sa, sb = _bag(ta)[0], _bag(tb)[0]
    if len(sa) == 0 or len(sb) == 0:
        return 0.0
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    return min(inter / len(sa), inter / len(sb))


def _names(t: Tokens) -> frozenset[str]:
    """Capitalised words not opening a sentence, folded through the alias table."""
    return t.cached("sim_names", lambda: frozenset(_find_names(t)))


def _find_names(t: Tokens) -> set[str]:
    ini = sentence_initial(t)
    mask = t.caps & ~ini & ~t.boiler
    out = set()
    for k in np.flatnonzero(mask).tolist():
        raw = t.text[int(t.starts[k]):int(t.ends[k])]
        out.add(canonical(raw))
    return out


def _numbers(t: Tokens) -> frozenset[str]:
    return t.cached("sim_numbers", lambda: frozenset(f for f in t.forms if f[:1].isdigit()))


@lru_cache(maxsize=1 << 16)
def stem(form: str) -> str:
    """Crude English stem: drop a plural, tense or adverb ending ("rallied" -> "rally").

    >>> stem("stocks"), stem("stopped"), stem("rallies"), stem("us")
    ('stock', 'stop', 'rally', 'us')
    """
    n = len(form)
    if n > 4 and form[-3:] in ("ies", "ied"):
        return form[:-3] + "y"
    for suf in ("ing", "ed", "es", "s", "ly"):
        if n > len(suf) + 3 and form.endswith(suf):
            base = form[: -len(suf)]
            # "stopped" -> "stopp" -> "stop" (but keep "fall", "miss")
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiouls":
                base = base[:-1]
            return base
    return form


def _words(t: Tokens) -> list[str]:
    """Word forms outside bylines and datelines."""
    if not t.boiler.any():
        return t.forms
    return [f for f, b in zip(t.forms, t.boiler.tolist()) if not b]


#: words of attribution: who said it, and how, does not change what was said, so a
#: run of words one side adds that carries one of these is not new information
REPORTING = frozenset("""said says say told according added stated statement reported
    spokesman spokeswoman""".split())
#: negating words; "n't" is split by the tokenizer into "didn" + "t" (see :func:`_negations`)
NEGATIONS = frozenset("""not no never nor without none nobody nothing neither cannot
    nowhere""".split())


def _negations(forms: list[str]) -> int:
    """Negating words in a word sequence ("didn't" counts once).

    >>> _negations(["he", "didn", "t", "say", "no", "more"])
    2
    """
    return sum(1 for k, f in enumerate(forms)
               if f in NEGATIONS or (f == "t" and k > 0 and forms[k - 1].endswith("n")))


def _longest_unmatched(forms: list[str], stems: list[str], other: set[str]) -> int:
    """Longest run of words whose stems ``other`` lacks (runs with attribution ignored)."""
    best = run = 0
    attribution = False
    for f, s in zip(forms + [""], stems + [""]):
        if s in other or not s:  # a run ends (the sentinel closes the last one)
            if not attribution and run > best:
                best = run
            run, attribution = 0, False
        else:
            run += 1
            attribution = attribution or f in REPORTING
    return best


def _longest_insertion(fa: list[str], sa: list[str], fb: list[str], sb: list[str]) -> int:
    """Longest block of words one side inserts in the word-level alignment of the two
    (a replaced block is a rewording, an inserted one is added content; attribution ignored).

    Both directions are aligned and the larger kept: edit alignments break ties
    by direction, and similarity(a, b) must equal similarity(b, a).
    """
    best = 0
    for xa, ya, xb, yb in ((fa, sa, fb, sb), (fb, sb, fa, sa)):
        for op in Levenshtein.opcodes(ya, yb):
            if op.tag == "insert":
                words = xb[op.dest_start:op.dest_end]
            elif op.tag == "delete":
                words = xa[op.src_start:op.src_end]
            else:
                continue
            if len(words) > best and REPORTING.isdisjoint(words):
                best = len(words)
    return best


def _residues(fa: list[str], sa: list[str], fb: list[str], sb: list[str]) -> tuple[str, str]:
    """The words of each side whose stems the other lacks, in order, as two strings."""
    ka, kb = set(sa), set(sb)
    return (" ".join(f for f, s in zip(fa, sa) if s not in kb),
            " ".join(f for f, s in zip(fb, sb) if s not in ka))


def _residual(fa: list[str], sa: list[str], fb: list[str], sb: list[str], encode,
              calibrate=None) -> float:
    """Cosine of the embeddings of the words each side has whose stems the other lacks
    (1 when neither side has any, 0 when only one side has)."""
    ra, rb = _residues(fa, sa, fb, sb)
    if not ra or not rb:
        return 0.0 if ra or rb else 1.0
    v = encode([ra, rb])
    c = float(v[0] @ v[1])
    return float(calibrate(c)) if calibrate is not None else c


def _sentence_features(ta: Tokens, tb: Tokens, want: frozenset[str], out: dict[str, float],
                       encode=None, calibrate=None) -> None:
    """The sentence-regime features (see the module docstring), in ``out``."""
    fa, fb = _words(ta), _words(tb)
    if "numbers" in want:
        ma, mb = _numbers(ta), _numbers(tb)
        out["numbers"] = float(len(ma ^ mb))
    if "negation" in want:
        out["negation"] = float(abs(_negations(fa) - _negations(fb)))
    if want & {"extra", "inserted", "residual"}:
        sa, sb = [stem(f) for f in fa], [stem(f) for f in fb]
        if "extra" in want:
            out["extra"] = float(max(_longest_unmatched(fa, sa, set(sb)), _longest_unmatched(fb, sb, set(sa))))
        if "inserted" in want:
            out["inserted"] = float(_longest_insertion(fa, sa, fb, sb))
        if "residual" in want and encode is not None:
            out["residual"] = _residual(fa, sa, fb, sb, encode, calibrate)
    if want & {"chars", "contained"}:
        a, b = " ".join(fa), " ".join(fb)
        in_order = Indel.normalized_similarity(a, b)
        if "chars" in want:
            # reordered clauses ("X said: ..." / "... , X said") are the same words
            out["chars"] = max(in_order, Indel.normalized_similarity(" ".join(sorted(fa)), " ".join(sorted(fb))))
        if "contained" in want:
            out["contained"] = fuzz.partial_ratio(a, b) / 100.0 - in_order


def _lead(t: Tokens, chars: int = LEAD_CHARS) -> str:
    return t.cached(f"sim_lead{chars}", lambda: _find_lead(t, chars))


def _find_lead(t: Tokens, chars: int = LEAD_CHARS) -> str:
    text = t.text
    if t.boilerplate:
        # drop bylines and datelines from the lead
        keep, pos = [], 0
        for s, e in sorted(t.boilerplate):
            keep.append(text[pos:s])
            pos = max(pos, e)
        keep.append(text[pos:])
        text = " ".join(x.strip() for x in keep if x.strip())
    return " ".join(text[:chars].split())


def to_embed(ta: Tokens, tb: Tokens, model: str | None = None) -> list[str]:
    """The texts :func:`similarity` will embed in semantic mode (the leads, and the
    residues of a sentence pair), so that the meaning pass can put them in its batch."""
    n = _lead_chars(model)
    out = [_lead(ta, n), _lead(tb, n)]
    if len(ta) and len(tb) and gate(max(len(ta), len(tb))) > 0 and "residual" in _needed(True, True, model):
        fa, fb = _words(ta), _words(tb)
        out.extend(r for r in _residues(fa, [stem(f) for f in fa], fb, [stem(f) for f in fb]) if r)
    return out


def _lead_chars(model: str | None) -> int:
    from .embed import backend

    return backend(model).lead_chars


def centered_cosine(va: np.ndarray, vb: np.ndarray, ca: np.ndarray, cb: np.ndarray) -> float:
    """Cosine of two embeddings after subtracting each one's language centroid.

    A multilingual encoder gives two unrelated texts of one language a higher
    cosine than two of different languages; without the centroids the slope
    fitted on one language misgrades the others.

    >>> round(centered_cosine(np.array([1.0, 1.0]), np.array([1.0, -1.0]),
    ...                       np.array([0.0, 1.0]), np.array([0.0, -1.0])), 6)
    1.0
    """
    a, b = va - ca, vb - cb
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b) / (na * nb) if na > 0 and nb > 0 else 0.0


def features(ta: Tokens, tb: Tokens, a_cov: float, b_cov: float, encode=None,
             needed: frozenset[str] | None = None, lead_chars: int = LEAD_CHARS,
             calibrate=None, centroids: dict[str, np.ndarray] | None = None) -> dict[str, float]:
    """The similarity features of a pair (``emb`` and ``residual`` are 0 without an encoder).

    ``needed`` limits the work to the named features (the others are reported
    as 0.0); None computes all of them. ``lead_chars``: how much of each text
    ``emb`` embeds (the model's ``lead_chars``); ``calibrate`` maps the model's
    cosines onto one scale (``embed.Backend.calibrate``), so that the fits'
    L2 penalty weighs every model's slopes alike. ``centroids`` (language code
    -> vector, ``embed.Backend.centroids``) give ``emb_centered``, the
    :func:`centered_cosine` of the leads, each text's language told by
    ``translation.text_language`` ("" for one the table lacks); it is not
    calibrated (the centring spreads the cosines itself) and stays 0 without
    centroids.
    """
    want = needed if needed is not None else frozenset(FEATURES)
    out = dict.fromkeys(FEATURES, 0.0)
    if "lex" in want:
        out["lex"] = _lex_cos(ta, tb)
    if "recall" in want:
        out["recall"] = _recall(ta, tb)
    if want & {"emb", "emb_centered"} and encode is not None and len(ta) and len(tb):
        v = encode([_lead(ta, lead_chars), _lead(tb, lead_chars)])
        c = float(v[0] @ v[1])
        out["emb"] = float(calibrate(c)) if calibrate is not None else c
        if "emb_centered" in want and centroids is not None:
            other = centroids[""]
            out["emb_centered"] = centered_cosine(v[0], v[1], centroids.get(text_language(ta), other),
                                                  centroids.get(text_language(tb), other))
    if "reuse" in want:
        out["reuse"] = math.sqrt(max(0.0, a_cov) * max(0.0, b_cov))
    if "names" in want:
        na, nb = _names(ta), _names(tb)
        out["names"] = 2 * len(na & nb) / (len(na) + len(nb)) if na or nb else 0.0
    if want & SENT_ONLY:
        _sentence_features(ta, tb, want, out, encode, calibrate)
    return out


def coefficients(semantic: bool, model: str | None = None) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(DOC, SENT) coefficients of a mode (and embedding model, None = the default):
    intercept, then one per FEATURES.

    >>> len(coefficients(True)[0]) == len(FEATURES) + 1
    True
    """
    if not semantic:
        return COEF_LEXICAL_DOC, COEF_LEXICAL_SENT
    from .embed import DEFAULT_MODEL

    return COEF_SEMANTIC[model or DEFAULT_MODEL]


def _needed(semantic: bool, sentence_regime: bool = True, model: str | None = None) -> frozenset[str]:
    """Features with a non-zero coefficient (in DOC only when the SENT regime is off)."""
    coefs = coefficients(semantic, model) if sentence_regime else coefficients(semantic, model)[:1]
    return frozenset(n for k, n in enumerate(FEATURES) if any(c[k + 1] != 0.0 for c in coefs))


def gate(words: int) -> float:
    """Weight of the sentence regime for a pair whose longer text has ``words`` tokens.

    Exactly 0 from ~54 words on (:data:`GATE_MIN`): articles never pay for the
    sentence features.
    """
    # clamp: exp overflows past ~709, and beyond ±50 the logistic is 0 or 1 anyway
    x = max(-50.0, min(50.0, (words - GATE_WORDS) / GATE_SCALE))
    g = 1.0 / (1.0 + math.exp(x))
    return 0.0 if g < GATE_MIN else g


def squash(z):
    """Map the linear blend into (0, 1): identity on [0.1, 0.9], exponential tails
    outside, so pairs far below or above the fitted range stay ranked (graded)
    instead of being clipped to one value (numpy friendly)."""
    z = np.asarray(z, dtype=float)
    lo = 0.1 * np.exp((np.minimum(z, 0.1) - 0.1) / 0.1)
    hi = 1.0 - 0.1 * np.exp(-(np.maximum(z, 0.9) - 0.9) / 0.1)
    return np.where(z < 0.1, lo, np.where(z > 0.9, hi, z))


def finish(z, literal, g=0.0):
    """Final similarity from the blend ``z``, the literal-reuse share and the
    sentence-regime weight ``g`` (numpy friendly).

    For articles the top of the scale is kept for literal reuse and a pair
    scores at least its literal share; single sentences (MSRP-like pairs)
    are left to the sentence regime, where sharing a verbatim stretch is not
    evidence of saying the same thing (a copied sentence scores ~0.99).
    """
    g = np.asarray(g, dtype=float)
    literal = np.asarray(literal, dtype=float)
    w = LITERAL_WEIGHT * (1.0 - g)
    return np.maximum((1.0 - w) * squash(z) + w * literal, literal * (1.0 - g))


def _linear(coef, f) -> float | np.ndarray:
    return coef[0] + sum(c * f[name] for c, name in zip(coef[1:], FEATURES) if c != 0.0)


def blend(f, semantic: bool, g: float | np.ndarray = 0.0, coefs=None, model: str | None = None):
    """The blend of the two regimes (unclipped), ``g`` the sentence weight (:func:`gate`).

    DOC is linear (its scale is the SemEval target); SENT is a probability.
    Numpy friendly: ``f`` may map names to arrays and ``g`` be an array;
    ``coefs`` = (DOC, SENT) overrides the fitted constants (for the fit).
    """
    doc, sent = coefs if coefs is not None else coefficients(semantic, model)
    g = np.asarray(g, dtype=float)
    z = (1.0 - g) * _linear(doc, f)
    if np.any(g > 0):
        x = np.clip(_linear(sent, f), -30.0, 30.0)
        z = z + g * (1.0 / (1.0 + np.exp(-x)))
    return z if z.ndim else float(z)


def _blend_one(f: dict[str, float], semantic: bool, g: float, model: str | None = None) -> float:
    """:func:`blend` of one pair in plain floats (numpy's per-call cost on
    0-d arrays was ~3% of a corpus scan's align time); the same arithmetic."""
    doc, sent = coefficients(semantic, model)
    z = (1.0 - g) * _linear(doc, f)
    if g > 0:
        x = min(30.0, max(-30.0, _linear(sent, f)))
        z = z + g * (1.0 / (1.0 + math.exp(-x)))
    return z


def _finish_one(z: float, literal: float, g: float) -> float:
    """:func:`finish` (with :func:`squash`) of one pair in plain floats."""
    if z < 0.1:
        s = 0.1 * math.exp((z - 0.1) / 0.1)
    elif z > 0.9:
        s = 1.0 - 0.1 * math.exp(-(z - 0.9) / 0.1)
    else:
        s = z
    w = LITERAL_WEIGHT * (1.0 - g)
    return max((1.0 - w) * s + w * literal, literal * (1.0 - g))


def similarity(ta: Tokens, tb: Tokens, passages, a_cov: float, b_cov: float, cfg) -> float:
    """``Comparison.similarity``: graded in [0, 1], 1 = the same story told the same way.

    For articles the top of the scale is reserved for literal reuse
    (:data:`LITERAL_WEIGHT`) and a pair scores at least its literal reuse (the
    smaller coverage by verbatim and edited passages), so a verbatim copy is 1.
    """
    if len(ta) == 0 or len(tb) == 0:
        return 0.0
    from .embed import backend, encoder, semantic_active

    semantic = semantic_active(cfg)
    model = cfg.embed_model
    g = gate(max(len(ta), len(tb)))
    try:
        b = backend(model)  # one lookup per pair: its lead length, calibration and centroids
        f = features(ta, tb, a_cov, b_cov, encoder(cfg) if semantic else None,
                     _needed(semantic, g > 0, model), b.lead_chars, b.calibrate,
                     b.centroids() if semantic else None)
    except RuntimeError:  # the backend failed mid-run: lexical features only
        semantic = False
        f = features(ta, tb, a_cov, b_cov, None, _needed(False, g > 0))
    sim = _finish_one(_blend_one(f, semantic, g, model), _lexical_coverage(ta, tb, passages), g)
    if sim < 1.0 and _lexical_coverage(ta, tb, passages, ("verbatim",)) >= 0.999:
        sim = 1.0  # the same words throughout: the same story told the same way
    return round(min(1.0, max(0.0, sim)), 4)


def _lexical_coverage(ta: Tokens, tb: Tokens, passages, kinds=("verbatim", "edited")) -> float:
    """min(a, b) coverage by passages of the given kinds (by default not paraphrases)."""
    from ..judge import coverage

    lex = [p for p in passages if p.kind in kinds]
    if not lex:
        return 0.0
    return min(coverage(ta, [(p.a_start, p.a_end) for p in lex]),
               coverage(tb, [(p.b_start, p.b_end) for p in lex]))

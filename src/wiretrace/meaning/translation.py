"""Translated passages: one text retold sentence by sentence in another language.

A translation shares no words with its source, so the lexical pass finds
nothing. A multilingual sentence embedding maps a sentence and its
translation close together, but it also maps two independent reports of one
event close together: both say "Kerry warned that the militants could seize
Libya's oil". The embedding may *find* a translation; the evidence that one
text was made from the other is what independent writers rarely produce by
chance, the same bar as for paraphrase (:mod:`~wiretrace.meaning.evidence`):

* each sentence pair is a *mutual* best match, clearly ahead of the runner-up
  on both sides (independent reports match many sentences loosely, a
  translation matches one sentence tightly);
* the two sentences have comparable lengths and carry the same numbers (a
  translation keeps "23 countries"; a clash of every figure is no translation);
* the pairs follow both texts' order (one chain), and there are several of them.

:func:`find` returns the chain's sentence pairs as passages of kind
"translation"; :func:`~wiretrace.meaning.evidence.weigh` decides whether they
are enough to call the pair derived. :func:`language_of` tells which language
a text is in, so the pass runs only between two known, different languages.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from ..normalize import Tokens, sentence_spans
from ..records import Conflict, Passage

# The most frequent function words of each language: enough to tell languages
# of one script apart on a news text, and cheap (one Counter over the forms).
FUNCTION_WORDS = {
    "en": "the and of to in is that for was with said on he it as by are have from has at be which but "
          "this were they not an will his who would had",
    "de": "der die und den von zu das mit sich des auf für ist im dem nicht ein eine als auch es werden "
          "aus er hat dass sie nach wird bei sagte einer um am sind noch wie",
    "fr": "le la les et des un une du est que pour dans qui au sur par pas plus ne se il ont été aux avec "
          "ce sont cette mais elle ou leur",
    "es": "el la que los del se las por un para con no una su al es lo como más pero sus le ha fue este "
          "dijo entre también desde están",
    "it": "il di che per un del della non una è sono con da si le dei gli nel alla ha più anche come ma "
          "dopo ad questo delle degli",
    "pt": "o os que do da em um para com não uma no na por mais as dos como mas foi ao ele das tem seu "
          "sua ou ser quando muito",
    "nl": "de het een van en in is dat op te zijn voor met die niet aan er maar om ook als bij door "
          "werd nog wordt",
    "pl": "w na nie się do że to jest o jak po co od przez za tak ale jego już był być także oraz który "
          "jednak może które został",
    "tr": "ve bir bu da de için ile olarak çok daha gibi olan ancak kadar sonra göre ise değil her ki var "
          "yok oldu şu ayrıca",
    "ru": "и в не на что с по это как он а к из у за от о то же так но все она было его для был мы "
          "они который года также",
}
_WORD_LANG: dict[str, list[str]] = {}
for _lang, _words in FUNCTION_WORDS.items():
    for _w in _words.split():
        _WORD_LANG.setdefault(_w, []).append(_lang)

# Scripts that name their language outright (or a family we do not tell apart).
_SCRIPTS = [
    ("ja", re.compile(r"[\u3040-\u30ff]")),  # kana: Japanese, even among kanji
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
]
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_NON_LATIN = re.compile(r"[\u0370-\u06ff\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]+")
_WORDS = re.compile(r"[^\W\d_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: every ASCII character but a letter, as a space (a run of ASCII letters is a _WORDS match)
_NOT_LETTER = {i: " " for i in range(128) if not chr(i).isalpha()}
#: a language needs at least this many function-word hits, and this lead over the runner-up
_MIN_HITS = 5
_MIN_LEAD = 1.5

#: sentence pairs are taken only when the cosine is this far ahead of the next
#: best match of either sentence (independent reports match loosely and widely)
MIN_MARGIN = 0.03
#: and the two sentences' lengths (relative to the two texts' typical ratio)
#: are within this factor of each other
MAX_LENGTH_FACTOR = 1.8
#: at least this share of the matched sentence pairs must follow both texts' order
IN_ORDER = 0.75
#: at most this many sentences per side are embedded (long texts: the first ones)
MAX_SENTENCES = 200
#: shorter sentences carry too little to be matched by meaning alone
MIN_SENTENCE_CHARS = 40
MIN_SENTENCE_CHARS_CJK = 15
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def language_of(text: str) -> str:
    """The text's language as an ISO 639-1 code, or "" when it cannot tell.

    Scripts name Chinese, Japanese, Korean, Arabic, Hebrew, Greek and Thai;
    Cyrillic and Latin texts are told apart by their function words. Reads the
    first few thousand characters only.

    >>> language_of("Die Regierung hat am Dienstag eine neue Steuer beschlossen, sagte der Minister.")
    'de'
    >>> language_of("The government said on Tuesday that it would raise the tax, the minister said.")
    'en'
    >>> language_of("12 34")
    ''
    """
    sample = text[:2000]
    words = _letter_runs(sample.casefold())
    if not words:
        return ""
    cyrillic = False
    if not sample.isascii():
        letters = sum(map(len, words))
        # the script ranges all lie outside ASCII: look for them among those characters only
        other = "".join(_NON_LATIN.findall("".join(_NON_ASCII.findall(sample))))
        if other:
            for lang, pattern in _SCRIPTS:
                if len(pattern.findall(other)) >= max(5, 0.2 * letters):
                    return lang
            cyrillic = len(_CYRILLIC.findall(other)) >= 0.3 * letters
    counts: dict[str, int] = {}
    seen = Counter(words)
    for w in seen.keys() & _WORD_LANG.keys():  # the function words only (~1 word in 10)
        n = seen[w]
        for lang in _WORD_LANG[w]:
            counts[lang] = counts.get(lang, 0) + n
    ranked = sorted(((n, lang) for lang, n in counts.items() if (lang == "ru") == cyrillic), reverse=True)
    if not ranked or ranked[0][0] < _MIN_HITS:
        return ""
    if len(ranked) > 1 and ranked[0][0] < _MIN_LEAD * ranked[1][0]:
        return ""
    return ranked[0][1]


def text_language(t: Tokens) -> str:
    """:func:`language_of` of a tokenized text, computed once per text (a scan
    meets one text in many pairs).

    >>> from wiretrace.normalize import tokenize
    >>> text_language(tokenize("Der Minister sagte am Dienstag, dass die Regierung die Steuer erhöhen wird."))
    'de'
    """
    return t.cached("language", lambda: language_of(t.text))


def _letter_runs(folded: str) -> list[str]:
    """``_WORDS.findall(folded)``: the runs of letters. Text whose letters and digits
    are all ASCII (English, and English with curly quotes or dashes) takes a
    translate and a split, ~5x faster than the regex (language_of runs on both
    texts of every pair of a multilingual comparison).

    >>> _letter_runs("it’s 10:30 — don't_stop"), _letter_runs("straße 5x")
    (['it', 's', 'don', 't', 'stop'], ['straße', 'x'])
    """
    if not folded.isascii():
        if any(c.isalnum() for c in _NON_ASCII.findall(folded)):
            return _WORDS.findall(folded)
        # the characters outside ASCII are no word characters: each separates words
        folded = folded.encode("ascii", "replace").decode("ascii")
    return folded.translate(_NOT_LETTER).split()


def _is_cjk(lang: str) -> bool:
    return lang in ("zh", "ja", "ko")


def sentence_units(t: Tokens, lang: str = "") -> list[tuple[int, int]]:
    """The text's sentences (character spans) that can carry a translation:
    outside boilerplate and long enough to match by meaning.

    >>> from wiretrace.normalize import tokenize
    >>> t = tokenize("ROME (Reuters) - Officials from 23 countries met in Rome on Tuesday. Ok.")
    >>> [t.text[s:e] for s, e in sentence_units(t)]
    ['Officials from 23 countries met in Rome on Tuesday.']
    """
    def make():
        floor = MIN_SENTENCE_CHARS_CJK if _is_cjk(lang) else MIN_SENTENCE_CHARS
        out = []
        for s, e in sentence_spans(t.text, t.paragraphs):
            i, j = t.first_at(s), t.first_at(e)
            keep = ~t.boiler[i:j]
            if j <= i or not keep.any():
                continue
            # a sentence that starts in a dateline keeps only its own words
            s = int(t.starts[i + int(np.argmax(keep))])
            if e - s >= floor:
                out.append((s, e))
        return out[:MAX_SENTENCES]
    return t.cached(("translation_units", lang), make)


def _numbers(text: str) -> frozenset[str]:
    return frozenset(m.group().replace(",", "").replace(".", "") for m in _NUMBER.finditer(text))


def _chain(pairs: list[tuple[int, int, float]]) -> list[int]:
    """Indices of the heaviest set of pairs increasing on both sides (weighted LIS)."""
    order = sorted(range(len(pairs)), key=lambda k: pairs[k][:2])
    best = [0.0] * len(order)
    prev = [-1] * len(order)
    for x, k in enumerate(order):
        i, j, w = pairs[k]
        best[x] = w
        for y in range(x):
            pi, pj, _ = pairs[order[y]]
            if pi < i and pj < j and best[y] + w > best[x]:
                best[x], prev[x] = best[y] + w, y
    if not order:
        return []
    x = max(range(len(order)), key=best.__getitem__)
    out = []
    while x >= 0:
        out.append(order[x])
        x = prev[x]
    return out[::-1]


def find(ta: Tokens, tb: Tokens, encode, min_cosine: float,
         passages: list[Passage] = (), lang_a: str = "", lang_b: str = "") -> list[Passage]:
    """Sentence pairs of ``ta`` and ``tb`` that look like one translated from the
    other, in one order, as passages of kind "translation" (sorted by a_start).

    ``encode`` maps sentences to unit vectors with a *multilingual* model;
    ``passages`` are the pair's other passages, which translated sentences never
    overlap. The caller decides whether the pairs are evidence enough (see
    :mod:`~wiretrace.meaning.evidence`).

    >>> from wiretrace.normalize import tokenize
    >>> a = tokenize("Officials from 23 countries met in Rome on Tuesday to review the fight.")
    >>> b = tokenize("Vertreter aus 23 Ländern trafen sich am Dienstag in Rom, um den Kampf zu bewerten.")
    >>> fake = lambda xs: np.eye(len(xs), dtype=np.float32)[[0, 0][:len(xs)]]  # both alike
    >>> [(p.kind, p.score) for p in find(a, b, fake, 0.8)]
    [('translation', 1.0)]
    """
    ua, ub = sentence_units(ta, lang_a), sentence_units(tb, lang_b)
    if not ua or not ub:
        return []
    taken_a = [(p.a_start, p.a_end) for p in passages]
    taken_b = [(p.b_start, p.b_end) for p in passages]
    texts_a = [ta.text[s:e] for s, e in ua]
    texts_b = [tb.text[s:e] for s, e in ub]
    v = np.asarray(encode(texts_a + texts_b), dtype=np.float32)
    cos = v[:len(ua)] @ v[len(ua):].T
    best_b = cos.argmax(axis=1)
    best_a = cos.argmax(axis=0)
    # the runner-up of each row and column: how far ahead the best match is
    if cos.shape[1] > 1:
        second_row = np.partition(cos, -2, axis=1)[:, -2]
    else:
        second_row = np.full(cos.shape[0], -1.0, dtype=np.float32)
    if cos.shape[0] > 1:
        second_col = np.partition(cos, -2, axis=0)[-2, :]
    else:
        second_col = np.full(cos.shape[1], -1.0, dtype=np.float32)
    len_a = np.array([e - s for s, e in ua], dtype=np.float64)
    len_b = np.array([e - s for s, e in ub], dtype=np.float64)
    cands: list[tuple[int, int, float]] = []
    for i in range(len(ua)):
        j = int(best_b[i])
        c = float(cos[i, j])
        if best_a[j] != i or c < min_cosine:
            continue
        if min(c - second_row[i], c - second_col[j]) < MIN_MARGIN:
            continue
        na, nb = _numbers(texts_a[i]), _numbers(texts_b[j])
        if na and nb and na.isdisjoint(nb):
            continue
        if _overlaps(ua[i], taken_a) or _overlaps(ub[j], taken_b):
            continue
        cands.append((i, j, c))
    if not cands:
        return []
    # comparable lengths, against the two texts' own ratio (Chinese is terse,
    # German long-winded): the median ratio of the candidates
    ratios = np.array([len_a[i] / len_b[j] for i, j, _ in cands])
    typical = float(np.median(ratios))
    cands = [x for x, r in zip(cands, ratios.tolist())
             if 1 / MAX_LENGTH_FACTOR <= r / typical <= MAX_LENGTH_FACTOR]
    chain = _chain(cands)
    # a translation keeps the order; sentences on one topic match all over
    if len(chain) < IN_ORDER * len(cands):
        return []
    out = []
    for k in chain:
        i, j, c = cands[k]
        shared = len(_numbers(texts_a[i]) & _numbers(texts_b[j]))
        out.append(Passage(ua[i][0], ua[i][1], ub[j][0], ub[j][1], "translation",
                           round(c, 4), shared, 1.0))
    return out


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and e > span[0] for s, e in others)


_PLAIN_NUMBER = re.compile(r"(?<![\w.,])\d+(?![\w]|[.,]\d)")


def number_conflicts(a_text: str, b_text: str, passages: list[Passage]) -> list[Conflict]:
    """A figure changed in translation: in a translated sentence pair whose other
    numbers agree, one whole number on each side that the other lacks ("23
    countries" / "32 Länder"). Only plain whole numbers are compared: "1.5" and
    "1,5" are one number written two ways, and local formats are not guessed.

    >>> a = "Officials from 23 countries met in Rome in 2016."
    >>> b = "Vertreter aus 32 Ländern trafen sich 2016 in Rom."
    >>> [(c.a_text, c.b_text) for c in number_conflicts(a, b, [Passage(0, len(a), 0, len(b), "translation", 0.9)])]
    [('23', '32')]
    """
    out: list[Conflict] = []
    for p in passages:
        if p.kind != "translation":
            continue
        xa = {m.group(): m.span() for m in _PLAIN_NUMBER.finditer(a_text, p.a_start, p.a_end)}
        xb = {m.group(): m.span() for m in _PLAIN_NUMBER.finditer(b_text, p.b_start, p.b_end)}
        only_a, only_b = set(xa) - set(xb), set(xb) - set(xa)
        if len(only_a) != 1 or len(only_b) != 1:
            continue
        na, nb = only_a.pop(), only_b.pop()
        (a0, a1), (b0, b1) = xa[na], xb[nb]
        out.append(Conflict(a0, a1, b0, b1, "number", na, nb,
                            f"number changed in translation: '{na}' / '{nb}'"))
    return out

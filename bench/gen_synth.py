"""Synthetic news corpus with known reuse, built from Reuters-21578 and BBC text.

    python bench/gen_synth.py --docs 100000 --out /work/scratch/synth_100k.jsonl
    python bench/gen_synth.py --docs 10000 --out /tmp/s.jsonl --heldout 200 --seed 7

Writes, next to ``--out`` (``X.jsonl``):

* ``X.jsonl``          the corpus, one document per line: ``id``, ``text``,
  ``source`` (outlet), ``date`` (ISO 8601), ``title``; nothing else, so the
  scanner sees no hint of the truth.
* ``X.truth.jsonl``    one line per original and per derived document (filler
  documents are left out: no line means "filler, reuses nothing").
* ``X.heldout.jsonl``  ``--heldout`` derived documents that are *not* in the
  corpus (for ``query`` latency and hit rate), each with its truth inline.
* ``X.meta.json``      the options, counts per kind and the truth definition.

Same ``--docs``/``--seed``/shares give byte-identical files. Documents are
written one at a time; what stays in memory is the source texts (~21k),
a plan of a few small numbers per document and an LRU of recent derived texts.

Design
======

**Originals.** Real bodies: Reuters-21578 records with a <BODY> (dated 1987,
``source="reuters"``) and BBC articles (headline -> title, undated in the data,
so each gets a deterministic date in 2004-2005, ``source="bbc"``). Reuters's
70-column wrapping is joined into paragraphs; every document's text is its
paragraphs joined by a blank line. The pool is made *mutually non-reusing*:
exact duplicates are dropped, then (greedily, in file order) every text that
shares any run of 8 words (lower-cased alphanumeric words) with a text already
kept, numbers masked (Reuters formulae such as "... in New York and 145.25
at the close here yesterday" differ only in their figures). Reuters is full
of updated stories, repeated paragraphs and formulae; left in, they would be
real reuse the generator's truth does not know about. This keeps 10,078 of
20,784 distinct texts (all of them still serve as filler templates). Only originals of at least
``--min-root-words`` words get copies ("roots"); shorter ones stand alone.

**Derived documents** are made from a source's paragraphs (kinds, with
default shares of the derived documents):

* ``verbatim``     whole copy (new outlet, title re-cased).
* ``trimmed``      the first k paragraphs (>= 40 % of the words), or random
  paragraphs dropped (>= 50 % kept).
* ``edited``       every paragraph, with house-style variants ("pct" /
  "percent" / "per cent", "U.S." / "US" / "United States", "mln" /
  "million", British/American spellings), about 30 % of numbers changed
  slightly (years kept), synonym swaps on ~5 % of eligible words, and
  sometimes an outlet's own first paragraph added (filler text).
* ``paraphrased``  sentence-level rewrites of every sentence (most of them):
  synonyms from a small newsroom table (said -> stated, rose -> climbed,
  company -> firm...) on ~80 % of eligible words, multi-word rewrites
  ("more than" -> "over"), attribution moved ("X said Y." <-> "Y, X said."),
  a leading time/place phrase moved to the end, adjacent sentences swapped
  and some sentences dropped. Exact runs left are short, so these are the
  hard cases.
* ``merged``       paragraphs of two sources: a block of one root (or an
  earlier copy of it) followed by a block of another root of the same
  corpus published within 2 days.
* ``chain``        a trimmed, edited or verbatim copy of an earlier *derived*
  document of the same family (a copy of a copy), up to depth 3.

Each derived document gets an outlet of its own (``--outlets`` synthetic
names; bigger outlets publish more) and a date 0.5 h-48 h after its latest
source (chains: 0.5 h-24 h after the parent), so a family spans at most ~5
days, inside the scanner's ``story_max_days`` of 7. A share of outlets append
a fixed footer to everything they publish (realistic boilerplate the scanner
must ignore). Family sizes are lognormal (sigma 0.8) with a cap
(``--max-family``, default 40) that keeps every root's n-grams under the
scanner's ``max_df`` of 50; raise it to study syndication beyond max_df.

**Filler** ("unrelated" documents, most of the corpus) must look like news to
the tokenizer and the n-gram index but reuse nothing. Copying or shuffling
real sentences would create reuse, so filler is made by *substitution*: its
paragraphs follow real paragraphs taken from 1-4 random distinct texts
(layout, sentence lengths, punctuation kept), while every content word and
number is replaced by one drawn by frequency from the texts' vocabulary
(lower-case by lower-case, capitalised by capitalised, numbers by numbers)
and 30 % of the lower-case function words by other function words (at 1M
documents each template paragraph serves ~100 filler paragraphs, so their
bare function-word skeletons must not line up). The real texts' rare words
are replaced by an open set of pseudo-words ("Rikvorsal") in the share the
rare words have, so the vocabulary grows with the corpus as a real one does
(Heaps' law; ``--closed-vocab`` turns this off, see ``Vocab``). A filler text shares
no run of content words with any document in practice; ``bench_scale.py``
reports every detected pair that involves filler.

Truth
=====

Each truth line: ``id``, ``kind`` (``original`` or a derived kind; chains
have ``kind="chain"`` and ``op``), ``sources`` (ids it was made from; two for
``merged``), ``roots`` (the original ids its text descends from), ``depth``
(1 for a copy of an original), ``spans`` (``[d_start, d_end, k, s_start,
s_end]``: characters [d_start, d_end) of this text come from characters
[s_start, s_end) of ``sources[k]``; one span per copied paragraph, edited
or paraphrased paragraphs included, inserted paragraphs and footers have
none).

Pairs (unordered), as ``bench_scale.py`` scores them:

* **direct**      (derived, each of its sources). Recall is measured on these.
* **transitive**  (derived, an ancestor that is not a direct source):
  chain -> its grandparent...; "related", counted correct, not in recall.
* **family**      two documents whose ``roots`` intersect (siblings, cousins,
  merged documents with either root): they descend from the same original
  text, so reporting them is correct, but they are not in recall (two trims
  of different paragraphs may share nothing).
* everything else is a false positive (including anything with filler).
"""

from __future__ import annotations

import argparse
import bisect
import functools
import glob
import json
import random
import re
import sys
import time
from collections import Counter, OrderedDict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C
import reuters_to_jsonl as RJ

KINDS = ("verbatim", "trimmed", "edited", "paraphrased", "merged", "chain")
DEFAULT_KIND_SHARES = "verbatim=0.12,trimmed=0.22,edited=0.24,paraphrased=0.14,merged=0.10,chain=0.18"
CHAIN_OPS = ("trimmed", "edited", "verbatim")
MAX_DEPTH = 3
NGRAM_CLEAN = 8  # originals share no run of this many words
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# ------------------------------------------------------------------ word tables

STOPWORDS = frozenset(["a", "about", "above", "after", "again", "against", "all", "also", "although", "am", "among", "an", "and", "another", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "either", "else", "ever", "every", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "least", "less", "many", "may", "me", "might", "more", "most", "much", "must", "my", "myself", "neither", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "others", "our", "ours", "out", "over", "own", "per", "same", "several", "she", "should", "since", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "though", "through", "to", "too", "two", "three", "four", "five", "under", "until", "up", "upon", "us", "very", "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours"])

# Newsroom synonyms (both directions where it reads well). Keys are lower case.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "said": ("stated", "added", "noted"), "says": ("states", "notes"),
    "rose": ("climbed", "increased", "gained"), "fell": ("dropped", "declined", "slipped"),
    "increase": ("rise", "gain"), "increased": ("rose", "climbed"), "rise": ("increase", "gain"),
    "decline": ("fall", "drop"), "declined": ("fell", "dropped"), "drop": ("fall", "decline"),
    "company": ("firm", "group"), "firm": ("company",), "companies": ("firms",),
    "firms": ("companies",), "buy": ("purchase", "acquire"), "purchase": ("buy", "acquisition"),
    "acquire": ("buy", "take over"), "sell": ("dispose of", "offload"), "sold": ("offloaded",),
    "shares": ("stock",), "profit": ("earnings", "income"), "profits": ("earnings",),
    "earnings": ("profits",), "government": ("administration", "authorities"),
    "expected": ("forecast", "anticipated"), "expects": ("anticipates", "forecasts"),
    "announced": ("disclosed", "unveiled"), "agreement": ("deal", "accord"),
    "agreed": ("consented",), "deal": ("agreement", "accord"), "accord": ("agreement", "deal"),
    "plans": ("intends", "aims"), "plan": ("proposal", "scheme"), "about": ("around", "roughly"),
    "approximately": ("about", "around"), "big": ("large", "major"), "large": ("big", "sizeable"),
    "major": ("leading", "key"), "officials": ("authorities", "representatives"),
    "spokesman": ("representative", "spokesperson"), "told": ("informed",),
    "help": ("assist", "support"), "begin": ("start", "commence"), "start": ("begin", "launch"),
    "started": ("began", "launched"), "began": ("started",), "reported": ("posted", "recorded"),
    "market": ("sector",), "talks": ("negotiations", "discussions"),
    "negotiations": ("talks",), "meeting": ("session", "gathering"),
    "proposed": ("suggested", "put forward"), "rejected": ("turned down", "dismissed"),
    "strong": ("robust", "solid"), "weak": ("soft", "sluggish"), "sharp": ("steep",),
    "record": ("all-time",), "total": ("overall",), "net": ("overall",), "also": ("additionally",),
    "however": ("but", "though"), "because": ("as", "since"), "despite": ("in spite of",),
    "announce": ("disclose", "reveal"), "lower": ("reduced", "smaller"), "higher": ("greater",),
    "raise": ("increase", "lift"), "raised": ("lifted", "increased"), "cut": ("reduced", "trimmed"),
    "reduce": ("cut", "lower"), "chairman": ("chair",), "president": ("head", "chief"),
    "country": ("nation",), "nation": ("country",), "people": ("individuals", "persons"),
    "film": ("movie",), "movie": ("film",), "show": ("programme",), "win": ("victory",),
    "won": ("claimed", "secured"), "game": ("match",), "match": ("game", "fixture"),
    "team": ("side", "squad"), "minister": ("secretary",), "party": ("grouping",),
    "election": ("vote", "poll"), "users": ("customers",), "customers": ("clients", "users"),
    "new": ("fresh",), "latest": ("most recent", "newest"), "important": ("significant", "key"),
    "problem": ("issue", "difficulty"), "problems": ("issues", "difficulties"),
}
PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("more than", ("over", "in excess of")), ("less than", ("under", "below")),
    ("a number of", ("several", "some")), ("last year", ("a year earlier", "the previous year")),
    ("in order to", ("to",)), ("as well as", ("and", "along with")),
    ("according to", ("citing", "based on")), ("told reporters", ("said to journalists",
                                                                   "told the press")),
    ("at the end of", ("by the close of",)), ("a result of", ("a consequence of",)),
    ("will not", ("won't",)), ("did not", ("didn't",)), ("does not", ("doesn't",)),
    ("is expected to", ("is likely to", "should")), ("the company", ("the firm", "the group")),
)
# House-style variants used by "edited": every occurrence of the left pattern
# becomes one of the right forms (one choice per document, like a style guide).
VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bpct\b", ("percent", "per cent", "%")), (r"\bpercent\b", ("pct", "per cent")),
    (r"\bper cent\b", ("percent", "pct")), (r"\bU\.S\.(?=\W)", ("US", "United States")),
    (r"\bUS\b", ("U.S.",)), (r"\bU\.K\.(?=\W)", ("UK", "Britain")),
    (r"\bmln\b", ("million", "mn")), (r"\bmillion\b", ("mln", "m")),
    (r"\bbln\b", ("billion", "bn")), (r"\bbillion\b", ("bln", "bn")),
    (r"\bdlrs\b", ("dollars",)), (r"\blabor\b", ("labour",)), (r"\blabour\b", ("labor",)),
    (r"\bcenter\b", ("centre",)), (r"\bcentre\b", ("center",)), (r"\bdefense\b", ("defence",)),
    (r"\bdefence\b", ("defense",)), (r"\bprogram\b", ("programme",)),
    (r"\bprogramme\b", ("program",)), (r"(\w{3,})ization\b", (r"\1isation",)),
    (r"(\w{3,})isation\b", (r"\1ization",)), (r"\bReuter\b", ("Reuters",)),
)
_VARIANT_RES = tuple((re.compile(p), reps) for p, reps in VARIANTS)
_PHRASE_RES = tuple((re.compile(r"\b" + re.escape(p) + r"\b", re.IGNORECASE), reps) for p, reps in PHRASES)
_WORD_RE = re.compile(r"[A-Za-z]+")
_DROPPABLE = re.compile(r"\b(?:also|still|now|just|already|currently|recently|further|very) ")
_NUM_RE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.]*\d)")
_SENT_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')]))\s+(?=[A-Z\"(])")
_ATTR_END = re.compile(r"^(?P<body>[A-Z].{20,}?), (?P<who>[A-Z][^,]{1,40}?) (?:said|says|added)\.$")
_ATTR_START = re.compile(r"^(?P<who>[A-Z][\w.]*(?: [\w.]+){0,3}) (?:said|says) (?:that )?(?P<body>.{20,})\.$")
_FRONT = re.compile(r"^(?P<prep>In|On|At|During|For|After|Before|Since|Earlier|Last) "
                    r"(?P<phrase>[^,]{2,40}), (?P<rest>[a-z\"]?.{15,})\.$")
# filler tokens: words (with an inner apostrophe), numbers, anything else verbatim
_FILL_TOK = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[^A-Za-z\d]+")

_SYLLABLES = ("ka", "ren", "to", "mi", "sal", "vor", "de", "lin", "bra", "nu", "tek", "os", "fa",
              "ri", "gun", "pe", "lo", "zan", "hi", "mar", "cu", "vel", "an", "dor", "si", "ba",
              "tor", "le", "quin", "ya", "mo", "rik", "e", "sta", "fen", "gol", "ti", "nor", "ash",
              "ul")
OUTLET_A = ("Northfield", "Riverside", "Lakeshore", "Capital", "Harbour", "Valley", "Metro",
            "Eastern", "Western", "Pacific", "Atlantic", "Central", "Coastal", "Highland",
            "Prairie", "Summit", "Granite", "Union", "Liberty", "Crown")
OUTLET_B = ("Gazette", "Herald", "Courier", "Tribune", "Post", "Chronicle", "Times", "Ledger",
            "Observer", "Dispatch", "Journal", "Sentinel", "Record", "Examiner", "Star",
            "Daily", "Mercury", "Telegraph", "Wire", "Review")


# ------------------------------------------------------------------ helpers

def _iso(ts: float) -> str:
    return (EPOCH + timedelta(seconds=float(ts))).replace(tzinfo=None).isoformat(timespec="seconds")


def _ts(iso: str) -> float:
    return (datetime.fromisoformat(iso).replace(tzinfo=timezone.utc) - EPOCH).total_seconds()


def _case_like(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _join(paras: list[str]) -> str:
    return "\n\n".join(paras)


def _offsets(paras: list[str]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for p in paras:
        out.append((pos, pos + len(p)))
        pos += len(p) + 2
    return out


def _nwords(paras: list[str]) -> int:
    return sum(len(p.split()) for p in paras)


def _word_grams(text: str, n: int = 5) -> set[str]:
    w = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


def _ngram_keys(text: str, n: int = NGRAM_CLEAN) -> set[int]:
    import xxhash

    # numbers masked: Reuters formulae ("... in New York and 145.25 at the close
    # here yesterday") differ only in their figures, and a scanner rightly links them
    w = re.sub(r"\d+", "0", text.lower())
    w = re.findall(r"[a-z0-9]+", w)
    return {xxhash.xxh3_64_intdigest(" ".join(w[i:i + n]).encode()) for i in range(len(w) - n + 1)}


# ------------------------------------------------------------------ the pool

def _reuters_paras(text: str) -> list[str]:
    """Reuters bodies indent each paragraph's first line; the rest is 70-column wrapping."""
    paras = re.split(r"\n(?=[ \t]+\S)", text.strip("\n"))
    return [" ".join(p.split()) for p in paras if p.strip()]


@functools.lru_cache(maxsize=1)  # read-only afterwards; lets a test generate twice cheaply
def load_pool() -> tuple[list[dict], list[dict]]:
    """``(pool, distinct)``: the mutually non-reusing originals (see the module
    docstring) and every distinct text (filler templates: filler reuses no
    words, so formulaic texts left out of the pool still lend it their layout).

    Each: ``origin`` ("reuters:NEWID" / "bbc:business/001"), ``corpus``,
    ``title``, ``paras``, ``ts`` (epoch seconds), ``words``.
    """
    root = C.require_shared("data", "reuters21578")
    raw = []
    last_ts = _ts("1987-02-26T00:00:00")
    for path in sorted(glob.glob(str(root / "reut2-*.sgm"))):
        for rec in RJ.records(Path(path).read_bytes().decode("latin-1")):
            paras = _reuters_paras(rec["text"])
            if rec["date"]:
                last_ts = _ts(rec["date"])
            raw.append({"origin": f"reuters:{rec['id']}", "corpus": "reuters",
                        "title": (rec["title"] or "").strip(), "paras": paras, "ts": last_ts})
    bbc_rng = random.Random("bbc-dates")  # the BBC data has no dates; fixed, N-independent ones
    bbc_lo, bbc_span = _ts("2004-01-01T00:00:00"), 2 * 365 * 86400
    for art in C.bbc_articles():
        head, _, body = art["text"].partition("\n")
        paras = C.bbc_paragraphs(body)
        raw.append({"origin": f"bbc:{art['id']}", "corpus": "bbc", "title": head.strip(),
                    "paras": paras, "ts": bbc_lo + bbc_rng.random() * bbc_span})
    pool, distinct, seen, owned = [], [], set(), set()
    for rec in raw:
        text = _join(rec["paras"])
        key = " ".join(text.lower().split())
        if not key or key in seen:
            continue
        seen.add(key)
        rec["words"] = _nwords(rec["paras"])
        distinct.append(rec)
        grams = _ngram_keys(text)
        if grams & owned:  # shares an 8-word run with a kept text: real reuse, leave it out
            continue
        owned |= grams
        pool.append(rec)
    return pool, distinct


class Vocab:
    """Replacement tokens for filler: lower-case content words, capitalised words,
    numbers and function words, one table each, drawn by frequency. Also caches
    each template paragraph's token classes (the same ~80k paragraphs are
    templates for a million filler texts).

    The real texts hold only ~5M tokens, so their vocabulary is closed: at 1M
    documents every rare word would sit in hundreds of filler texts, where a
    real corpus keeps meeting new names and words (Heaps' law). With
    ``open_vocab`` the tables keep words seen at least ``MIN_COUNT`` times,
    and the share of tokens that rarer words have in the real texts (2 % of
    lower-case, 9 % of capitalised words) is drawn instead from an unbounded
    Pareto-distributed set of pseudo-words (``novel``), so the vocabulary keeps
    growing with the corpus. ``open_vocab=False`` is the first design (all
    words, frequency^0.75, nothing new); bench_scale.py reports which was used.
    """

    LOW, CAP, UPPER, NUM, STOP = 1, 2, 3, 4, 5
    #: share of lower-case function words replaced too: at 1M documents every
    #: pool paragraph is the template of ~100 filler paragraphs, and their
    #: function-word skeletons alone must not line up into 6-word matches
    STOP_RATE = 0.3
    MIN_COUNT = 5
    #: pseudo-word ids are floor(NOVEL_MIN * u^(-1/NOVEL_ALPHA)): P(id) ~ id^-1.25
    NOVEL_MIN, NOVEL_ALPHA = 1000, 0.25

    def __init__(self, templates: list[dict], open_vocab: bool = True):
        self.templates = templates
        self.open_vocab = open_vocab
        low, cap, num, stop = Counter(), Counter(), Counter(), Counter()
        for rec in templates:
            for t in _FILL_TOK.findall(_join(rec["paras"])):
                c = t[0]
                if c.isdigit():
                    num[t] += 1
                elif not c.isalpha() or len(t) < 2:
                    continue
                elif t.lower() in STOPWORDS:
                    if t.islower():
                        stop[t] += 1
                elif c.isupper() and not t.isupper():
                    cap[t] += 1
                elif t.islower():
                    low[t] += 1
        mc = self.MIN_COUNT if open_vocab else 1
        self.tables = {self.LOW: self._table(low, mc), self.CAP: self._table(cap, mc),
                       self.NUM: self._table(num, 1), self.STOP: self._table(stop, 1)}
        words, cum = self.tables[self.CAP]
        self.tables[self.UPPER] = (np.array([w.upper() for w in words], dtype=object), cum)
        tail = lambda c: sum(v for v in c.values() if v < mc) / max(1, sum(c.values()))  # noqa: E731
        self.novel = {self.LOW: tail(low), self.CAP: tail(cap), self.UPPER: tail(cap)} if open_vocab else {}
        self._templates: dict[str, tuple[np.ndarray, dict[int, np.ndarray]]] = {}

    def _table(self, c: Counter, min_count: int) -> tuple[np.ndarray, np.ndarray]:
        words = sorted(w for w, v in c.items() if v >= min_count)  # sorted: independent of dict order
        power = 1.0 if self.open_vocab else 0.75
        cum = np.cumsum([c[w] ** power for w in words])
        return np.array(words, dtype=object), cum / cum[-1]

    def pseudo(self, gen: np.random.Generator, n: int, kind: int) -> list[str]:
        """``n`` new-looking words (a name-like string per Pareto-drawn id)."""
        ids = np.floor(self.NOVEL_MIN * (1.0 - gen.random(n)) ** (-1.0 / self.NOVEL_ALPHA))
        out = []
        for x in np.minimum(ids, 40.0 ** 5 - 1).astype(np.int64).tolist():
            syl = []
            while x or len(syl) < 2:
                syl.append(_SYLLABLES[x % 40])
                x //= 40
            w = "".join(syl)
            out.append(w.upper() if kind == self.UPPER else w.capitalize() if kind == self.CAP else w)
        return out

    def template(self, p: str) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """The paragraph's tokens and, per class, the positions to replace."""
        hit = self._templates.get(p)
        if hit is None:
            toks = _FILL_TOK.findall(p)
            cls = np.zeros(len(toks), np.int8)
            for i, t in enumerate(toks):
                c = t[0]
                if c.isdigit():
                    cls[i] = self.NUM
                elif not c.isalpha() or len(t) < 2:
                    continue  # punctuation, "a", "I"
                elif t.lower() in STOPWORDS:
                    if t.islower():
                        cls[i] = self.STOP
                elif c.isupper():
                    cls[i] = self.UPPER if t.isupper() and len(t) > 1 else self.CAP
                else:
                    cls[i] = self.LOW
            where = {k: np.flatnonzero(cls == k) for k in (self.LOW, self.CAP, self.UPPER, self.NUM,
                                                           self.STOP)}
            hit = self._templates[p] = (np.array(toks, dtype=object), where)
        return hit


# ------------------------------------------------------------------ text operations

def _sub_words(text: str, rng: random.Random, rate: float) -> str:
    def fn(m: re.Match) -> str:
        w = m.group(0)
        alts = SYNONYMS.get(w.lower())
        if alts and rng.random() < rate:
            return _case_like(rng.choice(alts), w)
        return w
    return _WORD_RE.sub(fn, text)


def _sub_phrases(text: str, rng: random.Random, rate: float) -> str:
    for pat, reps in _PHRASE_RES:
        if pat.search(text):
            text = pat.sub(lambda m, reps=reps: _case_like(rng.choice(reps), m.group(0))
                           if rng.random() < rate else m.group(0), text)
    return text


def _change_numbers(text: str, rng: random.Random, rate: float) -> str:
    def fn(m: re.Match) -> str:
        s = m.group(0)
        if rng.random() >= rate:
            return s
        if "." in s:
            whole, frac = s.split(".")
            last = (int(frac[-1]) + rng.choice((1, 2, 3, 7, 8, 9))) % 10
            return f"{whole}.{frac[:-1]}{last}"
        v = int(s)
        if 1900 <= v <= 2030 or v < 3:  # years and tiny counts stay
            return s
        return str(max(1, v + rng.choice((-1, 1)) * max(1, round(v * rng.uniform(0.01, 0.08)))))
    return _NUM_RE.sub(fn, text)


def _style(rng: random.Random) -> dict[int, int]:
    """A document's house style: which form each variant becomes, and whether it applies."""
    return {k: rng.randrange(len(reps)) for k, (_, reps) in enumerate(_VARIANT_RES)
            if rng.random() < 0.7}


def _apply_style(text: str, style: dict[int, int]) -> str:
    for k, idx in style.items():
        pat, reps = _VARIANT_RES[k]
        text = pat.sub(reps[idx], text)
    return text


def _rewrite_sentence(s: str, rng: random.Random) -> str:
    """One sentence-level paraphrase: structure first, then words."""
    m = _ATTR_END.match(s)
    if m and rng.random() < 0.8:
        body = m.group("body")
        s = f"{m.group('who')} said {body[0].lower() + body[1:] if not body[:2].isupper() else body}."
    else:
        m = _ATTR_START.match(s)
        if m and rng.random() < 0.8:
            body = m.group("body")
            s = f"{body[0].upper() + body[1:]}, {m.group('who')} said."
        else:
            m = _FRONT.match(s)
            if m and rng.random() < 0.8:
                rest = m.group("rest")
                s = f"{rest[0].upper() + rest[1:]} {m.group('prep').lower()} {m.group('phrase')}."
    s = _sub_phrases(s, rng, 0.8)
    s = _DROPPABLE.sub(lambda m: "" if rng.random() < 0.6 else m.group(0), s)
    return _sub_words(s, rng, 0.8)


def paraphrase_para(p: str, rng: random.Random) -> str:
    sents = _SENT_RE.split(p)
    if len(sents) > 2 and rng.random() < 0.2:
        del sents[rng.randrange(1, len(sents))]  # drop a non-lead sentence
    sents = [_rewrite_sentence(s, rng) if rng.random() < 0.85 else s for s in sents]
    if len(sents) >= 2 and rng.random() < 0.3:
        i = rng.randrange(len(sents) - 1)
        sents[i], sents[i + 1] = sents[i + 1], sents[i]
    return " ".join(sents)


def edit_para(p: str, rng: random.Random, style: dict[int, int]) -> str:
    p = _apply_style(p, style)
    p = _change_numbers(p, rng, 0.3)
    return _sub_words(p, rng, 0.05)


def filler_paras(vocab: Vocab, rng: random.Random, target_words: int | None = None) -> list[str]:
    """Non-reusing news-like paragraphs (see the module docstring)."""
    pool = vocab.templates
    if target_words is None:
        target_words = pool[rng.randrange(len(pool))]["words"]
    gen = np.random.default_rng(rng.getrandbits(64))  # vectorised draws, same determinism
    out: list[str] = []
    words = 0
    while words < target_words:
        src = pool[rng.randrange(len(pool))]["paras"]
        if not src:
            continue
        i = rng.randrange(len(src))
        for p in src[i:i + rng.randint(1, 4)]:
            out.append(_fill_para(p, vocab, gen))
            words += len(p.split())
            if words >= target_words:
                break
    return out


def _fill_para(p: str, vocab: Vocab, gen: np.random.Generator) -> str:
    """``p`` with every content word and number replaced (function words, punctuation kept)."""
    toks, where = vocab.template(p)
    out = toks.copy()
    for k, pos in where.items():
        if k == vocab.STOP and len(pos):
            pos = pos[gen.random(len(pos)) < vocab.STOP_RATE]
        if not len(pos):
            continue
        words, cum = vocab.tables[k]
        out[pos] = words[np.minimum(np.searchsorted(cum, gen.random(len(pos))), len(words) - 1)]
        rate = vocab.novel.get(k, 0.0)
        if rate:
            new = pos[gen.random(len(pos)) < rate]
            if len(new):
                out[new] = vocab.pseudo(gen, len(new), k)
    return "".join(out)


def derive(kind: str, sources: list[tuple[list[str], str]], rng: random.Random, vocab: Vocab) -> tuple[list[str], list[tuple[int, int] | None], str]:
    """Apply one derivation to ``sources`` (paragraphs, title each).

    Returns the new paragraphs, each paragraph's provenance ``(k, j)`` =
    paragraph ``j`` of ``sources[k]`` (None: inserted), and a title.
    """
    paras, title = sources[0]
    n = len(paras)
    title = title.title() if title.isupper() and rng.random() < 0.7 else title
    if kind == "verbatim":
        return list(paras), [(0, j) for j in range(n)], title
    if kind == "trimmed":
        total = _nwords(paras)
        if n >= 3 and rng.random() < 0.4:  # drop random paragraphs, keep the lead
            keep = [0] + [j for j in range(1, n) if rng.random() > 0.3]
            while _nwords([paras[j] for j in keep]) < 0.5 * total:
                missing = [j for j in range(n) if j not in keep]
                keep = sorted(keep + [rng.choice(missing)])
        else:  # keep the first k paragraphs (newsrooms cut from the bottom)
            k = rng.randint(1, max(1, n - 1))
            while k < n and _nwords(paras[:k]) < 0.4 * total:
                k += 1
            keep = list(range(k))
        return [paras[j] for j in keep], [(0, j) for j in keep], title
    if kind == "edited":
        style = _style(rng)
        out = [edit_para(p, rng, style) for p in paras]
        prov: list = [(0, j) for j in range(n)]
        if rng.random() < 0.25:  # the outlet's own lead paragraph
            out.insert(0, " ".join(filler_paras(vocab, rng, target_words=25)))
            prov.insert(0, None)
        return out, prov, _apply_style(title, style)
    if kind == "paraphrased":
        return ([paraphrase_para(p, rng) for p in paras], [(0, j) for j in range(n)],
                _sub_words(title, rng, 0.8))
    if kind == "merged":
        # a block of each source, each of >= 20 words where the source has them
        # (a block of just "Reuter" would be no reuse at all)
        pb, _ = sources[1]
        ka = min(n, rng.randint(1, max(1, (n + 1) // 2 + 1)))
        while ka < n and _nwords(paras[:ka]) < 20:
            ka += 1
        starts = [j for j, p in enumerate(pb) if len(p.split()) >= 8] or [0]
        jb = rng.choice(starts)
        kb = rng.randint(1, max(1, (len(pb) + 1) // 2))
        while jb + kb < len(pb) and _nwords(pb[jb:jb + kb]) < 20:
            kb += 1
        kb = min(kb, len(pb) - jb)
        out = list(paras[:ka]) + list(pb[jb:jb + kb])
        prov = [(0, j) for j in range(ka)] + [(1, j) for j in range(jb, jb + kb)]
        return out, prov, title
    raise ValueError(kind)


# ------------------------------------------------------------------ the plan

O_ORIG, O_FILL = 0, 1
KIND_CODE = {k: i + 2 for i, k in enumerate(KINDS)}
CODE_KIND = {v: k for k, v in KIND_CODE.items()}


class Plan:
    """A few numbers per document (slot): what it is, its sources, date and outlet.

    Slots: originals first, then derived documents family by family, then
    filler; the output order is by date. Everything is decided here from one
    seeded generator, before any text exists.
    """

    def __init__(self, pool: list[dict], n: int, seed: int, orig_share: float, derived_share: float,
                 kind_shares: dict[str, float], max_family: int, min_root_words: int,
                 n_outlets: int, footer_share: float):
        rng = np.random.default_rng(seed)
        self.n = n
        n_orig = min(int(round(n * orig_share)), len(pool), n)
        chosen = np.sort(rng.choice(len(pool), n_orig, replace=False))
        kind = [O_ORIG] * n_orig
        pidx = chosen.tolist()
        src1, src2, op = [-1] * n_orig, [-1] * n_orig, [-1] * n_orig
        date = [pool[i]["ts"] for i in pidx]
        depth = [0] * n_orig
        root_a = list(range(n_orig))
        root_b = [-1] * n_orig
        # outlets: "reuters"/"bbc" for originals, then synthetic ones, bigger ones publish more
        names = [f"{a} {b}" for b in OUTLET_B for a in OUTLET_A]
        order = np.random.default_rng(seed + 1).permutation(len(names))[:n_outlets]
        self.outlets = ["reuters", "bbc"] + [names[i] for i in order]
        w = 1.0 / np.arange(1, n_outlets + 1) ** 0.7
        self.outlet_p = w / w.sum()
        self.footer = {i + 2: (f"(c) {self.outlets[i + 2]}. All rights reserved. "
                               f"Reproduction without permission is prohibited.")
                       for i in range(n_outlets) if rng.random() < footer_share}
        outlet = [0 if pool[i]["corpus"] == "reuters" else 1 for i in pidx]

        roots = [s for s in range(n_orig) if pool[pidx[s]]["words"] >= min_root_words]
        n_derived = min(int(round(n * derived_share)), n - n_orig, len(roots) * max_family)
        # family sizes: lognormal weights, multinomial, capped (overflow goes elsewhere)
        size = np.zeros(len(roots), np.int64)
        if roots and n_derived:
            wts = rng.lognormal(0.0, 0.8, len(roots))
            left = n_derived
            while left > 0:
                room = size < max_family
                p = np.where(room, wts, 0.0)
                size += rng.multinomial(left, p / p.sum())
                over = np.maximum(size - max_family, 0)
                size -= over
                left = int(over.sum())
        # cap counts every document that carries a root's text (merges borrow from a partner)
        load = dict(zip(roots, size.tolist()))
        by_corpus: dict[int, tuple[list[float], list[int]]] = {}
        for c in (0, 1):
            rs = sorted((date[s], s) for s in roots if outlet[s] == c)
            by_corpus[c] = ([d for d, _ in rs], [s for _, s in rs])
        kinds = list(kind_shares)
        kp = np.array([kind_shares[k] for k in kinds], float)
        kp /= kp.sum()
        fam_kind = rng.choice(len(kinds), int(size.sum()), p=kp).tolist()
        fam_u = rng.random((int(size.sum()), 4)).tolist()
        k_i = 0
        outlet_pick = rng.choice(n_outlets, int(size.sum()), p=self.outlet_p).tolist()
        for r, sz in zip(roots, size.tolist()):
            members = [r]  # slots whose text descends from r only (chain / merge parents)
            for _ in range(sz):
                kd = kinds[fam_kind[k_i]]
                u = fam_u[k_i]
                o = outlet_pick[k_i] + 2
                k_i += 1
                s = len(kind)
                a, b, o_code, d = r, -1, -1, 1
                if kd == "chain":
                    parents = [m for m in members[1:] if depth[m] < MAX_DEPTH]
                    if parents:
                        a = parents[int(u[0] * len(parents))]
                        o_code = int(u[1] * len(CHAIN_OPS))
                        d = depth[a] + 1
                    else:
                        kd = CHAIN_OPS[int(u[1] * len(CHAIN_OPS))]
                if kd == "merged":
                    dates, slots = by_corpus[outlet[r]]
                    lo = bisect.bisect_left(dates, date[r] - 2 * 86400)
                    hi = bisect.bisect_right(dates, date[r] + 2 * 86400)
                    cands = [x for x in slots[lo:hi] if x != r and load[x] < max_family]
                    if cands:
                        b = cands[int(u[0] * len(cands))]
                        load[b] += 1
                        # the first block may come from an earlier copy of r
                        if len(members) > 1 and u[2] < 0.3:
                            a = members[1 + int(u[3] * (len(members) - 1))]
                        d = max(depth[a], 0) + 1
                    else:
                        kd = "trimmed"
                step = (0.5 + u[2] * 23.5 if kd == "chain" else 0.5 + u[2] * 47.5) * 3600
                when = max(date[a], date[b] if b >= 0 else 0.0) + step
                kind.append(KIND_CODE[kd])
                pidx.append(-1)
                src1.append(a)
                src2.append(b)
                op.append(o_code)
                date.append(when)
                depth.append(d)
                outlet.append(o)
                root_a.append(r)
                root_b.append(b if kd == "merged" else -1)
                if kd != "merged":
                    members.append(s)
        n_fill = n - len(kind)
        self.n_derived = len(kind) - n_orig
        # filler: era in proportion to the pool (1987 for Reuters-like, 2004-05 for BBC-like)
        rt = [r["ts"] for r in pool if r["corpus"] == "reuters"]
        bt = [r["ts"] for r in pool if r["corpus"] == "bbc"]
        era = rng.random(n_fill) < len(bt) / max(1, len(pool))
        u = rng.random(n_fill)
        fdate = np.where(era, min(bt) + u * (max(bt) - min(bt)), min(rt) + u * (max(rt) - min(rt)))
        fout = rng.choice(n_outlets, n_fill, p=self.outlet_p) + 2
        self.kind = np.array(kind + [O_FILL] * n_fill, np.int8)
        self.pidx = np.array(pidx + [-1] * n_fill, np.int32)
        self.src1 = np.array(src1 + [-1] * n_fill, np.int32)
        self.src2 = np.array(src2 + [-1] * n_fill, np.int32)
        self.op = np.array(op + [-1] * n_fill, np.int8)
        self.depth = np.array(depth + [0] * n_fill, np.int8)
        self.date = np.concatenate([np.array(date, float), fdate])
        self.outlet = np.concatenate([np.array(outlet, np.int32), fout.astype(np.int32)])
        self.root_a = np.array(root_a + [-1] * n_fill, np.int32)
        self.root_b = np.array(root_b + [-1] * n_fill, np.int32)
        # output order: by date (a crawl is roughly chronological), ties by slot
        self.order = np.lexsort((np.arange(n), self.date))
        self.pos = np.empty(n, np.int64)
        self.pos[self.order] = np.arange(n)
        self.n_orig, self.n_fill = n_orig, n_fill

    def doc_id(self, slot: int) -> str:
        return f"w{int(self.pos[slot]):07d}"


# ------------------------------------------------------------------ texts

class Texts:
    """Each slot's body paragraphs, provenance and title, as a pure function of
    (seed, slot): any document can be (re)built in any order, and an LRU keeps
    the recent ones so chains rarely recompute their parents."""

    def __init__(self, plan: Plan, pool: list[dict], vocab: Vocab, seed: int, cache: int = 50000):
        self.plan, self.pool, self.vocab, self.seed = plan, pool, vocab, seed
        self.cache: OrderedDict[int, tuple] = OrderedDict()
        self.size = cache

    def get(self, slot: int) -> tuple[list[str], list, str]:
        hit = self.cache.get(slot)
        if hit is not None:
            self.cache.move_to_end(slot)
            return hit
        val = self._make(slot)
        if self.plan.kind[slot] != O_FILL:  # filler is never a source
            self.cache[slot] = val
            if len(self.cache) > self.size:
                self.cache.popitem(last=False)
        return val

    def _make(self, slot: int) -> tuple[list[str], list, str]:
        p = self.plan
        k = int(p.kind[slot])
        # str seeds go through sha512: the same stream on every machine and Python run
        rng = random.Random(f"{self.seed}/{slot}")
        if k == O_ORIG:
            rec = self.pool[int(p.pidx[slot])]
            return rec["paras"], [None] * len(rec["paras"]), rec["title"]
        if k == O_FILL:
            title = self.vocab.templates[rng.randrange(len(self.vocab.templates))]["title"] or "News"
            paras = filler_paras(self.vocab, rng)
            return paras, [], _fill_para(title, self.vocab, np.random.default_rng(rng.getrandbits(64)))
        kind = CODE_KIND[k]
        srcs = [self.get(int(p.src1[slot]))[::2]]
        if p.src2[slot] >= 0:
            srcs.append(self.get(int(p.src2[slot]))[::2])
        if kind == "chain":
            kind = CHAIN_OPS[int(p.op[slot])]
        return derive(kind, srcs, rng, self.vocab)


def truth_record(plan: Plan, texts: Texts, slot: int) -> dict | None:
    k = int(plan.kind[slot])
    if k == O_FILL:
        return None
    doc_id = plan.doc_id(slot)
    if k == O_ORIG:
        rec = texts.pool[int(plan.pidx[slot])]
        return {"id": doc_id, "kind": "original", "origin": rec["origin"], "sources": [],
                "roots": [doc_id], "depth": 0}
    srcs = [int(plan.src1[slot])] + ([int(plan.src2[slot])] if plan.src2[slot] >= 0 else [])
    paras, prov, _ = texts.get(slot)
    d_off = _offsets(paras)
    s_off = [_offsets(texts.get(s)[0]) for s in srcs]
    spans = [[d_off[i][0], d_off[i][1], pr[0], *s_off[pr[0]][pr[1]]]
             for i, pr in enumerate(prov) if pr is not None]
    roots = sorted({plan.doc_id(int(plan.root_a[slot]))}
                   | ({plan.doc_id(int(plan.root_b[slot]))} if plan.root_b[slot] >= 0 else set()))
    # a merge's first block may come from an earlier copy of root_a: roots still cover it
    rec = {"id": doc_id, "kind": CODE_KIND[k], "sources": [plan.doc_id(s) for s in srcs],
           "roots": roots, "depth": int(plan.depth[slot]), "spans": spans}
    if CODE_KIND[k] == "chain":
        rec["op"] = CHAIN_OPS[int(plan.op[slot])]
    return rec


def generate(args: argparse.Namespace) -> dict:
    t0 = time.perf_counter()
    shares = dict(item.split("=") for item in args.kinds.split(","))
    shares = {k: float(v) for k, v in shares.items()}
    bad = set(shares) - set(KINDS)
    if bad:
        raise SystemExit(f"unknown kinds {sorted(bad)}; valid: {KINDS}")
    pool, distinct = load_pool()
    vocab = Vocab(distinct, open_vocab=not args.closed_vocab)
    t_pool = time.perf_counter() - t0
    plan = Plan(pool, args.docs, args.seed, args.orig_share, args.derived_share, shares,
                args.max_family, args.min_root_words, args.outlets, args.footer_share)
    texts = Texts(plan, pool, vocab, args.seed)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stem = str(out).removesuffix(".jsonl")
    counts: Counter = Counter()
    kept: dict[str, list[float]] = {}  # derived kind -> share of its 5-grams found in its sources
    words = 0
    with open(out, "w", encoding="utf-8", newline="\n") as f, \
            open(stem + ".truth.jsonl", "w", encoding="utf-8", newline="\n") as tf:
        for slot in plan.order.tolist():
            paras, _, title = texts.get(slot)
            o = int(plan.outlet[slot])
            body = _join(paras)
            if o in plan.footer:
                body += "\n\n" + plan.footer[o]
            words += len(body.split())
            f.write(json.dumps({"id": plan.doc_id(slot), "text": body, "source": plan.outlets[o],
                                "date": _iso(plan.date[slot]), "title": title},
                               ensure_ascii=False) + "\n")
            rec = truth_record(plan, texts, slot)
            counts[CODE_KIND.get(int(plan.kind[slot]), "original" if plan.kind[slot] == O_ORIG
                                 else "filler")] += 1
            if rec is not None:
                if rec["kind"] == "chain":
                    counts[f"chain:{rec['op']}"] += 1
                if rec["sources"]:
                    label = rec["kind"] + (f":{rec['op']}" if "op" in rec else "")
                    mine = _word_grams(body)
                    theirs = set().union(*(_word_grams(_join(texts.get(s)[0]))
                                           for s in [int(plan.src1[slot]), int(plan.src2[slot])] if s >= 0))
                    kx = kept.setdefault(label, [0.0, 0])
                    kx[0] += len(mine & theirs) / max(1, len(mine))
                    kx[1] += 1
                tf.write(json.dumps(rec, ensure_ascii=False) + "\n")
    held = write_heldout(args, plan, texts, stem + ".heldout.jsonl") if args.heldout else 0
    meta = {
        "docs": args.docs, "seed": args.seed, "orig_share": args.orig_share,
        "derived_share": args.derived_share, "kinds": shares, "max_family": args.max_family,
        "min_root_words": args.min_root_words, "outlets": args.outlets,
        "footer_outlets": len(plan.footer), "open_vocab": vocab.open_vocab,
        "novel_rates": {str(k): round(v, 4) for k, v in vocab.novel.items()}, "pool": len(pool), "distinct_texts": len(distinct), "originals": plan.n_orig,
        "derived": plan.n_derived, "filler": plan.n_fill, "heldout": held, "counts": dict(counts),
        "kept_5gram_share": {k: round(v[0] / v[1], 3) for k, v in sorted(kept.items())},
        "words": words, "mean_words": round(words / max(1, args.docs), 1),
        "seconds": round(time.perf_counter() - t0, 1), "pool_seconds": round(t_pool, 1),
        "corpus": str(out), "truth": stem + ".truth.jsonl",
        "truth_definition": "direct = (derived, each source); transitive = (derived, non-direct "
                            "ancestor); family = two documents whose roots intersect; anything "
                            "else, and anything with filler, is not reuse",
    }
    Path(stem + ".meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def write_heldout(args: argparse.Namespace, plan: Plan, texts: Texts, path: str) -> int:
    """Derived texts *not* in the corpus, from corpus originals or copies: query inputs."""
    rng = random.Random(f"{args.seed}/heldout")
    cands = np.flatnonzero((plan.kind != O_FILL) & (plan.kind != KIND_CODE["merged"])).tolist()
    if not cands:
        return 0
    ops = ("verbatim", "trimmed", "edited", "paraphrased")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for i in range(args.heldout):
            src = cands[rng.randrange(len(cands))]
            kind = ops[i % len(ops)]
            paras, _, title = derive(kind, [texts.get(src)[::2]], random.Random(f"{args.seed}/q{i}"),
                                     texts.vocab)
            roots = truth_record(plan, texts, src)["roots"]
            when = _iso(plan.date[src] + 3600 * (1 + rng.random() * 24))
            f.write(json.dumps({"id": f"q{i:05d}", "text": _join(paras), "title": title, "date": when,
                                "kind": kind, "sources": [plan.doc_id(src)], "roots": roots},
                               ensure_ascii=False) + "\n")
    return args.heldout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=(
        "Writes OUT (.jsonl), OUT.truth.jsonl, OUT.meta.json and, with --heldout, "
        "OUT.heldout.jsonl. See the module docstring for the design and the truth definition."),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--docs", type=int, required=True, help="documents in the corpus")
    ap.add_argument("--out", required=True, help="corpus path (.jsonl); side files go next to it")
    ap.add_argument("--seed", type=int, default=1, help="everything follows from this")
    ap.add_argument("--orig-share", type=float, default=0.01,
                    help="share of documents that are originals (capped by the pool, ~10k)")
    ap.add_argument("--derived-share", type=float, default=0.15, help="share that is derived")
    ap.add_argument("--kinds", default=DEFAULT_KIND_SHARES,
                    help="relative shares of the derivation kinds among derived documents")
    ap.add_argument("--max-family", type=int, default=40,
                    help="most documents carrying one root's text (keep < the scan's max_df=50)")
    ap.add_argument("--min-root-words", type=int, default=50,
                    help="originals shorter than this get no copies")
    ap.add_argument("--outlets", type=int, default=150, help="synthetic outlets (max 400)")
    ap.add_argument("--footer-share", type=float, default=0.3,
                    help="share of outlets that append a fixed footer to every article")
    ap.add_argument("--closed-vocab", action="store_true",
                    help="filler draws only the real texts' words (frequency^0.75), no new words: "
                         "the first design, kept to measure its effect (see Vocab)")
    ap.add_argument("--heldout", type=int, default=0,
                    help="also write this many derived texts that are not in the corpus")
    args = ap.parse_args(argv)
    if args.docs < 1 or not 0 < args.outlets <= len(OUTLET_A) * len(OUTLET_B):
        ap.error("--docs must be >= 1 and --outlets in 1..400")
    if args.orig_share + args.derived_share > 1:
        ap.error("--orig-share + --derived-share must be <= 1")
    meta = generate(args)
    print(json.dumps({k: meta[k] for k in ("docs", "pool", "originals", "derived", "filler", "heldout",
                                           "counts", "mean_words", "seconds", "pool_seconds")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Story evidence: the weighted content words, names and numbers of a document.

Different outlets reporting one event share few verbatim n-grams but the same
rare words: who (names), where (places), how many (numbers), what (content
words). :func:`story_terms` extracts them, with the counts the story plan of
:func:`wiretrace.candidates.story_steps` turns into TF-IDF vectors (names and
numbers weighted up there). Pure functions, no I/O.

* words are lowercased, stopwords (function words, reporting verbs, weekdays)
  dropped, a plural ``-s``/``-ies`` folded, a possessive ``'s`` cut;
* a word is a *name* in a document when it is capitalized away from a sentence
  start more often than it is written in lower case there (``Jackson``,
  ``Qeshm``, ``IE``), a *number* when it has a digit (one-digit numbers are
  too common to tell events apart);
* the title and the first :data:`LEDE_WORDS` words count :data:`LEDE_WEIGHT`
  times: a news lede says who did what, where; the background paragraphs
  further down often recall an earlier event of the same kind;
* counts are kept per paragraph (with a hash of it), so that a paragraph an
  outlet prints under every story (a footer) can be left out in SQL.

    >>> t = story_terms("Vincent Jackson was arrested in San Diego. Jackson, 25, plays for the Chargers.")
    >>> sorted(t.names())
    ['charger', 'diego', 'jackson', 'san', 'vincent']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

from ._arrays import group_positions
from .meaning.translation import FUNCTION_WORDS
from .normalize import CJK_CHARS

__all__ = ["StoryTerms", "story_terms", "story_terms_batch", "term_hash", "line_hash", "KIND_WORD",
           "KIND_NAME", "KIND_NUMBER", "LEDE_WORDS", "LEDE_WEIGHT"]

KIND_WORD, KIND_NAME, KIND_NUMBER = 0, 1, 2
#: words at the start of a document (after its title) that count extra
LEDE_WORDS = 60
#: how many times a lede or title word counts (on ECB+ this lifts same-event
#: pairs over same-topic pairs: AUC 0.924 -> 0.931)
LEDE_WEIGHT = 3

# function words, reporting verbs and calendar words: shared by any two news texts
STOPWORDS = frozenset("""
a about above according across after afterwards again against ago all almost along already also
although always am among an and another any anyone anything are around as at away back be became
because become been before being below besides between both but by came can cannot could did do
does doing done down due during each either else enough even ever every few for former from
further get gets getting give given go goes going gone got had has have having he hence her here
hers herself him himself his how however i if in including indeed instead into is it its itself
just last later least less let like made make makes many may me meanwhile might more moreover
most much must my myself near nearly neither never nevertheless new next no none nor not nothing
now of off often on once one only onto or other others otherwise our ours ourselves out over own
per perhaps put quite rather really said same say saying says see seem seemed seems seen several
she should since so some somehow something still such take taken than that the their theirs them
themselves then there thereby therefore these they thing things this those though three through
throughout thus to together told too took toward towards two under until up upon us use used
very via want was way we well went were what whatever when whenever where whereas whether which
while who whole whom whose why will with within without would yet you your yours yourself
yourselves mr mrs ms dr st a.m p.m am pm
today yesterday tomorrow tonight week weeks weekend day days month months year years time times
morning afternoon evening night
monday tuesday wednesday thursday friday saturday sunday
report reports reported reporting news people
""".split())

# The function words of other languages ("der", "und", "les", "في"): dropped from a
# document that uses them more than English ones. Only there: "die" or "war" are
# English content words, and an English text stays exactly as it was.
_FOREIGN = {lang: words.split() for lang, words in FUNCTION_WORDS.items() if lang != "en"}
_FOREIGN["ar"] = ("في من على إلى الى أن ان عن مع هذا هذه التي الذي الذين كان كانت قال وقال "
                  "كما بعد قبل بين حيث لم لا ما أو او ثم قد وفي ومن وعلى إن وهو وهي هو هي تم").split()
# the lists above are the most frequent words that tell languages apart; a story
# also needs the prepositions and particles they share with each other, and the
# calendar words every report of any day carries (as English ones are stopwords)
for _lang, _more in {
        "fr": "de en à son sa ses y a si lui lundi mardi mercredi jeudi vendredi samedi dimanche "
              "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "es": "de en a y e o sin sobre ya lunes martes miércoles jueves viernes sábado domingo enero "
              "febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "it": "la lo in a e al o nei nella sul su tra fra hanno lunedì martedì mercoledì giovedì "
              "venerdì sabato domenica gennaio febbraio marzo aprile maggio giugno luglio agosto "
              "settembre ottobre novembre dicembre",
        "pt": "de e a em à os ao segunda terça quarta quinta sexta sábado domingo",
        "de": "vor über unter zum zur bis wurde wurden seit allem montag dienstag mittwoch donnerstag "
              "freitag samstag sonntag januar februar märz april mai juni juli august september "
              "oktober november dezember",
        "nl": "in op aan om maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
        "ru": "во со же ли бы до при об однако года году понедельник вторник среду среда четверг "
              "пятницу пятница субботу суббота воскресенье",
        "pl": "z i a we ze od poniedziałek wtorek środę środa czwartek piątek sobotę sobota niedzielę "
              "niedziela",
        "tr": "bu ve ile günü pazartesi salı çarşamba perşembe cuma cumartesi pazar"}.items():
    _FOREIGN[_lang] = [*_FOREIGN[_lang], *_more.split()]
_FOREIGN_LANGS = sorted(_FOREIGN)
#: weight of a Han or kana bigram (overlapping bigrams count each character twice)
HAN_WEIGHT = 0.5
#: documents with fewer foreign function words than this keep them all
FOREIGN_MIN_WORDS = 3

# a number (1,000 / 5.6 / 10:30 / 2009s) or a word with inner dots, hyphens, apostrophes;
# group 1 is set at a line start or after sentence punctuation (then capitals say nothing)
_TOKEN = re.compile(r"((?:^|[.!?:;\n])[\s\"“”'‘(]*)?"
                    r"(\d+(?:[.,:]\d+)*[^\W_]*|[^\W\d_][^\W_]*(?:[.'’\-][^\W_]+)*)", re.M)
_POSSESSIVE = ("'s", "’s")
# the unit an outlet repeats (a footer, a masthead): a paragraph, i.e. text between
# blank lines or before an indented line (wire copy wraps its lines and indents)
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t])")


@dataclass(frozen=True, slots=True)
class StoryTerms:
    """The terms of one document, one row per term and paragraph it occurs in:
    63-bit term hashes, weighted counts (lede words count :data:`LEDE_WEIGHT`
    times), kinds (``KIND_*``, one per term) and 63-bit hashes of the paragraphs
    (``lines``: so that a paragraph an outlet prints under every story can be
    left out, see :func:`wiretrace.candidates.story_steps`)."""

    terms: np.ndarray
    tf: np.ndarray
    kind: np.ndarray
    lines: np.ndarray
    #: the terms as text, parallel to ``terms`` (for tests and debugging)
    words: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.terms)

    def counts(self) -> dict[str, float]:
        """Weighted count of each term over all its lines."""
        out: dict[str, float] = {}
        for w, f in zip(self.words, self.tf.tolist()):
            out[w] = out.get(w, 0.0) + f
        return out

    def names(self) -> list[str]:
        return sorted({w for w, k in zip(self.words, self.kind.tolist()) if k == KIND_NAME})


def term_hash(term: str) -> int:
    """63-bit hash of a normalized term.

    >>> term_hash("qeshm") == term_hash("qeshm") != term_hash("iran")
    True
    """
    return xxhash.xxh3_64_intdigest(term.encode("utf-8")) >> 1


def _fold(word: str) -> str:
    """Lowercased word with a possessive cut and a plural folded (``cities`` -> ``city``).

    >>> [_fold(w) for w in ("Lohan's", "cities", "quakes", "virus", "IE")]
    ['lohan', 'city', 'quake', 'virus', 'ie']
    """
    w = word.lower()
    if w.endswith(_POSSESSIVE):
        w = w[:-2]
    n = len(w)
    if n > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if n > 3 and w[-1] == "s" and w[-2] not in "su'i":
        return w[:-1]
    return w


def line_hash(line: str) -> int:
    """63-bit hash of a paragraph, blind to case, spacing and line wrapping.

    >>> line_hash("Subscribe  to the Bugle") == line_hash("subscribe to the BUGLE ")
    True
    """
    return xxhash.xxh3_64_intdigest(" ".join(line.lower().split()).encode("utf-8")) >> 1


def story_terms(text: str, title: str | None = None) -> StoryTerms:
    """Content words, names and numbers of a document with their weighted counts.

    >>> t = story_terms("Quake hits Qeshm island. The 5.6 magnitude quake hit Qeshm on Sunday.")
    >>> t.counts()["qeshm"], "sunday" in t.words
    (6.0, False)
    """
    _, terms, tf, kind, lines, ids = _extract([(text, title)])
    return StoryTerms(terms, tf, kind, lines, tuple(_VOCAB.words[i] for i in ids.tolist()))


def story_terms_batch(docs: Sequence[tuple[str, str | None]]) -> dict[str, np.ndarray]:
    """:func:`story_terms` of many ``(text, title)`` documents at once, as columns
    ``doc`` (position in ``docs``), ``term``, ``tf``, ``kind``, ``line``: the
    regular expression runs per paragraph, the counting is vectorized over the
    whole batch (Reuters-21578: about 2.5 CPU seconds for 19k stories)."""
    doc, terms, tf, kind, lines, _ = _extract(docs)
    return {"doc": doc, "term": terms, "tf": tf, "kind": kind, "line": lines}


class _Vocabulary:
    """Token forms and terms seen so far, as ids into numpy arrays (a corpus repeats
    its tokens, so each form is classified once). ``form`` ids key ``(start, token)``
    (``start`` is non-empty at a sentence start)."""

    def __init__(self) -> None:
        self.forms: dict[tuple[str, str], int] = {}
        self.form_term = np.zeros(1024, np.int64)  # term id, -1 when the form is no term
        self.form_case = np.zeros(1024, np.int8)   # _LOWER, _CAPITAL (not at a start), _OTHER
        self.terms: dict[str, int] = {}
        self.words: list[str] = []
        self.hash = np.zeros(1024, np.int64)
        self.number = np.zeros(1024, bool)
        self.form_english = np.zeros(1024, bool)  # an English stopword (no term)
        self.form_han = np.zeros(1024, bool)      # a Han or kana bigram
        self.foreign = np.zeros(1024, np.int32)    # bit j: a function word of _FOREIGN_LANGS[j]

    def add_forms(self, new: list[tuple[str, str]]) -> None:
        n = len(self.forms)
        if n + len(new) > len(self.form_term):
            size = max(2 * len(self.form_term), n + len(new))
            self.form_term = np.resize(self.form_term, size)
            self.form_case = np.resize(self.form_case, size)
            self.form_english = np.resize(self.form_english, size)
            self.form_han = np.resize(self.form_han, size)
        for k, key in enumerate(new, n):
            self.forms[key] = k
            term, case, h = _classify(key[1])
            self.form_english[k] = term is None and _fold(key[1]) in STOPWORDS
            self.form_han[k] = bool(_HAN.search(key[1]))
            if term is None:
                self.form_term[k] = -1
                continue
            t = self.terms.get(term)
            if t is None:
                t = self.terms[term] = len(self.words)
                self.words.append(term)
                if t >= len(self.hash):
                    self.hash = np.resize(self.hash, 2 * len(self.hash))
                    self.number = np.resize(self.number, 2 * len(self.number))
                    self.foreign = np.resize(self.foreign, 2 * len(self.foreign))
                self.hash[t], self.number[t] = h, term[0].isdigit()
                self.foreign[t] = _FOREIGN_BITS.get(term, 0)
            self.form_term[k] = t
            self.form_case[k] = _OTHER if case == _CAPITAL and key[0] else case


_VOCAB = _Vocabulary()


def _extract(docs: Sequence[tuple[str, str | None]]) -> tuple[np.ndarray, ...]:
    """``(doc, term hash, tf, kind, line hash, term id)`` rows of a batch of documents,
    one row per document, term and paragraph."""
    global _VOCAB
    if len(_VOCAB.forms) > 2_000_000:  # a long-lived worker: start afresh between batches
        _VOCAB = _Vocabulary()
    voc = _VOCAB
    keys: list[tuple[str, str]] = []
    lens: list[int] = []
    lede: list[int] = []
    lines: list[int] = []
    para_doc: list[int] = []
    for i, (text, title) in enumerate(docs):
        body = f"{title}\n{text}" if title and title.strip() else (text or "")
        seen = 0
        for para in _PARAGRAPH.split(body):
            toks = _TOKEN.findall(para)
            if not toks:
                continue
            if _HAN.search(para):
                toks = _han_bigrams(toks)
            keys += toks
            lens.append(len(toks))
            lede.append(min(len(toks), max(0, LEDE_WORDS - seen)))
            seen += len(toks)
            lines.append(line_hash(para))
            para_doc.append(i)
    get = voc.forms.get
    ids = list(map(get, keys))
    if None in ids:
        # only the unknown forms are looked at again (list.index scans at C speed):
        # a set of the whole batch's tokens cost a tenth of ingest at 1M documents
        missing = []
        at = ids.index(None)
        try:
            while True:
                missing.append(at)
                at = ids.index(None, at + 1)
        except ValueError:
            pass
        voc.add_forms(sorted({keys[k] for k in missing}))
        for k in missing:
            ids[k] = get(keys[k])
    form = np.asarray(ids, np.int64)
    n_tok = np.asarray(lens, np.int64)
    para = np.repeat(np.arange(len(lens), dtype=np.int64), n_tok)
    pos = group_positions(n_tok)
    weight = np.where(pos < np.repeat(np.asarray(lede, np.int64), n_tok), float(LEDE_WEIGHT), 1.0)
    if voc.form_han[form].any():
        weight = weight * np.where(voc.form_han[form], HAN_WEIGHT, 1.0)
    term = voc.form_term[form]
    keep = term >= 0
    english = voc.form_english[form]
    term, case, para, weight = term[keep], voc.form_case[form[keep]], para[keep], weight[keep]
    doc = np.asarray(para_doc, np.int64)[para]
    foreign = voc.foreign[term]
    if foreign.any():
        drop = _foreign_words(doc, foreign, np.asarray(para_doc, np.int64)[np.repeat(
            np.arange(len(lens), dtype=np.int64), n_tok)[english]], len(docs))
        if drop.any():
            term, case, para, weight, doc = (x[~drop] for x in (term, case, para, weight, doc))
    # kind per (document, term): a name when capitalized (not at a start) more than in lower case
    dt, dt_of = np.unique(doc << 32 | term, return_inverse=True)
    caps = np.bincount(dt_of, weights=case == _CAPITAL, minlength=len(dt))
    lows = np.bincount(dt_of, weights=case == _LOWER, minlength=len(dt))
    dt_term = dt & 0xFFFFFFFF
    dt_kind = np.where(voc.number[dt_term], KIND_NUMBER,
                       np.where(caps > lows, KIND_NAME, KIND_WORD)).astype(np.int8)
    # rows per (paragraph, term), in document order
    pt, pt_of = np.unique(para << 32 | term, return_inverse=True)
    tf = np.bincount(pt_of, weights=weight, minlength=len(pt))
    row_para, row_term = pt >> 32, pt & 0xFFFFFFFF
    row_doc = np.asarray(para_doc, np.int64)[row_para] if len(pt) else np.zeros(0, np.int64)
    row_kind = dt_kind[np.searchsorted(dt, row_doc << 32 | row_term)]
    return (row_doc, voc.hash[row_term], tf, row_kind,
            np.asarray(lines, np.int64)[row_para] if len(pt) else np.zeros(0, np.int64), row_term)


_LOWER, _CAPITAL, _OTHER = 0, 1, 2
# Chinese and Japanese write no spaces: a "word" of the token pattern is a whole
# clause, which no other report repeats. Their terms are character bigrams instead
# (a Chinese word is mostly two characters).
_HAN = re.compile(f"[{CJK_CHARS}]")
_HAN_RUNS = re.compile(f"[{CJK_CHARS}]+|[^{CJK_CHARS}]+")


def _han_bigrams(toks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Tokens with each run of Han or kana characters cut into its overlapping
    character bigrams (the first keeps the token's sentence-start mark).

    >>> _han_bigrams([("", "国务院会议"), ("", "Xinhua")])
    [('', '国务'), ('', '务院'), ('', '院会'), ('', '会议'), ('', 'Xinhua')]
    """
    out: list[tuple[str, str]] = []
    for start, tok in toks:
        if not _HAN.search(tok):
            out.append((start, tok))
            continue
        for piece in _HAN_RUNS.findall(tok):
            if not _HAN.match(piece):
                out.append((start, piece))
            elif len(piece) == 1:
                out.append((start, piece))
            else:
                out.extend((start if k == 0 else "", piece[k:k + 2]) for k in range(len(piece) - 1))
            start = ""
    return out
_FOREIGN_BITS: dict[str, int] = {}
for _j, _lang in enumerate(_FOREIGN_LANGS):
    for _w in _FOREIGN[_lang]:
        _FOREIGN_BITS[_w] = _FOREIGN_BITS.get(_w, 0) | (1 << _j)


def _foreign_words(doc: np.ndarray, foreign: np.ndarray, english_doc: np.ndarray, n_docs: int) -> np.ndarray:
    """Which term tokens to drop: those that are function words of their document's
    language, when the document uses one foreign language's function words more
    than English ones (and at least :data:`FOREIGN_MIN_WORDS` times). ``doc`` and
    ``foreign`` are per term token; ``english_doc`` holds the document of each
    English stopword token."""
    counts = np.stack([np.bincount(doc, weights=(foreign >> j) & 1, minlength=n_docs)
                       for j in range(len(_FOREIGN_LANGS))], axis=1)
    english = np.bincount(english_doc, minlength=n_docs)
    best = counts.argmax(axis=1)
    top = counts[np.arange(n_docs), best]
    lang = np.where((top >= FOREIGN_MIN_WORDS) & (top > english), best, -1)
    mine = lang[doc]
    return (mine >= 0) & (((foreign >> np.maximum(mine, 0)) & 1) == 1)


def _classify(tok: str) -> tuple[str | None, int, int]:
    """The term of a token (None when it is not one), its case class and its hash.

    >>> [_classify(t)[:2] for t in ("Qeshm", "the", "1,000", "NATO", "PUBLISHED")]
    [('qeshm', 1), (None, 2), ('1000', 2), ('nato', 1), ('published', 2)]
    """
    c = tok[0]
    if c.isdigit():
        term = tok.replace(",", "").rstrip(".")
        return (term, _OTHER, term_hash(term)) if len(term) >= 2 else (None, _OTHER, 0)
    term = _fold(tok)
    if len(term) < 2 or term in STOPWORDS:
        return None, _OTHER, 0
    if not c.isupper():
        return term, _LOWER, term_hash(term)
    # an acronym (IE, FBI) is a name; a shouted headline word is not
    return term, (_CAPITAL if not tok.isupper() or len(tok) <= 5 else _OTHER), term_hash(term)

"""Tokenize and normalize a text, keeping every offset in the original.

Matching happens on word *forms* (NFKC, case-folded, newsroom variants merged),
but each token remembers the half-open character span it came from, so
everything built on tokens maps straight back to the caller's text. Words come
from one regular expression (the fastest correct option we measured, see
BENCHMARKS.md); sentences come from blingfire, a maintained native sentence
splitter that returns offsets.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import xxhash

from .boilerplate import boilerplate_spans

# Numbers keep their separators ("10,000", "5.93"); dotted acronyms stay one
# token ("U.S.", "U.N") because every inner part is a single letter; "%" is a
# word of its own. Written for speed: see BENCHMARKS.md (tokenize).
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:(?:\.\w(?!\w))+\.?)?|%")
# The same pattern for ASCII text, where \w and \d mean the same in both modes: re's
# ASCII tests are table lookups, its Unicode ones are not (~20% faster on the seed)
_TOKEN_RE_ASCII = re.compile(_TOKEN_RE.pattern, re.ASCII)

# Han ideographs and kana: no spaces between words, so each character is a token
# (measured against overlapping bigrams in bench/eval_languages.py, see NOTES-lang.md).
#: the characters of scripts written without spaces (Han, kana): one token each
CJK_CHARS = "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_CJK = CJK_CHARS


@lru_cache(maxsize=1)
def _wide_regexes() -> tuple[re.Pattern, re.Pattern]:
    """(does a text need the wide token regex, the wide token regex), built on first
    use. ``\\w`` matches no combining mark, so Arabic harakat, Indic vowel signs and
    decomposed accents (e + U+0301) would cut words apart; the wide regex keeps
    marks inside words and makes each CJK character a token. Texts with neither
    use :data:`_TOKEN_RE`, so their tokens are exactly what they always were."""
    ranges: list[str] = []
    start = -1
    for cp in range(0x3100):
        mark = unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me")
        if mark and start < 0:
            start = cp
        elif not mark and start >= 0:
            ranges.append(f"\\u{start:04x}-\\u{cp - 1:04x}")
            start = -1
    marks = "".join(ranges) + "\\ufe20-\\ufe2f"
    w = rf"(?:[^\W{_CJK}]|[{marks}])"
    # ... and Arabic decimal and thousands separators (U+066B, U+066C) inside numbers
    need = re.compile(rf"[{_CJK}{marks}\u066b\u066c]")
    wide = re.compile(rf"\d+(?:[.,\u066b\u066c]\d+)*|[{_CJK}]|{w}+(?:(?:\.{w}(?!{w}))+\.?)?|%")
    return need, wide


def _token_regex(text: str) -> re.Pattern:
    """:data:`_TOKEN_RE` (its ASCII twin for ASCII text), or the wide regex for text
    with CJK characters, combining marks or Arabic number separators.

    >>> _token_regex("Café au lait") is _TOKEN_RE, _token_regex("Cafe") is _TOKEN_RE_ASCII
    (True, True)
    """
    if text.isascii():  # O(1) in CPython: the flag is stored on the string
        return _TOKEN_RE_ASCII
    need, wide = _wide_regexes()
    return wide if need.search(text) else _TOKEN_RE


_LINEBREAK_HYPHEN = re.compile(r"-[ \t]*\r?\n[ \t]*$")
_BREAK_HYPHEN = re.compile(r"-[ \t]*\r?\n[ \t]*")

# British → American spellings that show up across wire and newspaper copy.
_SPELLING = {
    "colour": "color", "favour": "favor", "honour": "honor", "labour": "labor",
    "neighbour": "neighbor", "behaviour": "behavior", "harbour": "harbor",
    "rumour": "rumor", "armour": "armor", "flavour": "flavor", "humour": "humor",
    "endeavour": "endeavor", "vigour": "vigor", "centre": "center", "theatre": "theater",
    "metre": "meter", "litre": "liter", "defence": "defense", "offence": "offense",
    "licence": "license", "programme": "program", "catalogue": "catalog",
    "travelled": "traveled", "travelling": "traveling", "cancelled": "canceled",
    "cancelling": "canceling", "modelling": "modeling", "labelled": "labeled",
    "fuelled": "fueled", "jewellery": "jewelry", "grey": "gray", "tyre": "tire",
    "aluminium": "aluminum", "analyse": "analyze", "analysed": "analyzed",
    "paralyse": "paralyze", "sceptic": "skeptic", "sceptical": "skeptical",
    "manoeuvre": "maneuver", "whilst": "while", "amongst": "among",
    "pyjamas": "pajamas", "cheque": "check", "counsellor": "counselor",
    "kilometre": "kilometer", "kilometres": "kilometers", "metres": "meters",
    "centres": "centers", "colours": "colors", "favours": "favors",
    "neighbours": "neighbors", "honours": "honors", "rumours": "rumors",
}
_ISE_RE = re.compile(r"(?<=\w{3})is(e|es|ed|ing|ation|ations|er|ers)$")


# Letters merged before case folding, for non-ASCII tokens only. Turkish dotted and
# dotless i ("İstanbul", "ılık") become i, as "I" does by case folding; Cyrillic ё is
# written е as often as not; Arabic drops harakat and tatweel, unifies the hamza
# forms of alef, alef maqsura with ya and ta marbuta with ha (the usual Arabic
# search normalization); Arabic-Indic and Persian digits are digits 0-9.
_FOLD = {ord("İ"): "i", ord("ı"): "i", ord("ё"): "е", ord("Ё"): "е",
         0x0640: None, 0x0670: None, 0x0622: "\u0627", 0x0623: "\u0627", 0x0625: "\u0627",
         0x0671: "\u0627", 0x0649: "\u064a", 0x0629: "\u0647", 0x066b: ".", 0x066c: ","}
_FOLD.update({cp: None for cp in range(0x064B, 0x0660)})
_FOLD.update({0x0660 + k: str(k) for k in range(10)})
_FOLD.update({0x06F0 + k: str(k) for k in range(10)})


@lru_cache(maxsize=1 << 16)
def word_form(raw: str) -> str:
    """The matching form of one token as it appears in the text.

    >>> word_form("U.S."), word_form("10,000"), word_form("Stabilising")
    ('us', '10000', 'stabilizing')
    >>> word_form("İSTANBUL"), word_form("Straße"), word_form("ёлка"), word_form("٢٠٢٠")
    ('istanbul', 'strasse', 'елка', '2020')
    """
    form = raw if raw.isascii() else unicodedata.normalize("NFKC", raw).translate(_FOLD)
    form = form.casefold()
    if "." in form and not form[0].isdigit():
        form = form.replace(".", "")
    elif "," in form and form[0].isdigit():
        form = _number_form(form)
    if form == "%":
        return "percent"
    form = _SPELLING.get(form, form)
    if len(form) > 6 and "is" in form:
        form = _ISE_RE.sub(r"iz\1", form)
    return form


def _number_form(form: str) -> str:
    """A number with a comma: "10,000" and "1,000.5" (thousands commas) lose them;
    a last comma group of other than three digits is a decimal comma
    ("1.000,5" -> "1000.5", "5,5" -> "5.5", as written in most of Europe).

    >>> _number_form("10,000"), _number_form("1.000,5"), _number_form("5,5")
    ('10000', '1000.5', '5.5')
    """
    head, _, tail = form.rpartition(",")
    if len(tail) == 3 or "." in tail:
        return form.replace(",", "")
    return head.replace(".", "").replace(",", "") + "." + tail


@lru_cache(maxsize=1 << 16)
def form_id(form: str) -> int:
    """A stable 63-bit id for a word form (the same on every machine and run)."""
    return xxhash.xxh3_64_intdigest(form.encode("utf-8")) >> 1


# Multi-word variants merged into one form: ("per", "cent") → "percent".
_MERGES: dict[tuple[str, str], str] = {
    ("per", "cent"): "percent",
    ("per", "centage"): "percentage",
}


_MERGE_SECOND = {second for _, second in _MERGES}
# raw token -> (form, id, starts with a capital); one lookup per token in tokenize
_CACHE: dict[str, tuple[str, int, bool]] = {}


def _reset_cache() -> dict[str, tuple[str, int, bool]]:
    _CACHE.clear()
    return _CACHE


def _entry(raw: str) -> tuple[str, int, bool]:
    f = word_form(raw)
    e = _CACHE[raw] = (f, form_id(f), raw[0].isupper())
    return e


def _join_tokens(forms, idl, starts, ends, caps, at, joined):
    """Fold token ``i`` (for ``i`` in ``at``, ascending) into the token before it when
    ``joined(prev_form, prev_span, form, span)`` returns the form of the joined token;
    offsets span both words. Only the positions in ``at`` are visited, so the
    common case (no join) costs nothing per token."""
    forms, idl, starts, ends = list(forms), list(idl), list(starts), list(ends)
    gone: set[int] = set()
    for i in at:
        p = i - 1
        while p in gone:
            p -= 1
        if p < 0 or i in gone:
            continue
        new = joined(forms[p], (starts[p], ends[p]), forms[i], (starts[i], ends[i]))
        if new is None:
            continue
        forms[p], idl[p], ends[p] = new, form_id(new), ends[i]
        gone.add(i)
    caps = list(caps)
    # few joins per text: deleting in place beats rebuilding five lists
    for k in sorted(gone, reverse=True):
        del forms[k], idl[k], starts[k], ends[k], caps[k]
    return forms, idl, starts, ends, caps


def _merge_variants(forms, idl, starts, ends, caps):
    """Join multi-word variants ("per cent") into one token spanning both words."""
    at = [i for i, f in enumerate(forms) if f in _MERGE_SECOND]
    return _join_tokens(forms, idl, starts, ends, caps, at,
                        lambda pf, psp, f, sp: _MERGES.get((pf, f)) if sp[0] - psp[1] <= 2 else None)


def _join_broken_words(text, forms, idl, starts, ends, caps):
    """Join words hyphenated across a line break ("gov-\\nernment") into one token."""
    at = sorted({bisect_left(starts, m.end()) for m in _BREAK_HYPHEN.finditer(text)})
    at = [i for i in at if 0 < i < len(forms)]
    return _join_tokens(forms, idl, starts, ends, caps, at,
                        lambda pf, psp, f, sp: pf + f if f[:1].islower()
                        and _LINEBREAK_HYPHEN.search(text, psp[1], sp[0]) else None)


@dataclass(frozen=True, slots=True)
class Tokens:
    """Words of one text with their spans, forms and ids.

    ``text[starts[i]:ends[i]]`` is token *i* as written; ``forms[i]`` is what is
    matched. ``para[i]`` is the paragraph index, ``boiler[i]`` marks tokens inside
    bylines, credits, datelines and mastheads.
    """

    text: str
    starts: np.ndarray
    ends: np.ndarray
    forms: list[str]
    ids: np.ndarray
    para: np.ndarray
    paragraphs: list[tuple[int, int]]
    boiler: np.ndarray
    boilerplate: list[tuple[int, int]]
    #: token starts with a capital letter as written (names, acronyms)
    caps: np.ndarray
    #: ``starts`` as a Python list: scalar lookups by bisect cost a tenth of numpy's
    start_list: list[int] = field(default_factory=list, repr=False, compare=False)
    #: per-text results computed on first use (see :meth:`cached`); not an init
    #: field, so ``dataclasses.replace`` (other boilerplate) starts a fresh one
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.forms)

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` computed once per Tokens: in a corpus scan one document meets
        many others, and what depends on its text alone need not be redone."""
        try:
            return self.memo[key]
        except KeyError:
            value = self.memo[key] = make()
            # shared between callers: arrays are made read-only so nobody edits them in place
            for v in value if isinstance(value, tuple) else (value,):
                if isinstance(v, np.ndarray):
                    v.flags.writeable = False
            return value

    def first_at(self, offset: int) -> int:
        """Index of the first token starting at or after character ``offset``."""
        if len(self.start_list) != len(self.forms):
            return int(np.searchsorted(self.starts, offset, "left"))
        return bisect_left(self.start_list, offset)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Character span of tokens ``i..j-1`` (``i < j``)."""
        return int(self.starts[i]), int(self.ends[j - 1])


_CJK_CHAR = re.compile(f"[{_CJK}]")


def cjk_share(tokens: Tokens) -> float:
    """Share of a text's tokens that are single CJK characters (computed once per text).

    >>> cjk_share(tokenize("中国经济 grew")), cjk_share(tokenize("The cat"))
    (0.8, 0.0)
    """
    if tokens.text.isascii() or not tokens.forms:
        return 0.0
    return tokens.cached("cjk_share", lambda: sum(
        1 for f in tokens.forms if len(f) == 1 and _CJK_CHAR.match(f)) / len(tokens.forms))


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BLANK_LINE_SEP = re.compile(r"\n[ \t]*\n\s*")
_INDENTED = re.compile(r"[ \t]{2,}\S")
_INDENT_SEP = re.compile(r"\n(?=[ \t]{2,}\S)")
_LINE_SEP = re.compile(r"\n\s*")
#: a line ending in one of these (before trailing spaces) ends a sentence
_LINE_END = frozenset(".!?:\"'”’)]。！？؟」』»")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs as character spans, stripped of surrounding whitespace.

    Blank lines separate paragraphs when the text has any. Otherwise an
    indented line starts one (wire copy such as Reuters-21578), and failing
    that each line is a paragraph unless the lines look hard-wrapped (most end
    mid-sentence), in which case single newlines are soft breaks.

    >>> paragraph_spans("One.\\nTwo.")
    [(0, 4), (5, 9)]
    """
    if not text.strip():
        return []
    if _BLANK_LINE.search(text):
        seps = _BLANK_LINE_SEP
    else:
        lines = [ln for ln in text.split("\n") if ln.strip()]
        indented = sum(1 for ln in lines[1:] if _INDENTED.match(ln))
        if len(lines) > 2 and indented >= 1 and indented < len(lines) - 1:
            seps = _INDENT_SEP
        else:
            # the line's last character that is not a space (lines are not blank);
            # a regex search for "[…]\s*$" tried every position of the line
            ends_sentence = sum(1 for ln in lines if ln.rstrip()[-1] in _LINE_END)
            if len(lines) > 3 and ends_sentence < 0.5 * len(lines):
                seps = None
            else:
                seps = _LINE_SEP
    spans: list[tuple[int, int]] = []
    pos = 0
    pieces = [(m.start(), m.end()) for m in seps.finditer(text)] if seps else []
    for s, e in pieces + [(len(text), len(text))]:
        _add_stripped(text, pos, s, spans)
        pos = e
    return _join_soft_breaks(text, spans)


_TERMINAL = frozenset(".!?:;\"'”’)]…。！？؟」』»")


def _join_soft_breaks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A break inside a sentence (no closing punctuation before it, a lowercase
    word after it) is layout, not a paragraph: join the two pieces."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and text[out[-1][1] - 1] not in _TERMINAL and text[s].islower():
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _add_stripped(text: str, s: int, e: int, out: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append((s, e))


def sentence_spans(text: str, paragraphs: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentences as character spans; never crosses a paragraph break.

    >>> sentence_spans("He left. She stayed.")
    [(0, 8), (9, 20)]
    """
    out: list[tuple[int, int]] = []
    for ps, pe in paragraphs if paragraphs is not None else paragraph_spans(text):
        for s, e in _blingfire_sentences(text[ps:pe]):
            _add_stripped(text, ps + s, ps + e, out)
    return out


def _blingfire_sentences(chunk: str) -> list[tuple[int, int]]:
    """blingfire's sentence splitter on one paragraph, as character offsets.

    Calls the C function directly: blingfire's Python wrapper maps byte offsets
    to characters with a per-byte Python loop, which was most of the cost of
    sentence splitting in a corpus scan. Here ASCII needs no mapping and other
    text is mapped with numpy.
    """
    import blingfire

    raw = chunk.encode("utf-8")
    n = len(raw)
    if n == 0:
        return []
    cap = 2 * n
    buf = ctypes.create_string_buffer(cap)
    st = (ctypes.c_int32 * cap)()
    en = (ctypes.c_int32 * cap)()
    got = blingfire.blingfire.TextToSentencesWithOffsets(
        ctypes.c_char_p(raw), ctypes.c_int(n), ctypes.byref(buf), ctypes.byref(st), ctypes.byref(en),
        ctypes.c_int(cap))
    if got == -1 or got > cap:
        return [(0, len(chunk))]
    k = buf.value.count(b"\n") + 1
    # byte offsets; an end is the last byte of the sentence (inclusive)
    starts = np.frombuffer(st, dtype=np.int32, count=k).astype(np.int64)
    ends = np.frombuffer(en, dtype=np.int32, count=k).astype(np.int64) + 1
    if n != len(chunk):  # multi-byte characters: byte offset -> character offset
        lead = (np.frombuffer(raw, dtype=np.uint8) & 0xC0) != 0x80
        char_at = np.r_[np.cumsum(lead) - 1, len(chunk)]
        starts, ends = char_at[np.clip(starts, 0, n)], char_at[np.clip(ends, 0, n)]
    return list(zip(starts.tolist(), ends.tolist()))


def tokenize(text: str, *, strip_boilerplate: bool = True) -> Tokens:
    """Split ``text`` into matched word tokens with offsets into ``text``.

    >>> t = tokenize("The U.S. said 40 per cent.")
    >>> t.forms
    ['the', 'us', 'said', '40', 'percent']
    >>> t.text[t.starts[4]:t.ends[4]]
    'per cent'
    """
    matches = list(_token_regex(text).finditer(text))
    # starts and ends as two flat lists of ints: each converts to numpy at C speed
    starts = list(map(re.Match.start, matches))
    ends = list(map(re.Match.end, matches))
    get = (_CACHE if len(_CACHE) < 500_000 else _reset_cache()).get
    entries = [get(r) or _entry(r) for r in map(re.Match.group, matches)]
    # one C-level transpose instead of a list comprehension per field
    forms, idl, caps = (list(c) for c in zip(*entries)) if entries else ([], [], [])
    if not _MERGE_SECOND.isdisjoint(forms):
        forms, idl, starts, ends, caps = _merge_variants(forms, idl, starts, ends, caps)
    if "-\n" in text or "-\r\n" in text:
        forms, idl, starts, ends, caps = _join_broken_words(text, forms, idl, starts, ends, caps)
    paragraphs = paragraph_spans(text)
    st = np.array(starts, dtype=np.int64)
    en = np.array(ends, dtype=np.int64)
    ids = np.asarray(idl, dtype=np.int64)
    if paragraphs:
        pstarts = np.asarray([p[0] for p in paragraphs], dtype=np.int64)
        para = np.searchsorted(pstarts, st, side="right") - 1
        para = np.maximum(para, 0)
    else:
        para = np.zeros(len(forms), dtype=np.int64)
    # a word with a letter outside ASCII: other languages' packaging may be there
    intl = not text.isascii() and not "".join(forms).isascii()
    bspans = boilerplate_spans(text, paragraphs, intl=intl) if strip_boilerplate else []
    boiler = np.zeros(len(forms), dtype=bool)
    for s, e in bspans:
        lo = np.searchsorted(st, s, side="left")
        hi = np.searchsorted(st, e, side="left")
        boiler[lo:hi] = True
    return Tokens(text, st, en, forms, ids, para, paragraphs, boiler, bspans,
                  np.asarray(caps, dtype=bool), starts)

"""Checkable facts inside a stretch of tokens: quantities, dates, names, negations.

Everything works on :class:`~wiretrace.normalize.Tokens` index ranges, so each
fact keeps its token span and, through it, its character offsets in the
original text. Extraction is regex-free on the hot path (token forms are
already normalized) and costs a few microseconds per sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..fingerprint import STOPWORDS
from ..normalize import Tokens

UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
MULT = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "mln": 1_000_000,
         "billion": 1_000_000_000, "bln": 1_000_000_000, "bn": 1_000_000_000,
         "trillion": 1_000_000_000_000}
# Multipliers after a number in the other languages of the dev data (de es fr it pl ru
# tr ar zh), as word forms (normalize.word_form: Arabic alef unified, "ё" -> "е").
# Chinese and Japanese multipliers are characters, each a token: "3万" is 3 x 10^4,
# "1千万" is 1 x 10^3 x 10^4. Only read right after a number, so "bin" (tr: thousand)
# or "mil" (es) never count on their own.
_MULT_WORDS = {
    1_000: "tausend tsd mil mille mila tys tysięcy tysiące тысяча тысячи тысяч тыс bin الف",
    1_000_000: "millionen mio millón millones millions milione milioni milion miliony milionów "
               "миллион миллиона миллионов млн milyon مليون ملايين",
    1_000_000_000: "milliarde milliarden mrd millardo millardos milliard milliards miliardo "
                   "miliardi miliard miliardy miliardów миллиард миллиарда миллиардов млрд "
                   "milyar مليار مليارات",
}
MULT.update({w: v for v, words in _MULT_WORDS.items() for w in words.split()})
MULT.update({"十": 10, "百": 100, "千": 1_000, "万": 10_000, "萬": 10_000, "亿": 100_000_000,
             "億": 100_000_000})
# "percent" already covers "%" and "per cent" (merged by the tokenizer).
_PERCENT = frozenset({"percent", "pct", "percentage", "prozent", "procent", "процент",
                      "процента", "процентов", "porcentaje", "بالمئه"})
_CURRENCY_WORDS = {"dollar": "usd", "dollars": "usd", "euro": "eur", "euros": "eur",
                   "pound": "gbp", "pounds": "gbp", "yen": "jpy", "yuan": "cny"}
_CURRENCY_SIGNS = {"$": "usd", "£": "gbp", "€": "eur", "¥": "jpy"}

WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}
# Months that are also common words count only next to a number.
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "mar", "jan", "dec", "sep", "oct", "nov", "aug",
                               "jun", "jul", "apr", "feb"})
_TIME_SUFFIX = frozenset({"am", "pm", "gmt", "utc", "est", "edt", "cet", "bst", "et"})
_TIME_WORDS = frozenset({"noon", "midnight"})
NEGATORS = frozenset({"not", "no", "never", "nor", "neither", "none", "nobody", "nothing",
                      "cannot", "without", "nowhere"})


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact: tokens ``i..j-1`` of a text, a comparable ``value`` and its ``kind``.

    kind is "number", "date" or "entity"; ``unit`` groups numbers that may be
    compared ("percent", "usd", the counted noun…), ``sub`` is the date part
    ("weekday", "month", "year", "time").
    """

    i: int
    j: int
    kind: str
    value: object
    unit: str = ""
    sub: str = ""


def _is_apostrophe_t(t: Tokens, k: int) -> bool:
    if t.forms[k] != "t" or k == 0:
        return False
    gap = t.text[int(t.ends[k - 1]):int(t.starts[k])]
    return gap in ("'", "’") and t.forms[k - 1].endswith("n")


def negations(t: Tokens, i: int, j: int) -> list[int]:
    """Token indices of negators in ``i..j-1`` ("not", "never", the "t" of "n't"…)."""
    forms = t.forms
    return [k for k in range(i, j) if forms[k] in NEGATORS or _is_apostrophe_t(t, k)]


_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3}){2,}")


def _number_value(form: str) -> float | None:
    """The value of a number form ("1.000.000", thousands dots in most of Europe, is a million).

    >>> _number_value("1000.5"), _number_value("1.000.000"), _number_value("seven")
    (1000.5, 1000000.0, 7)
    """
    if form[:1].isdigit():
        core = form.rstrip("stndrdth") if form[-2:] in ("st", "nd", "rd", "th") else form
        try:
            return float(core)
        except ValueError:
            return float(core.replace(".", "")) if _DOT_GROUPS.fullmatch(core) else None
    return UNITS.get(form)


def quantities_and_dates(t: Tokens, i: int, j: int) -> list[Fact]:
    """Numbers (with multiplier, currency and unit) and dates in tokens ``i..j-1``.

    >>> from wiretrace.normalize import tokenize
    >>> t = tokenize("He said 1.5 million people, or 20 per cent, fled on Tuesday, June 3, 2015.")
    >>> for f in quantities_and_dates(t, 0, len(t)):
    ...     print(f.kind, f.value, f.unit or f.sub)
    number 1500000.0 people
    number 20.0 percent
    date tuesday weekday
    date 6 month
    date 3 day
    date 2015 year
    """
    forms, text = t.forms, t.text
    out: list[Fact] = []
    k = i
    while k < j:
        f = forms[k]
        if f in WEEKDAYS or (f.endswith("s") and f[:-1] in WEEKDAYS and t.caps[k]):
            if t.caps[k]:
                out.append(Fact(k, k + 1, "date", f.rstrip("s") if f not in WEEKDAYS else f, sub="weekday"))
            k += 1
            continue
        if f in MONTHS and t.caps[k]:
            near_num = (k + 1 < len(t) and forms[k + 1][:1].isdigit()) or \
                       (k > 0 and forms[k - 1][:1].isdigit() and len(forms[k - 1]) <= 4)
            if f not in _AMBIGUOUS_MONTHS or near_num:
                out.append(Fact(k, k + 1, "date", MONTHS[f], sub="month"))
                # a day number right after the month ("June 3")
                if k + 1 < j and forms[k + 1][:1].isdigit() and len(forms[k + 1]) <= 4:
                    v = _number_value(forms[k + 1])
                    if v is not None and 1 <= v <= 31:
                        out.append(Fact(k + 1, k + 2, "date", int(v), sub="day"))
                        k += 2
                        continue
            k += 1
            continue
        if f in _TIME_WORDS:
            out.append(Fact(k, k + 1, "date", f, sub="time"))
            k += 1
            continue
        v = _number_value(f)
        if v is None or (f == "one"):
            k += 1
            continue
        s = k
        e = k + 1
        # number words: "twenty five", "two hundred"
        if not f[:1].isdigit():
            while e < j and forms[e] in UNITS and UNITS[forms[e]] < 10 and v >= 20 and v % 10 == 0:
                v += UNITS[forms[e]]
                e += 1
        # day before a month ("3 June")
        if e < j and forms[e] in MONTHS and t.caps[e] and 1 <= v <= 31 and f.isdigit():
            out.append(Fact(s, e, "date", int(v), sub="day"))
            k = e
            continue
        # clock times: "7 p.m.", "15:30"
        if e < j and forms[e] in _TIME_SUFFIX and f[:1].isdigit():
            out.append(Fact(s, e + 1, "date", f"{int(v) % 24}{forms[e]}", sub="time"))
            k = e + 1
            continue
        if e < j and forms[e][:1].isdigit() and text[int(t.ends[e - 1]):int(t.starts[e])] == ":":
            out.append(Fact(s, e + 1, "date", f"{f}:{forms[e]}", sub="time"))
            k = e + 1
            continue
        raw = text[int(t.starts[s]):int(t.ends[s])]
        # years: 4 digits, no separator, a plausible range, not a money amount
        before = text[max(0, int(t.starts[s]) - 1):int(t.starts[s])]
        is_year = (f.isdigit() and len(f) == 4 and 1800 <= v <= 2100 and "," not in raw
                   and before not in _CURRENCY_SIGNS
                   and not (e < len(t) and (forms[e] in MULT or forms[e] in _PERCENT)))
        if is_year:
            out.append(Fact(s, e, "date", int(v), sub="year"))
            k = e
            continue
        while e < j and forms[e] in MULT:
            v *= MULT[forms[e]]
            e += 1
        unit = ""
        cur = _CURRENCY_SIGNS.get(before)
        if cur is None and s > 0 and forms[s - 1] in ("us", "usd") and int(t.ends[s - 1]) == int(t.starts[s]) - 1:
            cur = "usd"
        if e < len(t) and forms[e] in _PERCENT:
            unit = "percent"
            e += 1
        elif cur:
            unit = cur
        elif e < len(t) and forms[e] in _CURRENCY_WORDS:
            unit = _CURRENCY_WORDS[forms[e]]
            e += 1
        else:
            # the counted noun: next content word within two tokens ("250,000 people")
            for n in range(e, min(e + 2, len(t))):
                if forms[n] not in STOPWORDS and not forms[n][:1].isdigit():
                    unit = forms[n]
                    break
        out.append(Fact(s, e, "number", v, unit=unit))
        k = e
    return out


def _sentence_initial(t: Tokens, k: int) -> bool:
    if k == 0:
        return True
    gap = t.text[int(t.ends[k - 1]):int(t.starts[k])]
    return (t.para[k] != t.para[k - 1]) or any(c in gap for c in ".!?:\"“”")


_CONNECT = frozenset({"al", "bin", "ibn", "de", "del", "da", "di", "van", "von", "le", "la",
                      "of", "el"})


def mentions(t: Tokens, i: int, j: int, known_caps: frozenset[str] = frozenset(),
             initial: np.ndarray | None = None) -> list[Fact]:
    """Name mentions in tokens ``i..j-1``: runs of capitalised words.

    A capitalised word at the start of a sentence counts only when it is not
    a function word and is also written capitalised mid-sentence somewhere
    (``known_caps``), so "However" or "The" are not names. Dates are not names.

    >>> from wiretrace.normalize import tokenize
    >>> t = tokenize("However, Bashar al-Assad met U.S. envoys in Rome on Tuesday.")
    >>> [t.text[t.starts[m.i]:t.ends[m.j - 1]] for m in mentions(t, 0, len(t))]
    ['Bashar al-Assad', 'U.S.', 'Rome']
    """
    forms, caps = t.forms, t.caps
    if initial is None:
        initial = sentence_initial(t, i, j)
        off = i
    else:
        off = 0
    out: list[Fact] = []
    if not np.count_nonzero(caps[i:j]):  # ndarray.any() costs ~2x more on a sentence
        return out
    k = i
    while k < j:
        if not caps[k] or forms[k] in WEEKDAYS or forms[k] in MONTHS or forms[k][:1].isdigit():
            k += 1
            continue
        raw = t.text[int(t.starts[k]):int(t.ends[k])]
        acronym = len(raw) >= 2 and raw.replace(".", "").isupper()
        if not acronym and (forms[k] in STOPWORDS or
                            (initial[k - off] and forms[k] not in known_caps)):
            k += 1
            continue
        s = k
        e = k + 1
        while e < j:
            if caps[e] and forms[e] not in WEEKDAYS and not forms[e][:1].isdigit() \
                    and not initial[e - off]:
                e += 1
            elif forms[e] in _CONNECT and e + 1 < j and caps[e + 1] and not initial[e + 1 - off]:
                e += 2
            else:
                break
        # a run may not cross punctuation other than hyphens and dots
        cut = e
        for m in range(s + 1, e):
            gap = t.text[int(t.ends[m - 1]):int(t.starts[m])]
            if gap.strip(" -‐‑.") != "" or gap.count(" ") > 1:
                cut = m
                break
        e = cut
        name = t.text[int(t.starts[s]):int(t.ends[e - 1])]
        out.append(Fact(s, e, "entity", name))
        k = e
    return out


_BREAK_RE = re.compile(r"[.!?:\"“”\n]")


def sentence_initial(t: Tokens, i: int = 0, j: int | None = None) -> np.ndarray:
    """Per token of ``i..j-1``: does it open a sentence (or paragraph, or quote)?

    Vectorised: a token is initial when sentence punctuation, a quote mark or
    a line break stands between it and the previous token.
    """
    if i == 0 and (j is None or j == len(t)):
        return t.cached("sentence_initial", lambda: _sentence_initial(t, 0, len(t)))
    return _sentence_initial(t, i, len(t) if j is None else j)


def _sentence_initial(t: Tokens, i: int, j: int) -> np.ndarray:
    if j <= i:
        return np.zeros(0, dtype=bool)
    marks = np.fromiter((m.start() for m in _BREAK_RE.finditer(t.text)), dtype=np.int64)
    starts, ends = t.starts[i:j], t.ends[i:j]
    prev_end = np.empty(j - i, dtype=np.int64)
    prev_end[1:] = ends[:-1]
    prev_end[0] = t.ends[i - 1] if i > 0 else -1
    if len(marks):
        hit = np.searchsorted(marks, starts, "left") > np.searchsorted(marks, prev_end, "left")
    else:
        hit = np.zeros(j - i, dtype=bool)
    para = t.para[i:j]
    prev_para = np.empty(j - i, dtype=para.dtype)
    prev_para[1:] = para[:-1]
    prev_para[0] = t.para[i - 1] if i > 0 else -1
    out = hit | (para != prev_para)
    if i == 0:
        out[0] = True
    return out


def known_capitals(t: Tokens, initial: np.ndarray | None = None) -> frozenset[str]:
    """Forms written capitalised somewhere mid-sentence in ``t`` (likely names)."""
    if initial is None:
        return t.cached("known_capitals", lambda: known_capitals(t, sentence_initial(t)))
    mask = t.caps & ~initial
    return frozenset(t.forms[k] for k in np.flatnonzero(mask).tolist())


def char_span(t: Tokens, f: Fact) -> tuple[int, int]:
    """Character span of a fact, with a leading currency sign when there is one."""
    s, e = int(t.starts[f.i]), int(t.ends[f.j - 1])
    if f.kind == "number" and s > 0 and t.text[s - 1] in _CURRENCY_SIGNS:
        s -= 1
    return s, e

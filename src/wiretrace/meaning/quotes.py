"""Direct quotes, who said them, and how faithfully the other text reproduces them.

Extraction: text between double quote marks, curly (“…”) or straight ("…"),
within a paragraph; a quote left open at the end of a paragraph closes there
(the newsroom convention for quotes running over paragraphs). Single quotes
are not used: they double as apostrophes. The speaker comes from the
attribution after the quote (`…," Kerry said`, `said Kerry`, `he told
reporters`) or before it (`Kerry said the two sides were "…"`, `Hammond
said: "…"`); a quote with no attribution of its own continues the previous
quote's speaker (`"…," Kerry said. "That country has resources…"`), and a
pronoun ("he said") resolves to the nearest person named before it as the
subject of a speech verb.

Status against the other text, on normalized word forms: "exact" (all the
quote's words appear there in order), "trimmed" (a contiguous part of it
does, the rest is missing), "altered" (reproduced with words changed inside),
"unmatched". An alteration whose only changes are aliases ("IS" for
"Daesh") is "altered" but raises no conflict, since no fact changed; any
other change inside a reproduced *quote* raises a Conflict of kind "quote".
"""

from __future__ import annotations

import bisect
import re

import numpy as np
from rapidfuzz.distance import Levenshtein

from ..fingerprint import STOPWORDS, stop_mask
from ..normalize import Tokens
from ..records import Conflict, Quote
from .aliases import TITLES, same_entity

_VERBS = (r"said|says|say|told|tells|added|adds|explained|stated|insisted|warned|declared|noted|"
          r"wrote|writes|tweeted|asked|replied|continued|argued|admitted|acknowledged|claimed|"
          r"stressed|remarked|recalled|urged|announced|concluded|complained|cautioned|observed")
_SUBJECT_VERBS = _VERBS + r"|dismissed|denied|rejected|confirmed|criticised|criticized|called"
_NAME = r"(?:[A-Z][\w'’\-]*\.?)(?:\s+(?:al-|el-|bin |de |van |von )?[A-Z][\w'’\-]*\.?){0,4}"
_PRONOUN = r"(?:he|she|they|I|we|He|She|They|We)"
_WHO = rf"(?:{_NAME}|{_PRONOUN}|the (?:minister|president|official|spokesman|spokeswoman|source))"
_AFTER = re.compile(rf"^[\s,.]*(?:(?P<n1>{_WHO})\s+(?:{_VERBS})\b|(?:{_VERBS})\s+(?P<n2>{_NAME}))")
_VERB_RE = re.compile(rf"\b(?:{_VERBS})\b")
_WHO_END = re.compile(rf"(?P<n>{_WHO})\s+$")
_SUBJECT = re.compile(rf"(?P<n>{_NAME})\s+(?:{_SUBJECT_VERBS})\b")
_PRON_SET = {"he", "she", "they", "i", "we"}
MIN_QUOTE_WORDS = 3


def _clean_name(name: str) -> str:
    """Drop leading titles: "British Foreign Secretary Philip Hammond" -> "Philip Hammond"."""
    words = name.split()
    keep = [w for w in words if w.lower().strip(".") not in TITLES]
    while len(keep) > 2 and (keep[0].lower().endswith(("ish", "an", "ese", "ian")) or keep[0] in ("U.S.", "U.S")):
        keep = keep[1:]
    keep = keep[-2:] if keep else words[-1:]
    return " ".join(keep).rstrip(".,")


# `` and '' are the opening and closing marks of Penn-Treebank-tokenized text.
# Written as one character class first, then the second ` or ' checked behind:
# "``|''|[…]" starts with an alternation, so re tried the whole pattern at every
# position of the text; a leading class lets it skip to the next candidate
# character (3x faster on the seed pair), and the matches are the same.
_MARK_RE = re.compile(r"[`'“”\"](?:(?<=`)`|(?<=')'|(?<=[“”\"]))")
# each mark as the kind it is: opening “, closing ” or either "
_KIND = {"“": "“", "``": "“", "”": "”", "''": "”", '"': '"'}
# Other languages' marks, looked for only in a text that has one: « » (fr es it ru tr
# ar; German and Danish print them »reversed«: the first one in the text tells),
# „ “ and „ ” (de pl: there “ closes), ‚ ‘ (de single quotes; ‚ is never an
# apostrophe), 「 」 and 『 』 (zh ja).
_INTL_MARKS = "«»„‚「」『』"
_INTL_MARK_RE = re.compile(r"[`'“”\"«»„‚‘「」『』](?:(?<=`)`|(?<=')'|(?<=[“”\"«»„‚‘「」『』]))")
_INTL_KIND = {**_KIND, "«": "“", "»": "”", "„": "“", "‚": "“", "「": "“", "」": "”", "『": "“", "』": "”"}
_ALL_MARKS = frozenset('"“') | frozenset(_INTL_MARKS)


def _marks(text: str) -> list[tuple[int, int, str]]:
    """Quote marks of ``text`` as ``(start, end, kind)``, kind "“" opening, "”" closing
    or '"' either.

    >>> [k for _, _, k in _marks("Er sagte: „Wir kommen.“ Dann ging er.")]
    ['“', '”']
    """
    if not any(c in text for c in _INTL_MARKS):
        return [(m.start(), m.end(), _KIND[m.group()]) for m in _MARK_RE.finditer(text)]
    kind = dict(_INTL_KIND)
    if "„" in text:
        kind["“"] = "”"
    if "‚" not in text:
        kind["‘"] = None  # an apostrophe or an English single quote: not a mark here
    else:
        kind["‘"] = "”"
    first = min((i for i in (text.find("«"), text.find("»")) if i >= 0), default=-1)
    if first >= 0 and text[first] == "»":
        kind["»"], kind["«"] = "“", "”"
    return [(m.start(), m.end(), kind[m.group()]) for m in _INTL_MARK_RE.finditer(text)
            if kind[m.group()] is not None]


def _spans(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inner spans of double-quoted stretches, per paragraph.

    A quote left open at the end of its paragraph closes there (the newsroom
    convention reopens it in the next paragraph), unless a later paragraph
    closes a mark before opening one: then the text has one sentence per line
    (ECB+, transcripts) and the quote runs over the lines up to that mark.
    """
    out: list[tuple[int, int]] = []
    marks = _marks(text)
    if not marks or not paragraphs:
        return out
    pstarts = [ps for ps, _ in paragraphs]
    para_of = [bisect.bisect_right(pstarts, at) - 1 for at, _, _ in marks]
    k = 0
    while k < len(marks):
        at, after, c = marks[k]
        if para_of[k] < 0 or c == "”":
            k += 1
            continue
        # an opening mark: find where it closes
        p = para_of[k]
        nxt = k + 1
        if nxt < len(marks) and para_of[nxt] == p and marks[nxt][2] != "“":
            out.append((after, marks[nxt][0]))
            k = nxt + 1
            continue
        if nxt < len(marks) and para_of[nxt] != p and marks[nxt][2] == "”" \
                and para_of[nxt] - p <= _MAX_QUOTE_LINES \
                and not _starts_with_mark(text, paragraphs[p + 1][0]):
            out.append((after, marks[nxt][0]))
            k = nxt + 1
            continue
        if nxt < len(marks) and para_of[nxt] == p:  # "“ … “": the second opens a new quote
            out.append((after, marks[nxt][0]))
            k = nxt
            continue
        out.append((after, paragraphs[p][1]))
        k = nxt
    return out


#: a quote runs over at most this many following lines (one sentence per line)
_MAX_QUOTE_LINES = 12


def _starts_with_mark(text: str, at: int) -> bool:
    m = _INTL_MARK_RE.match(text, at + len(text[at:at + 8]) - len(text[at:at + 8].lstrip()))
    return m is not None and m.group() != "‘"


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\n'‘\u00a0\u202f":
        s += 1
    while e > s and text[e - 1] in " \t\n,;:'’\u00a0\u202f，、：；":
        e -= 1
    return s, e


def extract(t: Tokens) -> list[Quote]:
    """Direct quotes of a text with their speakers (status "unmatched" until compared)."""
    return list(t.cached("quotes", lambda: tuple(_extract(t))))


def _extract(t: Tokens) -> list[Quote]:
    text = t.text
    if "``" not in text and _ALL_MARKS.isdisjoint(text):
        return []
    out: list[Quote] = []
    prev_speaker: str | None = None
    prev_end = 0
    prev_para = -1
    pstarts = [p[0] for p in t.paragraphs]
    for s, e in _spans(text, t.paragraphs):
        s, e = _trim(text, s, e)
        if e <= s:
            continue
        i, j = _token_range(t, s, e)
        if j - i < MIN_QUOTE_WORDS:
            continue
        para = bisect.bisect_right(pstarts, s) - 1
        pstart, pend = t.paragraphs[para]
        raw_after = text[e:min(pend, e + 100)]
        after = raw_after.lstrip(" ,.;:”\"»“」』\u00a0\u202f")
        # a full stop after the closing mark ends the sentence: no attribution follows
        ended = "." in raw_after[:len(raw_after) - len(after)].replace("..", "")
        before = text[max(pstart, s - 160):max(pstart, s - 1)]
        speaker = None
        speaker = _before_speaker(before)
        if speaker is None and (not ended or text[e - 1:e] in ".!?"):
            m = _AFTER.match(after)
            if m:
                speaker = m.group("n1") or m.group("n2")
        if speaker is None and prev_speaker is not None and para - prev_para <= 1:
            speaker = prev_speaker  # the quote goes on after an attribution
        if speaker is not None and speaker.split()[0].lower() in _PRON_SET | {"the"}:
            named = _last_subject(text, prev_end, s)
            speaker = named or (prev_speaker if prev_speaker and prev_speaker.lower() not in _PRON_SET else speaker)
        if speaker is not None and speaker.lower() not in _PRON_SET:
            speaker = _clean_name(speaker)
        out.append(Quote(s, e, text[s:e], speaker, "unmatched"))
        prev_speaker, prev_end, prev_para = speaker, e, para
    return out


def _before_speaker(before: str) -> str | None:
    """`Kerry said the two sides were "…` / `Hammond said: "…`: the name before the last verb."""
    last = None
    for m in _VERB_RE.finditer(before):
        last = m
    if last is None or len(before) - last.end() > 90:
        return None
    if any(c in before[last.end():] for c in ".!?“”\""):
        return None
    m = _WHO_END.search(before[max(0, last.start() - 80):last.start()])
    return m.group("n") if m else None


def _last_subject(text: str, lo: int, hi: int) -> str | None:
    """The last name used as the subject of a speech verb between ``lo`` and ``hi``."""
    window = text[max(0, lo, hi - 600):hi]
    last = None
    for m in _SUBJECT.finditer(window):
        name = m.group("n")
        if name.split()[0] in ("The", "A", "However", "But", "While", "Meanwhile", "And"):
            name = " ".join(name.split()[1:])
        if name:
            last = name
    return last


def _token_range(t: Tokens, s: int, e: int) -> tuple[int, int]:
    return t.first_at(s), t.first_at(e)


_STOP_FORMS = STOPWORDS


def _bigram_hashes(ids: np.ndarray) -> np.ndarray:
    u = ids.astype(np.uint64)
    with np.errstate(over="ignore"):
        return (u[:-1] * np.uint64(0x9E3779B97F4A7C15)) ^ u[1:]


def _content_mask(t: Tokens) -> np.ndarray:
    """Per bigram start: False when both words are stopwords (such bigrams never vote)."""
    stop = stop_mask(t)
    return ~(stop[:-1] & stop[1:])


class _Index:
    """Where the quotes' content bigrams occur in one text (built on first use)."""

    def __init__(self, t: Tokens, ranges: list[tuple[int, int]], qt: Tokens):
        self.t = t
        self.n = len(t)
        # per text, not per pair: a scan meets one text in many pairs
        self.joined = t.cached("quote_joined", lambda: " " + " ".join(t.forms) + " ")
        self.vocab = t.cached("quote_vocab", lambda: frozenset(t.forms))
        self.ranges = ranges
        self.qt = qt
        self._bigrams: dict[int, list[int]] | None = None

    @property
    def bigrams(self) -> dict[int, list[int]]:
        """Bigram hash -> positions in the text, for the quotes' bigrams only."""
        if self._bigrams is None:
            idx: dict[int, list[int]] = {}
            if self.n > 1:
                # bigrams of two stopwords never vote (see _best_window): leave them out,
                # they are the most frequent ones in the other text
                qt = self.qt
                qh = _text_bigrams(qt)
                content = qt.cached("content_bigrams", lambda: _content_mask(qt))
                sel = np.zeros(len(qh), dtype=bool)
                for i, j in self.ranges:
                    sel[i:j - 1] = True  # bigrams inside the quote: starts i .. j-2
                # sorted, duplicates and all: a lookup table for searchsorted needs no unique
                need = qh[sel & content]
                need.sort()
                h = _text_bigrams(self.t)
                if len(need):
                    pos = need.searchsorted(h)
                    np.minimum(pos, len(need) - 1, out=pos)
                    found = (need[pos] == h).nonzero()[0]
                    # positions grouped by hash, ascending within each; a few dozen hits
                    # per pair, so a dict of lists beats sorting and splitting arrays
                    for at, v in zip(found.tolist(), h[found].tolist()):
                        idx.setdefault(v, []).append(at)
            self._bigrams = idx
        return self._bigrams

    def may_hold(self, q: list[str]) -> bool:
        """Cheap test: enough of the quote's content words occur in the text at all."""
        content = [w for w in q if w not in STOPWORDS]
        hits = sum(1 for w in content if w in self.vocab)
        return hits >= max(2, 0.3 * len(content))


def _text_bigrams(t: Tokens) -> np.ndarray:
    """The bigram hashes of a whole text, once per text: a quote's are a slice of them
    (hashing each quote on its own cost more, mostly numpy's errstate)."""
    return t.cached("bigram_hashes", lambda: _bigram_hashes(t.ids))


def _best_window(q: list[str], qh: np.ndarray, index: _Index) -> tuple[int, int] | None:
    """The stretch of the other text that best matches the quote words ``q`` (bigram
    hashes ``qh``) by bigram votes on diagonals."""
    if len(q) < 2:
        return None
    bigrams = index.bigrams
    hits = []
    for k, h in enumerate(qh.tolist()):
        if (q[k] in _STOP_FORMS and q[k + 1] in _STOP_FORMS) or h not in bigrams:
            continue
        hits.extend((k, pos) for pos in bigrams[h])
    if not hits:
        return None
    votes: dict[int, int] = {}
    for k, pos in hits:
        votes[pos - k] = votes.get(pos - k, 0) + 1
    best = max(votes, key=lambda d: (sum(votes.get(d + x, 0) for x in range(-4, 5)), -abs(d)))
    near = [(k, pos) for k, pos in hits if abs((pos - k) - best) <= 4]
    k_lo, k_hi = min(k for k, _ in near), max(k for k, _ in near)
    p_lo, p_hi = min(p for _, p in near), max(p for _, p in near)
    return max(0, p_lo - k_lo - 2), min(index.n, p_hi + 2 + (len(q) - k_hi) + 2)


def _inside(quotes: list[Quote], s: int, e: int) -> bool:
    return any(q.start < e and q.end > s for q in quotes)


def compare_quotes(t: Tokens, quotes: list[Quote], other: Tokens, other_quotes: list[Quote],
                   t_is_a: bool) -> tuple[list[Quote], list[Conflict]]:
    """Set each quote's status against ``other``; return the quotes and any quote conflicts."""
    if not quotes:
        return quotes, []
    ranges = [_token_range(t, qt.start, qt.end) for qt in quotes]
    index = _Index(other, ranges, t)
    qh = _text_bigrams(t)
    out: list[Quote] = []
    conflicts: list[Conflict] = []
    for qt, (i, j) in zip(quotes, ranges):
        q = t.forms[i:j]
        if " " + " ".join(q) + " " in index.joined:
            out.append(Quote(qt.start, qt.end, qt.text, qt.speaker, "exact"))
            continue
        status = "unmatched"
        found = _window_ops(q, qh[i:j - 1], index, other)
        if found is not None:
            lo, ops = found
            eq = [k for k, op in enumerate(ops) if op.tag == "equal"]
            matched = sum(ops[k].src_end - ops[k].src_start for k in eq)
            if eq and matched >= max(MIN_QUOTE_WORDS, 0.3 * len(q)):
                first, last = eq[0], eq[-1]
                inner = [op for op in ops[first:last + 1] if op.tag != "equal"]
                covered_all = ops[first].src_start == 0 and ops[last].src_end == len(q)
                if not inner:
                    status = "exact" if covered_all else "trimmed"
                elif matched >= 0.5 * (ops[last].src_end - ops[first].src_start):
                    status = "altered"
                    o_s = int(other.starts[lo + ops[first].dest_start])
                    o_e = int(other.ends[lo + ops[last].dest_end - 1])
                    quoted_there = _inside(other_quotes, o_s, o_e)
                    for op in inner:
                        c = _quote_conflict(t, other, i, lo, op, t_is_a)
                        if c is not None and quoted_there:
                            conflicts.append(c)
                else:
                    status = "trimmed" if matched >= 0.3 * len(q) else "unmatched"
        out.append(Quote(qt.start, qt.end, qt.text, qt.speaker, status))
    return out, conflicts


def _window_ops(q: list[str], qh: np.ndarray, index: _Index, other: Tokens) -> tuple[int, list] | None:
    """Where the quote words ``q`` (bigram hashes ``qh``) best match in ``other``: the
    window start and the word opcodes of the quote against that window."""
    win = _best_window(q, qh, index) if index.may_hold(q) else None
    if win is None:
        return None
    lo, hi = win
    return lo, list(Levenshtein.opcodes(q, other.forms[lo:hi]))


def altered_runs(t: Tokens, quote: Quote, other: Tokens) -> list[tuple[int, int, int, int]]:
    """Token ranges ``(i0, i1, j0, j1)`` of the changed word runs of ``quote`` (a quote
    of ``t``) against ``other``: ``t`` words ``i0:i1`` became ``other`` words ``j0:j1``
    (one side may be empty). Only changes between the first and last reproduced
    words count; a quote ``other`` does not reproduce has none. Recomputed on demand
    by the views, the same way :func:`compare_quotes` found the quote "altered".

    >>> from wiretrace.normalize import tokenize
    >>> a = tokenize('He said: "we have seen IS playing a game of metastasizing out to Libya".')
    >>> b = tokenize('He said "we have seen Daesh playing a game of metastasizing out to Libya".')
    >>> [(a.forms[i], b.forms[j]) for i, _, j, _ in altered_runs(a, extract(a)[0], b)]
    [('is', 'daesh')]
    """
    i, j = _token_range(t, quote.start, quote.end)
    q = t.forms[i:j]
    if not q or " " + " ".join(q) + " " in other.cached(
            "quote_joined", lambda: " " + " ".join(other.forms) + " "):
        return []
    found = _window_ops(q, _text_bigrams(t)[i:j - 1], _Index(other, [(i, j)], t), other)
    if found is None:
        return []
    lo, ops = found
    eq = [k for k, op in enumerate(ops) if op.tag == "equal"]
    if not eq:
        return []
    runs: list[tuple[int, int, int, int]] = []
    for op in ops[eq[0]:eq[-1] + 1]:
        if op.tag == "equal":
            continue
        run = (i + op.src_start, i + op.src_end, lo + op.dest_start, lo + op.dest_end)
        # Levenshtein splits "IS" -> "Islamic State" into a replace and an insert: one run
        if runs and runs[-1][1] == run[0] and runs[-1][3] == run[2]:
            run = (runs[-1][0], run[1], runs[-1][2], run[3])
            runs.pop()
        runs.append(run)
    return runs


def _quote_conflict(t: Tokens, other: Tokens, i: int, lo: int, op, t_is_a: bool) -> Conflict | None:
    """A changed stretch inside a reproduced quote; None when it only swaps aliases."""
    s0, s1 = i + op.src_start, i + op.src_end
    d0, d1 = lo + op.dest_start, lo + op.dest_end
    if s1 > s0 and d1 > d0:
        x = t.text[int(t.starts[s0]):int(t.ends[s1 - 1])]
        y = other.text[int(other.starts[d0]):int(other.ends[d1 - 1])]
        if same_entity(x, y) and x[:1].isupper() and y[:1].isupper():
            return None
    # widen an insertion or deletion by one word so both fragments are non-empty
    if s1 <= s0 or d1 <= d0:
        s0, d0 = max(0, s0 - 1), max(0, d0 - 1)
        s1, d1 = max(s1, s0 + 1), max(d1, d0 + 1)
    ts, te = int(t.starts[s0]), int(t.ends[s1 - 1])
    os_, oe = int(other.starts[d0]), int(other.ends[d1 - 1])
    x, y = t.text[ts:te], other.text[os_:oe]
    note = f"quote altered: '{x}' / '{y}'"
    if t_is_a:
        return Conflict(ts, te, os_, oe, "quote", x, y, note)
    return Conflict(os_, oe, ts, te, "quote", y, x, note)

"""Spans that are packaging, not content: bylines, credit lines, datelines,
agency tags and masthead or copyright lines.

Reuse of these is not reuse of reporting, so they never seed or join a
passage and do not count towards coverage. Detection is by pattern, per
paragraph, so it needs no corpus; the scan layer adds corpus-level boilerplate
(text recurring across one outlet's documents).
"""

from __future__ import annotations

import re

AGENCIES = (
    "Reuters", "Reuter", "AP", "AFP", "Bloomberg", "dpa", "DPA", "UPI", "PA", "IANS", "PTI",
    "Xinhua", "ANSA", "EFE", "Kyodo", "Yonhap", "TASS", "CNN", "BBC", "Associated Press",
    "Agence France-Presse", "Press Association", "AAP", "CP", "ANI",
)
_AGENCY = "|".join(sorted((re.escape(a) for a in AGENCIES), key=len, reverse=True))

# "By Arshad Mohammed and Crispian Balmer" on a line of its own.
_BYLINE = re.compile(
    r"^(?:By|BY|Written by|Words by)\s+[A-Z][\w.'\-]*(?:[ \t]+(?:[A-Z][\w.'\-]*|and|&|,|in|de|van|von|al|bin|la|le))*"
    r"(?:[ \t]*[,|/\-–—][ \t]*[A-Z][\w .'\-]*)?[ \t]*$",
)
# "(Additional reporting by … ; editing by …)" anywhere, and such lines alone.
_CREDIT_PAREN = re.compile(
    r"\(\s*(?:additional\s+)?(?:reporting|writing|editing|edited|compiled|translated|"
    r"research|graphics|production)\s+by\b[^()]*(?:\([^()]*\)[^()]*)*\)",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    r"^(?:additional\s+)?(?:reporting|writing|editing|edited|compiled|translated)\s+by\b.{0,300}$",
    re.IGNORECASE,
)
# "ROME (Reuters) –", "NEW YORK, March 3 (AP) -", "SALVADOR, Feb 26 -", "Rome:".
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'\-]*(?:[ \t]+[A-Z][A-Za-z.'\-]*){0,3}"
    r"(?:,[ \t]*[A-Z][A-Za-z.]*(?:[ \t]+[A-Z][A-Za-z.]*)?)?"
    r"(?:,?[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})?[ \t]*)?"
    r"\((?:" + _AGENCY + r")\)[ \t]*(?:[-–—:|]+[ \t]*)?"
    r"|^[A-Z][A-Z.'\-]+(?:[ \t]+[A-Z][A-Z.'\-]+){0,3}"
    r"(?:,[ \t]*[A-Z][A-Za-z.]*(?:[ \t]+[A-Z][A-Za-z.]*)?)?"
    r"(?:,[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})?[ \t]+[-–—]+[ \t]+"
    r"|^[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?:[ \t]+(?=[A-Z\"“])",
)
_MASTHEAD = re.compile(
    r"^(?:©|\(c\)|copyright\b|all rights reserved|this (?:story|article) has not been edited"
    r"|follow (?:us|him|her) on|sign up for|click here|read more:|our standards:"
    r"|for more (?:news|stories)|subscribe (?:to|now)|share this article|related:).{0,300}$",
    re.IGNORECASE,
)
# Reuters-21578 ends each body with "Reuter" (and a \x03 end-of-text mark).
_END_TAG = re.compile(r"(?:^|(?<=\s))(?:" + _AGENCY + r")\s*\x03?\s*$")
#: longest agency name plus room for the spacing and end-of-text mark after it
_END_TAG_REACH = max(len(a) for a in AGENCIES) + 40


def boilerplate_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans of ``text`` that are packaging rather than reporting.

    >>> t = "By Jo Bloggs\\nROME (Reuters) - Talks began.\\n(Reporting by Jo Bloggs)"
    >>> [t[s:e] for s, e in boilerplate_spans(t, [(0, 12), (13, 42), (43, 67)])]
    ['By Jo Bloggs', 'ROME (Reuters) - ', '(Reporting by Jo Bloggs)']
    """
    spans: list[tuple[int, int]] = []
    for ps, pe in paragraphs:
        para = text[ps:pe]
        if len(para) <= 120 and _BYLINE.match(para) and len(para.split()) <= 14:
            spans.append((ps, pe))
            continue
        if len(para) <= 400 and (_CREDIT_LINE.match(para) or _MASTHEAD.match(para)):
            spans.append((ps, pe))
            continue
        m = _DATELINE.match(para)
        if m and m.end() < len(para):
            spans.append((ps, ps + m.end()))
        for m in _CREDIT_PAREN.finditer(para):
            spans.append((ps + m.start(), ps + m.end()))
    # the tag ends the text: searching only the tail keeps this O(1) per document
    # (the lookbehind still sees the character before the search start)
    m = _END_TAG.search(text, max(0, len(text.rstrip()) - _END_TAG_REACH))
    if m and m.start() > 0:
        spans.append((m.start(), len(text.rstrip())))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


_WIRE_TAG = re.compile(r"\((?:" + _AGENCY + r")\)")


def wire_signals(text: str, paragraphs: list[tuple[int, int]]) -> list[str]:
    """Signs that a text is agency copy as filed: "(Reuters)" datelines,
    bylines and credit lines.

    >>> wire_signals("By Jo Bloggs\\nLONDON (Reuters) - Hi.", [(0, 12), (13, 35)])
    ['agency dateline (Reuters)', 'byline']
    """
    out: list[str] = []
    head = text[: paragraphs[min(2, len(paragraphs) - 1)][1]] if paragraphs else ""
    m = _WIRE_TAG.search(head)
    if m:
        out.append(f"agency dateline {m.group()}")
    for ps, pe in paragraphs[:2]:
        para = text[ps:pe]
        if len(para) <= 120 and _BYLINE.match(para):
            out.append("byline")
            break
    if _CREDIT_PAREN.search(text) or any(_CREDIT_LINE.match(text[s:e]) for s, e in paragraphs[-3:]):
        out.append("credit line")
    return out

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
_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CAPS_CITY_SECOND = _CAPITALS | frozenset(".'-")


def _may_hold_dateline(para: str) -> bool:
    """False when :data:`_DATELINE` cannot match ``para``: each of its three forms needs
    "(" (the agency tag), two leading capitals ("ROME -") or ":" ("Rome: "). Most
    paragraphs have none of these, and the regex's backtracking over their leading
    capitalised words was ~3 us a paragraph.

    >>> _may_hold_dateline("ROME (Reuters) - Talks"), _may_hold_dateline("The talks began.")
    (True, False)
    """
    return "(" in para or ":" in para or (para[:1] in _CAPITALS and para[1:2] in _CAPS_CITY_SECOND)


_MASTHEAD = re.compile(
    r"^(?:©|\(c\)|copyright\b|all rights reserved|this (?:story|article) has not been edited"
    r"|follow (?:us|him|her) on|sign up for|click here|read more:|our standards:"
    r"|for more (?:news|stories)|subscribe (?:to|now)|share this article|related:).{0,300}$",
    re.IGNORECASE,
)
# The same packaging in other languages (de es fr it pl ru tr ar zh), tried only where the
# English patterns above find nothing. Capitals include accented Latin and Cyrillic ones.
_UP = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x530)) if c.isupper())
_INTL_AGENCIES = (
    "EFE", "Europa Press", "ANSA", "Adnkronos", "AGI", "LaPresse", "PAP", "KNA", "epd", "APA",
    "SDA", "Keystone-SDA", "Belga", "ANP", "Lusa", "Notimex", "Anadolu", "AA", "DHA", "İHA",
    "RIA Novosti", "РИА Новости", "ТАСС", "ИТАР-ТАСС", "Интерфакс", "Interfax", "ПРАЙМ",
    "رويترز", "أ ف ب", "د ب أ", "أ ب", "واس", "وام", "كونا", "سانا", "قنا", "بنا", "الأناضول",
    "新华社", "中新社", "路透社", "法新社", "美联社", "共同社",
)
_INTL_AGENCY = "|".join(sorted((re.escape(a) for a in AGENCIES + _INTL_AGENCIES), key=len, reverse=True))
_MONTHS = (r"[A-Za-zÀ-ÿа-яё]{3,10}\.?")
_CITY = rf"[{_UP}][{_UP}a-zà-ÿа-яё.'\-]*(?:[ \t]+[{_UP}][{_UP}a-zà-ÿа-яё.'\-]*){{0,3}}"
_CAPS_CITY = rf"[{_UP}][{_UP}.'\-]+(?:[ \t]+[{_UP}][{_UP}.'\-]+){{0,3}}"
_INTL_DATELINE = re.compile(
    # "MADRID, 3 mar (EFE) -", "MÜNCHEN (dpa) -", "القاهرة (رويترز) -"
    rf"^(?:(?:{_CITY}|[\u0600-\u06ff]+(?:[ \t]+[\u0600-\u06ff]+){{0,2}})"
    rf"(?:,[ \t]*\d{{1,2}}\.?[ \t]+{_MONTHS}(?:[ \t]+\d{{4}})?)?[ \t]*)?"
    rf"[(（](?:{_INTL_AGENCY})[)）][ \t]*(?:[-–—:|]+[ \t]*)?"
    # "МОСКВА, 5 мая - РИА Новости." and "ВАНКУВЕР -- "
    rf"|^{_CAPS_CITY}(?:,[ \t]*\d{{1,2}}\.?[ \t]+{_MONTHS}(?:[ \t]+\d{{4}})?)?[ \t]+[-–—]+[ \t]+"
    rf"(?:(?:{_INTL_AGENCY})[.,:]?[ \t]+)?"
    # "新华社北京3月5日电（记者 张三）", "中新网3月5日电"
    r"|^(?:新华社|中新社|中新网|人民网|央视网|央视新闻|环球网|路透社|法新社|美联社)[^\s，。]{0,12}?"
    r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}|[一二三四五六七八九十]{1,3})日电"
    r"(?:[（(][^）)]{0,40}[）)])?[ \t]*"
)
_INTL_BYLINE = re.compile(
    rf"^(?:Von|VON|Por|POR|Par|PAR|Di|DI|Autor|Autorka|Автор|Yazan|Muhabir|Haber)[:]?[ \t]+"
    rf"[{_UP}][\w.'\-]*(?:[ \t]+(?:[{_UP}][\w.'\-]*|und|y|et|e|i|и|ve|,|de|del|la|le|di|da|van|von))*"
    rf"(?:[ \t]*[,|/\-–—][ \t]*[{_UP}][\w .'\-]*)?[ \t]*$"
    r"|^بقلم[:]?[ \t]+[\u0600-\u06ff]+(?:[ \t]+[\u0600-\u06ff]+){0,4}[ \t]*$"
    r"|^[（(]?(?:记者|编辑|责任编辑|责编|作者|文|图)[:：\s]*"
    r"[\u4e00-\u9fff]{2,4}(?:[、 ][\u4e00-\u9fff]{2,4}){0,4}[）)]?$",
)
_INTL_CREDIT_PAREN = re.compile(
    r"[(（]\s*(?i:(?:información|reporte|reportaje|redacción|editado|edición|reportage|rédigé"
    r"|rédaction|édité|version française|tradotto|hanno collaborato|reporter|geschrieben|redigiert"
    r"|bearbeitet|mit material|redakcja|opracowanie|редактор|перевод|editör|hazırlayan|تحرير|إعداد)\b"
    r"|(?:编辑|责任编辑|责编|记者)[:：\s])[^()（）]*[)）]",
)
_INTL_MASTHEAD = re.compile(
    r"^(?:alle rechte vorbehalten|todos los derechos reservados|tous droits réservés"
    r"|tutti i diritti riservati|wszelkie prawa zastrzeżone|все права защищены|tüm hakları saklıdır"
    r"|جميع الحقوق محفوظة|版权所有|folgen sie uns|síguenos|suivez-nous|seguici|obserwuj nas"
    r"|подписывайтесь|bizi takip edin|تابعونا|关注我们|订阅|mehr zum thema|lesen sie auch"
    r"|lee también|lire aussi|leggi anche|czytaj (?:też|także)|читайте также|ayrıca bakınız"
    r"|اقرأ أيضا|延伸阅读|相关阅读).{0,300}$",
    re.IGNORECASE,
)


def _intl_spans(para: str) -> list[tuple[int, int]]:
    """Spans (relative to ``para``) of non-English credits, datelines and mastheads."""
    if len(para) <= 400 and _INTL_MASTHEAD.match(para):
        return [(0, len(para))]
    out = []
    m = _INTL_DATELINE.match(para)
    if m and m.end() < len(para):
        out.append((0, m.end()))
    # tried only at each parenthesis: str.find skips ahead ten times faster than a regex search
    for paren in "(（":
        at = para.find(paren)
        while at >= 0:
            m = _INTL_CREDIT_PAREN.match(para, at)
            if m:
                out.append(m.span())
            at = para.find(paren, m.end() if m else at + 1)
    return sorted(out)


# Reuters-21578 ends each body with "Reuter" (and a \x03 end-of-text mark).
_END_TAG = re.compile(r"(?:^|(?<=\s))(?:" + _AGENCY + r")\s*\x03?\s*$")
#: longest agency name plus room for the spacing and end-of-text mark after it
_END_TAG_REACH = max(len(a) for a in AGENCIES) + 40


# a letter outside ASCII: the text may be in another language than English
_FOREIGN_LETTER = re.compile(r"[^\W\d_a-zA-Z]")


def boilerplate_spans(text: str, paragraphs: list[tuple[int, int]], *,
                      intl: bool | None = None) -> list[tuple[int, int]]:
    """Character spans of ``text`` that are packaging rather than reporting.

    The other languages' patterns run only when ``intl`` (by default: when the
    text has a letter outside ASCII, as every de es fr it pl ru tr ar zh article
    has), so English text pays nothing for them.

    >>> t = "By Jo Bloggs\\nROME (Reuters) - Talks began.\\n(Reporting by Jo Bloggs)"
    >>> [t[s:e] for s, e in boilerplate_spans(t, [(0, 12), (13, 42), (43, 67)])]
    ['By Jo Bloggs', 'ROME (Reuters) - ', '(Reporting by Jo Bloggs)']
    """
    if intl is None:
        intl = not text.isascii() and _FOREIGN_LETTER.search(text) is not None
    spans: list[tuple[int, int]] = []
    for ps, pe in paragraphs:
        para = text[ps:pe]
        if len(para) <= 120 and _BYLINE.match(para) and len(para.split()) <= 14:
            spans.append((ps, pe))
            continue
        if len(para) <= 400 and (_CREDIT_LINE.match(para) or _MASTHEAD.match(para)):
            spans.append((ps, pe))
            continue
        if intl and len(para) <= 120 and _INTL_BYLINE.match(para) and len(para.split()) <= 14:
            spans.append((ps, pe))  # before the datelines: "Autor: Jan Kowalski" is no "Rome: "
            continue
        dateline = _DATELINE.match(para) if _may_hold_dateline(para) else None
        if dateline and dateline.end() < len(para):
            spans.append((ps, ps + dateline.end()))
        n = len(spans)
        for m in _CREDIT_PAREN.finditer(para):
            spans.append((ps + m.start(), ps + m.end()))
        if intl and dateline is None and len(spans) == n:
            spans.extend((ps + s, ps + e) for s, e in _intl_spans(para))
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

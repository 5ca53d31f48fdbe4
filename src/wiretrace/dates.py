"""Publication dates: parsing with precision, finding them in pages and text,
and comparing them only where the comparison means something. Pure functions.

A date is kept as the ISO 8601 text it was given ("2016", "2016-03",
"2016-03-01", "2016-03-01T10:00:00Z"); its *precision* is ``"year"``,
``"month"`` or ``"day"`` (a time of day is day precision with a time). A
year or a month never orders two documents: a story's documents are days
apart, so "2016" says nothing about which came first. Two day dates order
by day, and by time only when both carry one ("2016-03-01" and
"2016-03-01T10:00" are not ordered: the first has no time, not midnight).

Where a date came from is one of :data:`SOURCES`. A copyright year, a
"last modified" or crawl date is never a publication date, so page dates come
only from publication metadata and text dates only from a dateline or a
byline (see :func:`page_date` and :func:`text_date`).

    >>> parse_date("2016").precision, parse_date("2016-03-01T10:00Z").precision
    ('year', 'day')
    >>> date_order("2016-03-01", "2016-03-02"), date_order("2016", "2016-03-02")
    (-1, None)
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from .errors import ConfigError

__all__ = ["DateInfo", "DateError", "SOURCES", "parse_date", "check_date", "date_order",
           "day_date", "format_date", "pair_dates", "date_bounds", "page_date", "text_date"]

#: where a document's date came from
SOURCES = ("input", "page-metadata", "dateline", "byline")
_ISO = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?)?)?")
_EXPECTED = ("an ISO 8601 date such as 2016-01-12 or 2016-01-12T09:30:00Z "
             "(2016 or 2016-01 for a year or a month)")


class DateError(ConfigError):
    """A date given to wiretrace is not an ISO 8601 date."""


@dataclass(frozen=True, slots=True)
class DateInfo:
    """A parsed date: its ISO text, precision and (for day dates) its instant."""

    iso: str
    precision: str
    #: naive UTC; None unless the precision is "day"
    when: datetime | None = None
    #: whether the text carries a time of day
    has_time: bool = False


def parse_date(value: Any) -> DateInfo | None:
    """``value`` (ISO 8601 text, ``date`` or ``datetime``) as a :class:`DateInfo`,
    or None when it is empty or not an ISO 8601 date.

    >>> parse_date("2016-03-01T10:00:00+02:00").when
    datetime.datetime(2016, 3, 1, 8, 0)
    >>> parse_date("2016-02-30") is None
    True
    """
    if isinstance(value, datetime):
        when = value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
        return DateInfo(value.isoformat(), "day", when, True)
    if isinstance(value, date):
        return DateInfo(value.isoformat(), "day", datetime(value.year, value.month, value.day))
    if value is None or isinstance(value, (bool, dict, list, float)):
        return None
    return _parse_text(str(value).strip())


@functools.lru_cache(maxsize=1 << 16)
def _parse_text(text: str) -> DateInfo | None:
    # a scan meets each document's date in many pairs: parse each text once
    m = _ISO.fullmatch(text)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups())
    try:
        date(year, month or 1, day or 1)
        time(hour, minute, min(second, 59))  # allow a leap second
    except ValueError:
        return None
    if not m.group(2):
        return DateInfo(text, "year")
    if not m.group(3):
        return DateInfo(text, "month")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:  # a form fromisoformat refuses (a leap second, "+0200"): keep the day
        when = datetime(year, month, day, hour, minute, min(second, 59))
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return DateInfo(text, "day", when, m.group(4) is not None)


def check_date(value: Any, what: str = "date") -> DateInfo | None:
    """:func:`parse_date` for a date a caller passed in: None for None or "",
    else the date, or :class:`DateError` naming the value and the expected form.

    >>> try:
    ...     check_date("12/01/2016", "a_date")
    ... except DateError as exc:
    ...     print(str(exc).split(" such as")[0])
    a_date '12/01/2016' is not a date: give an ISO 8601 date
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    got = parse_date(value)
    if got is None:
        raise DateError(f"{what} {str(value)[:80]!r} is not a date: give {_EXPECTED}")
    return got


def day_date(value: Any) -> str | None:
    """``value`` when it is a valid day-precision date (the only kind that may
    order two documents), else None.

    >>> day_date("2016-03-01"), day_date("2016"), day_date("soon")
    ('2016-03-01', None, None)
    """
    got = parse_date(value)
    return value if got is not None and got.precision == "day" else None


_OFFSET = re.compile(r"(?:[Zz]|([+-]\d{2}):?(\d{2})?)$")


def format_date(value: Any, precision: str | None = None) -> str:
    """A date as every page of wiretrace prints it, saying its precision: a day
    ``2016-03-01`` (with ``HH:MM`` and the offset the text carries, when it has
    a time), ``2016-03 (month only)``, ``2016 (year only)``, ``undated``; text
    that is no ISO 8601 date is shown cut to 40 characters and marked.
    ``precision`` is the one the index stored (else read off the text).

    >>> format_date("2016-03-01T10:00:00Z"), format_date("2016-03-01T10:00:00+02:00")
    ('2016-03-01 10:00 UTC', '2016-03-01 10:00 +02:00')
    >>> format_date("2016-03", "month"), format_date("2016"), format_date(None)
    ('2016-03 (month only)', '2016 (year only)', 'undated')
    >>> format_date("last Tuesday")
    'last Tuesday (not a date)'
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return "undated"
    got = parse_date(value)
    if got is None:
        text = " ".join(str(value).split())
        return (text if len(text) <= 40 else text[:39] + "…") + " (not a date)"
    precision = precision if precision in ("year", "month", "day") else got.precision
    iso = got.iso
    if precision == "year" or got.precision == "year":
        return f"{iso[:4]} (year only)"
    if precision == "month" or got.precision == "month":
        return f"{iso[:7]} (month only)"
    if not got.has_time:
        return iso[:10]
    m = _OFFSET.search(iso[16:])
    zone = "" if m is None else " UTC" if m.group(0) in "Zz" else \
        " UTC" if m.group(1) in ("+00", "-00") and (m.group(2) or "00") == "00" else \
        f" {m.group(1)}:{m.group(2) or '00'}"
    return f"{iso[:10]} {iso[11:16]}{zone}"


def date_order(a: Any, b: Any) -> int | None:
    """-1 when ``a`` is dated before ``b``, 1 after, None when the two dates do
    not order them (either missing, year or month precision, the same day
    without a time on both, or the same instant).

    >>> date_order("2016-03-01T09:00", "2016-03-01T10:00"), date_order("2016-03-01", "2016-03-01T10:00")
    (-1, None)
    """
    da = a if isinstance(a, DateInfo) else parse_date(a)
    db = b if isinstance(b, DateInfo) else parse_date(b)
    if da is None or db is None or da.when is None or db.when is None:
        return None
    if da.has_time and db.has_time:
        ka, kb = da.when, db.when
    else:  # a day without a time is the whole day: compare days only
        ka, kb = _day(da), _day(db)
    return None if ka == kb else (-1 if ka < kb else 1)


def pair_dates(a: Any, b: Any) -> tuple[Any, Any]:
    """The two dates to hand to :func:`wiretrace.compare` for a pair: both when
    they order the pair (:func:`date_order`), else neither, so that a year, a
    month or a day without a time never decides the likelier source.

    >>> pair_dates("2016-03-01", "2016-03-02"), pair_dates("2016", "2016-03-02")
    (('2016-03-01', '2016-03-02'), (None, None))
    """
    return (a, b) if date_order(a, b) is not None else (None, None)


def _day(d: DateInfo) -> date:
    return d.when.date()  # type: ignore[union-attr]


def date_bounds(value: Any) -> tuple[datetime, datetime] | None:
    """The earliest and latest instant ``value`` may stand for: a day date is a
    point (as stories have always read it), a month or a year the whole span.
    None when there is no date.

    >>> date_bounds("2016-02")
    (datetime.datetime(2016, 2, 1, 0, 0), datetime.datetime(2016, 2, 29, 23, 59, 59))
    """
    d = value if isinstance(value, DateInfo) else parse_date(value)
    if d is None:
        return None
    if d.when is not None:
        return d.when, d.when
    year = int(d.iso[:4])
    if d.precision == "year":
        return datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59)
    month = int(d.iso[5:7])
    nxt = datetime(year + month // 12, month % 12 + 1, 1)
    return datetime(year, month, 1), nxt - timedelta(seconds=1)


# -- dates in pages and texts ------------------------------------------------------

#: meta names/properties that state when an article was first published
_META_KEYS = ("article:published_time", "og:article:published_time", "og:published_time",
              "datepublished", "date_published", "publishdate", "publish-date", "publish_date",
              "pubdate", "publication_date", "published_time", "published-date", "dc.date.issued",
              "dcterms.issued", "dc.date", "dcterms.date", "date", "sailthru.date",
              "parsely-pub-date", "article.published", "original-publish-date", "citation_date",
              "citation_publication_date")
_NOT_PUBLISHED = re.compile(r"modif|updat|revis|copyright|crawl|retriev|access|expir|edit", re.I)


def _loose(value: str | None) -> DateInfo | None:
    """A metadata value as a date: ISO 8601, or an RFC 2822 date ("Tue, 12 Jan 2016 …")."""
    if not value:
        return None
    text = value.strip()
    got = parse_date(text)
    if got is None:
        m = _ISO.match(text)  # ISO with trailing junk: "2016-01-12T10:00:00.000+0000"
        if m and m.group(3):
            got = parse_date(m.group(0)[:10])
    if got is None:
        try:
            got = parse_date(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            got = None
    return got


def page_date(markup: str) -> DateInfo | None:
    """The publication date a saved page states in its metadata: ``<meta>``
    publication tags (``article:published_time``, ``datePublished``, ``date``…),
    ``datePublished`` in JSON-LD or microdata, or a ``<time datetime>`` inside
    the article. Footers, copyright lines and modification dates are never read.

    >>> page_date('<html><head><meta property="article:published_time" '
    ...           'content="2016-01-12T10:00:00Z"></head><body>x</body></html>').iso
    '2016-01-12T10:00:00Z'
    >>> page_date("<html><body><p>x</p><footer>Copyright 2016</footer></body></html>") is None
    True
    """
    try:
        import lxml.html
    except ImportError:  # pragma: no cover - lxml comes with the html extra
        return None
    try:
        root = lxml.html.fromstring(markup)
    except (ValueError, TypeError, Exception):  # lxml raises its own kinds on odd markup
        return None
    found: dict[str, DateInfo] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _META_KEYS and key not in found:
            got = _loose(meta.get("content"))
            if got is not None:
                found[key] = got
    for key in _META_KEYS:  # the most specific tag first
        if key in found:
            return found[key]
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            got = _jsonld_date(script.text or "")
            if got is not None:
                return got
    for el in root.xpath('//*[@itemprop="datePublished"]'):
        got = _loose(el.get("datetime") or el.get("content") or el.text_content())
        if got is not None:
            return got
    for el in root.xpath("//article//time[@datetime] | //time[@pubdate]"):
        if el.xpath("ancestor::footer") or _NOT_PUBLISHED.search(
                " ".join(filter(None, (el.get("class"), el.get("itemprop"), el.get("id"))))):
            continue
        got = _loose(el.get("datetime"))
        if got is not None:
            return got
    return None


def _jsonld_date(text: str) -> DateInfo | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            value = item.get("datePublished")
            if isinstance(value, str) and (got := _loose(value)) is not None:
                return got
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return None


_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MON = r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|" \
       r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DAY_TEXT = (rf"(?:{_MON}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
             rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON.replace('mon', 'mon2')}\s+(?P<y2>\d{{4}})"
             r"|(?P<iso>\d{4}-\d{2}-\d{2})|(?P<slash>\d{4}/\d{2}/\d{2}))")
#: a dateline: "ROME, Jan. 12, 2016 (Reuters) -" at the start of the text
_DATELINE = re.compile(rf"^[A-Z][A-Za-z .'’-]{{1,40}},\s+{_DAY_TEXT}\s*(?:\([^)]{{1,40}}\))?\s*[-–—:]",
                       re.I)
#: a byline date: a short line near the top that is a date, or says when it was published
_BYLINE = re.compile(rf"^(?:(?:first\s+)?(?:published|posted|filed|dated)(?:\s+on)?:?\s*|by\s+[^,|\n]{{1,60}}"
                     rf"[,|·-]\s*)?(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?{_DAY_TEXT}"
                     r"(?:[\s,]+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?\s*$", re.I)
_TOP_LINES = 4


def text_date(text: str) -> tuple[DateInfo, str] | None:
    """A day date the article text states about itself, and where: a dateline
    ("ROME, Jan. 12, 2016 (Reuters) -") opening the text, or a byline date (a
    short line among the first few that is a date, "Published 12 January 2016").
    Dates inside the story, copyright and "updated" lines are not read.

    >>> got = text_date("ROME, Jan. 12, 2016 (Reuters) - Kerry said on Tuesday ...")
    >>> got[0].iso, got[1]
    ('2016-01-12', 'dateline')
    >>> text_date("Copyright 2016 Reuters\\nKerry said on January 12, 2016 that ...") is None
    True
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:_TOP_LINES]
    for i, line in enumerate(lines):
        head = line[:160]
        if _NOT_PUBLISHED.search(head[:60]) or "©" in head:
            continue
        m = _DATELINE.match(head)
        if m and i < 2:
            got = _from_match(m)
            if got is not None:
                return got, "dateline"
        if len(line) <= 100:
            m = _BYLINE.match(line)
            if m:
                got = _from_match(m)
                if got is not None:
                    return got, "byline"
    return None


def _from_match(m: re.Match) -> DateInfo | None:
    g = m.groupdict()
    if g.get("iso") or g.get("slash"):
        return parse_date((g.get("iso") or g["slash"]).replace("/", "-"))
    mon = (g.get("mon") or g.get("mon2") or "")[:3].lower()
    day, year = (g.get("d1"), g.get("y1")) if g.get("mon") else (g.get("d2"), g.get("y2"))
    try:
        return parse_date(date(int(year), _MONTHS[mon], int(day)).isoformat())
    except (KeyError, TypeError, ValueError):
        return None

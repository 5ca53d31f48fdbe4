"""Convert Reuters-21578 SGML (reut2-*.sgm) to wiretrace JSONL.

    python bench/reuters_to_jsonl.py [SGML_DIR] [OUT.jsonl]

One line per <REUTERS> record that has a <BODY>: ``id`` (NEWID), ``text``
(the body, entities unescaped, the \\x03 end-of-story byte removed), ``title``,
``date`` (ISO 8601), ``source`` = "reuters", plus ``topics``/``places``/
``lewissplit``/``oldid`` passed through. The full collection gives 19043 lines.
"""

from __future__ import annotations

import html
import json
import re
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SGML = ROOT.parent / "shared" / "data" / "reuters21578"
DEFAULT_OUT = ROOT / "bench" / "out" / "reuters.jsonl"
EXPECTED = 19043  # records with a <BODY> in the 22 files of Distribution 1.0

RECORD = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
ATTR = re.compile(r'(\w+)="([^"]*)"')
BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
DATE = re.compile(r"<DATE>(.*?)</DATE>", re.S)
TAGS = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("TOPICS", "PLACES")}
D = re.compile(r"<D>(.*?)</D>", re.S)
# "26-FEB-1987 15:01:01.79"; a few records carry junk after it ("605:12:19.12").
REUTERS_DATE = re.compile(r"\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})(?:\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?")
MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}


def iso_date(raw: str) -> str | None:
    """``"26-FEB-1987 15:01:01.79"`` -> ``"1987-02-26T15:01:01.790"``.

    A malformed time keeps just the day (``"1987-03-31"``); a malformed day gives None.
    """
    m = REUTERS_DATE.match(raw)
    if not m or m.group(2).upper() not in MONTHS:
        return None
    day, mon, year, hh, mm, ss, frac = m.groups()
    try:
        day_only = datetime(int(year), MONTHS[mon.upper()], int(day))
    except ValueError:
        return None
    try:
        return day_only.replace(hour=int(hh), minute=int(mm), second=int(ss),
                                microsecond=int((frac or "0").ljust(6, "0"))
                                ).isoformat(timespec="milliseconds")
    except (TypeError, ValueError):  # no time, or an impossible one
        return day_only.date().isoformat()


def records(sgml: str):
    """Yield one JSON-ready dict per <REUTERS> record with a <BODY>."""
    for m in RECORD.finditer(sgml):
        attrs, inner = dict(ATTR.findall(m.group(1))), m.group(2)
        body = BODY.search(inner)
        if body is None:
            continue
        title, date = TITLE.search(inner), DATE.search(inner)
        rec = {
            "id": attrs["NEWID"],
            "text": html.unescape(body.group(1)).replace("\x03", ""),
            "title": html.unescape(title.group(1)).strip() if title else None,
            "date": iso_date(date.group(1)) if date else None,
            "source": "reuters",
            "oldid": attrs.get("OLDID"),
            "lewissplit": attrs.get("LEWISSPLIT"),
        }
        for name, pattern in TAGS.items():
            tag = pattern.search(inner)
            rec[name.lower()] = D.findall(tag.group(1)) if tag else []
        yield rec


def main(argv: list[str]) -> int:
    sgml_dir = Path(argv[0]) if argv else DEFAULT_SGML
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    files = sorted(sgml_dir.glob("reut2-*.sgm"))
    if not files:
        print(f"no reut2-*.sgm files in {sgml_dir}; pass the Reuters-21578 folder", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for path in files:  # one file (~1.3 MB) in memory at a time
            # latin-1 maps every byte, so the few stray high bytes never stop a run.
            for rec in records(path.read_bytes().decode("latin-1")):
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                count += 1
    print(f"{count} records -> {out}")
    if len(files) == 22 and count != EXPECTED:
        print(f"expected {EXPECTED} records from the full collection", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

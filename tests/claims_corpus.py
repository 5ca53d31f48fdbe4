"""Corpora for the issue-13 corpus checks, made at test time by the same
operations from any wire story and a paper's version of it (our fixtures, or
the seed pair when ../shared is present):

* a dated JSONL corpus: the wire original, an edited trim of it, a verbatim
  copy of its first paragraphs and the paper's version, each with its own
  outlet and a plausible date in that order; beside it a saved HTML page
  copying the wire text whose only date is a "Copyright 2016" footer;
* an undated folder of .txt files: copies, a duplicate and independent
  reports, with no date and no outlet anywhere but in the texts themselves.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

_BOILER = re.compile(r"^(By [A-Z]|\(Additional|\(Reporting|\(Writing|\(Editing)")


def body_paragraphs(wire: str) -> list[str]:
    """The wire story's paragraphs without its byline and credit lines."""
    return [p.strip() for p in wire.splitlines() if p.strip() and not _BOILER.match(p.strip())]


def edit(paragraph: str, k: int) -> str:
    """An edited version of a paragraph: every 7th word from the 3rd is dropped
    and another changed, as a subeditor tightens copy (an edit rate above 0 that
    the aligner still bridges)."""
    words = paragraph.split()
    out = []
    for i, w in enumerate(words):
        if i % 7 == 2 and i > 0:
            continue  # dropped
        out.append(w.upper() if i % 7 == 5 and w.isalpha() and k % 2 == 0 else
                   ("also " + w if i % 7 == 5 else w))
    return " ".join(out)


def dated_corpus(folder: Path, wire: str, paper: str) -> dict[str, str]:
    """Write ``corpus.jsonl`` and ``saved.html`` into ``folder``; returns the ids by role."""
    folder.mkdir(parents=True, exist_ok=True)
    body = body_paragraphs(wire)
    keep = max(3, (len(body) * 2) // 3)
    trim = "\n".join(edit(p, k) for k, p in enumerate(body[:keep]))
    verbatim = "\n".join(body[:3])
    records = [
        {"id": "wire", "text": wire, "source": "Reuters", "date": "2016-01-12T08:00:00Z"},
        {"id": "trim", "text": trim, "source": "Trim Daily", "date": "2016-01-12T10:00:00Z"},
        {"id": "verbatim", "text": verbatim, "source": "Verbatim Post",
         "date": "2016-01-12T12:00:00Z"},
        {"id": "paper", "text": paper, "source": "The Paper", "date": "2016-01-13"},
    ]
    (folder / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records),
                                         encoding="utf-8")
    paras = "".join(f"<p>{html.escape(p.strip())}</p>" for p in wire.splitlines() if p.strip())
    (folder / "saved.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Saved article</title></head>"
        "<body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>Saved article</h1>{paras}</article>"
        "<footer><p>Copyright 2016 Example Media. All rights reserved.</p></footer>"
        "</body></html>", encoding="utf-8")
    return {"wire": "wire", "trim": "trim", "verbatim": "verbatim", "paper": "paper",
            "page": "saved.html"}


_INDEPENDENT = (
    "Delegates gathered in Switzerland this week for a fresh attempt at ending the fighting "
    "in Yemen. Negotiators for the Houthis and for the government sat in separate rooms while "
    "the UN mediator carried proposals between them. A deal on freeing detainees is seen as "
    "the first test of goodwill.\nAid groups meeting in Cairo warned that food stocks in the "
    "north would run out by spring without new shipments.",
    "Yemen's warring parties are back at the negotiating table in Geneva. Our correspondent "
    "says neither side expects a breakthrough soon, but a swap of prisoners could be agreed "
    "within weeks. The Saudi-led coalition has said it backs the effort.\nResidents of "
    "Sanaa described long queues for fuel and bread.",
)


def undated_folder(folder: Path, wire: str, paper: str) -> list[str]:
    """Write an undated .txt folder; returns the file ids."""
    folder.mkdir(parents=True, exist_ok=True)
    body = body_paragraphs(wire)
    files = {
        "wire.txt": wire,
        "copy/trimmed.txt": "\n".join(body[: max(2, len(body) // 2)]),
        "copy/edited.txt": "\n".join(edit(p, k) for k, p in enumerate(body)),
        "paper.txt": paper,
        "dup/wire-again.txt": wire,
        "other/independent-1.txt": _INDEPENDENT[0],
        "other/independent-2.txt": _INDEPENDENT[1],
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(files)


def unsupported_claims(stories: list[dict]) -> list[str]:
    """Stories naming an earliest witness that no provenance edge starts from."""
    bad = []
    for s in stories:
        if s.get("earliest") is None:
            continue
        if not any(e["source"] == s["earliest"] for e in s.get("provenance") or []):
            bad.append(s["story"])
    return bad

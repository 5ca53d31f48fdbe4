"""A wire story's family for ranking tests: the original, an edited trim of it, a
verbatim copy of its first paragraphs and a newspaper's version, dated in that
order (issue 13's corpus). Built from the seed pair when ../shared is present
and from the repository's own example story otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SEEDS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def texts(kind: str) -> tuple[str, str] | None:
    """``(wire, newspaper)`` of ``kind`` ("seeds" or "examples"); None when absent."""
    if kind == "seeds":
        if not SEEDS.exists():
            return None
        return (next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8"),
                next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8"))
    return ((EXAMPLES / "corpus" / "reuters-yemen-talks.txt").read_text(encoding="utf-8"),
            (EXAMPLES / "corpus" / "gazette-yemen.txt").read_text(encoding="utf-8"))


def _edit(paragraph: str) -> str:
    # every seventh word changed: an edited copy (edit rate ~0.14), not a verbatim one
    words = paragraph.split(" ")
    return " ".join("also" if i % 7 == 3 else w for i, w in enumerate(words))


def family(wire: str, paper: str) -> list[dict]:
    """The four documents as JSONL records."""
    paras = [p for p in wire.split("\n") if p.strip()]
    body = paras[1:]  # without the byline
    return [
        {"id": "wire", "source": "Wire", "date": "2016-02-02T10:00:00", "title": "The original", "text": wire},
        {"id": "trim", "source": "Trimmer", "date": "2016-02-02T12:00:00", "title": "An edited trim",
         "text": "\n".join(_edit(p) for p in body[:max(4, 2 * len(body) // 3)])},
        {"id": "copy", "source": "Copier", "date": "2016-02-02T14:00:00", "title": "A verbatim copy",
         "text": "\n".join(body[:3])},
        {"id": "paper", "source": "Paper", "date": "2016-02-03T06:00:00", "title": "The paper's version",
         "text": paper},
    ]


def write(kind: str, path: Path) -> Path | None:
    got = texts(kind)
    if got is None:
        return None
    path.write_text("".join(json.dumps(r) + "\n" for r in family(*got)), encoding="utf-8")
    return path


def made_from(paper: str) -> str:
    """A text made from the newspaper's version: its first paragraphs and a line of our own."""
    paras = [p for p in paper.split("\n") if p.strip()]
    return "\n".join(paras[:max(3, 3 * len(paras) // 4)]
                     + ["Our correspondent adds that the talks go on in a smaller group on Wednesday."])


def order_is_explained(hits: list[tuple[str, float, list[str]]]) -> list[str]:
    """What breaks the ranking rule in ``(id, explains, source_of ids)`` rows, in
    rank order: a hit stands above one that explains more of the query only as
    the (transitive) source of a hit that explains at least as much."""
    copies = {i: set(s) for i, _, s in hits}
    share = {i: round(e, 2) for i, e, _ in hits}

    def below(i: str) -> set[str]:
        seen, todo = set(), [i]
        while todo:
            for c in copies.get(todo.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        return seen

    bad = []
    for k, (x, ex, _) in enumerate(hits):
        for y, ey, _ in hits[k + 1:]:
            if share[x] < share[y] and not any(share[z] >= share[y] for z in below(x)):
                bad.append(f"{x} ({share[x]}) above {y} ({share[y]})")
    return bad

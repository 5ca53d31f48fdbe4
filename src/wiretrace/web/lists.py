"""Page models of the browsable lists: related pairs (with facets and passage
search) and conflicts (corpus-wide, or one story's). The index answers each
page with SQL (:mod:`wiretrace.index_lists`); query parameters are checked
here, and a bad one is a :class:`BadQuery` naming the parameter and what it
takes (the app answers 400).

    >>> pair_filter({"relation": "wholly-derived", "page": "2"})
    (PairFilter(relation='wholly-derived', kind='', conflicts='', outlet='', date_from='', date_to='', q=''), 2)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, get_args
from urllib.parse import urlencode

from ..dates import parse_date
from ..errors import WiretraceError
from ..index_lists import ConflictFilter, PairFilter
from ..records import Kind, Relation
from .data import Corpus
from .views import doc_url, pair_url, story_url

PAGE_SIZE = 50
#: the last page a list serves (50 M rows in): beyond it a list is searched, not paged
MAX_PAGE = 1_000_000
MAX_TEXT = 200
RELATIONS = get_args(Relation)
KINDS = get_args(Kind)

__all__ = ["BadQuery", "pair_filter", "conflict_filter", "pairs_view", "conflicts_view",
           "story_conflicts", "PAGE_SIZE"]


class BadQuery(WiretraceError):
    """A query parameter of a list page is not one it takes."""


def _text(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "")
    if len(value) > MAX_TEXT:
        raise BadQuery(f"{name} is {len(value)} characters long; give at most {MAX_TEXT}")
    if "\x00" in value:
        raise BadQuery(f"{name} holds a NUL character; send the text without it")
    return value.strip()


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = params.get(name, "")
    if value and value not in allowed:
        raise BadQuery(f"{name} {value[:40]!r} is not one of: {', '.join(allowed)}")
    return value


def _date(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "").strip()
    if value and (len(value) > 10 or parse_date(value) is None):
        raise BadQuery(f"{name} {value[:40]!r} is not a date: give YYYY-MM-DD, YYYY-MM or YYYY")
    return value


def _page(params: Mapping[str, str]) -> int:
    raw = params.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or not 1 <= int(raw) <= MAX_PAGE:
        raise BadQuery(f"page {raw[:40]!r} is not a page number: give a whole number from 1 to {MAX_PAGE:,}")
    return int(raw)


def pair_filter(params: Mapping[str, str]) -> tuple[PairFilter, int]:
    """The :class:`PairFilter` and page number of the pair list's query parameters
    (``relation``, ``kind``, ``conflicts`` yes/no, ``outlet``, ``from``, ``to``, ``q``,
    ``page``); raises :class:`BadQuery`."""
    f = PairFilter(relation=_choice(params, "relation", RELATIONS), kind=_choice(params, "kind", KINDS),
                   conflicts=_choice(params, "conflicts", ("yes", "no")), outlet=_text(params, "outlet"),
                   date_from=_date(params, "from"), date_to=_date(params, "to"), q=_text(params, "q"))
    return f, _page(params)


def conflict_filter(params: Mapping[str, str], corpus: Corpus) -> tuple[ConflictFilter, int]:
    """The :class:`ConflictFilter` and page of the conflicts list's parameters (``kind``,
    ``outlet``, ``q``, ``story``, ``page``); raises :class:`BadQuery`."""
    kind = _text(params, "kind")
    if kind and not kind.replace("-", "").replace(" ", "").isalnum():
        raise BadQuery(f"kind {kind[:40]!r} is not a conflict kind (such as number, entity, quote)")
    story = _text(params, "story")
    if story and story not in corpus.stories:
        raise BadQuery(f"story {story[:40]!r} is not a story of this scan")
    return ConflictFilter(kind=kind, outlet=_text(params, "outlet"), q=_text(params, "q"), story=story), \
        _page(params)


def _url(path: str, current: dict[str, str], **change: Any) -> str:
    """``path`` with the current filters, ``change`` applied (a None value drops one)."""
    merged = {k: v for k, v in {**current, **change}.items() if v not in (None, "")}
    return path + ("?" + urlencode(merged) if merged else "")


def _paged(total: int, page: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return pages, min(page, pages)


def _sides(row: dict[str, Any]) -> dict[str, Any]:
    """Links and the direction in words ("B copies A") of a pair row."""
    a_label = row["a_outlet"] or row["a"]
    b_label = row["b_outlet"] or row["b"]
    if row["relation"] == "non-derived" or row["source"] not in ("a", "b"):
        direction = "share text, no direction decided"
    else:
        direction = f"B copies A ({b_label} copies {a_label})" if row["source"] == "a" else \
            f"A copies B ({a_label} copies {b_label})"
    return {"pair_url": pair_url(row["a"], row["b"]), "a_url": doc_url(row["a"]), "b_url": doc_url(row["b"]),
            "a_label": a_label, "b_label": b_label, "direction": direction}


def pairs_view(corpus: Corpus, f: PairFilter, page: int) -> dict[str, Any]:
    """One page of related pairs, the facets (value, count, link, selected) and paging."""
    got = corpus.pair_list(f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages, shown = _paged(got["total"], page)
    if shown != page:  # past the end: the last page
        got = corpus.pair_list(f, limit=PAGE_SIZE, offset=(shown - 1) * PAGE_SIZE)
    current = {"relation": f.relation, "kind": f.kind, "conflicts": f.conflicts, "outlet": f.outlet,
               "from": f.date_from, "to": f.date_to, "q": f.q}
    facets = {}
    for name, counts in got["facets"].items():
        if name == "month":
            facets["date"] = [{"value": m or "undated", "count": n, "selected": bool(m) and f.date_from == m,
                               "url": _url("/pairs", current, **{"from": m or None, "to": m or None})}
                              for m, n in counts.items() if m is not None]
            continue
        facets[name] = [{"value": v, "count": n, "selected": current[name] == v,
                         "url": _url("/pairs", current, **{name: v})} for v, n in counts.items()]
    rows = [{**r, **_sides(r)} for r in got["pairs"]]
    return {"pairs": rows, "total": got["total"], "page": shown, "pages": pages, "page_size": PAGE_SIZE,
            "filters": current, "facets": facets, "clear": "/pairs",
            "prev": _url("/pairs", current, page=shown - 1) if shown > 1 else None,
            "next": _url("/pairs", current, page=shown + 1) if shown < pages else None,
            "json": _url("/pairs.json", current, page=shown if shown > 1 else None)}


def _conflict_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, **_sides(r)} for r in rows]


def conflicts_view(corpus: Corpus, f: ConflictFilter, page: int) -> dict[str, Any]:
    """One page of every conflict kept by ``f``, with counts per kind and paging."""
    got = corpus.conflict_list(f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages, shown = _paged(got["total"], page)
    if shown != page:
        got = corpus.conflict_list(f, limit=PAGE_SIZE, offset=(shown - 1) * PAGE_SIZE)
    current = {"kind": f.kind, "outlet": f.outlet, "q": f.q, "story": f.story}
    story = corpus.stories.get(f.story) if f.story else None
    return {"conflicts": _conflict_rows(got["conflicts"]), "total": got["total"], "page": shown,
            "pages": pages, "filters": current,
            "story": {"id": story.id, "url": story_url(story.id), "headline": story.headline} if story else None,
            "kinds": [{"value": k, "count": n, "selected": f.kind == k, "url": _url("/conflicts", current, kind=k)}
                      for k, n in got["kinds"].items()],
            "prev": _url("/conflicts", current, page=shown - 1) if shown > 1 else None,
            "next": _url("/conflicts", current, page=shown + 1) if shown < pages else None,
            "json": _url("/conflicts.json", current, page=shown if shown > 1 else None)}


def story_conflicts(corpus: Corpus, story_id: str, limit: int = 20) -> dict[str, Any]:
    """The first ``limit`` conflicts between documents of one story, and their total."""
    got = corpus.conflict_list(ConflictFilter(story=story_id), limit=limit, offset=0)
    return {"conflicts": _conflict_rows(got["conflicts"]), "total": got["total"],
            "url": _url("/conflicts", {"story": story_id})}

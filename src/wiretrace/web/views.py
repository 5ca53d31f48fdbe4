"""Page models: plain dicts and lists built from a :class:`~.data.Corpus`.

Each builder returns a JSON-serialisable dict (the ``.json`` twin of a page)
that the HTML template renders; no HTML is built here, so escaping is left
to Jinja2's autoescape everywhere except the side-by-side fragment, which
:mod:`wiretrace.report.html` escapes itself.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import quote, urlencode

from ..dates import format_date
from ..textfit import fit
from ..worddiff import altered_quotes, inline_diff, word_changes
from .data import Corpus, DocMeta, PairMeta, Story

PAGE_SIZE = 50
MAX_GRAPH_NODES = 40
SHARED_PASSAGES = 10


# -- URLs: ids are always quoted, so any id round-trips and none is a path ----

def _in_path(item_id: str) -> bool:
    """Whether an id can stand in the URL path unambiguously: not one a ``.json`` twin,
    a dot segment or a line break (a path does not carry) would confuse."""
    return (bool(item_id) and item_id not in (".", "..") and not item_id.endswith(".json")
            and item_id.isprintable())


def _item_url(kind: str, item_id: str, json: bool) -> str:
    if _in_path(item_id):
        return f"/{kind}/" + quote(item_id, safe="") + (".json" if json else "")
    return f"/{kind}{'.json' if json else ''}?" + urlencode({"id": item_id})


def doc_url(doc_id: str, json: bool = False) -> str:
    """The page (or with ``json``, its JSON twin) of a document: ``/doc/ID``, or
    ``/doc?id=ID`` for an id ending in ``.json``, holding a line break or a dot segment.

    >>> doc_url("a b"), doc_url("dup.json"), doc_url("x\\ny", json=True)
    ('/doc/a%20b', '/doc?id=dup.json', '/doc.json?id=x%0Ay')
    """
    return _item_url("doc", doc_id, json)


def story_url(story_id: str, json: bool = False) -> str:
    """A story's page (or JSON twin), like :func:`doc_url`."""
    return _item_url("story", story_id, json)


def pair_url(a: str, b: str) -> str:
    return "/pair?" + urlencode({"a": a, "b": b})


def outlet(d: DocMeta | None) -> str | None:
    """A document's outlet, None when unknown: an id or a file name is never an
    outlet.

    >>> outlet(DocMeta("bbc/tech/001.txt")) is None, outlet(DocMeta("x", source="AP"))
    (True, 'AP')
    """
    return d.source if d is not None and d.source else None


def label(d: DocMeta | None, doc_id: str) -> str:
    """Link text for a document: its outlet, else its id (shown as an id, never
    counted as an outlet)."""
    return outlet(d) or doc_id


def _role(pm: PairMeta, doc_id: str) -> str:
    """How ``doc_id`` stands to the other side of ``pm``."""
    orig = pm.original()
    if pm.relation == "non-derived" or orig is None:
        return "shares text with"
    return "copied from" if orig != doc_id else "copied by"


def _intersect(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a0, a1 in xs:
        for b0, b1 in ys:
            lo, hi = max(a0, b0), min(a1, b1)
            if lo < hi:
                out.append((lo, hi))
    return sorted(out)


def _cut(text: str, layers: dict[str, list[tuple[int, int, Any]]],
         cap: int | None = None) -> list[dict[str, Any]]:
    """Cut ``text`` at every span boundary; each piece lists the layer items covering
    it, in the order given (at most ``cap`` of them; ``<layer>_n`` counts them all).

    A sweep over the boundaries, so a text with thousands of spans stays fast.
    """
    n = len(text)
    clip = [(name, [(max(0, min(s, n)), max(0, min(e, n)), i) for i, (s, e, _) in enumerate(spans)])
            for name, spans in layers.items()]
    cuts = {0, n}
    starts: dict[tuple[str, int], list[int]] = {}
    ends: dict[tuple[str, int], list[int]] = {}
    for name, spans in clip:
        for s, e, i in spans:
            if s < e:
                cuts.update((s, e))
                starts.setdefault((name, s), []).append(i)
                ends.setdefault((name, e), []).append(i)
    points = sorted(cuts)
    active: dict[str, set[int]] = {name: set() for name in layers}
    pieces = []
    for s, e in zip(points, points[1:]):
        piece: dict[str, Any] = {"start": s, "end": e, "text": text[s:e]}
        for name, spans in layers.items():
            act = active[name]
            act.difference_update(ends.get((name, s), ()))
            act.update(starts.get((name, s), ()))
            chosen = sorted(act) if cap is None or len(act) <= cap else sorted(act)[:cap]
            piece[name] = [spans[i][2] for i in chosen]
            piece[name + "_n"] = len(act)
        pieces.append(piece)
    return pieces


# -- a document ---------------------------------------------------------------

def document_view(corpus: Corpus, doc_id: str) -> dict[str, Any] | None:
    """A document with the passages it shares (linked to the other side), what it
    added relative to its sources, and the conflicts found with them."""
    rec = corpus.document(doc_id)
    if rec is None:
        return None
    text = rec["text"]
    links, passages, conflicts, added = [], [], [], None
    pairs = sorted(corpus.by_doc.get(doc_id, []), key=lambda p: -p.similarity)
    for pm in pairs:
        r = corpus.comparison(pm)
        side, other_id = pm.side(doc_id), pm.other(doc_id)
        other = corpus.documents.get(other_id)
        role = _role(pm, doc_id)
        links.append({"id": other_id, "url": doc_url(other_id), "pair_url": pair_url(pm.a, pm.b),
                      "outlet": outlet(other), "label": label(other, other_id),
                      "title": other.title if other else None,
                      "date": other.date if other else None,
                      "date_precision": other.date_precision if other else None, "role": role, "relation": pm.relation,
                      "similarity": round(pm.similarity, 3), "passages": pm.passages,
                      "coverage": round(pm.a_coverage if side == "a" else pm.b_coverage, 3)})
        for i, p in enumerate(r.passages):
            s, e = (p.a_start, p.a_end) if side == "a" else (p.b_start, p.b_end)
            passages.append((s, e, {"other": other_id, "outlet": outlet(other),
                                    "label": label(other, other_id),
                                    "kind": p.kind, "role": role, "n": i,
                                    "url": pair_url(pm.a, pm.b)}))
        for c in r.conflicts:
            mine = (c.a_start, c.a_end, c.a_text, c.b_text) if side == "a" else \
                (c.b_start, c.b_end, c.b_text, c.a_text)
            conflicts.append((mine[0], mine[1], {"other": other_id, "outlet": outlet(other),
                                                 "label": label(other, other_id),
                                                 "kind": c.kind, "mine": mine[2], "theirs": mine[3],
                                                 "note": c.note, "url": pair_url(pm.a, pm.b)}))
        if role == "copied from":
            only = [(s.start, s.end) for s in (r.a_only if side == "a" else r.b_only)]
            added = only if added is None else _intersect(added, only)
    # prefer the link to the source when several passages cover a piece
    order = {"copied from": 0, "shares text with": 1, "copied by": 2}
    passages.sort(key=lambda t: order[t[2]["role"]])
    added_spans = [(s, e, True) for s, e in (added or [])]
    pieces = _cut(text, {"refs": passages, "conflicts": conflicts, "added": added_spans}, cap=5)
    for piece in pieces:
        piece["added"] = bool(piece.pop("added_n"))
    meta = {k: v for k, v in rec.items() if k != "text"}
    story = corpus.stories.get(rec.get("story") or "")
    return {
        "document": meta, "text": text, "pieces": pieces, "links": links,
        "story": {"id": story.id, "url": story_url(story.id), "headline": story.headline} if story else None,
        "added": [{"start": s, "end": e, "text": text[s:e]} for s, e in (added or [])],
        "has_source": added is not None,
        "conflicts": _group_conflicts(conflicts),
    }


def _group_conflicts(conflicts: list[tuple[int, int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One entry per disagreement, listing every other document that disagrees the same way."""
    groups: dict[tuple, dict[str, Any]] = {}
    for s, e, c in sorted(conflicts, key=lambda t: (t[0], t[1])):
        key = (s, e, c["kind"], c["theirs"])
        g = groups.setdefault(key, {"start": s, "end": e, "kind": c["kind"], "mine": c["mine"],
                                    "theirs": c["theirs"], "note": c["note"], "others": []})
        g["others"].append({"id": c["other"], "outlet": c["outlet"], "label": c["label"],
                            "url": c["url"]})
    return list(groups.values())


# -- a pair ---------------------------------------------------------------------

def _doc_brief(corpus: Corpus, doc_id: str) -> dict[str, Any]:
    d = corpus.documents.get(doc_id)
    return {"id": doc_id, "url": doc_url(doc_id), "outlet": outlet(d), "label": label(d, doc_id),
            "title": d.title if d else None, "date": d.date if d else None,
            "date_precision": d.date_precision if d else None, "source": d.source if d else None}


def pair_view(corpus: Corpus, pm: PairMeta) -> dict[str, Any]:
    """Both documents of a pair, their texts and the stored comparison, with the
    word ops of each passage and quote (computed here from the texts: the index
    stores none) and each altered quote's changed words in place (``pieces``)."""
    r = corpus.comparison(pm)
    a_text, b_text = corpus.text(pm.a) or "", corpus.text(pm.b) or ""
    changes = word_changes(a_text, b_text, r)
    quotes = []
    listed = {(side, q.start) for side, q, _ in altered_quotes(r, changes)}
    for side, qs, per in (("a", r.a_quotes, changes.a_quotes), ("b", r.b_quotes, changes.b_quotes)):
        for q, ops in zip(qs, per):
            # an altered quote both sides hold is listed once (altered_quotes)
            if q.status != "trimmed" and (side, q.start) not in listed:
                continue
            base, other = (a_text, b_text) if side == "a" else (b_text, a_text)
            pieces = inline_diff(base, other, q.start, q.end, ops, side == "a") if ops else \
                [("", q.text)]
            quotes.append({"side": side, "text": q.text, "speaker": q.speaker, "status": q.status,
                           "start": q.start, "end": q.end,
                           "ops": [op.to_dict() for op in ops] if ops is not None else None,
                           "pieces": [{"kind": k, "text": t} for k, t in pieces]})
    stored = {k: v for k, v in corpus.pair_record(pm).items() if k not in ("a", "b")}
    with_ops = r.to_dict(changes)
    stored.update({k: with_ops[k] for k in ("passages", "a_quotes", "b_quotes")})
    return {"a": _doc_brief(corpus, pm.a), "b": _doc_brief(corpus, pm.b), "summary": pm.to_dict(),
            "comparison": stored, "quotes": quotes, "_comparison": r, "_changes": changes,
            "a_text": a_text, "b_text": b_text}


# -- a story --------------------------------------------------------------------

def _graph(corpus: Corpus, story: Story) -> dict[str, Any]:
    """Layered layout of the provenance graph: columns by copy depth."""
    ids = list(story.documents)
    edges = [(f, t) for f, t in story.edges if f in ids and t in ids and f != t]
    if len(ids) > MAX_GRAPH_NODES:
        degree = {i: 0 for i in ids}
        for f, t in edges:
            degree[f] += 1
            degree[t] += 1
        keep = {story.earliest} | set(sorted(ids, key=lambda i: -degree[i])[:MAX_GRAPH_NODES - 1])
        ids = [i for i in ids if i in keep]
        edges = [(f, t) for f, t in edges if f in keep and t in keep]
    parents: dict[str, list[str]] = {i: [] for i in ids}
    for f, t in edges:
        parents[t].append(f)
    depth: dict[str, int] = {}

    def level(i: str, seen: frozenset = frozenset()) -> int:
        if i not in depth:
            ps = [p for p in parents[i] if p not in seen]
            depth[i] = 1 + max((level(p, seen | {i}) for p in ps), default=-1)
        return depth[i]

    for i in ids:
        level(i)
    columns: dict[int, list[str]] = {}
    for i in ids:  # ids are in date order
        columns.setdefault(depth[i], []).append(i)
    col_w, row_h, node_w, node_h, pad = 236, 52, 196, 38, 16
    rows = max((len(c) for c in columns.values()), default=1)
    pos = {i: (pad + c * col_w, pad + r * row_h) for c, col in columns.items() for r, i in enumerate(col)}
    nodes = []
    for i in ids:
        d = corpus.documents.get(i)
        x, y = pos[i]
        full = label(d, i)
        sub = (format_date(d.date, d.date_precision) if d and d.date else "undated") + \
            (" · earliest" if i == story.earliest else "")
        title = (d.title if d else None) or i
        # labels are cut to the box (graph.js re-cuts them to the width the browser measures);
        # the node's tooltip has them whole
        nodes.append({"id": i, "x": x, "y": y, "w": node_w, "h": node_h, "url": doc_url(i),
                      "label": fit(full, node_w - 16, 12, bold=True), "full_label": full,
                      "sub": fit(sub, node_w - 16, 11), "full_sub": sub,
                      "tooltip": f"{full} · {sub} · {title}" + (f" · {i}" if i != full else ""),
                      "earliest": i == story.earliest, "title": title})
    lines = []
    bend = 0
    for f, t in edges:
        (x1, y1), (x2, y2) = pos[f], pos[t]
        y1, y2 = y1 + node_h / 2, y2 + node_h / 2
        if x2 > x1 + col_w and y1 == y2:  # skips a column on one row: arc below the nodes
            bend = max(bend, 10 + 8 * (x2 - x1) // col_w)
            drop = y1 + node_h / 2 + 6 + 10 * (x2 - x1) // col_w
            path = f"M{x1 + node_w / 2},{y1 + node_h / 2} C{x1 + node_w / 2},{drop} {x2 + node_w / 2},{drop} " \
                   f"{x2 + node_w / 2},{y2 + node_h / 2 + 4}"
        elif x2 > x1:
            mid = (x1 + node_w + x2) / 2
            path = f"M{x1 + node_w},{y1} C{mid},{y1} {mid},{y2} {x2 - 4},{y2}"
        else:  # same column (a cycle was cut): a bow on the right
            path = f"M{x1 + node_w},{y1} C{x1 + node_w + 40},{y1} {x2 + node_w + 40},{y2} {x2 + node_w + 4},{y2}"
        lines.append({"d": path, "from": f, "to": t, "secondary": (f, t) in story.secondary})
    return {"width": pad * 2 + max(columns, default=0) * col_w + node_w + 30,
            "height": pad * 2 + rows * row_h + bend, "nodes": nodes, "edges": lines,
            "shown": len(ids), "total": len(story.documents)}


def _shared_passages(corpus: Corpus, story: Story) -> dict[str, Any]:
    """Stretches of one reference text (the earliest witness, else the best linked
    document) with the outlets that carry them, most widely shared first."""
    members = set(story.documents)

    def linked(i: str) -> list[PairMeta]:
        return [p for p in corpus.by_doc.get(i, []) if p.other(i) in members]

    ref = story.earliest if story.earliest and linked(story.earliest) else \
        max(story.documents, key=lambda i: (len(linked(i)), -story.documents.index(i)), default=None)
    if ref is None:
        return {"reference": None, "passages": []}
    text = corpus.text(ref) or ""
    ref_outlet = outlet(corpus.documents.get(ref))
    spans = []
    for pm in linked(ref):
        other = pm.other(ref)
        o = outlet(corpus.documents.get(other))
        for p in corpus.comparison(pm).passages:
            s, e = (p.a_start, p.a_end) if pm.side(ref) == "a" else (p.b_start, p.b_end)
            spans.append((s, e, (o, other)))
    pieces = [pc for pc in _cut(text, {"by": spans}) if pc["by"]]
    merged: list[dict[str, Any]] = []
    for pc in pieces:
        outlets = frozenset(o for o, _ in pc["by"] if o)
        if merged and merged[-1]["end"] == pc["start"] and merged[-1]["_o"] == outlets:
            merged[-1]["end"] = pc["end"]
            merged[-1]["docs"] |= {d for _, d in pc["by"]}
        else:
            merged.append({"start": pc["start"], "end": pc["end"], "_o": outlets,
                           "docs": {d for _, d in pc["by"]}})
    out = []
    for m in merged:
        snippet = text[m["start"]:m["end"]].strip()
        if len(snippet.split()) < 4:
            continue
        # known outlets only: a document without a source is counted as a document
        outlets = sorted(m["_o"] | ({ref_outlet} if ref_outlet else set()))
        docs = sorted(m["docs"] | {ref})
        out.append({"start": m["start"], "end": m["end"], "outlets": outlets, "count": len(outlets),
                    "documents": sorted(m["docs"]), "n_documents": len(docs),
                    "text": snippet if len(snippet) <= 600 else snippet[:600] + "…"})
    out.sort(key=lambda x: (-x["n_documents"], -x["count"], x["start"]))
    return {"reference": _doc_brief(corpus, ref), "passages": out[:SHARED_PASSAGES]}


def _story_stats(corpus: Corpus, story: Story) -> dict[str, Any]:
    # copies are documents a provenance edge points at: no edge, no copy claimed
    copies = len({t for f, t in story.edges if t in story.documents and f in story.documents})
    known = {o for i in story.documents if (o := outlet(corpus.documents.get(i)))}
    return {"id": story.id, "url": story_url(story.id), "headline": story.headline,
            "date": story.date, "documents": len(story.documents),
            "outlets": len(known), "unknown_outlets": sum(
                1 for i in story.documents if outlet(corpus.documents.get(i)) is None),
            "copies": copies, "sources": story.sources[:12], "earliest": story.earliest,
            "earliest_by": story.earliest_by, "order": "known" if story.earliest else "unknown"}


def story_view(corpus: Corpus, story_id: str) -> dict[str, Any] | None:
    """Graph, documents and most widely shared passages of one story."""
    story = corpus.stories.get(story_id)
    if story is None:
        return None
    docs = []
    targets = {t for _, t in story.edges}
    sources = {f for f, _ in story.edges}
    for i in story.documents:
        brief = _doc_brief(corpus, i)
        brief["earliest"] = i == story.earliest
        brief["copies_from"] = [{"id": f, "outlet": outlet(corpus.documents.get(f)),
                                 "label": label(corpus.documents.get(f), f),
                                 "pair_url": pair_url(f, i)} for f, t in story.edges if t == i]
        # only what the evidence shows: no edge and no earliest claim is "order unknown"
        brief["role"] = "earliest witness" if i == story.earliest else \
            "copy" if i in targets else "source of a copy" if i in sources else "order unknown"
        docs.append(brief)
    return {"story": _story_stats(corpus, story), "documents": docs, "graph": _graph(corpus, story),
            "edges": [{"from": f, "to": t, "primary": (f, t) not in story.secondary} for f, t in story.edges],
            "shared": _shared_passages(corpus, story)}


# -- the list of stories -------------------------------------------------------------

_LIST_CACHE: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_LIST_LOCK = threading.Lock()


def stories_view(corpus: Corpus, **params: Any) -> dict[str, Any]:
    """Stories filtered by text, outlet and date range, one page of them, and a timeline
    (see :func:`_stories_view` for the parameters). The scan only changes on reload, so
    the last 64 lists are kept per corpus generation."""
    key = (corpus.generation, tuple(sorted(params.items())))
    with _LIST_LOCK:
        if key in _LIST_CACHE:
            _LIST_CACHE.move_to_end(key)
            return _LIST_CACHE[key]
    data = _stories_view(corpus, **params)
    with _LIST_LOCK:
        _LIST_CACHE[key] = data
        while len(_LIST_CACHE) > 64:
            _LIST_CACHE.popitem(last=False)
    return data


def _stories_view(corpus: Corpus, *, q: str = "", source: str = "", date_from: str = "",
                  date_to: str = "", min_docs: int = 2, sort: str = "size", page: int = 1) -> dict[str, Any]:
    needle = q.strip().casefold()
    text_hits = {corpus.doc_story.get(i) for i in corpus.search_text(q.strip())} if needle else set()
    src = source.strip().casefold()
    rows = []
    for st in corpus.stories.values():
        if len(st.documents) < min_docs:
            continue
        day = (st.date or "")[:10]
        if date_from and (not day or day < date_from[:10]):
            continue
        if date_to and (not day or day > date_to[:10]):
            continue
        if src and not any(s.casefold() == src for s in st.sources):
            continue
        if needle and st.id not in text_hits:
            blob = " ".join([st.id, st.headline or ""] + st.sources + st.documents +
                            [corpus.documents[i].title or "" for i in st.documents]).casefold()
            if needle not in blob:
                continue
        rows.append(st)
    keys = {"date": lambda s: (s.date or "9999", s.id), "-date": lambda s: (s.date or "", s.id),
            "size": lambda s: (-len(s.documents), s.date or "9999", s.id)}
    rows.sort(key=keys.get(sort, keys["size"]), reverse=sort == "-date")
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = [_story_stats(corpus, s) for s in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
    for row in shown:
        first = corpus.documents.get(row["earliest"] or "")
        row["earliest_label"] = label(first, row["earliest"]) if row["earliest"] else None
    all_sources = sorted({s for st in corpus.stories.values() for s in st.sources})
    return {"stories": shown, "total": len(rows), "page": page, "pages": pages,
            "filters": {"q": q, "source": source, "from": date_from, "to": date_to,
                        "min_docs": min_docs, "sort": sort},
            "timeline": _timeline(rows), "sources": all_sources[:300],
            "corpus": {"documents": len(corpus.documents), "pairs": len(corpus.pairs),
                       "stories": len(corpus.stories)}}


def _timeline(stories: list[Story]) -> dict[str, Any]:
    """Stories per day (per month over long spans) as bar geometry."""
    days = sorted((s.date or "")[:10] for s in stories if s.date and len(s.date) >= 10)
    if not days:
        return {"bars": [], "unit": "day", "width": 0, "height": 0}
    unit = "day" if (int(days[-1][:4]) * 12 + int(days[-1][5:7])) - \
        (int(days[0][:4]) * 12 + int(days[0][5:7])) <= 3 else "month"
    counts: dict[str, int] = {}
    for d in days:
        key = d if unit == "day" else d[:7]
        counts[key] = counts.get(key, 0) + 1
    keys = sorted(counts)[-120:]
    top = max(counts[k] for k in keys)
    bar_w, height = max(4, min(24, 720 // len(keys))), 60
    bars = [{"key": k, "count": counts[k], "x": i * bar_w, "w": bar_w - 1,
             "h": max(1, round(height * counts[k] / top)), "y": height - max(1, round(height * counts[k] / top))}
            for i, k in enumerate(keys)]
    return {"bars": bars, "unit": unit, "width": len(keys) * bar_w, "height": height,
            "first": keys[0], "last": keys[-1]}

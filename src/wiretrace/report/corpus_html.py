"""The corpus report: one self-contained ``report.html`` (inline CSS and JS, no
network, every piece of corpus text escaped).

Sections: run summary, story list, one section per story (documents, an SVG
reuse graph placed by date with edges source → derived, provenance chains),
one section per document in the shown stories, and side-by-side pair views
from :func:`wiretrace.report.html.pair_fragment`. Everything is capped (see
the ``MAX_*`` constants) and the page says what was left out.

    >>> page = render_report(title="t", summary={"documents": 1}, stories=[], documents=[], pairs=[])
    >>> page.startswith("<!DOCTYPE html>") and "http" not in page.split("<body>")[0]
    True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..dates import format_date
from ..records import Comparison
from ..textfit import text_width
from . import reuse_line

MAX_STORIES = 300
MAX_DOCUMENTS = 3000
MAX_PAIRS = 500
MAX_GRAPH_NODES = 60

__all__ = ["DocView", "StoryView", "PairView", "render_report", "reuse_graph_svg",
           "MAX_STORIES", "MAX_DOCUMENTS", "MAX_PAIRS", "MAX_GRAPH_NODES"]


@dataclass(frozen=True, slots=True)
class DocView:
    """One document as the report shows it."""

    id: str
    source: str | None = None
    date: str | None = None
    title: str | None = None
    story: str | None = None
    #: ``(other id, relation, pair anchor or None, direction)`` for each related pair;
    #: direction: "copies" (this document copies the other), "copied by" or None (undecided)
    pairs: list[tuple[str, str, str | None] | tuple[str, str, str | None, str | None]] = \
        field(default_factory=list)
    #: "day", "month" or "year" (a year or a month orders nothing)
    date_precision: str | None = None


@dataclass(frozen=True, slots=True)
class StoryView:
    """One story: its documents (date order) and provenance edges (``Edge.to_dict()``)."""

    id: str
    headline: str
    documents: list[DocView]
    edges: list[dict[str, Any]] = field(default_factory=list)
    chains: list[list[str]] = field(default_factory=list)
    #: None when the evidence orders no document first: the report says "order unknown"
    earliest: str | None = None
    #: the evidence for ``earliest``: "date", "provenance" or "date+provenance"
    earliest_by: str | None = None


@dataclass(frozen=True, slots=True)
class PairView:
    """A related pair with both texts, shown side by side."""

    anchor: str
    a: DocView
    b: DocView
    a_text: str
    b_text: str
    comparison: Comparison


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _anchor(kind: str, ident: str) -> str:
    """A safe fragment id for any document or story id."""
    return f"{kind}-" + "".join(c if c.isalnum() else f"_{ord(c):x}" for c in ident)


def _when(value: str | None) -> datetime | None:
    from ..stories import parse_when

    return parse_when(value)  # day dates only: a year or a month has no place on a time axis


def _date(d: DocView) -> str:
    """A document's date as every wiretrace page prints it, with its precision."""
    return format_date(d.date, d.date_precision)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


_COLOURS = {"wholly-derived": "#c0392b", "partially-derived": "#e67e22", "non-derived": "#7f8c8d"}
_REL_WORDS = {"wholly-derived": "red: wholly derived", "partially-derived": "orange: partially derived",
              "non-derived": "grey: no derivation decided"}
#: geometry of the reuse graph: node radius, row height, label size (px), widest label column
_R, _ROW, _FONT, _LABEL_W = 7, 30, 13, 640


def reuse_graph_svg(story: StoryView) -> str:
    """Inline SVG: one row per document; documents with a day date placed left to
    right by publication time, the others in their own column at the right; each
    row's label (id, outlet, date) in a column on the right; curved arrows from
    the source to the copy. The caption below it is written from the layout drawn.

    >>> s = StoryView("s1", "h", [DocView("a", date="2024-01-01"), DocView("b", date="2024-01-02")],
    ...               [{"source": "a", "derived": "b", "relation": "wholly-derived", "primary": True}])
    >>> svg = reuse_graph_svg(s)
    >>> "<path" in svg and "2024-01-01 to 2024-01-02" in svg
    True
    """
    docs = story.documents[:MAX_GRAPH_NODES]
    if not docs:
        return ""
    times = {d.id: _when(d.date) for d in docs}
    dated = sorted(w for w in times.values() if w is not None)
    n_undated = len(docs) - len(dated)
    rows = {d.id: i for i, d in enumerate(docs)}
    edges = [e for e in story.edges if e.get("source") in rows and e.get("derived") in rows]
    # arcs bow left of their chord by up to this much: the plot starts right of it
    bow = max((0.35 * abs(rows[e["source"]] - rows[e["derived"]]) * _ROW + 14 for e in edges), default=0)
    left, top, plot = 16 + bow, 40, 360
    undated_x = left + plot + (70 if dated else 0)
    lo, span = (dated[0], (dated[-1] - dated[0]).total_seconds()) if dated else (None, 0.0)
    label_x = (undated_x if n_undated else left + plot) + 40
    labels = {d.id: (_cut(d.id, 28), _cut(d.source or "outlet unknown", 24), _date(d)) for d in docs}
    width = label_x + min(_LABEL_W, 12 + max(text_width(" · ".join(v), _FONT, bold=True) for v in labels.values()))
    height = top + len(docs) * _ROW
    pos: dict[str, tuple[float, float]] = {}
    nodes = []
    for d in docs:
        w = times[d.id]
        x = undated_x if w is None or lo is None else left + (plot * (w - lo).total_seconds() / span if span else 0)
        y = top + rows[d.id] * _ROW + _ROW / 2
        pos[d.id] = (x, y)
        full = f"{d.id} · {d.source or 'outlet unknown'} · {_date(d)}"
        nodes.append(
            f'<a href="#{_anchor("doc", d.id)}"><title>{_e(full)}</title><line x1="{x + _R:.1f}" y1="{y}" '
            f'x2="{label_x - 6}" y2="{y}" class="wt-lead"/><circle cx="{x:.1f}" cy="{y}" r="{_R}" '
            f'class="wt-node{" wt-earliest" if d.id == story.earliest else ""}"/>'
            f'<text x="{label_x}" y="{y + _FONT * 0.35:.1f}"><tspan class="wt-id">{_e(labels[d.id][0])}</tspan>'
            f' · {_e(labels[d.id][1])} · {_e(labels[d.id][2])}</text></a>')
    arcs = []
    for e in edges:
        (x1, y1), (x2, y2) = pos[e["source"]], pos[e["derived"]]
        cx, cy = min(x1, x2) - (0.35 * abs(y2 - y1) + 14), (y1 + y2) / 2
        colour = _COLOURS.get(e.get("relation", ""), "#7f8c8d")
        dash = "" if e.get("primary") else ' stroke-dasharray="5 4" opacity="0.7"'
        arcs.append(f'<path d="M{x1:.1f},{y1} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2}" fill="none" '
                    f'stroke="{colour}" stroke-width="2"{dash} marker-end="url(#wt-arrow)"><title>'
                    f'{_e(e["derived"])} copies {_e(e["source"])}: {_e(e.get("relation"))}, '
                    f'{float(e.get("coverage", 0)):.0%} of the copy</title></path>')
    axis = []
    if dated:
        first, last = format_date(dated[0].isoformat(" ", "minutes")), format_date(dated[-1].isoformat(" ", "minutes"))
        axis.append(f'<text x="{left}" y="16" class="wt-axis">{_e(first)}</text>')
        if span:
            axis.append(f'<text x="{left + plot}" y="16" class="wt-axis" text-anchor="end">{_e(last)}</text>'
                        f'<line x1="{left}" y1="24" x2="{left + plot}" y2="24" class="wt-axisline" '
                        'marker-end="url(#wt-tick)"/>')
    if n_undated:
        axis.append(f'<text x="{undated_x}" y="16" class="wt-axis" text-anchor="middle">no day date</text>')
    if dated and span:
        when = f"left to right: publication time, {_e(format_date(dated[0].date().isoformat()))} to " \
            f"{_e(format_date(dated[-1].date().isoformat()))} (UTC)"
    elif dated:
        when = "every dated document has the same time: they stand in one column"
    else:
        when = "no document has a day date: they stand in one column, in no order"
    if dated and n_undated:
        when += f"; the {n_undated} document{'s' if n_undated > 1 else ''} without a day date stand in " \
            "the column marked “no day date” at the right"
    kinds = sorted({e.get("relation", "") for e in edges}, key=list(_COLOURS).index) if edges else []
    arrows = (f"arrows run from the source to its copy ({', '.join(_REL_WORDS[k] for k in kinds if k in _REL_WORDS)}"
              f"{'; dashed: a secondary source' if any(not e.get('primary') for e in edges) else ''})"
              if edges else "no copy between these documents was found")
    earliest = "; the yellow dot is the earliest witness" if story.earliest in pos else ""
    more = (f'<p class="wt-note">The graph shows the first {MAX_GRAPH_NODES} of '
            f'{len(story.documents)} documents.</p>' if len(story.documents) > len(docs) else "")
    return (f'<svg class="wt-graph" width="{width:.0f}" height="{height}" viewBox="0 0 {width:.0f} {height}" '
            'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="reuse graph">'
            '<defs><marker id="wt-arrow" viewBox="0 0 10 10" refX="19" refY="5" markerWidth="8" '
            'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            '<path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker>'
            '<marker id="wt-tick" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
            'orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#aaa"/></marker></defs>'
            + "".join(axis) + "".join(nodes) + "".join(arcs) + "</svg>"
            f'<p class="wt-note wt-caption">One row per document; {when}; {arrows}{earliest}.</p>' + more)


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1100px;margin:auto;padding:1em 1.5em 4em}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border-bottom:1px solid #eee;
padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f0f0f0}
.wt-note{color:#666;font-size:.9em}.wt-story,.wt-doc{background:#fff;border:1px solid #e3e3e3;
border-radius:6px;padding:.6em 1em;margin:1em 0}.wt-graph{max-width:100%;height:auto;display:block}
.wt-graph text{font:13px system-ui,sans-serif;fill:#333}.wt-graph .wt-id{font-weight:600}
.wt-graph .wt-axis{font-size:12px;fill:#666}.wt-axisline{stroke:#bbb}
.wt-node{fill:#2c3e50}.wt-node.wt-earliest{fill:#f1c40f;stroke:#2c3e50;stroke-width:2.5}
.wt-lead{stroke:#ddd;stroke-dasharray:2 3}
.wt-rel-wholly-derived{color:#c0392b}.wt-rel-partially-derived{color:#d35400}
details.wt-pairview{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:.6em 0;
padding:.4em .8em}details.wt-pairview summary{cursor:pointer}
#wt-filter{padding:.3em;width:20em}.wt-hidden{display:none}
"""

_JS = """
(function(){
  var box=document.getElementById('wt-filter'); if(!box) return;
  box.addEventListener('input', function(){
    var q=box.value.toLowerCase();
    document.querySelectorAll('#wt-stories tbody tr').forEach(function(tr){
      tr.classList.toggle('wt-hidden', q && tr.textContent.toLowerCase().indexOf(q)<0);
    });
  });
  document.querySelectorAll('a[href^="#pair-"]').forEach(function(a){
    a.addEventListener('click', function(){
      var d=document.getElementById(a.getAttribute('href').slice(1)); if(d) d.open=true;
    });
  });
})();
"""


def _doc_link(d: DocView) -> str:
    return f'<a href="#{_anchor("doc", d.id)}">{_e(d.id)}</a>'


def _role(d: DocView, s: StoryView, derived: set[str], sources: set[str]) -> str:
    """What the evidence says of a document's place in its story."""
    if d.id == s.earliest:
        return "earliest witness"
    if d.id in derived:
        return "derived"
    return "source of a copy" if d.id in sources else "order unknown"


def _story_section(s: StoryView) -> str:
    derived = {e["derived"] for e in s.edges}
    sources = {e["source"] for e in s.edges}
    rows = "".join(
        f"<tr><td>{_doc_link(d)}</td><td>{_e(d.source or 'unknown')}</td><td>{_e(_date(d))}</td>"
        f"<td>{_e(d.title)}</td><td>{_e(_role(d, s, derived, sources))}</td></tr>" for d in s.documents)
    witness = (f"earliest witness {_e(s.earliest)} (by {_e(s.earliest_by or 'evidence')})"
               if s.earliest else "order unknown: no date or copy evidence puts one document first")
    copies = f" · {len(derived)} copies" if derived else ""
    chains = "".join(f"<li>{' → '.join(_e(x) for x in c)}</li>" for c in s.chains[:20] if len(c) > 2)
    edges = "".join(
        f'<li class="wt-rel-{_e(e.get("relation"))}">{_e(e["derived"])} copies {_e(e["source"])} '
        f'({_e(e.get("relation"))}, {float(e.get("coverage", 0)):.0%} of the copy)'
        f'{"" if e.get("primary") else " (secondary)"}, by {_e(e.get("by"))}</li>'
        for e in s.edges[:200])
    return (f'<section class="wt-story" id="{_anchor("story", s.id)}"><h3>{_e(s.headline)}</h3>'
            f'<p class="wt-note">story {_e(s.id)} · {len(s.documents)} documents{copies} · '
            f'{witness}</p>{reuse_graph_svg(s)}'
            f"<table><tr><th>id</th><th>outlet</th><th>date</th><th>title</th><th>role</th></tr>"
            f"{rows}</table>"
            + (f"<p>Chains</p><ul>{chains}</ul>" if chains else "")
            + (f"<details><summary>Provenance edges ({len(s.edges)})</summary><ul>{edges}</ul>"
               "</details>" if edges else "") + "</section>")


def _relation_words(d: DocView, other: str, relation: str, direction: str | None) -> str:
    """One related pair from ``d``'s side, its direction explicit: "this document
    copies X", "X copies this document" or "shares text with X"."""
    link = f'<a href="#{_anchor("doc", other)}">{_e(other)}</a>'
    if direction == "copies":
        return f"this document copies {link} ({_e(relation)})"
    if direction == "copied by":
        return f"{link} copies this document ({_e(relation)})"
    return f"shares text with {link} ({_e(relation)}; no direction decided)"


def _doc_section(d: DocView) -> str:
    links = "".join(
        f"<li>{_relation_words(d, p[0], p[1], p[3] if len(p) > 3 else None)}"
        + (f' · <a href="#{_e(p[2])}">side by side</a>' if p[2] else "") + "</li>"
        for p in d.pairs[:100])
    story = (f'<a href="#{_anchor("story", d.story)}">{_e(d.story)}</a>' if d.story else "")
    return (f'<section class="wt-doc" id="{_anchor("doc", d.id)}"><h4>{_e(d.id)}</h4>'
            f'<p class="wt-note">{_e(d.source or "outlet unknown")} · {_e(_date(d))} · story {story}</p>'
            + (f"<p>{_e(d.title)}</p>" if d.title else "")
            + (f"<ul>{links}</ul>" if links else "") + "</section>")


def _pair_section(p: PairView) -> str:
    from .html import pair_fragment  # written alongside; imported when a report is made

    r = p.comparison
    direction = {"a": f"{_e(p.b.id)} copies {_e(p.a.id)}", "b": f"{_e(p.a.id)} copies {_e(p.b.id)}"}.get(
        r.source or "", "no direction decided")
    return (f'<details class="wt-pairview" id="{_e(p.anchor)}"><summary>'
            f'<b>{_e(p.a.id)}</b> ({_e(p.a.source or "outlet unknown")}) vs <b>{_e(p.b.id)}</b> '
            f'({_e(p.b.source or "outlet unknown")}): '
            f'<span class="wt-rel-{_e(r.relation)}">{_e(r.relation)}</span>, {direction}, '
            f'coverage {r.a_coverage:.0%} / {r.b_coverage:.0%}, similarity {r.similarity:.2f}'
            + (f'; {_e(reuse_line(r))}' if reuse_line(r) else "") +
            f"</summary>{pair_fragment(p.a_text, p.b_text, r, p.a.id, p.b.id)}</details>")


def _first_day(s: StoryView) -> str:
    first = next((d for d in s.documents if d.date and _when(d.date) is not None), None)
    return _date(first) if first else "no day date"


def render_report(*, title: str, summary: dict[str, Any], stories: Sequence[StoryView],
                  documents: Sequence[DocView], pairs: Sequence[PairView],
                  notes: Sequence[str] = ()) -> str:
    """The whole page. Callers pass at most the ``MAX_*`` items and say in
    ``notes`` what they left out."""
    from .html import LEGEND_HTML, PAIR_CSS, PAIR_JS

    stats = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in summary.items())
    story_rows = "".join(
        f'<tr><td><a href="#{_anchor("story", s.id)}">{_e(s.headline) or _e(s.id)}</a></td>'
        f"<td>{len(s.documents)}</td><td>{_e(_first_day(s))}</td>"
        f"<td>{_e(', '.join(sorted({d.source for d in s.documents if d.source}))[:120])}</td></tr>"
        for s in stories)
    note_html = "".join(f'<p class="wt-note">{_e(n)}</p>' for n in notes)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{_e(title)}</title>"
        f"<style>{_CSS}{PAIR_CSS}</style></head><body><main>"
        f"<h1>{_e(title)}</h1><table class=\"wt-summary\">{stats}</table>{note_html}"
        f"<h2>Stories</h2><p><input id=\"wt-filter\" placeholder=\"filter stories\"></p>"
        f"<table id=\"wt-stories\"><thead><tr><th>headline</th><th>documents</th><th>first date</th>"
        f"<th>outlets</th></tr></thead><tbody>{story_rows}</tbody></table>"
        + "".join(_story_section(s) for s in stories)
        + "<h2>Documents</h2>" + "".join(_doc_section(d) for d in documents)
        + "<h2>Pairs side by side</h2>" + (LEGEND_HTML if pairs else "")
        + "".join(_pair_section(p) for p in pairs)
        + f"</main><script>{PAIR_JS}{_JS}</script></body></html>\n")

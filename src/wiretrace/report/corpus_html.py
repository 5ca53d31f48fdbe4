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

from ..records import Comparison
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
    #: ``(other id, relation, pair anchor or None)`` for each related pair
    pairs: list[tuple[str, str, str | None]] = field(default_factory=list)
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
    """A document's date as the report prints it, with its precision when it is not a day."""
    if not d.date:
        return "undated"
    return d.date if d.date_precision in (None, "day") else f"{d.date} ({d.date_precision} only)"


_COLOURS = {"wholly-derived": "#c0392b", "partially-derived": "#e67e22", "non-derived": "#7f8c8d"}


def reuse_graph_svg(story: StoryView) -> str:
    """Inline SVG: one row per document, placed left to right by date (undated
    at the right edge of the plot), labels in a column on the right, curved
    arrows from source to derived (solid for the likeliest source).

    >>> s = StoryView("s1", "h", [DocView("a", date="2024-01-01"), DocView("b", date="2024-01-02")],
    ...               [{"source": "a", "derived": "b", "relation": "wholly-derived", "primary": True}])
    >>> "<path" in reuse_graph_svg(s)
    True
    """
    docs = story.documents[:MAX_GRAPH_NODES]
    if not docs:
        return ""
    width, row, left, label_w = 760, 24, 24, 300
    plot = width - left - label_w - 40
    dated = [w for d in docs if (w := _when(d.date)) is not None]
    lo = min(dated) if dated else None
    span = (max(dated) - lo).total_seconds() if dated else 0.0
    pos: dict[str, tuple[float, float]] = {}
    nodes = []
    for i, d in enumerate(docs):
        w = _when(d.date)
        x = left + (plot * (w - lo).total_seconds() / span if span else 0.0) \
            if w is not None and lo is not None else left + plot
        y = 16 + i * row
        pos[d.id] = (x, y)
        label = d.id if len(d.id) <= 26 else d.id[:25] + "…"
        lx = width - label_w
        nodes.append(
            f'<a href="#{_anchor("doc", d.id)}"><line x1="{x:.1f}" y1="{y}" x2="{lx - 4}" y2="{y}" '
            f'class="wt-lead"/><circle cx="{x:.1f}" cy="{y}" r="5" class="wt-node"><title>'
            f'{_e(d.id)} · {_e(d.source or "outlet unknown")} · {_e(_date(d))}</title></circle>'
            f'<text x="{lx}" y="{y + 4}">'
            f'{_e(label)}{" · " + _e(d.source) if d.source else ""}</text></a>')
    arcs = []
    for edge in story.edges:
        if edge.get("source") not in pos or edge.get("derived") not in pos:
            continue
        (x1, y1), (x2, y2) = pos[edge["source"]], pos[edge["derived"]]
        # bow each arc to the left of its chord so arcs do not run along the rows
        bend = 0.35 * abs(y2 - y1) + 12
        cx, cy = min(x1, x2) - bend, (y1 + y2) / 2
        colour = _COLOURS.get(edge.get("relation", ""), "#7f8c8d")
        dash = "" if edge.get("primary") else ' stroke-dasharray="4 3" opacity="0.6"'
        arcs.append(f'<path d="M{x1:.1f},{y1} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2}" fill="none" '
                    f'stroke="{colour}" stroke-width="1.6"{dash} marker-end="url(#wt-arrow)"><title>'
                    f'{_e(edge["source"])} → {_e(edge["derived"])}: {_e(edge.get("relation"))}, '
                    f'{float(edge.get("coverage", 0)):.0%} of the copy</title></path>')
    height = 16 + len(docs) * row
    more = (f'<p class="wt-note">graph shows the first {MAX_GRAPH_NODES} of '
            f'{len(story.documents)} documents</p>' if len(story.documents) > len(docs) else "")
    return (f'<svg class="wt-graph" width="{width}" height="{height}" viewBox="-60 0 {width + 60} '
            f'{height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="reuse graph">'
            '<defs><marker id="wt-arrow" viewBox="0 0 10 10" refX="15" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
            'fill="#555"/></marker></defs>' + "".join(nodes) + "".join(arcs) + "</svg>"
            '<p class="wt-note">left to right: publication time (documents without a day date at '
            "the right); arrows: source → derived (red whole copy, orange partial; dashed: a "
            "secondary source)</p>" + more)


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1100px;margin:auto;padding:1em 1.5em 4em}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border-bottom:1px solid #eee;
padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f0f0f0}
.wt-note{color:#666;font-size:.9em}.wt-story,.wt-doc{background:#fff;border:1px solid #e3e3e3;
border-radius:6px;padding:.6em 1em;margin:1em 0}.wt-graph text{font-size:11px;fill:#333}
.wt-node{fill:#2c3e50}.wt-lead{stroke:#ddd;stroke-dasharray:2 3}
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
        f'<li class="wt-rel-{_e(e.get("relation"))}">{_e(e["source"])} → {_e(e["derived"])}: '
        f'{_e(e.get("relation"))}, {float(e.get("coverage", 0)):.0%} of the copy'
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


def _doc_section(d: DocView) -> str:
    links = "".join(
        f'<li>{_e(rel)} with <a href="#{_anchor("doc", other)}">{_e(other)}</a>'
        + (f' · <a href="#{_e(anchor)}">side by side</a>' if anchor else "") + "</li>"
        for other, rel, anchor in d.pairs[:100])
    story = (f'<a href="#{_anchor("story", d.story)}">{_e(d.story)}</a>' if d.story else "")
    return (f'<section class="wt-doc" id="{_anchor("doc", d.id)}"><h4>{_e(d.id)}</h4>'
            f'<p class="wt-note">{_e(d.source or "outlet unknown")} · {_e(_date(d))} · story {story}</p>'
            + (f"<p>{_e(d.title)}</p>" if d.title else "")
            + (f"<ul>{links}</ul>" if links else "") + "</section>")


def _pair_section(p: PairView) -> str:
    from .html import pair_fragment  # written alongside; imported when a report is made

    r = p.comparison
    src = {"a": p.a.id, "b": p.b.id, None: "undecided"}[r.source]
    return (f'<details class="wt-pairview" id="{_e(p.anchor)}"><summary>'
            f'<b>{_e(p.a.id)}</b> ({_e(p.a.source or "outlet unknown")}) vs <b>{_e(p.b.id)}</b> '
            f'({_e(p.b.source or "outlet unknown")}): '
            f'<span class="wt-rel-{_e(r.relation)}">{_e(r.relation)}</span>, source {_e(src)}, '
            f'coverage {r.a_coverage:.0%} / {r.b_coverage:.0%}, similarity {r.similarity:.2f}'
            + (f'; {_e(reuse_line(r))}' if reuse_line(r) else "") +
            f"</summary>{pair_fragment(p.a_text, p.b_text, r, p.a.id, p.b.id)}</details>")


def _first_day(s: StoryView) -> str:
    return next((d.date for d in s.documents if d.date and d.date_precision in (None, "day")), "")


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

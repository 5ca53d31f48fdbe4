"""Self-contained HTML for one comparison: side by side, passages linked.

Hovering (or clicking) a passage highlights its counterpart on the other side.
Every piece of article text goes through :func:`html.escape`; the page loads
nothing from the network.
"""

from __future__ import annotations

import html
import itertools
import json

from ..records import Changes, Comparison
from ..worddiff import altered_quotes, inline_diff, word_changes
from . import reuse_line

_ids = itertools.count()

PAIR_CSS = """
.wt-pair{display:grid;grid-template-columns:1fr 1fr;gap:1.2em;font:15px/1.5 Georgia,serif}
.wt-pair .wt-col{white-space:pre-wrap;word-wrap:break-word;border:1px solid #ddd;padding:.8em;border-radius:6px;background:#fff}
.wt-pair h3{font:600 13px/1.3 system-ui,sans-serif;margin:0 0 .6em;color:#333}
.wt-p{border-radius:3px;cursor:pointer;scroll-margin:4em}
.wt-k-verbatim{background:#cfe8ff}.wt-k-edited{background:#ffe7b3}.wt-k-paraphrase{background:#e2d4ff}.wt-k-translation{background:#d4f5dc}
.wt-p.wt-on{outline:2px solid #d33;background:#ffd0d0}
.wt-c{text-decoration:underline wavy #c00;text-decoration-thickness:1.5px}
.wt-bp{color:#888;font-style:italic}
.wt-d{background:#ffcdc8;color:#7a0000;text-decoration:line-through 1px rgba(122,0,0,.5);border-radius:2px}
.wt-i{background:#c6efc6;color:#05400f;text-decoration:none;border-bottom:2px solid #2b8a2b;border-radius:2px}
.wt-gap::after{content:"\\2038";color:#b00;font-weight:bold}
.wt-q{outline:1.5px dashed #7a3db8;outline-offset:1px}
del.wt-d+ins.wt-i{margin-left:.2em}
.wt-legend{font:12px system-ui,sans-serif;margin:.4em 0}
.wt-legend span{padding:0 .4em;margin-right:.6em;border-radius:3px}
"""

#: what the marks of :func:`pair_fragment` mean, for any page that shows one
LEGEND_HTML = ('<p class="wt-legend"><span class="wt-k-verbatim">verbatim</span>'
    '<span class="wt-k-edited">edited</span><span class="wt-k-paraphrase">paraphrase</span><span class="wt-k-translation">translation</span>'
    '<span class="wt-c">conflict</span><span class="wt-bp">boilerplate</span>'
    '<del class="wt-d">words of A changed or dropped</del> '
    '<ins class="wt-i">words of B in their place or added</ins> '
    '<span class="wt-gap"></span> where the other side has words this one lacks '
    '<span class="wt-q">changed inside a quote</span></p>')

PAIR_JS = """
(function(){
  function on(root, p, state){
    root.querySelectorAll('[data-p="'+p+'"]').forEach(function(el){el.classList.toggle('wt-on', state);});
  }
  document.querySelectorAll('.wt-pair').forEach(function(root){
    root.addEventListener('mouseover', function(e){var t=e.target.closest('[data-p]'); if(t) on(root, t.dataset.p, true);});
    root.addEventListener('mouseout', function(e){var t=e.target.closest('[data-p]'); if(t) on(root, t.dataset.p, false);});
    root.addEventListener('click', function(e){
      var t=e.target.closest('[data-p]'); if(!t) return;
      var side=t.closest('.wt-col').dataset.side;
      var other=root.querySelector('.wt-col:not([data-side="'+side+'"]) [data-p="'+t.dataset.p+'"]');
      root.querySelectorAll('.wt-on').forEach(function(el){el.classList.remove('wt-on');});
      on(root, t.dataset.p, true);
      if(other){other.scrollIntoView({block:'center', behavior:'smooth'});}
    });
  });
})();
"""


def _word_marks(r: Comparison, changes: Changes, a_text: str, b_text: str
                ) -> tuple[dict[tuple[int, int], list[str]], dict[tuple[int, int], list[str]]]:
    """Per side, each changed word run as ``(start, end) -> [class, title]``; a
    zero-width run is an insertion point. Runs of altered quotes also get
    ``wt-q``; a run found both in a passage and in a quote is marked once."""
    a_m: dict[tuple[int, int], list[str]] = {}
    b_m: dict[tuple[int, int], list[str]] = {}
    groups = [(ops, "") for ops in changes.passages] + \
        [(ops, " wt-q") for ops in changes.a_quotes + changes.b_quotes]
    for ops, extra in groups:
        for op in ops or ():
            a_w, b_w = a_text[op.a_start:op.a_end], b_text[op.b_start:op.b_end]
            where = "altered quote: " if extra else ""
            for marks, key, cls, title in (
                    (a_m, (op.a_start, op.a_end), "wt-d" if a_w else "wt-gap",
                     f"{where}B has “{b_w}”" if b_w else f"{where}not in B"),
                    (b_m, (op.b_start, op.b_end), "wt-i" if b_w else "wt-gap",
                     f"{where}A has “{a_w}”" if a_w else f"{where}not in A")):
                if key in marks:
                    if extra and extra not in marks[key][0]:
                        marks[key] = [marks[key][0] + extra, "altered quote: " + marks[key][1]]
                    continue
                marks[key] = [cls + extra, title]
    return a_m, b_m


def _render_side(text: str, passages: list[tuple[int, int, int, str]], conflicts: list[tuple[int, int, str]],
                 boiler: list[tuple[int, int]], words: dict[tuple[int, int], list[str]] | None = None) -> str:
    """Escape ``text`` and wrap passage, boilerplate, conflict and changed-word spans.

    ``passages`` are (start, end, index, kind), disjoint; the other layers may
    overlap them, so the text is cut at every boundary and each piece carries
    all the layers that contain it (passage outermost, changed word innermost).
    A zero-width changed-word run is an insertion point: an empty ``wt-gap``
    span whose mark comes from CSS, so the text itself is unchanged.
    """
    words = words or {}
    spans = [(s, e, v) for (s, e), v in words.items() if s < e]
    gaps: dict[int, list[str]] = {}
    for (s, e), (cls, title) in words.items():
        if s == e:
            gaps.setdefault(s, []).append(
                f'<span class="{cls}" title="{html.escape(title, quote=True)}"></span>')
    cuts = {0, len(text)} | set(gaps)
    for s, e, *_ in passages:
        cuts.update((s, e))
    for s, e, _ in conflicts:
        cuts.update((s, e))
    for s, e in boiler:
        cuts.update((s, e))
    for s, e, _ in spans:
        cuts.update((s, e))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for s, e in zip(points, points[1:]):
        out.extend(gaps.get(s, ()))
        piece = html.escape(text[s:e])
        for ws, we, (cls, title) in spans:
            if ws <= s and e <= we:
                tag = "del" if "wt-d" in cls else "ins"
                piece = f'<{tag} class="{cls}" title="{html.escape(title, quote=True)}">{piece}</{tag}>'
                break
        for cs, ce, note in conflicts:
            if cs <= s and e <= ce:
                piece = f'<span class="wt-c" title="{html.escape(note, quote=True)}">{piece}</span>'
                break
        for bs, be in boiler:
            if bs <= s and e <= be:
                piece = f'<span class="wt-bp" title="boilerplate">{piece}</span>'
                break
        for ps, pe, idx, kind in passages:
            if ps <= s and e <= pe:
                piece = (f'<span class="wt-p wt-k-{kind}" data-p="{idx}" '
                         f'title="passage {idx + 1} ({kind})">{piece}</span>')
                break
        out.append(piece)
    if points:
        out.extend(gaps.get(points[-1], ()))
    return "".join(out)


def pair_fragment(a_text: str, b_text: str, comparison: Comparison, a_label: str = "A",
                  b_label: str = "B", changes: Changes | None = None) -> str:
    """HTML fragment (no ``<html>`` wrapper) showing the pair side by side, with the
    changed words of edited passages and altered quotes marked in both columns
    (``changes`` is :func:`~wiretrace.worddiff.word_changes` of the pair, computed
    here when not given).

    Include :data:`PAIR_CSS` and :data:`PAIR_JS` once on the page.

    >>> from wiretrace import compare
    >>> frag = pair_fragment("<b>x</b>", "y", compare("<b>x</b>", "y"))
    >>> "<b>" in frag
    False
    """
    r = comparison
    if changes is None:
        changes = word_changes(a_text, b_text, r)
    a_w, b_w = _word_marks(r, changes, a_text, b_text)
    a_p = [(p.a_start, p.a_end, i, p.kind) for i, p in enumerate(r.passages)]
    b_p = [(p.b_start, p.b_end, i, p.kind) for i, p in enumerate(r.passages)]
    a_c = [(c.a_start, c.a_end, f"{c.kind} conflict: {c.a_text} / {c.b_text}") for c in r.conflicts]
    b_c = [(c.b_start, c.b_end, f"{c.kind} conflict: {c.b_text} / {c.a_text}") for c in r.conflicts]
    n = next(_ids)
    return (
        f'<div class="wt-pair" id="wt-pair-{n}">'
        f'<div class="wt-col" data-side="a"><h3>{html.escape(a_label)}</h3>'
        f'{_render_side(a_text, a_p, a_c, r.a_boilerplate, a_w)}</div>'
        f'<div class="wt-col" data-side="b"><h3>{html.escape(b_label)}</h3>'
        f'{_render_side(b_text, b_p, b_c, r.b_boilerplate, b_w)}</div></div>'
    )


def _diff_html(pieces: list[tuple[str, str]]) -> str:
    return "".join(f'<{k} class="wt-{k[0]}">{html.escape(t)}</{k}>' if k else html.escape(t)
                   for k, t in pieces)


def quotes_html(a_text: str, b_text: str, comparison: Comparison, changes: Changes) -> str:
    """The altered quotes, each with its changed words shown in place."""
    items = []
    for side, q, ops in altered_quotes(comparison, changes):
        base, other = (a_text, b_text) if side == "a" else (b_text, a_text)
        who = f" ({html.escape(q.speaker)})" if q.speaker else ""
        diff = _diff_html(inline_diff(base, other, q.start, q.end, ops, side == "a"))
        items.append(f"<li>{side.upper()}{who}: “{diff}”</li>")
    return f"<h2>Altered quotes</h2><ul class='wt-quotes'>{''.join(items)}</ul>" if items else ""


def summary_html(comparison: Comparison, a_text: str | None = None, b_text: str | None = None,
                 changes: Changes | None = None) -> str:
    """Headline figures, a legend and the lists of conflicts and unmatched text;
    given both texts, the altered quotes with their changed words too."""
    r = comparison
    src = {"a": "A", "b": "B", None: "undecided"}[r.source]
    rows = [
        f"<b>relation</b> {html.escape(r.relation)}",
        f"<b>likelier source</b> {src}",
        f"<b>coverage</b> A {r.a_coverage:.0%} · B {r.b_coverage:.0%}",
        f"<b>similarity</b> {r.similarity:.2f}",
        f"<b>passages</b> {len(r.passages)}",
        f"<b>conflicts</b> {len(r.conflicts)}",
    ]
    parts = ['<p class="wt-summary">' + " &nbsp;|&nbsp; ".join(rows) + "</p>"]
    if reuse_line(r):
        parts.append(f"<p class='wt-reuse wt-reuse-{html.escape(r.evidence.verdict)}'>Reuse evidence: "
                     + html.escape(reuse_line(r)) + "</p>")
    if r.source_evidence:
        parts.append("<p class='wt-evidence'>Source evidence: "
                     + "; ".join(html.escape(e) for e in r.source_evidence) + "</p>")
    parts.append(LEGEND_HTML)
    if r.conflicts:
        items = "".join(
            f"<li><b>{html.escape(c.kind)}</b>: A “{html.escape(c.a_text)}” vs B “{html.escape(c.b_text)}”"
            + (f" — {html.escape(c.note)}" if c.note else "") + "</li>" for c in r.conflicts)
        parts.append(f"<h2>Conflicts</h2><ul>{items}</ul>")
    if a_text is not None and b_text is not None:
        parts.append(quotes_html(a_text, b_text, r, changes or word_changes(a_text, b_text, r)))
    for label, spans in (("Only in A", r.a_only), ("Only in B", r.b_only)):
        if spans:
            items = "".join(f"<li>{html.escape(s.text)}</li>" for s in spans)
            parts.append(f"<details><summary>{label} ({len(spans)})</summary><ul>{items}</ul></details>")
    return "\n".join(parts)


def render_html(a_text: str, b_text: str, comparison: Comparison, a_label: str = "A",
                b_label: str = "B", title: str = "wiretrace comparison") -> str:
    """A complete, self-contained HTML page for one comparison; its JSON block
    carries the word ops of every passage and quote (``to_dict(changes)``)."""
    changes = word_changes(a_text, b_text, comparison)
    # \u003c etc. keep any "<script" or "-->" in article text inert inside the JSON block
    data = (json.dumps(comparison.to_dict(changes)).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{html.escape(title)}</title>
<style>body{{margin:1.5em;font:14px system-ui,sans-serif;color:#222;background:#f7f7f5}}{PAIR_CSS}</style>
</head><body>
<h1>{html.escape(title)}</h1>
{summary_html(comparison, a_text, b_text, changes)}
{pair_fragment(a_text, b_text, comparison, a_label, b_label, changes)}
<script type="application/json" id="wt-data">{data}</script>
<script>{PAIR_JS}</script>
</body></html>
"""

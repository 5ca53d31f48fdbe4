"""Terminal view of one comparison with rich: summary on top, texts side by side."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..records import Comparison
from . import reuse_line

_PALETTE = ["on dark_blue", "on dark_green", "on dark_magenta", "on dark_cyan", "on grey30",
            "on dark_red", "on navy_blue", "on dark_olive_green3", "on purple4", "on deep_sky_blue4"]


def _styled(text: str, spans: list[tuple[int, int, str]], conflicts: list[tuple[int, int]],
            boiler: list[tuple[int, int]]) -> Text:
    t = Text(text)
    for s, e in boiler:
        t.stylize("dim italic", s, e)
    for s, e, style in spans:
        t.stylize(style, s, e)
    for s, e in conflicts:
        t.stylize("bold underline red", s, e)
    return t


def render_terminal(a_text: str, b_text: str, r: Comparison, a_label: str = "A", b_label: str = "B") -> Group:
    """A rich renderable; print it with ``rich.console.Console().print``."""
    src = {"a": a_label, "b": b_label, None: "undecided"}[r.source]
    head = Text.assemble(
        ("relation ", "bold"), (r.relation, "yellow"), "   ",
        ("source ", "bold"), (src, "yellow"), "   ",
        ("coverage ", "bold"), f"{a_label} {r.a_coverage:.0%} · {b_label} {r.b_coverage:.0%}", "   ",
        ("similarity ", "bold"), f"{r.similarity:.2f}", "   ",
        ("passages ", "bold"), str(len(r.passages)), "   ",
        ("conflicts ", "bold"), str(len(r.conflicts)),
    )
    a_sp, b_sp = [], []
    for i, p in enumerate(r.passages):
        style = _PALETTE[i % len(_PALETTE)] + (" italic" if p.kind == "paraphrase" else "")
        a_sp.append((p.a_start, p.a_end, style))
        b_sp.append((p.b_start, p.b_end, style))
    table = Table(show_header=True, header_style="bold", expand=True, show_lines=False)
    table.add_column(a_label, ratio=1, overflow="fold")
    table.add_column(b_label, ratio=1, overflow="fold")
    table.add_row(
        _styled(a_text, a_sp, [(c.a_start, c.a_end) for c in r.conflicts], r.a_boilerplate),
        _styled(b_text, b_sp, [(c.b_start, c.b_end) for c in r.conflicts], r.b_boilerplate),
    )
    parts = [Panel(head, title="wiretrace compare", expand=True), table]
    if r.conflicts:
        ct = Table(title="Conflicts", expand=True)
        for col in ("kind", a_label, b_label):
            ct.add_column(col)
        for c in r.conflicts:
            ct.add_row(c.kind, c.a_text, c.b_text)
        parts.append(ct)
    if reuse_line(r):
        parts.insert(1, Text("reuse evidence: " + reuse_line(r),
                             style="bold yellow" if r.evidence.shared_quotes else "dim"))
    if r.source_evidence:
        parts.append(Text("source evidence: " + "; ".join(r.source_evidence), style="dim"))
    return Group(*parts)


def print_comparison(a_text: str, b_text: str, r: Comparison, a_label: str = "A", b_label: str = "B",
                     console: Console | None = None) -> None:
    """Print the side-by-side view (CLI only)."""
    (console or Console()).print(render_terminal(a_text, b_text, r, a_label, b_label))

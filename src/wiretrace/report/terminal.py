"""Terminal view of one comparison with rich: summary and legend on top, texts
side by side, then conflicts, altered quotes and what only one side has.

Readable on light and dark terminals alike: no background colours, only the
16 theme colours for small marks, and the words themselves in the terminal's
own foreground. With colour off (``--color never``, or output piped) every mark
is plain text instead: ``[3 edited …]`` around a passage, ``{-IS-}`` and
``{+Islamic State+}`` for changed words, ``{!…!}`` for a conflict.

Article text is never trusted: every string from it goes through
:func:`safe_text` and into :class:`rich.text.Text` (never rich markup), so an
article cannot clear the screen, recolour the terminal or plant a hyperlink.
"""

from __future__ import annotations

import re

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..records import Changes, Comparison
from ..worddiff import altered_quotes, inline_diff, word_changes
from . import reuse_line

# C0 controls but tab and newline, DEL and C1 (0x9b is a one-byte CSI)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
KIND_STYLE = {"verbatim": "bold blue", "edited": "bold magenta", "paraphrase": "bold cyan",
              "translation": "bold green"}
DEL_STYLE, INS_STYLE = "red strike", "bold green underline"
CONFLICT_STYLE = "bold reverse"
CONTEXT = 60


def _picture(m: re.Match) -> str:
    c = ord(m.group())
    if c == 0x0D:
        return " "  # CRLF text: a carriage return would move the cursor, a space does not
    if c < 0x20:
        return chr(0x2400 + c)  # the control pictures block: ␛ for ESC
    return "\u2421" if c == 0x7F else "\ufffd"


def safe_text(text: str) -> str:
    """``text`` with every control character but newline and tab replaced by a
    visible stand-in of one character, so no escape sequence reaches the
    terminal and character offsets into ``text`` stay valid.

    >>> safe_text("IS\\x1b[2J gone\\x1b]8;;http://evil\\x1b\\\\link\\x9b31m")
    'IS␛[2J gone␛]8;;http://evil␛\\\\link�31m'
    """
    return _CONTROLS.sub(_picture, text) if _CONTROLS.search(text) else text


def plain(text: str, style: str = "") -> Text:
    """Article-derived text as a rich Text: control characters neutralised, no markup."""
    return Text(safe_text(str(text)), style=style)


class _Marks:
    """How each mark looks: styles with colour, bracketed text without."""

    def __init__(self, plain_marks: bool):
        self.plain = plain_marks

    def word(self, out: Text, s: str, kind: str) -> None:
        """A changed word run: ``kind`` "del" (A's words) or "ins" (B's words)."""
        if self.plain:
            out.append("{-" + s + "-}" if kind == "del" else "{+" + s + "+}")
        else:
            out.append(s, DEL_STYLE if kind == "del" else INS_STYLE)

    def gap(self, out: Text) -> None:
        out.append("{^}" if self.plain else "‸", "" if self.plain else "bold red")

    def conflict(self, out: Text, s: str, base: str = "") -> None:
        if self.plain:
            out.append("{!" + s + "!}", base)
        else:
            out.append(s, f"{base} {CONFLICT_STYLE}".strip())

    def tag(self, out: Text, s: str, kind: str) -> None:
        out.append(s, "" if self.plain else KIND_STYLE.get(kind, "bold"))


def _side(text: str, passages: list[tuple[int, int, int, str]], words: dict[tuple[int, int], str],
          conflicts: list[tuple[int, int]], boiler: list[tuple[int, int]], marks: _Marks) -> Text:
    """One column: the text with passage tags, changed words, conflicts and
    boilerplate, built piece by piece so the tags never shift an offset."""
    text = safe_text(text)
    gaps = {s for (s, e) in words if s == e}
    cuts = {0, len(text)} | gaps
    for s, e, *_ in passages:
        cuts.update((s, e))
    for s, e in [*conflicts, *boiler, *(k for k in words if k[0] < k[1])]:
        cuts.update((s, e))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    starts = {s: (n, kind) for s, _, n, kind in passages}
    ends = {e: (n, kind) for _, e, n, kind in passages}
    out = Text()
    for s, e in zip(points, points[1:]):
        # an insertion point where a passage ends belongs inside it, before the "]"
        gap_first = s in gaps and s in ends and s not in starts
        if gap_first:
            marks.gap(out)
        if s in ends:
            marks.tag(out, "]", ends[s][1])
        if s in starts:
            n, kind = starts[s]
            marks.tag(out, f"[{n + 1} {kind} ", kind)
        if s in gaps and not gap_first:
            marks.gap(out)
        piece = text[s:e]
        kind = next((k for p0, p1, _, k in passages if p0 <= s and e <= p1), None)
        base = ("italic" if kind in ("paraphrase", "translation") else "") + \
            (" dim italic" if any(b0 <= s and e <= b1 for b0, b1 in boiler) else "")
        word = next((k for (w0, w1), k in words.items() if w0 <= s and e <= w1 and w0 < w1), None)
        if any(c0 <= s and e <= c1 for c0, c1 in conflicts):
            marks.conflict(out, piece, base)
        elif word:
            marks.word(out, piece, word)
        else:
            out.append(piece, base.strip())
    end = points[-1] if points else 0
    if end in gaps:
        marks.gap(out)
    if end in ends:
        marks.tag(out, "]", ends[end][1])
    return out


def _word_runs(changes: Changes) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    a_w: dict[tuple[int, int], str] = {}
    b_w: dict[tuple[int, int], str] = {}
    for ops in (*changes.passages, *changes.a_quotes, *changes.b_quotes):
        for op in ops or ():
            a_w.setdefault((op.a_start, op.a_end), "del")
            b_w.setdefault((op.b_start, op.b_end), "ins")
    return a_w, b_w


def _context(text: str, s: int, e: int, marks: _Marks) -> Text:
    """``text[s:e]`` marked as a conflict, with up to :data:`CONTEXT` characters
    of the sentence around it, on one line."""
    lo, hi = max(0, s - CONTEXT), min(len(text), e + CONTEXT)
    while lo > 0 and not text[lo - 1].isspace() and lo > s - CONTEXT - 15:
        lo -= 1
    while hi < len(text) and not text[hi].isspace() and hi < e + CONTEXT + 15:
        hi += 1
    out = Text("…" if lo > 0 else "")
    out.append(_one_line(text[lo:s]))
    marks.conflict(out, _one_line(text[s:e]))
    out.append(_one_line(text[e:hi]) + ("…" if hi < len(text) else ""))
    return out


def _one_line(s: str) -> str:
    return safe_text(" ".join(s.split()) if "\n" in s else s)


def _legend(marks: _Marks) -> Text:
    t = Text("legend: ", style="bold")
    for kind in ("verbatim", "edited", "paraphrase", "translation"):
        marks.tag(t, f"[n {kind} …]", kind)
        t.append("  ")
    t.append("passage n and its kind, same n on both sides;  ")
    marks.word(t, "A's words", "del")
    t.append(" changed or dropped in B;  ")
    marks.word(t, "B's words", "ins")
    t.append(" in their place or added;  ")
    marks.gap(t)
    t.append(" the other side has words here;  ")
    marks.conflict(t, "conflict")
    t.append(" different facts")
    if not marks.plain:
        t.append(";  ")
        t.append("boilerplate", "dim italic")
    return t


def render_terminal(a_text: str, b_text: str, r: Comparison, a_label: str = "A", b_label: str = "B",
                    plain_marks: bool = False, changes: Changes | None = None) -> Group:
    """A rich renderable; print it with ``rich.console.Console().print``.
    ``plain_marks`` shows every mark as text (for output without colour)."""
    marks = _Marks(plain_marks)
    changes = changes or word_changes(a_text, b_text, r)
    a_label, b_label = safe_text(a_label), safe_text(b_label)
    src = {"a": a_label, "b": b_label, None: "undecided"}[r.source]
    head = Text.assemble(
        ("relation ", "bold"), r.relation, "   ",
        ("source ", "bold"), src, "   ",
        ("coverage ", "bold"), f"{a_label} {r.a_coverage:.0%} · {b_label} {r.b_coverage:.0%}", "   ",
        ("similarity ", "bold"), f"{r.similarity:.2f}", "   ",
        ("passages ", "bold"), str(len(r.passages)), "   ",
        ("conflicts ", "bold"), str(len(r.conflicts)),
    )
    parts: list = [Panel(head, title="wiretrace compare", expand=True)]
    if reuse_line(r):
        parts.append(plain("reuse evidence: " + reuse_line(r), "bold" if r.evidence.shared_quotes else ""))
    parts.append(_legend(marks))
    a_w, b_w = _word_runs(changes)
    table = Table(show_header=True, header_style="bold", expand=True, show_lines=False)
    table.add_column(Text(a_label), ratio=1, overflow="fold")
    table.add_column(Text(b_label), ratio=1, overflow="fold")
    table.add_row(
        _side(a_text, [(p.a_start, p.a_end, i, p.kind) for i, p in enumerate(r.passages)], a_w,
              [(c.a_start, c.a_end) for c in r.conflicts], r.a_boilerplate, marks),
        _side(b_text, [(p.b_start, p.b_end, i, p.kind) for i, p in enumerate(r.passages)], b_w,
              [(c.b_start, c.b_end) for c in r.conflicts], r.b_boilerplate, marks),
    )
    parts.append(table)
    if r.conflicts:
        ct = Table(title="Conflicts", expand=True, title_justify="left")
        for col in ("kind", a_label, b_label, "note"):
            ct.add_column(Text(col), ratio=None if col == "kind" else 2)
        for c in r.conflicts:
            ct.add_row(plain(c.kind), _context(a_text, c.a_start, c.a_end, marks),
                       _context(b_text, c.b_start, c.b_end, marks), plain(c.note))
        parts.append(ct)
    parts += _quotes(a_text, b_text, r, changes, marks, a_label, b_label)
    for label, spans in ((a_label, r.a_only), (b_label, r.b_only)):
        if spans:
            parts.append(Text(f"Only in {label} ({len(spans)})", style="bold"))
            for sp in spans:
                line = _one_line(sp.text)
                parts.append(Text("  · " + (line if len(line) <= 200 else line[:199] + "…")))
    if r.source_evidence:
        parts.append(plain("source evidence: " + "; ".join(r.source_evidence), "dim"))
    return Group(*parts)


def _quotes(a_text: str, b_text: str, r: Comparison, changes: Changes, marks: _Marks,
            a_label: str, b_label: str) -> list[Text]:
    """Each altered quote on one line, the other side's words put in place."""
    out = []
    for side, q, ops in altered_quotes(r, changes):
        base, other = (a_text, b_text) if side == "a" else (b_text, a_text)
        label = a_label if side == "a" else b_label
        line = Text(f"  {label}" + (f" ({safe_text(q.speaker)})" if q.speaker else "") + ": “")
        for kind, piece in inline_diff(base, other, q.start, q.end, ops, side == "a"):
            if kind:
                marks.word(line, _one_line(piece), kind)
            else:
                line.append(_one_line(piece))
        line.append("”")
        out.append(line)
    return [Text("Altered quotes", style="bold"), *out] if out else []


def print_comparison(a_text: str, b_text: str, r: Comparison, a_label: str = "A", b_label: str = "B",
                     console: Console | None = None, color: str = "auto") -> None:
    """Print the side-by-side view (CLI only). ``color`` is "auto" (colour on a
    terminal, plain marks when piped), "always" or "never"."""
    if console is None:
        console = Console(force_terminal=True) if color == "always" else \
            Console(color_system=None, no_color=True) if color == "never" else Console()
    console.print(render_terminal(a_text, b_text, r, a_label, b_label,
                                  plain_marks=console.color_system is None))

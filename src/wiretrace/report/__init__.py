"""Views of comparisons and corpora: terminal (rich) and self-contained HTML."""

from __future__ import annotations

from ..records import Comparison

#: how each reuse verdict reads in every view
VERDICT_LABELS = {
    "copied": "copied wording",
    "rewritten": "retold sentence by sentence",
    "translated": "translated sentence by sentence",
    "shared-quotes": "shared quotations only (both may quote the same speaker; not reuse)",
    "none": "no evidence of reuse",
}


def reuse_line(r: Comparison) -> str:
    """One line saying why the pair is or is not derived, for every view.

    >>> from wiretrace.records import Evidence
    >>> reuse_line(Comparison([], 0.0, 0.0, "non-derived", None, 0.4,
    ...                       evidence=Evidence("shared-quotes", notes=["only direct quotation is shared"])))
    'shared quotations only (both may quote the same speaker; not reuse): only direct quotation is shared'
    """
    ev = r.evidence
    if ev is None:
        return ""
    label = VERDICT_LABELS.get(ev.verdict, ev.verdict)
    return label + (": " + "; ".join(ev.notes) if ev.notes else "")

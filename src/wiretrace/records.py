"""Result records. Frozen and slotted; every offset is a half-open character
offset into the text the caller passed in."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Literal

Kind = Literal["verbatim", "edited", "paraphrase", "translation"]


def _flat_dict(rec: Any) -> dict[str, Any]:
    """Fields of a record whose values are all scalars (``dataclasses.asdict``
    deep-copies recursively, which showed up in corpus-scan profiles)."""
    return {name: getattr(rec, name) for name in _field_names(type(rec))}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


_NAMES: dict[type, tuple[str, ...]] = {}
Relation = Literal["wholly-derived", "partially-derived", "non-derived"]


@dataclass(frozen=True, slots=True)
class Passage:
    """One reused passage: ``a_text[a_start:a_end]`` corresponds to ``b_text[b_start:b_end]``."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: Kind
    score: float
    #: words matched exactly (after normalization) inside the passage
    matched_words: int = 0
    #: word edit rate between the two sides, 0 = identical after normalization
    edit_rate: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return _flat_dict(self)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two aligned fragments that state different facts."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: str
    a_text: str
    b_text: str
    #: a short human-readable explanation
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _flat_dict(self)


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of one text with no counterpart in the other."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return _flat_dict(self)


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quote and, when found, who said it."""

    start: int
    end: int
    text: str
    speaker: str | None = None
    #: "exact" | "trimmed" | "altered" | "unmatched" relative to the other text
    status: str = "unmatched"

    def to_dict(self) -> dict[str, Any]:
        return _flat_dict(self)


@dataclass(frozen=True, slots=True)
class WordOp:
    """One run of changed words inside an aligned stretch: ``a_text[a_start:a_end]``
    became ``b_text[b_start:b_end]``. "delete" has an empty b side and "insert"
    an empty a side (start == end: where the words would go)."""

    #: "replace" | "delete" (words only in A) | "insert" (words only in B)
    op: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int

    def to_dict(self) -> dict[str, Any]:
        return _flat_dict(self)


@dataclass(frozen=True, slots=True)
class Changes:
    """Word-level differences of a comparison, computed on demand by
    :func:`wiretrace.worddiff.word_changes` (not stored in a Comparison).

    One entry per passage and per quote, in the comparison's order: the word
    ops, or None where there is no word alignment to show (paraphrases, quotes
    that are not "altered").
    """

    passages: tuple[tuple[WordOp, ...] | None, ...] = ()
    a_quotes: tuple[tuple[WordOp, ...] | None, ...] = ()
    b_quotes: tuple[tuple[WordOp, ...] | None, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a pair is, or is not, derived (see :mod:`wiretrace.meaning.evidence`)."""

    #: "copied" | "rewritten" | "translated" (all derived) | "shared-quotes" | "none"
    verdict: str
    #: free words (not quoted, not names) of the longest lexical passage
    longest_run: int = 0
    #: free words of the lexical passages in one order that count
    run_words: int = 0
    #: matched words of lexical passages that are direct quotation on both sides
    quoted_words: int = 0
    #: paraphrased sentence pairs in order, with shared content words
    rewritten: int = 0
    #: share of the shorter text inside those sentences and the lexical passages
    #: of the same order
    rewritten_share: float = 0.0
    #: human-readable reasons
    notes: list[str] = field(default_factory=list)

    @property
    def derived(self) -> bool:
        """Whether the evidence shows reuse ("copied", "rewritten" or "translated")."""
        return self.verdict in ("copied", "rewritten", "translated")

    @property
    def shared_quotes(self) -> bool:
        """Whether all the pair shares is direct quotation."""
        return self.verdict == "shared-quotes"

    def to_dict(self) -> dict[str, Any]:
        d = _flat_dict(self)
        d["notes"] = list(self.notes)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Evidence | None":
        if not d:
            return None
        ev = {k: d[k] for k in _field_names(cls) if k in d}
        ev["notes"] = [str(x) for x in ev.get("notes") or []]
        return cls(**ev)


@dataclass(frozen=True, slots=True)
class Comparison:
    """The result of :func:`wiretrace.compare`."""

    passages: list[Passage]
    a_coverage: float
    b_coverage: float
    relation: Relation
    source: Literal["a", "b"] | None
    similarity: float
    conflicts: list[Conflict] = field(default_factory=list)
    a_only: list[Span] = field(default_factory=list)
    b_only: list[Span] = field(default_factory=list)
    a_quotes: list[Quote] = field(default_factory=list)
    b_quotes: list[Quote] = field(default_factory=list)
    #: why the source was chosen, strongest evidence first
    source_evidence: list[str] = field(default_factory=list)
    #: character spans of each text treated as boilerplate (bylines, credits…)
    a_boilerplate: list[tuple[int, int]] = field(default_factory=list)
    b_boilerplate: list[tuple[int, int]] = field(default_factory=list)
    #: "lexical" or "semantic": which passes ran
    mode: str = "lexical"
    #: why the pair is or is not derived
    evidence: Evidence | None = None

    def to_dict(self, changes: Changes | None = None) -> dict[str, Any]:
        """JSON-serialisable dict of every field. With ``changes`` (see
        :func:`wiretrace.worddiff.word_changes`) each passage and quote also gets
        ``ops``: its word ops as dicts, or None where none apply.

        >>> r = Comparison([Passage(0, 6, 0, 7, "edited", 0.5, 1, 0.5)], 1.0, 1.0, "wholly-derived", None, 1.0)
        >>> r.to_dict(Changes(passages=((WordOp("replace", 0, 2, 0, 3),),)))["passages"][0]["ops"]
        [{'op': 'replace', 'a_start': 0, 'a_end': 2, 'b_start': 0, 'b_end': 3}]
        """
        d = self._dict()
        if changes is not None:
            for key, per in (("passages", changes.passages), ("a_quotes", changes.a_quotes),
                             ("b_quotes", changes.b_quotes)):
                for item, ops in zip(d[key], per):
                    item["ops"] = None if ops is None else [op.to_dict() for op in ops]
        return d

    def _dict(self) -> dict[str, Any]:
        return {
            "passages": [p.to_dict() for p in self.passages],
            "a_coverage": self.a_coverage,
            "b_coverage": self.b_coverage,
            "relation": self.relation,
            "source": self.source,
            "similarity": self.similarity,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "a_only": [s.to_dict() for s in self.a_only],
            "b_only": [s.to_dict() for s in self.b_only],
            "a_quotes": [q.to_dict() for q in self.a_quotes],
            "b_quotes": [q.to_dict() for q in self.b_quotes],
            "source_evidence": list(self.source_evidence),
            "a_boilerplate": [list(s) for s in self.a_boilerplate],
            "b_boilerplate": [list(s) for s in self.b_boilerplate],
            "mode": self.mode,
            "evidence": self.evidence.to_dict() if self.evidence is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Comparison":
        """Rebuild a comparison from its :meth:`to_dict` form (fields it does not
        know are ignored, so results stored by other versions still read).

        >>> r = Comparison([Passage(0, 4, 0, 4, "verbatim", 1.0, 1)], 1.0, 1.0, "wholly-derived", None, 1.0)
        >>> Comparison.from_dict(r.to_dict()) == r
        True
        """
        def many(kind: type, key: str) -> list:
            names = set(_field_names(kind))
            return [kind(**{k: v for k, v in x.items() if k in names})
                    for x in d.get(key) or [] if isinstance(x, dict)]

        return cls(
            passages=sorted(many(Passage, "passages"), key=lambda p: (p.a_start, p.b_start)),
            a_coverage=_number(d.get("a_coverage")), b_coverage=_number(d.get("b_coverage")),
            relation=d.get("relation") or "non-derived", source=d.get("source"),
            similarity=_number(d.get("similarity")), conflicts=many(Conflict, "conflicts"),
            a_only=many(Span, "a_only"), b_only=many(Span, "b_only"),
            a_quotes=many(Quote, "a_quotes"), b_quotes=many(Quote, "b_quotes"),
            source_evidence=[str(x) for x in d.get("source_evidence") or []],
            a_boilerplate=[tuple(x) for x in d.get("a_boilerplate") or []],
            b_boilerplate=[tuple(x) for x in d.get("b_boilerplate") or []],
            mode=d.get("mode") or "lexical",
            evidence=Evidence.from_dict(d.get("evidence") if isinstance(d.get("evidence"), dict) else None),
        )


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


@dataclass(frozen=True, slots=True)
class Document:
    """One article of a corpus."""

    id: str
    text: str
    source: str | None = None
    date: str | None = None
    title: str | None = None
    url: str | None = None
    #: other fields from the input record, passed through untouched
    extra: dict[str, Any] = field(default_factory=dict)
    #: where it came from, for error messages: "file" or "file:line"
    origin: str = ""
    #: where ``date`` came from: "input", "page-metadata", "dateline" or "byline"
    #: (:data:`wiretrace.dates.SOURCES`); None when there is no date
    date_source: str | None = None
    #: "day", "month" or "year": a year or a month never orders two documents
    date_precision: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input record that could not be read, and why."""

    origin: str
    reason: str
    #: a short category used in the run summary ("bad-json", "missing-text", …)
    category: str


def json_finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float (at any depth) replaced by None: JSON
    has no such numbers, and an input's pass-through field may hold them.

    >>> json_finite({"score": float("nan"), "list": [1.5, float("inf")]})
    {'score': None, 'list': [1.5, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_finite(v) for v in value]
    return value

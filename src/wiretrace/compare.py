"""``compare(a, b)``: the one call everything else is built on."""

from __future__ import annotations

from typing import Any

from .align import align_blocks, blocks_to_passages
from .config import CompareConfig
from .dates import check_date, pair_dates
from .errors import ConfigError
from .judge import coverage, lexical_similarity, likely_source, relation, uncovered_spans
from .normalize import Tokens, cjk_share, tokenize
from .records import Comparison, Passage


def compare(a_text: str, b_text: str, *, a_date: Any = None, b_date: Any = None,
            a_title: str | None = None, b_title: str | None = None,
            config: CompareConfig | None = None, **options: Any) -> Comparison:
    """Align the passages ``a_text`` reuses from ``b_text`` (and vice versa) and judge the pair.

    Keyword options override :class:`~wiretrace.config.CompareConfig` fields
    (``compare(a, b, min_passage_words=8)``); dates are ISO 8601 strings or
    ``date``/``datetime`` objects (anything else raises
    :class:`~wiretrace.dates.DateError`); they decide the source only when they
    order the two texts: two day dates ("2016" or "2016-01" order nothing).

    >>> wire = ("Kerry said the talks in Rome went well on Tuesday, and that both sides "
    ...         "would meet again in Geneva next month to settle the ceasefire terms.")
    >>> r = compare(wire, "ROME (Reuters) - " + wire)
    >>> r.relation, r.source, r.passages[0].kind
    ('wholly-derived', 'b', 'verbatim')
    """
    if not isinstance(a_text, str) or not isinstance(b_text, str):
        raise ConfigError("compare() takes two str texts; decode bytes first (wiretrace.read.decode_bytes)")
    # a bad date is an error (DateError), never silently no date; a year or a month is
    # valid but orders nothing, so only a pair of dates that order the two goes on
    check_date(a_date, "a_date")
    check_date(b_date, "b_date")
    a_date, b_date = pair_dates(a_date, b_date)
    cfg = (config or CompareConfig()).replace(**options) if options else (config or CompareConfig())
    ta = tokenize(a_text, strip_boilerplate=cfg.strip_boilerplate)
    tb = tokenize(b_text, strip_boilerplate=cfg.strip_boilerplate)
    return compare_tokens(ta, tb, cfg, a_date=a_date, b_date=b_date)


#: options counted in words: Chinese and Japanese tokens are single characters
#: (normalize.py), about half a word each, and carry no capitals to tell names from
#: free words, so a mostly CJK pair counts these in characters, twice the words
#: alignment options counted in words: a Chinese word is ~1.5-2 characters
_WORD_COUNTS = ("max_gap", "max_edge_words", "min_passage_words")
_CJK_WORD_CHARS = 2
#: reuse-evidence options counted in words: CJK has no capitals to set names and
#: official formulae apart from a writer's own words ("中华人民共和国外交部发言人
#: 华春莹在例行记者会上表示", 25 characters, opens unrelated reports), so a run
#: must be twice as long again (measured in BENCHMARKS.md, session 8)
_EVIDENCE_COUNTS = ("reuse_min_run_words", "reuse_min_total_words", "reuse_min_passage_free",
                    "reuse_min_run_matched")
_CJK_EVIDENCE_CHARS = 4


def script_config(ta: Tokens, tb: Tokens, cfg: CompareConfig) -> CompareConfig:
    """``cfg`` with its word counts in the pair's token units: the one place where a
    script changes a threshold. Most tokens of the pair CJK characters: each
    alignment count times two, each reuse-evidence count times four; otherwise
    ``cfg`` itself.

    >>> from wiretrace.normalize import tokenize
    >>> script_config(tokenize("新华社北京电"), tokenize("中国经济"), CompareConfig()).min_passage_words
    12
    """
    na, nb = len(ta), len(tb)
    if not na + nb or (ta.text.isascii() and tb.text.isascii()):
        return cfg
    if cjk_share(ta) * na + cjk_share(tb) * nb < 0.5 * (na + nb):
        return cfg
    return cfg.replace(**{k: getattr(cfg, k) * _CJK_WORD_CHARS for k in _WORD_COUNTS},
                       **{k: getattr(cfg, k) * _CJK_EVIDENCE_CHARS for k in _EVIDENCE_COUNTS})


def lexical_passages(ta: Tokens, tb: Tokens, cfg: CompareConfig) -> list[Passage]:
    """The lexical pass of :func:`compare` alone: verbatim and edited passages,
    no meaning pass and no judgement (a cheap first look at many candidates)."""
    cfg = script_config(ta, tb, cfg)
    return blocks_to_passages(align_blocks(ta, tb, cfg), ta, tb, cfg)


def compare_tokens(ta: Tokens, tb: Tokens, cfg: CompareConfig, *, a_date: Any = None,
                   b_date: Any = None, lexical: list[Passage] | None = None) -> Comparison:
    """:func:`compare` over already tokenized texts (the corpus engines reuse tokens).
    ``lexical`` is :func:`lexical_passages` of the same texts and config when the
    caller has it already."""
    passages = lexical if lexical is not None else lexical_passages(ta, tb, cfg)
    cfg = script_config(ta, tb, cfg)
    mode = "lexical"
    reuse = None
    conflicts: list = []
    a_quotes: list = []
    b_quotes: list = []
    try:
        from . import meaning
    except ImportError:  # pragma: no cover - meaning is part of the package
        meaning = None
    if meaning is not None:
        passages, conflicts, a_quotes, b_quotes, mode, reuse = meaning.enrich(ta, tb, passages, cfg)
    story_similarity = getattr(meaning, "similarity", None)
    a_spans = [(p.a_start, p.a_end) for p in passages]
    b_spans = [(p.b_start, p.b_end) for p in passages]
    a_cov = round(coverage(ta, a_spans), 4)
    b_cov = round(coverage(tb, b_spans), 4)
    source, evidence, firm = likely_source(ta, tb, passages, a_cov, b_cov, a_date, b_date)
    return Comparison(
        passages=passages,
        a_coverage=a_cov,
        b_coverage=b_cov,
        relation=relation(a_cov, b_cov, source, cfg, derived=reuse is None or reuse.derived,
                          source_is_firm=firm),
        source=source,
        similarity=(story_similarity(ta, tb, passages, a_cov, b_cov, cfg) if story_similarity
                    else lexical_similarity(ta, tb, a_cov, b_cov)),
        conflicts=conflicts,
        a_only=uncovered_spans(ta, a_spans),
        b_only=uncovered_spans(tb, b_spans),
        a_quotes=a_quotes,
        b_quotes=b_quotes,
        source_evidence=evidence,
        a_boilerplate=list(ta.boilerplate),
        b_boilerplate=list(tb.boilerplate),
        mode=mode,
        evidence=reuse,
    )

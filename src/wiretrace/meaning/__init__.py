"""The meaning pass: paraphrases, conflicts, quotes and story similarity.

:func:`enrich` runs after the lexical alignment inside
:func:`wiretrace.compare_tokens`::

    passages, conflicts, a_quotes, b_quotes, mode, evidence = enrich(ta, tb, passages, cfg)

and :func:`similarity` gives ``Comparison.similarity`` from the final
coverage. The sentence-embedding backend (``wiretrace[semantic]``) is optional:
without it, or with ``CompareConfig(semantic=False)``, every step uses lexical
evidence only and ``mode`` is "lexical"; :func:`backend_notice` says which
backend runs, for a CLI to print (the library never prints).
"""

from __future__ import annotations

from ..config import CompareConfig
from ..normalize import Tokens
from ..records import Conflict, Evidence, Passage, Quote
from . import conflicts as _conflicts
from . import embed, paraphrase, quotes, simscore, translation
from . import evidence as _evidence
from .embed import backend_notice, semantic_active
from .facts import known_capitals, sentence_initial
from .simscore import similarity

__all__ = ["enrich", "similarity", "backend_notice", "semantic_active"]


def enrich(ta: Tokens, tb: Tokens, passages: list[Passage], cfg: CompareConfig
           ) -> tuple[list[Passage], list[Conflict], list[Quote], list[Quote], str, Evidence]:
    """Add paraphrase passages, weigh the evidence of reuse, find conflicts and quotes.

    Returns ``(passages, conflicts, a_quotes, b_quotes, mode, evidence)``:
    passages sorted by a_start and disjoint on each side (paraphrases never
    overlap the lexical passages they do not absorb), only those the
    :class:`~wiretrace.records.Evidence` supports (see
    :mod:`~wiretrace.meaning.evidence`); conflicts sorted by a_start, found on
    those passages and in the quotes; quotes with their status against the
    other text; and mode "semantic" when the embedding pass ran, else "lexical".
    """
    semantic = semantic_active(cfg)
    encode = embed.encoder(cfg) if semantic else None
    calibrate = embed.backend(cfg.embed_model).calibrate
    initial = (sentence_initial(ta), sentence_initial(tb))
    known = known_capitals(ta) | known_capitals(tb)
    min_cos = getattr(cfg, "paraphrase_min_cosine", None)
    # the story similarity embeds the leads (and a sentence pair's residues): put them
    # in the same batch
    extra = simscore.to_embed(ta, tb, cfg.embed_model) if semantic else None
    try:
        passages, _ = paraphrase.find(ta, tb, passages, encode, min_cosine=min_cos,
                                      known=known, initial=initial, extra=extra,
                                      calibrate=calibrate)
    except RuntimeError:  # the backend failed mid-run: fall back to lexical evidence
        semantic = False
        passages, _ = paraphrase.find(ta, tb, passages, None, min_cosine=min_cos,
                                      known=known, initial=initial)
    if semantic and embed.multilingual(cfg):
        passages = _translations(ta, tb, passages, cfg)
    a_quotes = quotes.extract(ta)
    b_quotes = quotes.extract(tb)
    evidence, passages = _evidence.weigh(ta, tb, passages, a_quotes, b_quotes, cfg)
    found = _conflicts.find(ta, tb, passages, known, initial)
    if any(p.kind == "translation" for p in passages):
        found = sorted(found + translation.number_conflicts(ta.text, tb.text, passages),
                       key=lambda c: (c.a_start, c.b_start))
    a_quotes, qa = quotes.compare_quotes(ta, a_quotes, tb, b_quotes, True)
    b_quotes, qb = quotes.compare_quotes(tb, b_quotes, ta, a_quotes, False)
    if qa or qb:
        seen = {(c.a_start, c.a_end, c.b_start, c.b_end, c.kind) for c in found}
        for c in qa + qb:
            key = (c.a_start, c.a_end, c.b_start, c.b_end, c.kind)
            if key not in seen:
                seen.add(key)
                found.append(c)
        found.sort(key=lambda c: (c.a_start, c.b_start))
    return passages, found, a_quotes, b_quotes, "semantic" if semantic else "lexical", evidence


def _translations(ta: Tokens, tb: Tokens, passages: list[Passage], cfg: CompareConfig) -> list[Passage]:
    """``passages`` plus the translated sentence pairs, when the texts are in two
    known, different languages (per text, cached: a scan meets one text often)."""
    la, lb = translation.text_language(ta), translation.text_language(tb)
    if not la or not lb or la == lb:
        return passages
    try:
        found = translation.find(ta, tb, embed.encoder(cfg), cfg.translation_min_cosine, passages, la, lb)
    except RuntimeError:  # the backend failed mid-run: no translation evidence
        return passages
    return sorted(passages + found, key=lambda p: (p.a_start, p.b_start)) if found else passages

"""The story stage over an index (and the incremental story join of an add).

1. ``story_terms``  each document's content words, names and numbers per
   paragraph (:mod:`wiretrace.storyterms`, bylines and datelines cut first),
   computed once per document in the worker pool and kept in the index.
2. ``story_pairs``  the SQL plan of :func:`wiretrace.candidates.story_steps`
   (TF-IDF story scores of story candidates and reuse candidates) with each
   pair's nearest-neighbour ranks (:data:`wiretrace.candidates.STORY_RANK_SQL`).
3. grouping      :func:`wiretrace.stories.group_stories` over the related pairs
   joined with the story pairs (:data:`LINKS_SQL`), then the ``stories`` rows
   with provenance (:func:`write_stories`).

The Spark engine runs the same pure functions and SQL strings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from ..boilerplate import boilerplate_spans
from ..candidates import STORY_RANK_SQL, StoryPlan, story_steps
from ..config import ScanConfig
from ..crosslingual import BELOW, cross_pairs, is_multilingual, lead, story_score
from ..index import Index
from ..judge import RELATED_SQL
from ..normalize import paragraph_spans
from ..schema import to_table
from ..stories import Link, Node, group_stories, headline, is_story_link, story_rows
from ..storyterms import story_terms_batch
from .plan import Progress, cross_language_ready, stage_progress

__all__ = ["LINKS_SQL", "content_text", "terms_task", "terms_table", "story_terms_stage", "story_pairs_stage",
           "lead_rows", "vectors_table", "wants_vectors", "story_vectors_stage", "cross_table",
           "cross_story_pairs", "CROSS_SCORE_SQL", "links", "stories_stage", "write_stories",
           "join_new"]

#: documents per story-terms task
TERMS_CHUNK = 1000
#: documents whose language is read to tell whether a corpus has several languages
LANG_SAMPLE = 2000
#: documents embedded per batch of the story-vectors stage
VECTOR_CHUNK = 256
#: the story scores with the cross-language pairs (``cross_story``) added; a pair of
#: two languages that shares names also has a lexical score: the higher one stays
CROSS_SCORE_SQL = ("SELECT a, b, max(score) AS score FROM (SELECT a, b, score FROM story_score "
                   "UNION ALL SELECT a, b, score FROM cross_story) GROUP BY a, b")
#: every judged related pair and every story pair, as :class:`~wiretrace.stories.Link`
#: columns (a story pair that was never aligned is non-derived with similarity 0)
LINKS_SQL = ("SELECT coalesce(p.a, s.a) AS a, coalesce(p.b, s.b) AS b, "
             "coalesce(p.similarity, 0.0) AS similarity, "
             "coalesce(p.relation, 'non-derived') AS relation, p.source AS source, "
             "coalesce(p.a_coverage, 0.0) AS a_coverage, coalesce(p.b_coverage, 0.0) AS b_coverage, "
             "coalesce(p.exact, false) AS exact, coalesce(s.score, 0.0) AS story, "
             "coalesce(s.a_rank, 0) AS a_rank, coalesce(s.b_rank, 0) AS b_rank, "
             "p.a_literal AS a_literal, p.b_literal AS b_literal "
             "FROM (SELECT a, b, similarity, relation, source, a_coverage, b_coverage, exact, "
             "a_literal, b_literal FROM pairs WHERE related) p "
             "FULL OUTER JOIN story_pairs s ON s.a = p.a AND s.b = p.b")


def content_text(text: str, strip: bool, spans: list[tuple[int, int]] | None = None) -> str:
    """``text`` without its packaging (bylines, credit lines, datelines, mastheads:
    :func:`wiretrace.boilerplate.boilerplate_spans`) when ``strip``: a reporter's
    byline names no event. Cut spans become line breaks. (Lines an outlet prints
    under every story are left out later, by :func:`wiretrace.candidates.story_steps`.)

    >>> content_text("By Jo Bloggs\\nTalks began.", True).split()
    ['Talks', 'began.']

    ``spans`` are the text's boilerplate spans when the caller has them already
    (a tokenized text's ``boilerplate``).
    """
    if not strip:
        spans = []
    elif spans is None:
        spans = boilerplate_spans(text, paragraph_spans(text))
    if not spans:
        return text
    pieces, at = [], 0
    for s, e in sorted(spans):
        if e > at:
            pieces.append(text[at:max(at, s)])
            at = e
    pieces.append(text[at:])
    return "\n".join(pieces)


def terms_task(payload: tuple[bool, list[tuple[int, str | None, str]]]) -> dict[str, np.ndarray]:
    """Story terms of ``(doc, title, text)`` rows (with the scan's boilerplate
    option) as the columns of ``story_terms``."""
    strip, rows = payload
    return content_terms([doc for doc, _, _ in rows],
                         [(content_text(text or "", strip), title) for _, title, text in rows])


def content_terms(docs: list[int], contents: list[tuple[str, str | None]]) -> dict[str, np.ndarray]:
    """:func:`terms_task` of documents ``docs`` whose ``(content text, title)`` is known."""
    cols = story_terms_batch(contents)
    cols["doc"] = np.asarray(docs, np.int32)[cols["doc"]]
    return cols


def terms_table(cols: dict[str, np.ndarray]) -> pa.Table:
    """The columns of :func:`terms_task` as a ``story_terms`` table."""
    return to_table("story_terms", cols)


def story_terms_stage(ix: Index, cfg: ScanConfig, runner: Any, on_progress: Progress | None = None) -> int:
    """Compute ``story_terms`` of every document that has none yet (a rerun of the
    stage or an add reuses the stored ones); returns how many documents were done."""
    todo = ix.con.execute("SELECT doc FROM documents d WHERE NOT EXISTS (SELECT 1 FROM story_terms t "
                          "WHERE t.doc = d.doc) ORDER BY doc").fetchnumpy()["doc"]
    advance = stage_progress(on_progress, "story terms", len(todo))
    strip = cfg.compare.strip_boilerplate

    def tasks() -> Iterator[tuple[int, tuple]]:
        for lo in range(0, len(todo), TERMS_CHUNK):
            need = todo[lo:lo + TERMS_CHUNK].tolist()
            yield len(need), (strip, _rows(ix, need))

    def done(n: int, cols: dict[str, np.ndarray]) -> None:
        with ix.transaction():
            ix.insert_arrow("story_terms", terms_table(cols))
        advance(n)

    if runner is None:
        for n, payload in tasks():
            done(n, terms_task(payload))
    else:
        runner.run(terms_task, tasks(), done)
    return len(todo)


def lead_rows(rows: list[tuple[int, str | None, str | None]], strip: bool) -> list[tuple[int, str, str]]:
    """``(doc, language, lead)`` of ``(doc, title, text)`` rows (either engine)."""
    from ..meaning.translation import language_of

    out = []
    for doc, title, text in rows:
        content = content_text(text or "", strip)
        out.append((int(doc), language_of(content), lead(content, title)))
    return out


def vectors_table(rows: list[tuple[int, str, str]], cfg: ScanConfig) -> pa.Table:
    """``doc_vectors`` rows of :func:`lead_rows` (the leads embedded by the config's model)."""
    from ..meaning import embed

    vecs = embed.encode([text for _, _, text in rows], cfg.compare.embed_model)
    return pa.table({"doc": pa.array([d for d, _, _ in rows], pa.int32()),
                     "lang": pa.array([lang for _, lang, _ in rows], pa.string()),
                     "vec": pa.array(list(vecs), pa.list_(pa.float32()))})


def wants_vectors(cfg: ScanConfig, sample: list[tuple[int, str, str]]) -> bool:
    """Whether a corpus whose :func:`lead_rows` sample is ``sample`` gets lead
    embeddings: it has several languages and the model loads."""
    if not is_multilingual([lang for _, lang, _ in sample]):
        return False
    from ..meaning import embed

    return embed.available(cfg.compare.embed_model)


def _rows(ix: Index, docs: list[int]) -> list[tuple[int, str | None, str | None]]:
    with ix.need(docs) as table:
        return ix.con.execute(f"SELECT d.doc, d.title, d.text FROM {table} n JOIN documents d "
                              "ON d.doc = n.doc ORDER BY d.doc").fetchall()


def story_vectors_stage(ix: Index, cfg: ScanConfig, on_progress: Progress | None = None) -> int:
    """Language and lead embedding (``doc_vectors``) of every document that has
    none yet, when the corpus has several languages and a multilingual model is
    installed (:func:`~wiretrace.pipeline.plan.cross_language_ready`); returns how
    many documents were embedded.

    Whether the corpus has several languages is read on an even sample of
    :data:`LANG_SAMPLE` documents (an index that has vectors already has them),
    so a corpus of one language pays for the sample only."""
    if not cross_language_ready(cfg):
        return 0
    con = ix.con
    todo = con.execute("SELECT doc FROM documents d WHERE NOT EXISTS (SELECT 1 FROM doc_vectors v "
                       "WHERE v.doc = d.doc) ORDER BY doc").fetchnumpy()["doc"]
    if not len(todo):
        return 0
    strip = cfg.compare.strip_boilerplate
    if not con.execute("SELECT count(*) FROM doc_vectors").fetchall()[0][0]:
        # the whole corpus, not only the documents an add brings: German additions to
        # an English index make it a corpus of two languages
        every = con.execute("SELECT doc FROM documents ORDER BY doc").fetchnumpy()["doc"]
        step = max(1, len(every) // LANG_SAMPLE)
        if not wants_vectors(cfg, lead_rows(_rows(ix, every[::step][:LANG_SAMPLE].tolist()), strip)):
            return 0
    advance = stage_progress(on_progress, "story vectors", len(todo))
    for lo in range(0, len(todo), VECTOR_CHUNK):
        table = vectors_table(lead_rows(_rows(ix, todo[lo:lo + VECTOR_CHUNK].tolist()), strip), cfg)
        with ix.transaction():
            ix.insert_arrow("doc_vectors", table)
        advance(table.num_rows)
    return len(todo)


def cross_table(vectors: pa.Table, cfg: ScanConfig, new_from: int | None = None) -> pa.Table:
    """Cross-language story pairs ``(a, b, score)`` of ``doc_vectors`` rows (with an
    add, those with a document numbered ``new_from`` or later), either engine."""
    vectors = vectors.sort_by("doc")
    docs = vectors.column("doc").to_numpy()
    vecs = np.asarray(vectors.column("vec").combine_chunks().flatten().to_numpy(), np.float32)
    vecs = vecs.reshape(len(docs), -1) if len(docs) else np.zeros((0, 1), np.float32)
    a, b, cos = cross_pairs(vectors.column("lang").to_pylist(), vecs, k=cfg.story_cross_k,
                            min_cos=cfg.story_cross_cos - BELOW)
    a, b = docs[a], docs[b]
    if new_from is not None:
        keep = np.maximum(a, b) >= new_from
        a, b, cos = a[keep], b[keep], cos[keep]
    score = np.round(story_score(cos, min_cos=cfg.story_cross_cos, threshold=cfg.story_threshold), 6)
    keep = score > 0
    return pa.table({"a": pa.array(a[keep], pa.int32()), "b": pa.array(b[keep], pa.int32()),
                     "score": pa.array(score[keep], pa.float64())})


def cross_story_pairs(ix: Index, cfg: ScanConfig, new_from: int | None = None) -> pa.Table | None:
    """:func:`cross_table` of the index's ``doc_vectors``, or None when it has none."""
    got = ix.con.sql("SELECT doc, lang, vec FROM doc_vectors").to_arrow_table()
    return cross_table(got, cfg, new_from) if got.num_rows else None


def story_pairs_stage(ix: Index, cfg: ScanConfig, new_from: int | None = None) -> int:
    """Run the story plan into ``story_pairs`` (with an add, score only pairs with a
    new document and rank everything again), with the cross-language pairs of
    :func:`cross_story_pairs`; returns the number of story pairs."""
    steps = story_steps(StoryPlan.from_config(cfg), new_from=new_from)
    con = ix.con
    # session-local temp tables, outside any transaction: DuckDB joins tables
    # created inside an open transaction hundreds of times slower (Reuters: 300 s vs 1 s)
    for name, sql in steps:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
    cross = cross_story_pairs(ix, cfg, new_from)
    if cross is not None and cross.num_rows:
        con.register("cross_story", cross)
        con.execute(f"CREATE OR REPLACE TEMP TABLE story_score AS {CROSS_SCORE_SQL}")
        con.unregister("cross_story")
    if new_from is not None:
        con.execute("INSERT INTO story_score SELECT a, b, score FROM story_pairs "
                    "WHERE a < ? AND b < ?", [new_from, new_from])
    con.execute(f"CREATE OR REPLACE TEMP TABLE story_ranked AS {STORY_RANK_SQL}")
    with ix.transaction():
        con.execute("DELETE FROM story_pairs")
        con.execute("INSERT INTO story_pairs SELECT a, b, score, a_rank, b_rank FROM story_ranked "
                    "ORDER BY a, b")
    for name, _ in [*steps, ("story_ranked", "")]:
        con.execute(f"DROP TABLE {name}")
    return int(ix.con.execute("SELECT count(*) FROM story_pairs").fetchall()[0][0])


def links(ix: Index, docs: list[int] | None = None) -> list[Link]:
    """Every link (:data:`LINKS_SQL`), or only those between ``docs``."""
    if docs is None:
        rows = ix.con.execute(LINKS_SQL).fetchall()
    else:
        with ix.need(docs) as need:
            rows = ix.con.execute(f"SELECT l.* FROM ({LINKS_SQL}) l SEMI JOIN {need} x ON x.doc = l.a "
                                  f"SEMI JOIN {need} y ON y.doc = l.b").fetchall()
    return [Link(*r) for r in rows]


def stories_stage(ix: Index, cfg: ScanConfig, runner: Any = None,
                  on_progress: Progress | None = None) -> dict[str, Any]:
    """Story evidence, then every document's story and the ``stories`` rows."""
    # related: passages, an exact duplicate, or the compare similarity (which may have changed)
    ix.con.execute(f"UPDATE pairs SET related = {RELATED_SQL}", [cfg.story_similarity])
    t0 = time.perf_counter()
    done = story_terms_stage(ix, cfg, runner, on_progress)
    vectors = story_vectors_stage(ix, cfg, on_progress)
    t1 = time.perf_counter()
    n_pairs = story_pairs_stage(ix, cfg)
    t2 = time.perf_counter()
    nodes = {int(d): Node(i, dt) for d, i, dt in
             ix.con.execute("SELECT doc, id, date FROM documents").fetchall()}
    found = links(ix)
    assign = group_stories(nodes, found, story_threshold=cfg.story_threshold,
                           story_max_days=cfg.story_max_days)
    t3 = time.perf_counter()
    with ix.transaction() as con:
        con.execute("DELETE FROM doc_story")
        ix.insert_arrow("doc_story", to_table("doc_story", {"doc": list(assign),
                                                               "story": list(assign.values())}))
        con.execute("DELETE FROM stories")
        write_stories(ix, set(assign.values()), nodes, found, assign)
    return {"story_terms_docs": done, "story_vector_docs": vectors, "story_pairs": n_pairs,
            "story_seconds": {"terms": round(t1 - t0, 3), "pairs": round(t2 - t1, 3),
                              "grouping": round(t3 - t2, 3),
                              "write": round(time.perf_counter() - t3, 3)}}


def write_stories(ix: Index, story_ids: set[str], nodes: dict[int, Node], links: list[Link],
                  assign: dict[int, str]) -> None:
    """Build and insert the ``stories`` rows of ``story_ids`` (inside a transaction)."""
    rows, first = story_rows(story_ids, nodes, links, assign)
    heads = {}
    order = sorted(first.values())
    for lo in range(0, len(order), 20000):
        got = ix.con.execute("SELECT doc, title, left(text, 600) FROM documents WHERE doc IN "
                             "(SELECT unnest(?::INTEGER[]))", [order[lo:lo + 20000]]).fetchall()
        heads.update({int(d): headline(t, x) for d, t, x in got})
    for row in rows:
        row["headline"] = heads.get(first[row["story"]], "")
    ix.insert_arrow("stories", to_table("stories", rows))


def join_new(ix: Index, cfg: ScanConfig, base: int, runner: Any = None,
             on_progress: Progress | None = None) -> None:
    """Incremental stories for documents numbered from ``base`` (an add).

    The new documents get story terms and story pairs; then every existing story
    they may join (through a copy or a story score at the threshold) is grouped
    again together with them by :func:`~wiretrace.stories.group_stories`, each
    existing story as one seed cluster: a new document joins a story, and two
    stories merge when the new evidence unites them (the merged story keeps the
    id of the larger one). Other stories are left as they are."""
    con = ix.con
    story_terms_stage(ix, cfg, runner, on_progress)
    # an add that makes an index of one language a corpus of several embeds every
    # document once: the progress bar shows that cost
    story_vectors_stage(ix, cfg, on_progress)
    story_pairs_stage(ix, cfg, new_from=base)
    new = [int(r[0]) for r in con.execute("SELECT doc FROM documents WHERE doc >= ? ORDER BY doc",
                                          [base]).fetchall()]
    with ix.need(new) as need:
        rows = con.execute(f"SELECT l.* FROM ({LINKS_SQL}) l WHERE l.a IN (SELECT doc FROM {need}) "
                           f"OR l.b IN (SELECT doc FROM {need})").fetchall()
    reach: set[int] = set()
    for r in rows:
        link = Link(*r)
        if is_story_link(link, cfg.story_threshold):
            reach.update(x for x in (link.a, link.b) if x < base)
    old = dict(con.execute("SELECT doc, story FROM doc_story WHERE story IN (SELECT story FROM "
                           "doc_story WHERE doc IN (SELECT unnest(?::INTEGER[])))",
                           [sorted(reach)]).fetchall())
    docs = sorted(set(new) | set(old))
    nodes = {int(d): Node(i, dt) for d, i, dt in con.execute(
        "SELECT doc, id, date FROM documents WHERE doc IN (SELECT unnest(?::INTEGER[]))",
        [docs]).fetchall()}
    found = links(ix, docs)
    assign = group_stories(nodes, found, story_threshold=cfg.story_threshold,
                           story_max_days=cfg.story_max_days, seeds=old)
    touched = set(assign.values()) | set(old.values())
    with ix.transaction():
        con.execute("DELETE FROM doc_story WHERE doc IN (SELECT unnest(?::INTEGER[]))", [docs])
        ix.insert_arrow("doc_story", to_table("doc_story", {"doc": list(assign),
                                                               "story": list(assign.values())}))
        con.execute("DELETE FROM stories WHERE story IN (SELECT unnest(?::VARCHAR[]))", [sorted(touched)])
        write_stories(ix, set(assign.values()), nodes, found, assign)

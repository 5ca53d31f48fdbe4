"""The Spark engine's story stage: the local engine's story evidence and grouping
on Spark DataFrames, with the same pure functions and SQL strings.

1. ``story_terms``  :func:`wiretrace.engines._stories.terms_task` over the
   documents (``mapInArrow``).
2. ``story_pairs``  the SQL steps of :func:`wiretrace.candidates.story_steps`
   and :data:`wiretrace.candidates.STORY_RANK_SQL` in Spark SQL, with the
   cross-language pairs of a corpus of several languages (``doc_vectors``: the
   leads embedded on the driver, :func:`wiretrace.pipeline.stories.cross_table`).
3. components    connected components of the pairs that may join a story on
   their own (copies, story scores at the threshold): average linkage only
   merges clusters joined by such a pair (a mean reaches the threshold only
   if one of its pairs does), so stories never cross components.
4. stories       :func:`wiretrace.stories.group_stories` and the local story
   writer per batch of whole components (:func:`stories_fn`), fed every link
   inside the component (:data:`wiretrace.engines._stories.LINKS_SQL`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..config import ScanConfig
from ..pipeline.plan import cross_language_ready
from ..pipeline.stories import (
    CROSS_SCORE_SQL,
    LANG_SAMPLE,
    LINKS_SQL,
    VECTOR_CHUNK,
    cross_table,
    lead_rows,
    terms_task,
    vectors_table,
    wants_vectors,
)
from ..schema import TABLES, widened
from ..schema import spark_ddl as ddl
from ..stories import Link, Node, group_stories, headline, story_rows
from .spark_work import ArrowFn, connected_components, parquet, plan_views, union_find

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

__all__ = ["may_unite", "terms_fn", "stories_fn", "stories_stage", "TERMS_DDL", "STORY_DDL"]

TERMS_SCHEMA = pa.schema(widened("story_terms", doc=pa.int64(), kind=pa.int32()))
TERMS_DDL = ddl(TERMS_SCHEMA)
_STORY_COLS = tuple(TABLES["stories"].names)
#: ``doc_story`` rows (kind, doc, story) and ``story`` rows (kind and the stories columns)
STORY_SCHEMA = pa.schema([("kind", pa.string()), ("doc", pa.int64())] + [
    (f.name, f.type) for f in TABLES["stories"]])
STORY_DDL = ddl(STORY_SCHEMA)
#: documents per in-memory batch of whole components in the stories stage
STORY_BATCH = 20_000
#: :class:`~wiretrace.stories.Link` fields, in order, as the stories stage ships them
_LINK_FIELDS = ("a", "b", "similarity", "relation", "source", "a_coverage", "b_coverage", "exact",
                "story", "a_rank", "b_rank", "a_literal", "b_literal")


def may_unite(link: Any, a_date: str | None, b_date: str | None, cfg: ScanConfig) -> bool:
    """Whether ``group_stories`` would put the pair in one story on its own.

    Asked of :func:`wiretrace.stories.group_stories` itself, on the two
    documents alone. A union it refuses here (not a story link, or dates too
    far apart for a story that is not an exact copy) it refuses inside any
    larger cluster too, whose date span can only be wider; so only these
    pairs need to be edges of the connected components.
    """
    from ..stories import Node, group_stories

    nodes = {link.a: Node(str(link.a), a_date), link.b: Node(str(link.b), b_date)}
    assign = group_stories(nodes, [link], story_threshold=cfg.story_threshold,
                           story_max_days=cfg.story_max_days)
    return assign[link.a] == assign[link.b]


def terms_fn(cfg: ScanConfig) -> ArrowFn:
    """Story terms of documents (columns ``doc, title, text``) with the local task."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:

        for batch in batches:
            c = batch.to_pydict()
            rows = list(zip(c["doc"], c["title"], c["text"]))
            cols = terms_task((cfg.compare.strip_boilerplate, rows))
            yield pa.RecordBatch.from_pydict(
                {"doc": cols["doc"].astype(np.int64), "term": cols["term"], "tf": cols["tf"],
                 "kind": cols["kind"].astype(np.int32), "line": cols["line"]}, schema=TERMS_SCHEMA)

    return run


def stories_fn(cfg: ScanConfig) -> ArrowFn:
    """Stories of whole connected components (rows sorted by ``comp``; ``kind``
    ``node`` carries ``doc, id, date, title, head`` and ``link`` the
    :class:`~wiretrace.stories.Link` fields). Runs
    :func:`wiretrace.stories.group_stories` and :func:`wiretrace.stories.story_rows`
    over batches of components: stories never cross components, so this equals
    one global run."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        nodes: dict[int, Node] = {}
        heads: dict[int, tuple[str | None, str | None]] = {}
        links: list[Link] = []

        def flush() -> Iterator[pa.RecordBatch]:
            if not nodes:
                return
            assign = group_stories(nodes, links, story_threshold=cfg.story_threshold,
                                   story_max_days=cfg.story_max_days)
            rows, first = story_rows(set(assign.values()), nodes, links, assign)
            out: dict[str, list[Any]] = {k: [] for k in ("kind", "doc", *_STORY_COLS)}
            for doc, sid in assign.items():
                out["kind"].append("doc_story")
                out["doc"].append(doc)
                out["story"].append(sid)
                for k in _STORY_COLS[1:]:
                    out[k].append(None)
            for row in rows:
                # the local engine's headline: from the title, else the first 600 characters
                title, text = heads[first[row["story"]]]
                row["headline"] = headline(title, (text or "")[:600])
                out["kind"].append("story")
                out["doc"].append(None)
                for k in _STORY_COLS:
                    out[k].append(row[k])
            nodes.clear()
            heads.clear()
            links.clear()
            yield pa.RecordBatch.from_pydict(out, schema=STORY_SCHEMA)

        comp = None
        for batch in batches:
            c = batch.to_pydict()
            for i, kind in enumerate(c["kind"]):
                if c["comp"][i] != comp:
                    if len(nodes) >= STORY_BATCH:
                        yield from flush()
                    comp = c["comp"][i]
                if kind == "node":
                    n = c["doc"][i]
                    nodes[n] = Node(c["id"][i], c["date"][i])
                    heads[n] = (c["title"][i], c["head"][i])
                else:
                    link = [c[f][i] for f in _LINK_FIELDS]
                    link[7] = bool(link[7])
                    links.append(Link(*link))
        yield from flush()

    return run


def _fresh(folder: str) -> str:
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def _vectors(spark: "SparkSession", docs: Any, cfg: ScanConfig) -> pa.Table:
    """The local engine's ``doc_vectors`` (:mod:`wiretrace.crosslingual`): languages
    of an even sample of the documents, and when they are several, every lead
    embedded on the driver (the documents stream to it a partition at a time)."""
    empty = pa.Table.from_pylist([], TABLES["doc_vectors"])
    if not cross_language_ready(cfg):
        return empty
    strip = cfg.compare.strip_boilerplate
    rows = docs.select("doc", "title", "text")
    total = docs.count()
    step = max(1, total // LANG_SAMPLE)
    sample = rows.where(f"doc % {step} = 0").orderBy("doc").limit(LANG_SAMPLE).collect()
    if not wants_vectors(cfg, lead_rows([tuple(r) for r in sample], strip)):
        return empty
    parts, batch = [], []
    for r in rows.orderBy("doc").toLocalIterator():
        batch.append(tuple(r))
        if len(batch) == VECTOR_CHUNK:
            parts.append(vectors_table(lead_rows(batch, strip), cfg))
            batch = []
    if batch:
        parts.append(vectors_table(lead_rows(batch, strip), cfg))
    return pa.concat_tables(parts).cast(TABLES["doc_vectors"])


def stories_stage(spark: "SparkSession", work: Any, cfg: ScanConfig,
                  timings: dict[str, float]) -> dict[str, Any]:
    """Story evidence, then the story of every document and the story rows, as the
    local engine makes them (``work`` is the Spark engine's stage folder)."""
    from pyspark.sql import functions as F

    from ..candidates import STORY_RANK_SQL, StoryPlan, story_steps

    docs = plan_views(spark, work)  # documents, and the doc_meta view the plan reads
    parquet(spark, work, "candidates").createOrReplaceTempView("candidates")
    work.step(spark, "story_terms", docs.select("doc", "title", "text").mapInArrow(
        terms_fn(cfg), TERMS_DDL), timings, keep=True).createOrReplaceTempView("story_terms")
    for name, sql in story_steps(StoryPlan.from_config(cfg)):
        spark.sql(sql).createOrReplaceTempView(name)
    vectors = _vectors(spark, docs, cfg)
    pq.write_table(vectors, os.path.join(_fresh(work.local("doc_vectors")), "part-0.parquet"))
    if vectors.num_rows:
        cross = cross_table(vectors, cfg)
        if cross.num_rows:
            spark.createDataFrame(cross.to_pandas(), "a int, b int, score double") \
                .createOrReplaceTempView("cross_story")
            spark.sql(CROSS_SCORE_SQL).createOrReplaceTempView("story_score")
    story_pairs = work.step(spark, "story_pairs", spark.sql(STORY_RANK_SQL), timings, keep=True)
    story_pairs.createOrReplaceTempView("story_pairs")
    # the local engine recomputes ``related`` here; the align stage made it with this very option
    pairs = parquet(spark, work, "pairs")
    pairs.createOrReplaceTempView("pairs")
    threshold = float(cfg.story_threshold)
    edges_sql = (f"SELECT a, b FROM pairs WHERE story_link UNION SELECT a, b FROM story_pairs "
                 f"WHERE score >= {threshold!r}")
    n_edges = spark.sql(f"SELECT count(*) AS n FROM ({edges_sql}) e").collect()[0]["n"]
    info: dict[str, Any] = {"story_links": n_edges, "story_pairs": story_pairs.count()}
    if n_edges <= work.driver_edges:
        rows = work.sql("SELECT a, b FROM {pairs} WHERE story_link UNION SELECT a, b FROM "
                        f"{{story_pairs}} WHERE score >= {threshold!r}", "pairs", "story_pairs")
        comp = spark.createDataFrame(union_find(rows), "doc long, comp long")
    else:
        comp = connected_components(spark, spark.sql(edges_sql), work, info)
    comp = work.step(spark, "components", comp, timings, keep=True)
    nodes = (docs.join(comp, "doc", "left")
             .select(F.lit("node").alias("kind"), F.coalesce("comp", "doc").alias("comp"), "doc",
                     "id", "date", "title", F.substring("text", 1, 2000).alias("head")))
    ca = comp.select(F.col("doc").alias("a"), F.col("comp").alias("ca"))
    cb = comp.select(F.col("doc").alias("b"), F.col("comp").alias("cb"))
    links = (spark.sql(LINKS_SQL).join(ca, "a").join(cb, "b").where("ca = cb")
             .select(F.lit("link").alias("kind"), F.col("ca").alias("comp"), *_LINK_FIELDS))
    rows = nodes.unionByName(links, allowMissingColumns=True)
    parts = max(1, spark.sparkContext.defaultParallelism * 2)
    work.step(spark, "stories", rows.repartition(parts, "comp").sortWithinPartitions("comp", "kind")
              .mapInArrow(stories_fn(cfg), STORY_DDL), timings, keep=True)
    return info

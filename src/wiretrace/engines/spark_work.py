"""What the Spark modules share: the stage folder (``OUT/_spark``), the documents'
views the candidate plan reads, and connected components of the story links.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..errors import WiretraceError
from ..unionfind import smallest_roots

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

#: a ``mapInArrow`` function: Arrow batches in, Arrow batches out
ArrowFn = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]

__all__ = ["ArrowFn", "Work", "SparkJobError", "parquet", "plan_views", "connected_components", "union_find",
           "CC_DRIVER_EDGES"]

#: connected components: checkpoint the edge table every this many rounds
CC_CHECKPOINT_EVERY = 3
CC_MAX_ROUNDS = 200
CC_EDGES_PER_PARTITION = 1_000_000
#: story links up to this many are grouped by union-find on the driver (milliseconds)
#: instead of Spark rounds (seconds each); set ``wiretrace.cc.driverEdges=0`` to force Spark
CC_DRIVER_EDGES = 100_000


class SparkJobError(WiretraceError):
    """A Spark job failed; the message carries Spark's reason."""


class Work:
    """``OUT/_spark``: one Parquet folder per stage result and a hash per finished stage."""

    def __init__(self, out_dir: str, profile: bool = False, driver_edges: int = 0):
        self.root = os.path.join(os.path.abspath(out_dir), "_spark")
        os.makedirs(self.root, exist_ok=True)
        #: materialize every intermediate step (for per-step timings), not just stage results
        self.profile = profile
        #: story links up to this many are grouped on the driver, more by Spark rounds
        self.driver_edges = driver_edges

    def sql(self, query: str, *names: str) -> list[tuple]:
        """Run DuckDB ``query`` on the driver over stage results (``{name}`` placeholders):
        a count or sum over local Parquet costs no Spark job."""
        import duckdb

        files = {n: "'" + os.path.join(self.local(n), "*.parquet").replace("'", "''") + "'"
                 for n in names}
        with duckdb.connect() as con:
            con.execute("SET enable_progress_bar = false")  # only cli.py prints
            return con.execute(query.format(**{n: f"read_parquet({f})" for n, f in files.items()})
                               ).fetchall()

    def step(self, spark: "SparkSession", name: str, df: "DataFrame",
             timings: dict[str, float], *, keep: bool = False) -> "DataFrame":
        """``df`` written to and read back from ``name`` when ``keep`` or profiling
        (timed), else ``df`` itself, computed inside the job that uses it."""
        if not (keep or self.profile):
            return df
        t = time.perf_counter()
        spark.sparkContext.setJobDescription(f"wiretrace {name}")
        df.write.mode("overwrite").parquet(self.uri(name))
        spark.sparkContext.setJobDescription(None)
        timings[f"step.{name}"] = round(time.perf_counter() - t, 3)
        return spark.read.parquet(self.uri(name))

    def local(self, name: str) -> str:
        return os.path.join(self.root, name)

    def uri(self, name: str) -> str:
        """A Spark path that names the local folder whatever the default filesystem is."""
        return "file://" + self.local(name)

    def done(self, stage: str, digest: str) -> bool:
        try:
            with open(self.local(f"{stage}.done"), encoding="utf-8") as f:
                return json.load(f)["hash"] == digest
        except (OSError, ValueError, KeyError):
            return False

    def info(self, stage: str) -> dict[str, Any]:
        with open(self.local(f"{stage}.done"), encoding="utf-8") as f:
            return json.load(f).get("info", {})

    def finish(self, stage: str, digest: str, info: dict[str, Any]) -> None:
        with open(self.local(f"{stage}.done"), "w", encoding="utf-8") as f:
            json.dump({"hash": digest, "info": info}, f)

    def forget(self, stage: str) -> None:
        try:
            os.remove(self.local(f"{stage}.done"))
        except FileNotFoundError:
            pass


def parquet(spark: "SparkSession", work: Work, name: str) -> "DataFrame":
    return spark.read.parquet(work.uri(name))


def plan_views(spark: "SparkSession", work: Work) -> "DataFrame":
    """The candidate plan's input tables ``postings`` and ``doc_meta`` as views
    over the documents; returns the documents."""
    from pyspark.sql import functions as F

    docs = parquet(spark, work, "documents")
    docs.select("doc", F.explode("grams").alias("gram")).createOrReplaceTempView("postings")
    docs.select("doc", "source", "ts", "body_hash").createOrReplaceTempView("doc_meta")
    return docs


def connected_components(spark: "SparkSession", edges: "DataFrame", work: Work,
                         stats: dict[str, Any] | None = None) -> "DataFrame":
    """``(doc, comp)`` for every document on an edge ``(a, b)``: ``comp`` is the
    smallest document of its connected component.

    Alternating large-star and small-star rounds (Kiveris et al., 2014) on an
    edge table kept as ``(x, y)`` with ``x > y``; it ends as one star per
    component around its smallest node, after O(log² n) rounds. A round is
    done when the edge set's count and hash sum stop changing; lineage is cut
    by a checkpoint every :data:`CC_CHECKPOINT_EVERY` rounds.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    spark.sparkContext.setCheckpointDir(work.uri("checkpoints"))
    e = (edges.select(F.greatest("a", "b").alias("x"), F.least("a", "b").alias("y"))
         .where("x != y").distinct())

    def large_star(e: "DataFrame") -> "DataFrame":
        both = e.unionByName(e.select(F.col("y").alias("x"), F.col("x").alias("y")))
        low = both.groupBy("x").agg(F.min("y").alias("m"))  # smallest neighbour
        return (both.where("y > x").join(low, "x")
                .select(F.col("y").alias("x"), F.least("x", "m").alias("y")).distinct())

    def small_star(e: "DataFrame") -> "DataFrame":
        low = e.groupBy("x").agg(F.min("y").alias("m"))
        moved = e.join(low, "x").select(F.col("y").alias("p"), F.col("m").alias("q"))
        moved = moved.unionByName(low.select(F.col("x").alias("p"), F.col("m").alias("q")))
        return (moved.where("p != q").select(F.greatest("p", "q").alias("x"),
                                             F.least("p", "q").alias("y")).distinct())

    def checksum(e: "DataFrame") -> tuple[int, int, int]:
        h = F.xxhash64("x", "y")
        r = e.agg(F.count("*").alias("n"), F.bit_xor(h).alias("h"),
                  F.sum(h.bitwiseAND(0xFFFFFF)).alias("s")).collect()[0]
        return int(r["n"]), int(r["h"] or 0), int(r["s"] or 0)

    e = e.persist(StorageLevel.MEMORY_AND_DISK)
    last = checksum(e)
    # about a million edges a partition (a star round is cheap per edge): else every
    # round would keep the shuffle's partition count, mostly empty tasks
    parts = max(spark.sparkContext.defaultParallelism, last[0] // CC_EDGES_PER_PARTITION + 1)
    first, e = e, e.coalesce(parts).persist(StorageLevel.MEMORY_AND_DISK)
    first.unpersist()
    rounds = 0
    for rounds in range(1, CC_MAX_ROUNDS + 1):
        spark.sparkContext.setJobDescription(f"wiretrace components round {rounds}")
        nxt = small_star(large_star(e)).coalesce(parts)
        nxt = (nxt.checkpoint(eager=True) if rounds % CC_CHECKPOINT_EVERY == 0
               else nxt.persist(StorageLevel.MEMORY_AND_DISK))
        now = checksum(nxt)
        e.unpersist()
        e = nxt
        if now == last:
            break
        last = now
    else:
        raise SparkJobError(f"connected components did not converge in {CC_MAX_ROUNDS} rounds")
    spark.sparkContext.setJobDescription(None)
    if stats is not None:
        stats.update({"cc_rounds": rounds, "cc_edges": last[0]})
    roots = e.select(F.col("y").alias("doc"), F.col("y").alias("comp")).distinct()
    return e.select(F.col("x").alias("doc"), F.col("y").alias("comp")).unionByName(roots)


def union_find(edges: Any) -> list[tuple[int, int]]:
    """``(doc, comp)`` by union-find on the driver, for an edge list small enough
    that Spark's per-round job overhead would dominate (``wiretrace.cc.driverEdges``);
    the root is the smallest document."""
    return list(smallest_roots(edges).items())

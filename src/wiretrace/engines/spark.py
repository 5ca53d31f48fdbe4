"""The Spark engine: the local engine's stages on Spark DataFrames.

``scan(INPUT, OUT, master=..., conf=...)`` gives the same documents, pairs,
passages and stories as :func:`wiretrace.engines.local.scan` (tested field by
field) because every decision is made by the same code:

1. ``ingest``      list the input (any Spark-readable path); read JSONL by line
   splits (``spark.read.text``), Parquet by row groups, .txt/.html/.csv whole
   (``binaryFile``), each through read.py's own readers (see
   :mod:`.spark_stages`), then tokenize and fingerprint in the same Python
   pass (``mapInArrow``). Input positions (the local engine's document
   numbers) come from per-split counts; the first occurrence of an id wins.
2. ``candidates``  the SQL steps of :func:`wiretrace.candidates.candidate_steps`
   run by Spark SQL over ``postings`` and ``doc_meta`` views.
3. ``align``       outlet boilerplate grams per document, then the local
   engine's align task over candidate pairs with both texts joined on.
4. ``stories``     story terms and story pairs (the local engine's task and
   SQL), connected components of the story links (large-star / small-star on
   DataFrames, lineage checkpointed), then
   :func:`wiretrace.stories.group_stories` and the local story writer per
   batch of whole components (:mod:`.spark_stories`).
5. ``outputs``     ``OUT/index.duckdb`` holds views over the Parquet results,
   and the local engine's writer makes the same JSONL files and report.

Stage results live in ``OUT/_spark/<stage>`` as Parquet; a rerun with the same
options skips finished stages (``force=True`` redoes all). See docs/spark.md.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..config import ScanConfig
from ..errors import InputError, MissingExtraError, WiretraceError
from ..index import Index, refuse_if_held
from ..pipeline.folder import check_out_dir
from ..pipeline.outputs import write_outputs
from ..pipeline.plan import (
    INDEX_FILE,
    STAGES,
    Progress,
    ScanSummary,
    effective_config,
    stage_hashes,
    stage_progress,
    summarize,
)
from ..schema import VIEWS, create_sql, select_list
from ..writer import storage_error, writing
from . import spark_stages as st
from . import spark_stories
from .spark_progress import StageTracker, driver_log, quiet_java_options, start_context
from .spark_stages import has_scheme
from .spark_work import CC_DRIVER_EDGES, SparkJobError, Work, parquet, plan_views

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["scan", "spark_session", "java_available", "JavaNotFoundError", "SparkJobError"]

#: Spark settings wiretrace sets unless the caller gives them
DEFAULT_CONF = {
    "spark.app.name": "wiretrace scan",
    # a row can hold a whole article: keep Arrow batches small
    "spark.sql.execution.arrow.maxRecordsPerBatch": "256",
    "spark.sql.execution.arrow.maxBytesPerBatch": str(64 << 20),
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.skewJoin.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}
#: a candidate pair with more characters than this (both texts) runs apart from the bulk
HUGE_PAIR_CHARS = 200_000
#: candidate steps kept as stage results (align reads ``outlet_common`` too)
KEPT_STEPS = ("outlet_common", "candidates")


class JavaNotFoundError(WiretraceError):
    """Spark needs a Java runtime and none was found."""





def java_available() -> bool:
    """Whether a ``java`` executable is reachable (``JAVA_HOME`` or ``PATH``)."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.isfile(os.path.join(home, "bin", "java")):
        return True
    return shutil.which("java") is not None


def _require() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise MissingExtraError("spark", "the Spark engine") from None
    if not java_available():
        raise JavaNotFoundError("the Spark engine needs Java 17 or 21 and none was found: install "
                                "a JDK (e.g. apt install openjdk-17-jre-headless) and put java on "
                                "PATH or set JAVA_HOME")


@contextmanager
def spark_session(master: str | None = None, conf: Mapping[str, str] | None = None,
                  folder: str | None = None) -> Iterator["SparkSession"]:
    """A SparkSession for a scan: the active one if there is one (it is left
    running, only runtime settings from ``conf`` apply), else a new one that
    is stopped afterwards. ``master`` defaults to ``local[*]``. With ``folder``,
    a new driver is quiet: its console goes to ``folder/driver.log`` and it logs
    errors only (:mod:`.spark_progress`)."""
    _require()
    warnings.filterwarnings("ignore", message=".*does not yet fully support pandas.*")
    from pyspark.sql import SparkSession

    _quiet_pyspark_loggers()

    conf = dict(conf or {})
    settings = {k: v for k, v in {**DEFAULT_CONF, **conf}.items() if not k.startswith("wiretrace.")}
    active = SparkSession.getActiveSession()
    if active is not None:
        given = active.sparkContext.getConf()
        for key, value in settings.items():  # wiretrace's defaults unless the session set its own
            if key.startswith("spark.sql.") and (key in conf or not given.contains(key)):
                active.conf.set(key, value)
        yield active
        return
    from pyspark import SparkConf

    # under spark-submit the master comes from its --master (a JVM system property)
    master = master or conf.get("spark.master") or SparkConf().get("spark.master", "local[*]")
    if master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # workers run this interpreter, which has wiretrace installed
        os.environ["PYSPARK_PYTHON"] = sys.executable
    if folder is not None:
        settings["spark.driver.extraJavaOptions"] = quiet_java_options(
            folder, settings.get("spark.driver.extraJavaOptions"))
    try:
        if folder is not None:
            sconf = SparkConf().setMaster(master).setAll(list(settings.items()))
            start_context(sconf, folder)
        builder = SparkSession.builder.master(master)
        for key, value in settings.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: bad master URL, conf, Java
        log = f" (the driver's log: {driver_log()})" if driver_log() else ""
        raise SparkJobError(f"cannot start Spark with master {master!r} ({_spark_reason(exc)}); "
                            f"check --master, --conf and the Java installation{log}") from None
    # task failures come back as SparkJobError with Spark's reason: no Java stack traces
    spark.sparkContext.setLogLevel(conf.get("wiretrace.logLevel", "FATAL"))
    try:
        yield spark
    finally:
        spark.stop()


def _quiet_pyspark_loggers() -> None:
    """pyspark logs each failed query with a Java stack trace; SparkJobError says why."""
    import logging

    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # pragma: no cover - older pyspark
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


# -- stage bookkeeping ----------------------------------------------------------

# -- stages -----------------------------------------------------------------------

def _ingest(spark: "SparkSession", work: Work, input_path: str, cfg: ScanConfig,
            timings: dict[str, float]) -> dict[str, Any]:
    """Read, tokenize and fingerprint; write ``documents`` and ``skipped``."""
    from pyspark.sql import functions as F

    files, folder = st.list_input(spark, input_path)
    frame, driver_items = st.read_input(spark, files, folder, cfg)
    if frame is None:
        frame = spark.createDataFrame([], st.READ_DDL)
    read_rows = work.step(spark, "read", frame, timings, keep=True)
    t = time.perf_counter()
    small = read_rows.where("kind IN ('count', 'fatal')").select(
        "kind", "fidx", "blk", "n_lines", "n_items", "origin", "reason").collect()
    fatal = [r for r in small if r["kind"] == "fatal"]
    if fatal:
        raise InputError(fatal[0]["reason"], path=fatal[0]["origin"])
    counts = [(r["fidx"], r["blk"], r["n_lines"], r["n_items"]) for r in small]
    counts += [(fidx, 0, 0, 1) for fidx, _ in driver_items]
    bases, pos, lines, last = [], 0, 0, None
    for fidx, blk, n_lines, n_items in sorted(counts):
        lines = lines if fidx == last else 0
        bases.append((fidx, blk, pos, lines))
        pos, lines, last = pos + n_items, lines + n_lines, fidx
    base_df = spark.createDataFrame(bases, "fidx int, blk long, item_base long, line_base long")
    items = (read_rows.where("kind IN ('doc', 'skip')").join(F.broadcast(base_df), ["fidx", "blk"])
             .withColumn("pos", F.col("item_base") + F.col("k")))
    docs = items.where("kind = 'doc'")
    firsts = (docs.groupBy("id").agg(F.min("pos").alias("first"), F.count("*").alias("n"))
              .where("n > 1"))
    # later occurrences of an id: few, so broadcast (the documents are never shuffled)
    dups = F.broadcast(docs.select("id", "pos").join(firsts, "id").where("pos != first")
                       .select("pos", F.col("id").alias("dup_id")))
    origin = F.expr("CASE WHEN line > 0 AND line_base > 0 THEN concat(substring(origin, 1, "
                    "length(origin) - length(cast(line AS string)) - 1), ':', line + line_base) "
                    "ELSE origin END")
    spark.sparkContext.setJobDescription("wiretrace documents")
    (docs.join(dups, "pos", "left_anti")
     .select(F.col("pos").alias("doc"), "id", "source", "date", "ts", "ts_us", "title", "url",
             "extra", "text", origin.alias("origin"), "ntok", "body_hash",
             F.lit(1).alias("run"), "grams", "date_source", "date_precision")
     .write.mode("overwrite").parquet(work.uri("documents")))
    # driver-side Skipped items are one-item splits (fidx, 0) of their own
    start = {(fidx, blk): pos for fidx, blk, pos, _ in bases}
    driver_df = spark.createDataFrame(
        [(start[(fidx, 0)], 0, 0, x.origin, x.reason, x.category, None) for fidx, x in driver_items],
        "pos long, line long, line_base long, origin string, reason string, category string, "
        "dup_id string")
    none = F.lit(None).cast("string")
    cols = ("pos", "line", "line_base", "origin", "reason", "category", "dup_id")
    skipped = (items.where("kind = 'skip'").withColumn("dup_id", none).select(*cols)
               .unionByName(docs.join(dups, "pos").withColumn("reason", none)
                            .withColumn("category", none).select(*cols))
               .unionByName(driver_df))
    spark.sparkContext.setJobDescription("wiretrace skipped")
    skipped.mapInArrow(st.fix_skipped_fn(), st.SKIP_DDL).write.mode("overwrite").parquet(
        work.uri("skipped"))
    spark.sparkContext.setJobDescription(None)
    shutil.rmtree(work.local("read"), ignore_errors=True)
    timings["step.assemble"] = round(time.perf_counter() - t, 3)
    return {"added": work.sql("SELECT count(*) FROM {documents}", "documents")[0][0],
            "files": len(files)}


def _candidates(spark: "SparkSession", work: Work, cfg: ScanConfig,
                timings: dict[str, float]) -> dict[str, Any]:
    """The candidate plan of :mod:`wiretrace.candidates`, step by step in Spark SQL."""
    from ..candidates import ReusePlan, candidate_steps

    plan_views(spark, work)
    steps = candidate_steps(ReusePlan.from_config(cfg))
    for name, sql in steps:
        keep = name in KEPT_STEPS  # stage results; the rest run inside the jobs that use them
        df = work.step(spark, name if keep else f"cand_{name}", spark.sql(sql),
                       timings, keep=keep)
        df.createOrReplaceTempView(name)
    info = {"candidates": work.sql("SELECT count(*) FROM {candidates}", "candidates")[0][0]}
    if work.profile:
        for name, _ in steps:
            if name not in KEPT_STEPS:
                info[f"rows.{name}"] = work.sql(f"SELECT count(*) FROM {{cand_{name}}}",
                                                f"cand_{name}")[0][0]
                shutil.rmtree(work.local(f"cand_{name}"), ignore_errors=True)
    return info


def _align(spark: "SparkSession", work: Work, cfg: ScanConfig,
           timings: dict[str, float]) -> dict[str, Any]:
    """Judge every candidate pair with the engine-neutral align batch."""
    from pyspark.sql import functions as F

    from ..candidates import DOC_BOILER_SQL

    docs = plan_views(spark, work)
    parquet(spark, work, "outlet_common").createOrReplaceTempView("outlet_common")
    # each document's grams that are boilerplate of its outlet (as the local engine's doc_boiler)
    boiler = work.step(spark, "boiler", spark.sql(DOC_BOILER_SQL), timings)
    side = docs.select("doc", "text", "date").join(boiler, "doc", "left")

    def named(prefix: str) -> "DataFrame":
        return side.select(F.col("doc").alias(prefix), F.col("text").alias(f"{prefix}_text"),
                           F.col("date").alias(f"{prefix}_date"),
                           F.col("grams").alias(f"{prefix}_common"))

    pairs = parquet(spark, work, "candidates").join(named("a"), "a").join(named("b"), "b")
    cost = F.length("a_text") + F.length("b_text")
    bulk = pairs.where(cost <= HUGE_PAIR_CHARS).sortWithinPartitions("b", "a")
    # huge pairs get partitions of their own, spread by pair, never queued behind the bulk
    huge = pairs.where(cost > HUGE_PAIR_CHARS).repartition(
        spark.sparkContext.defaultParallelism, "a", "b")
    fn = st.align_fn(cfg)
    work.step(spark, "pairs", bulk.mapInArrow(fn, st.PAIR_DDL).unionByName(
        huge.mapInArrow(fn, st.PAIR_DDL)), timings, keep=True)
    dropped = work.sql("SELECT sum(boiler_dropped) FROM {pairs}", "pairs")[0][0]
    return {"boilerplate_passages": int(dropped or 0)}


#: where each index table's rows are in the stage Parquet files; the column list and
#: types come from :mod:`wiretrace.schema`
_SOURCES = {
    "documents": "read_parquet({documents})",
    "postings": "(SELECT doc, unnest(grams) AS gram FROM read_parquet({documents}))",
    "skipped": "read_parquet({skipped})",
    "outlet_common": "read_parquet({outlet_common})",
    "candidates": "read_parquet({candidates})",
    "pairs": "read_parquet({pairs})",
    "passages": "(SELECT a, b, p.* FROM (SELECT a, b, unnest(passages) AS p "
                "FROM read_parquet({pairs})))",
    "doc_story": "(SELECT * FROM read_parquet({stories}) WHERE kind = 'doc_story')",
    "stories": "(SELECT * FROM read_parquet({stories}) WHERE kind = 'story')",
    "story_terms": "read_parquet({story_terms})",
    "story_pairs": "read_parquet({story_pairs})",
    "doc_vectors": "read_parquet({doc_vectors})",
}


def open_result_index(work: Work, index_path: str) -> Any:
    """(Re)create ``index_path`` as a wiretrace index whose data tables are views
    over the stage Parquet files, and open it for writing the outputs."""
    for suffix in ("", ".wal"):
        try:
            os.remove(index_path + suffix)
        except FileNotFoundError:
            pass
    ix = Index.open(index_path)
    for (name,) in ix.con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal "
                                  "AND schema_name = 'main'").fetchall():
        ix.con.execute(f'DROP VIEW "{name}"')
    files = {name: "'" + os.path.join(work.local(name), "*.parquet").replace("'", "''") + "'"
             for name in ("documents", "skipped", "outlet_common", "candidates", "pairs",
                          "stories", "story_terms", "story_pairs", "doc_vectors")}
    for view, source in _SOURCES.items():
        ix.con.execute(f"DROP TABLE IF EXISTS {view}")
        ix.con.execute(f"CREATE VIEW {view} AS {select_list(view, source.format(**files))}")
    for view in VIEWS:  # the index's own views over the tables (doc_meta, ...)
        ix.con.execute(create_sql(view))
    ix.con.execute("INSERT OR REPLACE INTO meta VALUES ('engine', 'spark')")
    return ix


# -- public API -------------------------------------------------------------------

def scan(input_path: str, out_dir: str, *, config: ScanConfig | None = None,
         master: str | None = None, conf: Mapping[str, str] | None = None,
         force: bool = False, on_progress: Progress | None = None,
         on_note: Callable[[str], None] | None = None, wait: float | None = None,
         on_wait: Callable[[str], None] | None = None) -> ScanSummary:
    """Scan a corpus with Spark and write the same outputs as the local engine.

    ``input_path`` is any Spark-readable file or folder (``hdfs://``, ``s3a://``
    with the connector on the classpath); ``out_dir`` must be a local or
    shared-mounted folder, the same path on the driver and every executor.
    ``master`` is a Spark master URL (default ``local[*]``); ``conf`` holds
    Spark settings such as ``spark.executor.memory``. ``on_note`` hears one
    line naming the master and the Spark UI once Spark runs; ``on_progress``
    hears each stage's Spark tasks as they finish (from a polling thread). The index is written as
    the local engine writes it (:func:`wiretrace.writer.writing`: the writer
    lock, held for the whole scan, and a work copy renamed over the index),
    so readers beside the scan never see half an index.

        >>> scan("news.jsonl", "out", master="local[2]").to_dict()["documents"]  # doctest: +SKIP
        1204
    """
    t0 = time.perf_counter()
    cfg = effective_config(config or ScanConfig())  # the options the local engine runs with
    _require()
    if has_scheme(out_dir) and not out_dir.startswith("file:"):
        raise WiretraceError(f"--out {out_dir}: the Spark engine writes its outputs to a local or "
                             "shared-mounted folder; give a plain path")
    out_dir = out_dir[5:] if out_dir.startswith("file:") else out_dir
    if not has_scheme(input_path) and not os.path.exists(input_path):
        raise InputError("no such file or folder; pass a folder or a .jsonl/.csv/.parquet file",
                         path=input_path)
    input_key = input_path if has_scheme(input_path) else os.path.abspath(input_path)
    index_path = os.path.join(os.path.abspath(out_dir), INDEX_FILE)
    check_out_dir(out_dir, input_key, index_path, force=force)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, out_dir) from None
    opts = dict(conf or {})
    profile = str(opts.get("wiretrace.profile", "")).lower() in ("1", "true", "yes")
    with writing(index_path, wait=wait, on_wait=on_wait, check=refuse_if_held) as index_copy:
        try:
            work = Work(out_dir, profile, int(opts.get("wiretrace.cc.driverEdges", CC_DRIVER_EDGES)))
            if force:
                for stage in STAGES:
                    work.forget(stage)
        except OSError as exc:
            raise storage_error(exc, os.path.join(out_dir, "_spark")) from None
        info, timings, resumed = _run_stages(work, input_key, out_dir, cfg, master, opts,
                                             on_progress, on_note)
        return _outputs(work, out_dir, cfg, input_key, index_path, index_copy, t0, info,
                        timings, resumed, on_progress)


def _run_stages(work: Work, input_key: str, out_dir: str, cfg: ScanConfig, master: str | None,
                opts: dict[str, str], on_progress: Progress | None,
                on_note: Callable[[str], None] | None) -> tuple[dict, dict, list[str]]:
    """Every stage but the outputs, on Spark; finished ones are skipped."""
    runners = {"ingest": lambda s, tm: _ingest(s, work, input_key, cfg, tm),
               "candidates": lambda s, tm: _candidates(s, work, cfg, tm),
               "align": lambda s, tm: _align(s, work, cfg, tm),
               "stories": lambda s, tm: spark_stories.stories_stage(s, work, cfg, tm)}
    timings: dict[str, float] = {}
    info: dict[str, Any] = {}
    resumed: list[str] = []
    with spark_session(master, opts, folder=work.root) as spark:
        sc = spark.sparkContext
        if on_note is not None:
            ui = sc.uiWebUrl or "off (spark.ui.enabled=false)"
            log = driver_log()
            on_note(f"Spark master {sc.master}, UI {ui}" + (f"; Spark's log: {log}" if log else ""))
        tracker = StageTracker(sc, on_progress)
        hashes = stage_hashes(cfg, input_key, out_dir, st.input_signature(spark, input_key))
        redo = False
        for stage in STAGES[:-1]:
            if not redo and work.done(stage, hashes[stage]):
                resumed.append(stage)
                info.update(work.info(stage))
                continue
            redo = True
            work.forget(stage)
            t = time.perf_counter()
            try:
                with tracker.stage(stage):
                    out = runners[stage](spark, timings)
            except WiretraceError:
                raise
            except OSError as exc:  # the driver's own files (stage results, DuckDB counts)
                raise storage_error(exc, exc.filename or work.root) from None
            except Exception as exc:
                if type(exc).__module__.startswith(("pyspark", "py4j")):
                    raise SparkJobError(f"the Spark {stage} stage failed: {_spark_reason(exc)}") from exc
                raise
            timings[stage] = round(time.perf_counter() - t, 3)
            info.update(out)
            work.finish(stage, hashes[stage], out)
    return info, timings, resumed




def _spark_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return next((ln for ln in text if "Error" in ln or "Exception" in ln), text[0] if text else "")[:500]


def _outputs(work: Work, out_dir: str, cfg: ScanConfig, input_key: str, index_path: str,
             index_copy: str, t0: float, info: dict[str, Any], timings: dict[str, float],
             resumed: list[str], on_progress: Progress | None) -> ScanSummary:
    """The local engine's output writer and run summary, over the Parquet results;
    the index is made in the writer's work copy ``index_copy``, published by the caller."""
    t = time.perf_counter()
    stage_progress(on_progress, "outputs", None)
    with open_result_index(work, index_copy) as ix:
        write_outputs(ix, out_dir, cfg, input_key, index_path)
        timings["outputs"] = round(time.perf_counter() - t, 3)
        summary = summarize(ix, t0, out_dir, index_path, {**info, "timings": timings},
                            tuple(resumed))
    work.finish("outputs", "", {})
    return summary

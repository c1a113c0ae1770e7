"""What exact (brute-force) search costs as the corpus grows: time per query and memory (notebook 05).

:func:`course_lib.similarity.most_similar` compares every query with every corpus vector, so its
time grows linearly with the corpus. These helpers measure it honestly: a seeded random corpus,
a median wall-clock time per query, the working memory predicted from the chunk sizes, and the
peak growth of the process's resident memory (RSS) as the Linux kernel counts it. ``tracemalloc``
cannot see torch's allocations, and psutil is not needed: the kernel's high-water mark can be
reset and read through ``/proc/self``.
"""

from __future__ import annotations

import ctypes
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F

from course_lib._checks import check_int, check_tensor
from course_lib.similarity import check_measure, most_similar

_INDEX_BYTES = 8  # int64 indices that most_similar carries along with the scores


def _positive_int(name: str, value: object) -> int:
    return check_int(name, value, 1)


def random_corpus(n: int, dim: int = 384, seed: int = 0, normalize: bool = True) -> torch.Tensor:
    """A seeded ``(n, dim)`` float32 Gaussian corpus, with unit rows when ``normalize``.

    Random vectors cost exactly what real embeddings of the same shape cost to search.
    """
    n, dim = _positive_int("n", n), _positive_int("dim", dim)
    corpus = torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))
    return F.normalize(corpus, dim=1) if normalize else corpus


def search_memory_bytes(
    n_queries: int,
    corpus_size: int,
    dim: int = 384,
    k: int = 10,
    chunk_size: int = 8192,
    measure: str = "cosine",
    itemsize: int = 4,
) -> dict[str, int]:
    """Bytes that ``most_similar`` holds at its peak, from its chunk arithmetic.

    Returns ``{"corpus": n x d, "unit-length chunk copy": c x d (cosine only), "chunk scores": q x c,
    "candidates (scores + int64 indices)": q x (c + k), "working set": sum of all but the corpus}``
    with ``c = min(chunk_size, corpus_size)``. The working set does not grow with the corpus.
    """
    for name, value in (("n_queries", n_queries), ("corpus_size", corpus_size), ("dim", dim), ("k", k),
                        ("chunk_size", chunk_size), ("itemsize", itemsize)):
        _positive_int(name, value)
    check_measure(measure)
    chunk = min(chunk_size, corpus_size)
    parts = {
        "corpus": corpus_size * dim * itemsize,
        "unit-length chunk copy": chunk * dim * itemsize if measure == "cosine" else 0,
        "chunk scores": n_queries * chunk * itemsize,
        "candidates (scores + int64 indices)": n_queries * (chunk + k) * (itemsize + _INDEX_BYTES),
    }
    parts["working set"] = sum(value for name, value in parts.items() if name != "corpus")
    return parts


def time_per_query(fn: Callable[[], Any], n_queries: int = 1, repeats: int = 5, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` divided by the ``n_queries`` it answers per call."""
    if not callable(fn):
        raise TypeError(f"fn: expected a callable taking no arguments, got {type(fn).__name__}")
    n_queries, repeats = _positive_int("n_queries", n_queries), _positive_int("repeats", repeats)
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup: expected an int >= 0, got {warmup!r}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) / n_queries


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(f"/proc/self/status has no {field} line")


def _release_free_heap() -> None:
    """Return freed heap pages to the kernel (glibc's malloc_trim); a no-op elsewhere."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def peak_rss_growth(fn: Callable[[], Any]) -> tuple[Any, int | None]:
    """Run ``fn()`` and return ``(its result, peak growth of resident memory in bytes)``.

    Linux only: the kernel's high-water mark (``VmHWM``) is reset through ``/proc/self/clear_refs``
    and read after the call; the growth is None where that is not possible. First, glibc's
    ``malloc_trim`` hands memory freed by earlier work back to the kernel, so that the call has to
    touch fresh pages and shows its real peak; where that fails the result is only a floor.
    """
    if not callable(fn):
        raise TypeError(f"fn: expected a callable taking no arguments, got {type(fn).__name__}")
    _release_free_heap()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # 5 = reset the peak RSS to the current RSS
        before = _status_kib("VmRSS")
    except OSError:
        return fn(), None
    result = fn()
    return result, max(0, _status_kib("VmHWM") - before) * 1024


class SearchCost(NamedTuple):
    """What one ``most_similar`` configuration cost: time per query and memory, predicted and measured."""

    measure: str
    n_queries: int
    corpus_size: int
    seconds_per_query: float
    predicted_bytes: int
    measured_bytes: int | None


def search_cost(
    queries: torch.Tensor,
    corpus: torch.Tensor,
    measure: str = "cosine",
    k: int = 10,
    chunk_size: int = 8192,
    repeats: int = 5,
) -> SearchCost:
    """Time ``most_similar(queries, corpus, measure, k)`` and measure its peak memory growth.

    ``queries`` ``(q, d)`` are answered in one call; the time is the median over ``repeats`` calls
    divided by q. ``predicted_bytes`` is the working set from :func:`search_memory_bytes` (the
    corpus itself excluded: it is already in memory); ``measured_bytes`` from :func:`peak_rss_growth`.
    """
    check_tensor("queries", queries, ndim=2, shape="(q, d)", finite=True)
    check_tensor("corpus", corpus, ndim=2, shape="(n, d)", finite=True)

    def run() -> Any:
        return most_similar(queries, corpus, measure=measure, k=k, chunk_size=chunk_size)

    seconds = time_per_query(run, n_queries=queries.shape[0], repeats=repeats, warmup=1)
    _, measured = peak_rss_growth(run)
    predicted = search_memory_bytes(
        queries.shape[0], corpus.shape[0], corpus.shape[1], k=k, chunk_size=chunk_size, measure=measure,
        itemsize=corpus.element_size(),
    )["working set"]
    return SearchCost(measure, queries.shape[0], corpus.shape[0], seconds, predicted, measured)

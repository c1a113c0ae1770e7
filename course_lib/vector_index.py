"""A real vector index: FAISS against course_lib's exact search, measured (notebook 07).

:func:`build_index` builds one of :data:`INDEX_KINDS` over unit vectors (inner product = cosine):

- ``"flat"``: ``IndexFlatIP``, exact brute force (FAISS's own BLAS kernels);
- ``"hnsw"``: ``IndexHNSWFlat``, a navigable small-world graph (M links per vector, ``efSearch``);
- ``"ivf"``: ``IndexIVFFlat``, k-means cells (``nlist``, default 4 sqrt(n) but at most n / 39), of
  which ``nprobe`` are scanned per query;
- ``"ivfpq"``: ``IndexIVFPQ``, the same cells with each vector product-quantised to ``m`` bytes;
- ``"binary"``: ``IndexBinaryFlat`` over sign bits (48 bytes for 384 dims), exact Hamming search.

:func:`measure_index` reports recall@k against the exact top-k, milliseconds per query (one at a
time and batched), build time and the index's bytes per vector (its serialised size / n).
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

import numpy as np
import torch

from course_lib._checks import check_array, check_choice, check_int, check_tensor, check_type
from course_lib.compress import quantize_binary
from course_lib.scale import random_corpus, time_per_query

INDEX_KINDS: tuple[str, ...] = ("flat", "hnsw", "ivf", "ivfpq", "binary")


def _unit_matrix(name: str, value: object) -> np.ndarray:
    tensor = check_tensor(name, value, ndim=2, shape="(n, d)", floating=True, finite=True, allow_numpy=True)
    return np.ascontiguousarray(torch.nn.functional.normalize(tensor.float(), dim=1).cpu().numpy())


def _check_index(index: object) -> Any:
    import faiss

    return check_type("index", index, (faiss.Index, faiss.IndexBinary), "a FAISS index from build_index(...)")


def pad_with_random(real, size: int, seed: int = 0) -> torch.Tensor:
    """``real`` unit vectors ``(n, d)`` followed by seeded random unit vectors up to ``size`` rows.

    Random unit vectors in 384 dimensions are nearly orthogonal to everything, so they cost what
    real vectors cost to index and search but are rarely anyone's neighbour: recall measured on a
    padded corpus is optimistic for the padded part. Say so wherever it is used.
    """
    vectors = torch.from_numpy(_unit_matrix("real", real))
    size = check_int("size", size, minimum=1)
    if size <= vectors.shape[0]:
        return vectors[:size]
    return torch.cat([vectors, random_corpus(size - vectors.shape[0], vectors.shape[1], seed=seed)])


def build_index(kind: str, vectors, *, hnsw_m: int = 32, ef_search: int = 64, nlist: int | None = None,
                nprobe: int = 8, pq_m: int = 48, seed: int = 0) -> Any:
    """A FAISS index of ``kind`` over the unit-normalised ``vectors`` ``(n, d)``, trained where needed."""
    import faiss

    check_choice("kind", kind, INDEX_KINDS)
    data = _unit_matrix("vectors", vectors)
    n, d = data.shape
    if kind == "binary":
        index = faiss.IndexBinaryFlat(d)
        index.add(quantize_binary(torch.from_numpy(data)).numpy())
        return index
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, check_int("hnsw_m", hnsw_m, minimum=2), faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = check_int("ef_search", ef_search, minimum=1)
    else:
        # FAISS's rule of thumb: about 4 sqrt(n) cells, and k-means wants >= 39 training points per cell.
        default_cells = max(1, min(int(4 * np.sqrt(n)), n // 39))
        cells = check_int("nlist", nlist, minimum=1, maximum=n) if nlist is not None else default_cells
        quantizer = faiss.IndexFlatIP(d)
        if kind == "ivf":
            index = faiss.IndexIVFFlat(quantizer, d, cells, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexIVFPQ(quantizer, d, cells, check_int("pq_m", pq_m, minimum=1, maximum=d), 8,
                                     faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = seed  # k-means initialisation: the same cells on every run
        index.train(data)
        index.nprobe = check_int("nprobe", nprobe, minimum=1, maximum=cells)
    index.add(data)
    return index


def search_index(index: Any, queries, k: int = 10) -> np.ndarray:
    """Top-``k`` corpus ids ``(q, k)`` for the unit-normalised ``queries`` (binarised for a binary index)."""
    import faiss

    index = _check_index(index)
    data = _unit_matrix("queries", queries)
    if isinstance(index, faiss.IndexBinary):
        data = quantize_binary(torch.from_numpy(data)).numpy()
    return index.search(data, check_int("k", k, minimum=1, maximum=index.ntotal))[1]


def index_bytes(index: Any) -> int:
    """Size of the serialised index: vectors or codes plus graph links, cell lists and centroids."""
    import faiss

    if isinstance(_check_index(index), faiss.IndexBinary):
        return int(faiss.serialize_index_binary(index).nbytes)
    return int(faiss.serialize_index(index).nbytes)


def recall_against(found: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of the exact top-k ids ``(q, k)`` that the index also returned in its top-k."""
    found = check_array("found", found, ndim=2, shape="(q, k)")
    exact = check_array("exact", exact, ndim=2, shape="(q, k)")
    if found.shape != exact.shape:
        raise ValueError(f"found: expected the shape of exact {exact.shape}, got {found.shape}")
    return float(np.mean([len(set(f) & set(e)) / len(e) for f, e in zip(found.tolist(), exact.tolist())]))


class IndexReport(NamedTuple):
    """What one index costs and how much it finds."""

    kind: str
    build_seconds: float
    ms_single: float
    ms_batched: float
    recall: float
    bytes_per_vector: float


def measure_index(kind: str, corpus, queries, exact_ids, k: int = 10, repeats: int = 3, **params) -> IndexReport:
    """Build ``kind`` over ``corpus`` and measure it: recall@k against ``exact_ids`` ``(q, k)`` and times."""
    begin = time.perf_counter()
    index = build_index(kind, corpus, **params)
    build = time.perf_counter() - begin
    found = search_index(index, queries, k)
    one = queries[:1]
    single = time_per_query(lambda: search_index(index, one, k), n_queries=1, repeats=repeats)
    batched = time_per_query(lambda: search_index(index, queries, k), n_queries=len(queries), repeats=repeats)
    return IndexReport(kind, build, single * 1e3, batched * 1e3, recall_against(found, exact_ids),
                       index_bytes(index) / index.ntotal)

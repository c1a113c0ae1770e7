"""Similarity and distance between embeddings, and top-k semantic search (notebook 05).

Every measure maps ``(n, d)`` and ``(m, d)`` to the ``(n, m)`` matrix of its raw quantity: a
similarity for ``cosine`` and ``dot`` (higher = closer), a distance for ``euclidean``,
``manhattan``, ``minkowski`` and ``chebyshev`` (lower = closer). A 1-D input ``(d,)`` is read as
one row. Inputs may be torch tensors or numpy arrays; outputs are torch tensors.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

SIMILARITIES: tuple[str, ...] = ("cosine", "dot")
DISTANCES: tuple[str, ...] = ("euclidean", "manhattan", "minkowski", "chebyshev")
MEASURES: tuple[str, ...] = SIMILARITIES + DISTANCES


def _as_matrix(name: str, x: object) -> torch.Tensor:
    if isinstance(x, np.ndarray):
        x = torch.from_numpy(x)
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor or numpy array of shape (n, d), got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name}: expected a floating-point dtype, got {x.dtype}")
    if x.dim() == 1:
        x = x.unsqueeze(0)
    if x.dim() != 2:
        raise ValueError(f"{name}: expected shape (n, d) or (d,), got {tuple(x.shape)}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty matrix, got shape {tuple(x.shape)}")
    # min and max are NaN if any value is NaN, and ±inf if any is infinite: one reduction checks
    # every number without allocating a mask as large as x (which dominated search time).
    low, high = torch.aminmax(x)
    if not (math.isfinite(low.item()) and math.isfinite(high.item())):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return x


def _pair(a: object, b: object) -> tuple[torch.Tensor, torch.Tensor]:
    a, b = _as_matrix("a", a), _as_matrix("b", b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"b: expected vectors of dimension d={a.shape[1]} like a, got d={b.shape[1]}")
    dtype = torch.promote_types(a.dtype, b.dtype)
    return a.to(dtype), b.to(dtype)


def _check_p(p: object) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"p: expected a number > 0 (or math.inf), got {type(p).__name__}")
    if not p > 0:
        raise ValueError(f"p: expected a number > 0 (or math.inf), got {p}")
    return float(p)


def _unit_rows(x: torch.Tensor) -> torch.Tensor:
    norms = x.norm(dim=1, keepdim=True)
    # A zero vector has no direction: leave it at zero so its cosine with anything is 0, not NaN.
    return x / torch.where(norms == 0, torch.ones_like(norms), norms)


def cosine(a, b) -> torch.Tensor:
    """Cosine similarity ``(n, m)``: a·b / (|a| |b|), in [-1, 1]; 0 when either vector is zero."""
    a, b = _pair(a, b)
    return _unit_rows(a) @ _unit_rows(b).T


def dot(a, b) -> torch.Tensor:
    """Dot product ``(n, m)``: a·b. Equals cosine for unit vectors; otherwise grows with length."""
    a, b = _pair(a, b)
    return a @ b.T


def _cdist(a: torch.Tensor, b: torch.Tensor, p: float) -> torch.Tensor:
    # Direct differences, not the |a|²+|b|²-2a·b shortcut, which loses digits for close vectors.
    return torch.cdist(a, b, p=p, compute_mode="donot_use_mm_for_euclid_dist")


def euclidean(a, b) -> torch.Tensor:
    """Euclidean (L2) distance ``(n, m)``: sqrt(Σ (a_i - b_i)²)."""
    return _cdist(*_pair(a, b), 2.0)


def manhattan(a, b) -> torch.Tensor:
    """Manhattan (L1, city-block) distance ``(n, m)``: Σ |a_i - b_i|."""
    return _cdist(*_pair(a, b), 1.0)


def minkowski(a, b, p: float) -> torch.Tensor:
    """Minkowski (Lp) distance ``(n, m)``: (Σ |a_i - b_i|^p)^(1/p); p=1 Manhattan, p=2 Euclidean, p=inf Chebyshev."""
    p = _check_p(p)
    return _cdist(*_pair(a, b), p)


def chebyshev(a, b) -> torch.Tensor:
    """Chebyshev (L∞) distance ``(n, m)``: max_i |a_i - b_i|."""
    return _cdist(*_pair(a, b), math.inf)


def check_measure(measure: str) -> str:
    """Return ``measure`` if known, else raise a ValueError listing the valid names."""
    if not isinstance(measure, str):
        raise TypeError(f"measure: expected one of {list(MEASURES)} as a string, got {type(measure).__name__}")
    if measure not in MEASURES:
        raise ValueError(f"measure: expected one of {list(MEASURES)}, got {measure!r}")
    return measure


def higher_is_closer(measure: str) -> bool:
    """True for similarities (cosine, dot), False for distances."""
    return check_measure(measure) in SIMILARITIES


def _measure_fn(measure: str, p: float | None) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    check_measure(measure)
    if measure == "minkowski":
        if p is None:
            raise ValueError("p: measure='minkowski' needs p (a number > 0, or math.inf), got None")
        p = _check_p(p)
        return lambda a, b: minkowski(a, b, p)
    if p is not None:
        raise ValueError(f"p: only measure='minkowski' takes p, got p={p} with measure={measure!r}")
    return {"cosine": cosine, "dot": dot, "euclidean": euclidean, "manhattan": manhattan, "chebyshev": chebyshev}[
        measure
    ]


def pairwise(a, b, measure: str = "cosine", p: float | None = None) -> torch.Tensor:
    """The ``(n, m)`` matrix of ``measure`` (raw quantity) between the rows of a and b."""
    return _measure_fn(measure, p)(a, b)


def paired(a, b, measure: str = "cosine", p: float | None = None) -> torch.Tensor:
    """Row-by-row ``measure`` between a[i] and b[i]: ``(n, d)``, ``(n, d)`` -> ``(n,)``.

    Used to score sentence pairs (STS). Raw quantity: distances are not negated.
    """
    _measure_fn(measure, p)  # validates measure and p
    a, b = _pair(a, b)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"b: expected the same number of rows as a ({a.shape[0]}), got {b.shape[0]}")
    if measure == "cosine":
        return (_unit_rows(a) * _unit_rows(b)).sum(dim=1)
    if measure == "dot":
        return (a * b).sum(dim=1)
    order = {"euclidean": 2.0, "manhattan": 1.0, "chebyshev": math.inf}.get(measure, p)
    return torch.linalg.vector_norm(a - b, ord=order, dim=1)


def _unchecked_scorer(measure: str, p: float | None) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The measure without input checks, for chunks of inputs that were validated once."""
    if measure == "cosine":
        return lambda a, b: _unit_rows(a) @ _unit_rows(b).T
    if measure == "dot":
        return lambda a, b: a @ b.T
    order = {"euclidean": 2.0, "manhattan": 1.0, "chebyshev": math.inf}.get(measure, p)
    return lambda a, b: _cdist(a, b, order)


def most_similar(
    query,
    corpus,
    measure: str = "cosine",
    k: int = 5,
    p: float | None = None,
    chunk_size: int = 8192,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k search: the ``k`` corpus rows closest to each query row, closest first.

    ``query`` ``(q, d)`` or ``(d,)``, ``corpus`` ``(m, d)`` -> ``(indices, scores)`` each ``(q, k)``
    (or ``(k,)`` for a 1-D query); scores are the raw measure (high for similarities, low for
    distances). The corpus is scored ``chunk_size`` rows at a time, so memory stays at
    ``q x (chunk_size + k)`` scores whatever the corpus size.
    """
    single = isinstance(query, (torch.Tensor, np.ndarray)) and query.ndim == 1
    _measure_fn(measure, p)  # validates measure and p
    fn = _unchecked_scorer(measure, None if p is None else float(p))
    query, corpus = _pair(query, corpus)
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k: expected a positive int, got {type(k).__name__}")
    if not 1 <= k <= corpus.shape[0]:
        raise ValueError(f"k: expected 1 <= k <= corpus size ({corpus.shape[0]}), got {k}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size: expected a positive int, got {chunk_size!r}")
    largest = measure in SIMILARITIES
    best_scores = torch.empty(query.shape[0], 0, dtype=query.dtype)
    best_indices = torch.empty(query.shape[0], 0, dtype=torch.long)
    for start in range(0, corpus.shape[0], chunk_size):
        scores = fn(query, corpus[start : start + chunk_size])
        candidates = torch.cat([best_scores, scores], dim=1)
        candidate_indices = torch.cat(
            [best_indices, torch.arange(start, start + scores.shape[1]).expand(query.shape[0], -1)], dim=1
        )
        top = torch.topk(candidates, k=min(k, candidates.shape[1]), dim=1, largest=largest, sorted=True)
        best_scores = top.values
        best_indices = torch.gather(candidate_indices, 1, top.indices)
    if single:
        return best_indices[0], best_scores[0]
    return best_indices, best_scores

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

from course_lib._checks import check_choice, check_int, check_number, check_tensor

SIMILARITIES: tuple[str, ...] = ("cosine", "dot")
DISTANCES: tuple[str, ...] = ("euclidean", "manhattan", "minkowski", "chebyshev")
MEASURES: tuple[str, ...] = SIMILARITIES + DISTANCES


def _as_matrix(name: str, x: object) -> torch.Tensor:
    # check_finite's min/max reduction checks every number without a mask as large as x.
    x = check_tensor(name, x, ndim=(1, 2), shape="(n, d) or (d,)", floating=True, finite=True, allow_numpy=True)
    return x.unsqueeze(0) if x.dim() == 1 else x


def check_pair(a: object, b: object, names: tuple[str, str] = ("a", "b")) -> tuple[torch.Tensor, torch.Tensor]:
    """Two inputs as ``(n, d)`` and ``(m, d)`` tensors of one dtype on one device, checked.

    ``names`` are the caller's argument names, used in every message (e.g. ``("query", "corpus")``).
    """
    a, b = _as_matrix(names[0], a), _as_matrix(names[1], b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{names[1]}: expected vectors of dimension d={a.shape[1]} like {names[0]}, got d={b.shape[1]}")
    if a.device != b.device:
        raise ValueError(f"{names[1]}: expected a tensor on {names[0]}'s device ({a.device}), got one on {b.device}")
    dtype = torch.promote_types(a.dtype, b.dtype)
    return a.to(dtype), b.to(dtype)


def _check_p(p: object) -> float:
    return check_number("p", p, 0.0, low_inclusive=False, allow_inf=True)


def _unit_rows(x: torch.Tensor) -> torch.Tensor:
    norms = x.norm(dim=1, keepdim=True)
    # A zero vector has no direction: leave it at zero so its cosine with anything is 0, not NaN.
    return x / torch.where(norms == 0, torch.ones_like(norms), norms)


def cosine(a, b) -> torch.Tensor:
    """Cosine similarity ``(n, m)``: a·b / (|a| |b|), in [-1, 1]; 0 when either vector is zero."""
    a, b = check_pair(a, b)
    return _unit_rows(a) @ _unit_rows(b).T


def dot(a, b) -> torch.Tensor:
    """Dot product ``(n, m)``: a·b. Equals cosine for unit vectors; otherwise grows with length."""
    a, b = check_pair(a, b)
    return a @ b.T


def _cdist(a: torch.Tensor, b: torch.Tensor, p: float) -> torch.Tensor:
    # Direct differences, not the |a|²+|b|²-2a·b shortcut, which loses digits for close vectors.
    return torch.cdist(a, b, p=p, compute_mode="donot_use_mm_for_euclid_dist")


def euclidean(a, b) -> torch.Tensor:
    """Euclidean (L2) distance ``(n, m)``: sqrt(Σ (a_i - b_i)²)."""
    return _cdist(*check_pair(a, b), 2.0)


def manhattan(a, b) -> torch.Tensor:
    """Manhattan (L1, city-block) distance ``(n, m)``: Σ |a_i - b_i|."""
    return _cdist(*check_pair(a, b), 1.0)


def minkowski(a, b, p: float) -> torch.Tensor:
    """Minkowski (Lp) distance ``(n, m)``: (Σ |a_i - b_i|^p)^(1/p); p=1 Manhattan, p=2 Euclidean, p=inf Chebyshev."""
    a, b = check_pair(a, b)
    return _cdist(a, b, _check_p(p))


def chebyshev(a, b) -> torch.Tensor:
    """Chebyshev (L∞) distance ``(n, m)``: max_i |a_i - b_i|."""
    return _cdist(*check_pair(a, b), math.inf)


def check_measure(measure: str, name: str = "measure") -> str:
    """Return ``measure`` if known, else raise naming the caller's argument ``name`` and the valid names."""
    return check_choice(name, measure, MEASURES)


def higher_is_closer(measure: str) -> bool:
    """True for similarities (cosine, dot), False for distances."""
    return check_measure(measure) in SIMILARITIES


def _check_measure_and_p(measure: str, p: float | None) -> float | None:
    """Validate ``measure`` and ``p`` together; return ``p`` as a float (None unless minkowski)."""
    check_measure(measure)
    if measure == "minkowski":
        if p is None:
            raise ValueError("p: expected a number > 0 (or math.inf) with measure='minkowski', got None")
        return _check_p(p)
    if p is not None:
        raise ValueError(f"p: expected None (only measure='minkowski' takes p), got p={p} with measure={measure!r}")
    return None


def pairwise(
    a, b, measure: str = "cosine", p: float | None = None, *, names: tuple[str, str] = ("a", "b")
) -> torch.Tensor:
    """The ``(n, m)`` matrix of ``measure`` (raw quantity) between the rows of a and b.

    ``names``: how the caller calls ``a`` and ``b`` in error messages.
    """
    p = _check_measure_and_p(measure, p)
    a, b = check_pair(a, b, names)
    return _unchecked_scorer(measure, p)(a, b)


def paired(
    a, b, measure: str = "cosine", p: float | None = None, *, names: tuple[str, str] = ("a", "b")
) -> torch.Tensor:
    """Row-by-row ``measure`` between a[i] and b[i]: ``(n, d)``, ``(n, d)`` -> ``(n,)``.

    Used to score sentence pairs (STS). Raw quantity: distances are not negated. ``names``: how
    the caller calls ``a`` and ``b`` in error messages.
    """
    p = _check_measure_and_p(measure, p)
    a, b = check_pair(a, b, names)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"{names[1]}: expected the same number of rows as {names[0]} ({a.shape[0]}), got {b.shape[0]}")
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
    fn = _unchecked_scorer(measure, _check_measure_and_p(measure, p))
    query, corpus = check_pair(query, corpus, ("query", "corpus"))
    k = check_int("k", k, 1, corpus.shape[0])
    chunk_size = check_int("chunk_size", chunk_size, 1)
    largest = measure in SIMILARITIES
    device = query.device  # every buffer follows the inputs' device
    best_scores = torch.empty(query.shape[0], 0, dtype=query.dtype, device=device)
    best_indices = torch.empty(query.shape[0], 0, dtype=torch.long, device=device)
    for start in range(0, corpus.shape[0], chunk_size):
        scores = fn(query, corpus[start : start + chunk_size])
        candidates = torch.cat([best_scores, scores], dim=1)
        positions = torch.arange(start, start + scores.shape[1], device=device)
        candidate_indices = torch.cat([best_indices, positions.expand(query.shape[0], -1)], dim=1)
        top = torch.topk(candidates, k=min(k, candidates.shape[1]), dim=1, largest=largest, sorted=True)
        best_scores = top.values
        best_indices = torch.gather(candidate_indices, 1, top.indices)
    if single:
        return best_indices[0], best_scores[0]
    return best_indices, best_scores

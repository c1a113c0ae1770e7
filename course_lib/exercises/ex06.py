"""Exercises of notebook 06 (the geometry of embeddings).

Importing this module registers the exercises, so ``show_solution("ex06_mean_cosine")`` works.

- ``ex06_mean_cosine``: the average cosine over all distinct pairs, checked against
  :func:`course_lib.geometry.mean_cosine`.
- ``ex06_whitened_cosines``: whiten (Su et al. 2021) and return the cosine matrix of the whitened
  rows, checked against :func:`course_lib.geometry.fit_whitening`. Cosines are compared because
  they do not depend on the sign each eigenvector happens to get.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_lib.exercises.core import function_exercise
from course_lib.geometry import fit_whitening, mean_cosine

__all__ = ["check_mean_cosine", "check_whitened_cosines", "reference_whitened_cosines"]


def _cloud(n: int, d: int, seed: int, offset: float) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    scales = torch.logspace(0, -1.5, d, dtype=torch.float64)
    return torch.randn(n, d, generator=generator, dtype=torch.float64) * scales + offset


check_mean_cosine = function_exercise(
    name="ex06_mean_cosine",
    question=(
        "Write mean_cosine(x) for x of shape (n, d): the average cosine similarity over all n (n - 1) / 2 "
        "pairs of DIFFERENT rows (a row is not paired with itself). Return a float."
    ),
    hint=(
        "normalise the rows (x / x.norm(dim=1, keepdim=True)), take the (n, n) matrix of dot products, and "
        "average it WITHOUT its diagonal of ones: (sum of all entries - n) / (n * (n - 1))."
    ),
    solution='''def mean_cosine(x):
    unit = x / x.norm(dim=1, keepdim=True)          # (n, d) unit rows
    cosines = unit @ unit.T                         # (n, n), ones on the diagonal
    n = x.shape[0]
    return ((cosines.sum() - n) / (n * (n - 1))).item()
# Faster, O(n d): the sum of all entries of unit @ unit.T is |unit.sum(0)|²''',
    reference_fn=mean_cosine,
    cases=[
        (torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=torch.float64),),
        (_cloud(50, 8, seed=1, offset=2.0),),
        (_cloud(40, 16, seed=2, offset=0.0),),
    ],
    atol=1e-6,
).check


def reference_whitened_cosines(x: torch.Tensor) -> torch.Tensor:
    """The ``(n, n)`` cosine matrix of ``x`` whitened with statistics fitted on ``x`` itself (all d dims)."""
    whitened = fit_whitening(x).transform(x)
    unit = F.normalize(whitened, dim=1)
    return unit @ unit.T


check_whitened_cosines = function_exercise(
    name="ex06_whitened_cosines",
    question=(
        "Write whitened_cosines(x) for x of shape (n, d) with n > d: fit the mean mu and covariance Sigma on x "
        "(divide by n - 1), eigendecompose Sigma = U Λ Uᵀ, whiten every row as (x - mu) @ U Λ^(-1/2), and return "
        "the (n, n) matrix of cosine similarities between the whitened rows."
    ),
    hint=(
        "torch.cov(x.T) gives Sigma with n - 1; torch.linalg.eigh(Sigma) returns (eigenvalues, U) with U's "
        "columns as eigenvectors; U / eigenvalues.sqrt() scales column j by 1/sqrt(λ_j). Then normalise the "
        "whitened rows and multiply the matrix by its transpose."
    ),
    solution='''def whitened_cosines(x):
    mu = x.mean(dim=0)                              # (d,)
    sigma = torch.cov(x.T)                          # (d, d), n - 1 in the denominator
    eigenvalues, U = torch.linalg.eigh(sigma)       # Sigma = U diag(eigenvalues) U^T
    W = U / eigenvalues.sqrt()                      # U Λ^(-1/2): column j divided by sqrt(λ_j)
    whitened = (x - mu) @ W                         # (n, d): mean 0, identity covariance
    unit = whitened / whitened.norm(dim=1, keepdim=True)
    return unit @ unit.T                            # (n, n)
# The order and signs of the eigenvectors do not matter: cosines are unchanged by them.''',
    reference_fn=reference_whitened_cosines,
    cases=[(_cloud(30, 4, seed=3, offset=3.0),), (_cloud(80, 10, seed=4, offset=-1.0),)],
    atol=1e-6,
).check

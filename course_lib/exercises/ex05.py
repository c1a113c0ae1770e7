"""Exercises of notebook 05 (similarity measures and semantic search).

Importing this module registers the exercises, so ``show_solution("ex05_cosine_from_dot")`` works.

- :func:`check_cosine_from_dot` (``ex05_cosine_from_dot``): the cosine matrix from dot products and norms.
- :func:`check_rank_like_cosine` (``ex05_rank_like_cosine``): which measures rank exactly like cosine on unit vectors.
- :func:`check_cosine_from_euclidean` (``ex05_cosine_from_euclidean``): a Euclidean distance between unit
  vectors, turned into a cosine.
"""

from __future__ import annotations

import torch

from course_lib.exercises.core import function_exercise, value_exercise
from course_lib.similarity import cosine

__all__ = ["check_cosine_from_dot", "check_rank_like_cosine", "check_cosine_from_euclidean"]


def _cases_for_cosine() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(5)
    return [
        (torch.tensor([[3.0, 4.0]]), torch.tensor([[4.0, 3.0], [-3.0, -4.0], [0.0, 2.0]])),
        (torch.randn(4, 16, generator=generator), torch.randn(6, 16, generator=generator) * 10),
        (torch.randn(3, 384, generator=generator) * 0.1, torch.randn(5, 384, generator=generator)),
    ]


check_cosine_from_dot = function_exercise(
    name="ex05_cosine_from_dot",
    question=(
        "Write cosine_from_dot(a, b) for a (n, d) and b (m, d): the (n, m) cosine matrix, using only "
        "the matrix of dot products a @ b.T and the row norms."
    ),
    hint="divide each dot product a_i·b_j by |a_i|·|b_j|: an (n, 1) column of norms times a (1, m) row of norms.",
    solution='''def cosine_from_dot(a, b):
    dots = a @ b.T                                   # (n, m)
    norms_a = a.norm(dim=1, keepdim=True)            # (n, 1)
    norms_b = b.norm(dim=1, keepdim=True).T          # (1, m)
    return dots / (norms_a * norms_b)                # broadcasts to (n, m)''',
    reference_fn=cosine,
    cases=_cases_for_cosine(),
    atol=1e-5,
).check


check_rank_like_cosine = value_exercise(
    name="ex05_rank_like_cosine",
    question=(
        "After every vector is L2-normalised, which of 'dot', 'euclidean', 'manhattan', 'chebyshev' rank a "
        "corpus EXACTLY like cosine for every query? Answer with a list of names (any order)."
    ),
    hint="write each measure in terms of |a|, |b| and cos θ when |a| = |b| = 1; a measure that cannot be "
    "written that way (it depends on the coordinates, not only on the angle) can rank differently.",
    solution='''rank_like_cosine = ["dot", "euclidean"]
# dot:       a·b = |a||b| cos θ = cos θ for unit vectors
# euclidean: |a - b|² = |a|² + |b|² - 2 a·b = 2 - 2 cos θ, which falls as cos θ rises
# manhattan (p = 1) depends on how the difference spreads over the coordinates, and chebyshev (p = ∞)
# only on the single largest coordinate difference: neither is a function of the angle alone''',
    reference=frozenset({"dot", "euclidean"}),
).check


def cosine_from_unit_distance(distance: torch.Tensor) -> torch.Tensor:
    """cos θ from the Euclidean distance between unit vectors: ``|a - b|² = 2 - 2 cos θ``."""
    return 1 - distance**2 / 2


check_cosine_from_euclidean = function_exercise(
    name="ex05_cosine_from_euclidean",
    question=(
        "Write cosine_from_euclidean(distance): given the Euclidean distances between UNIT vectors (a tensor of "
        "any shape), return their cosines."
    ),
    hint="expand |a - b|² = |a|² + |b|² - 2 a·b and use |a| = |b| = 1; then solve for cos θ = a·b.",
    solution='''def cosine_from_euclidean(distance):
    return 1 - distance ** 2 / 2      # from |a - b|² = 2 - 2 cos θ''',
    reference_fn=cosine_from_unit_distance,
    cases=[(torch.tensor([0.0, 2.0**0.5, 2.0]),), (torch.linspace(0, 2, 12).reshape(3, 4),)],
    atol=1e-6,
).check

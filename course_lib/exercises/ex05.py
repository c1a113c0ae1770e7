"""Exercise checks for notebook 05 (similarity measures and semantic search).

- :func:`check_cosine_from_dot`       build the cosine matrix from dot products and norms
- :func:`check_rank_like_cosine`      predict which measures rank exactly like cosine on unit vectors
- :func:`check_cosine_from_euclidean` turn a Euclidean distance between unit vectors into a cosine
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from course_lib.exercises.core import Exercise, Feedback, check_function, register
from course_lib.similarity import cosine

__all__ = ["check_cosine_from_dot", "check_rank_like_cosine", "check_cosine_from_euclidean"]


def _cases_for_cosine() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(5)
    return [
        (torch.tensor([[3.0, 4.0]]), torch.tensor([[4.0, 3.0], [-3.0, -4.0], [0.0, 2.0]])),
        (torch.randn(4, 16, generator=generator), torch.randn(6, 16, generator=generator) * 10),
        (torch.randn(3, 384, generator=generator) * 0.1, torch.randn(5, 384, generator=generator)),
    ]


COSINE_FROM_DOT = register(
    Exercise(
        name="cosine_from_dot",
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
        check=lambda fn: check_cosine_from_dot(fn),
    )
)


def check_cosine_from_dot(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None) -> Feedback:
    """Compare the learner's ``cosine_from_dot(a, b)`` with :func:`course_lib.similarity.cosine`."""
    return check_function(
        "cosine_from_dot", fn, lambda a, b: cosine(a, b), _cases_for_cosine(), atol=1e-5, hint=COSINE_FROM_DOT.hint
    )


_ALL_MEASURES = ("dot", "euclidean", "manhattan", "chebyshev")
_SAME_AS_COSINE = {"dot", "euclidean"}
_WHY_NOT = {
    "manhattan": "Manhattan (p = 1) is not a function of the angle alone: two pairs with the same cosine can "
    "have different L1 distances, because L1 depends on how the difference spreads over the coordinates",
    "chebyshev": "Chebyshev (p = ∞) only looks at the single largest coordinate difference, so it cannot be a "
    "function of the angle",
}
_WHY_YES = {
    "dot": "for unit vectors a·b = |a||b| cos θ = cos θ: the very same number",
    "euclidean": "for unit vectors |a - b|² = 2 - 2 cos θ, a decreasing function of cos θ: smallest distance = "
    "largest cosine",
}

RANK_LIKE_COSINE = register(
    Exercise(
        name="rank_like_cosine",
        question=(
            "After every vector is L2-normalised, which of 'dot', 'euclidean', 'manhattan', 'chebyshev' rank a "
            "corpus EXACTLY like cosine for every query? Answer with a list of names."
        ),
        hint="write each measure in terms of |a|, |b| and cos θ when |a| = |b| = 1; a measure that cannot be "
        "written that way can rank differently.",
        solution='''rank_like_cosine = ["dot", "euclidean"]
# dot:       a·b = |a||b| cos θ = cos θ for unit vectors
# euclidean: |a - b|² = |a|² + |b|² - 2 a·b = 2 - 2 cos θ, which falls as cos θ rises
# manhattan and chebyshev depend on the coordinates, not only on the angle: they rank differently''',
        check=lambda answer: check_rank_like_cosine(answer),
    )
)


def check_rank_like_cosine(answer: object) -> Feedback:
    """Check the learner's list of measures that rank like cosine on unit vectors (order and case ignored)."""
    name = "rank_like_cosine"
    if answer is None or answer is Ellipsis or (isinstance(answer, (list, tuple, set)) and Ellipsis in answer):
        return Feedback(name, "not attempted")
    if isinstance(answer, str):
        answer = [answer]
    if not isinstance(answer, (list, tuple, set)) or not all(isinstance(item, str) for item in answer):
        return Feedback(name, "incorrect", f"expected a list of measure names, got {type(answer).__name__}")
    chosen = {item.strip().lower() for item in answer}
    unknown = sorted(chosen - set(_ALL_MEASURES))
    if unknown:
        return Feedback(name, "incorrect", f"unknown measure(s) {unknown}; choose from {list(_ALL_MEASURES)}")
    if chosen == _SAME_AS_COSINE:
        return Feedback(name, "correct", "; ".join(f"{m}: {_WHY_YES[m]}" for m in sorted(_SAME_AS_COSINE)))
    wrong = sorted(chosen - _SAME_AS_COSINE)
    missing = sorted(_SAME_AS_COSINE - chosen)
    parts = [f"{m} does not: {_WHY_NOT[m]}" for m in wrong]
    parts += [f"{m} does, because {_WHY_YES[m]}" for m in missing]
    return Feedback(name, "incorrect", ". ".join(parts) + ".")


COSINE_FROM_EUCLIDEAN = register(
    Exercise(
        name="cosine_from_euclidean",
        question=(
            "Write cosine_from_euclidean(distance): given the Euclidean distances between UNIT vectors (a tensor of "
            "any shape), return their cosines."
        ),
        hint="expand |a - b|² = |a|² + |b|² - 2 a·b and use |a| = |b| = 1; then solve for cos θ = a·b.",
        solution='''def cosine_from_euclidean(distance):
    return 1 - distance ** 2 / 2      # from |a - b|² = 2 - 2 cos θ''',
        check=lambda fn: check_cosine_from_euclidean(fn),
    )
)


def check_cosine_from_euclidean(fn: Callable[[torch.Tensor], torch.Tensor] | None) -> Feedback:
    """Compare the learner's ``cosine_from_euclidean(distance)`` with 1 - d²/2 on distances in [0, 2]."""
    cases = [(torch.tensor([0.0, 2.0**0.5, 2.0]),), (torch.linspace(0, 2, 12).reshape(3, 4),)]
    return check_function(
        "cosine_from_euclidean", fn, lambda d: 1 - d**2 / 2, cases, atol=1e-6, hint=COSINE_FROM_EUCLIDEAN.hint
    )

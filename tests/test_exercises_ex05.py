"""Notebook 05's exercise checks: a right answer passes, typical wrong answers fail with a useful message."""

from __future__ import annotations

import pytest
import torch

from course_lib.exercises import get_exercise
from course_lib.exercises import ex05


def right_cosine_from_dot(a, b):
    return (a @ b.T) / (a.norm(dim=1, keepdim=True) * b.norm(dim=1, keepdim=True).T)


def test_cosine_from_dot_right_and_wrong():
    assert ex05.check_cosine_from_dot(right_cosine_from_dot)
    unnormalised = ex05.check_cosine_from_dot(lambda a, b: a @ b.T)
    assert unnormalised.status == "incorrect" and "Hint: divide each dot product" in unnormalised.message
    only_a = ex05.check_cosine_from_dot(lambda a, b: (a @ b.T) / a.norm(dim=1, keepdim=True))
    assert only_a.status == "incorrect"
    transposed = ex05.check_cosine_from_dot(lambda a, b: right_cosine_from_dot(a, b).T)
    assert transposed.status == "incorrect" and "shape" in transposed.message
    assert ex05.check_cosine_from_dot(None).status == "not attempted"


def test_rank_like_cosine_right_and_wrong():
    assert ex05.check_rank_like_cosine(["dot", "euclidean"])
    assert ex05.check_rank_like_cosine(("Euclidean ", "DOT"))  # order, case and spaces ignored
    with_manhattan = ex05.check_rank_like_cosine(["dot", "euclidean", "manhattan"])
    assert with_manhattan.status == "incorrect" and "unexpected ['manhattan']" in with_manhattan.message
    only_dot = ex05.check_rank_like_cosine(["dot"])
    assert only_dot.status == "incorrect" and "missing ['euclidean']" in only_dot.message
    assert ex05.check_rank_like_cosine("dot").status == "incorrect"
    assert "unexpected ['cosine']" in ex05.check_rank_like_cosine(["cosine"]).message
    assert "expected a list" in ex05.check_rank_like_cosine(3).message
    assert ex05.check_rank_like_cosine(...).status == "not attempted"
    assert ex05.check_rank_like_cosine([...]).status == "not attempted"


def test_cosine_from_euclidean_right_and_wrong():
    assert ex05.check_cosine_from_euclidean(lambda d: 1 - d**2 / 2)
    assert ex05.check_cosine_from_euclidean(lambda d: 1 - d).status == "incorrect"
    assert ex05.check_cosine_from_euclidean(lambda d: 2 - 2 * d**2).status == "incorrect"
    assert ex05.check_cosine_from_euclidean(lambda d: ...).status == "not attempted"


@pytest.mark.parametrize("name", ["cosine_from_dot", "rank_like_cosine", "cosine_from_euclidean"])
def test_the_registered_solution_passes_its_own_check(name):
    exercise = get_exercise(f"ex05_{name}")
    namespace: dict = {"torch": torch}
    exec(exercise.solution, namespace)
    answer = namespace.get(name)
    assert answer is not None, f"the solution of {name} must define {name}"
    assert exercise.check(answer), exercise.check(answer)

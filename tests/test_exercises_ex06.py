"""Notebook 06's exercise checks: right answers pass, typical wrong answers fail with a useful message."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_lib.exercises import ex06, get_exercise, list_exercises


def right_mean_cosine(x):
    unit = F.normalize(x, dim=1)
    n = x.shape[0]
    return ((unit @ unit.T).sum() - n) / (n * (n - 1))


def right_whitened_cosines(x):
    eigenvalues, vectors = torch.linalg.eigh(torch.cov(x.T))
    whitened = (x - x.mean(dim=0)) @ (vectors / eigenvalues.sqrt())
    unit = F.normalize(whitened, dim=1)
    return unit @ unit.T


def test_exercises_are_registered_with_the_notebook_prefix():
    assert {"ex06_mean_cosine", "ex06_whitened_cosines"} <= set(list_exercises())
    assert get_exercise("ex06_mean_cosine").check is ex06.check_mean_cosine


def test_mean_cosine_right_and_wrong():
    assert ex06.check_mean_cosine(right_mean_cosine)
    with_diagonal = ex06.check_mean_cosine(lambda x: (F.normalize(x, dim=1) @ F.normalize(x, dim=1).T).mean())
    assert with_diagonal.status == "incorrect" and "Hint: normalise the rows" in with_diagonal.message
    dot = ex06.check_mean_cosine(lambda x: ((x @ x.T).sum() - x.shape[0]) / (x.shape[0] * (x.shape[0] - 1)))
    assert dot.status == "incorrect"
    assert ex06.check_mean_cosine(None).status == "not attempted"
    assert ex06.check_mean_cosine(lambda x: ...).status == "not attempted"


def test_whitened_cosines_right_and_wrong():
    assert ex06.check_whitened_cosines(right_whitened_cosines)

    def flipped_and_reordered(x):  # another valid W: eigenvector signs and order do not change cosines
        eigenvalues, vectors = torch.linalg.eigh(torch.cov(x.T))
        w = -(vectors / eigenvalues.sqrt()).flip(1)
        unit = F.normalize((x - x.mean(dim=0)) @ w, dim=1)
        return unit @ unit.T

    assert ex06.check_whitened_cosines(flipped_and_reordered)

    def not_centred(x):
        eigenvalues, vectors = torch.linalg.eigh(torch.cov(x.T))
        unit = F.normalize(x @ (vectors / eigenvalues.sqrt()), dim=1)
        return unit @ unit.T

    assert ex06.check_whitened_cosines(not_centred).status == "incorrect"

    def only_centred(x):
        unit = F.normalize(x - x.mean(dim=0), dim=1)
        return unit @ unit.T

    assert ex06.check_whitened_cosines(only_centred).status == "incorrect"

    def times_sqrt(x):  # Λ^(+1/2) instead of Λ^(-1/2)
        eigenvalues, vectors = torch.linalg.eigh(torch.cov(x.T))
        unit = F.normalize((x - x.mean(dim=0)) @ (vectors * eigenvalues.sqrt()), dim=1)
        return unit @ unit.T

    wrong = ex06.check_whitened_cosines(times_sqrt)
    assert wrong.status == "incorrect" and "Hint:" in wrong.message
    assert ex06.check_whitened_cosines(None).status == "not attempted"


def test_the_shown_solutions_pass_their_own_checks():
    for exercise, name in ((get_exercise("ex06_mean_cosine"), "mean_cosine"), (get_exercise("ex06_whitened_cosines"), "whitened_cosines")):
        namespace = {"torch": torch}
        exec(exercise.solution, namespace)
        assert exercise.check(namespace[name]), name

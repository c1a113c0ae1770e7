"""Notebook 03's exercise checks: right answers pass, typical wrong answers fail with a useful message."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.embed import encode
from course_lib.exercises import ex03, get_exercise


def test_words_alone_right_and_wrong(model):
    assert ex03.check_words_alone(lambda text: encode(text.split(), model).mean(dim=0))
    whole = ex03.check_words_alone(lambda text: encode(text, model)[0])  # the whole sentence, with context
    assert whole.status == "incorrect" and "Hint: encode(list_of_words" in whole.message
    pieces = ex03.check_words_alone(lambda text: encode(list(text), model).mean(dim=0))  # characters, not words
    assert pieces.status == "incorrect"
    assert ex03.check_words_alone(lambda text: ...).status == "not attempted"


def right_purity(true_labels, cluster_ids):
    return sum(np.bincount(true_labels[cluster_ids == c]).max() for c in np.unique(cluster_ids)) / len(true_labels)


def test_purity_right_and_wrong():
    assert ex03.check_purity(right_purity)
    unweighted = ex03.check_purity(
        lambda t, c: np.mean([np.bincount(t[c == k]).max() / (c == k).sum() for k in np.unique(c)])
    )
    assert unweighted.status == "incorrect" and "weight each cluster by its size" in unweighted.message
    by_class = ex03.check_purity(lambda t, c: right_purity(c, t))  # inverse purity: majority within each class
    assert by_class.status == "incorrect"
    assert ex03.check_purity(None).status == "not attempted"


def right_maxsim(q, d):
    return (F.normalize(q, dim=1) @ F.normalize(d, dim=1).T).max(dim=1).values.mean()


def test_maxsim_right_and_wrong():
    assert ex03.check_maxsim(right_maxsim)
    assert ex03.check_maxsim(lambda q, d: float(right_maxsim(q, d)))  # a Python float is fine too
    wrong_direction = ex03.check_maxsim(
        lambda q, d: (F.normalize(q, dim=1) @ F.normalize(d, dim=1).T).max(dim=0).values.mean()
    )
    assert wrong_direction.status == "incorrect" and "DOCUMENT tokens" in wrong_direction.message
    assert ex03.check_maxsim(lambda q, d: (q @ d.T).max(dim=1).values.mean()).status == "incorrect"  # dot, not cosine
    summed = ex03.check_maxsim(lambda q, d: (F.normalize(q, dim=1) @ F.normalize(d, dim=1).T).max(dim=1).values.sum())
    assert summed.status == "incorrect"
    assert ex03.check_maxsim(lambda q, d: ...).status == "not attempted"


@pytest.mark.parametrize("name", ["ex03_words_alone", "ex03_purity", "ex03_maxsim"])
def test_the_registered_solution_passes_its_own_check(name, model):
    exercise = get_exercise(name)
    namespace: dict = {"torch": torch, "F": F, "np": np, "encode": encode, "model": model}
    exec(exercise.solution, namespace)
    answer = namespace[name.removeprefix("ex03_")]
    assert exercise.check(answer), exercise.check(answer)

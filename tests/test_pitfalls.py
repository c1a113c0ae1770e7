"""course_lib.pitfalls (the fixes of notebook 09) and the exercises of course_lib.exercises.ex09."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.exercises import ex09, get_exercise
from course_lib.pitfalls import (
    calibrate_threshold,
    chunk_max_scores,
    encode_chunked,
    recall_at_k,
    threshold_accuracy,
    token_limits,
    trained_setup,
    with_prefix,
)


def test_trained_setup_reads_the_bundled_model_folder():
    assert trained_setup() == {"pooling": ["mean"], "normalize": True, "max_seq_length": 256}


def test_trained_setup_reads_another_folder(tmp_path):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    assert trained_setup(tmp_path) == {"pooling": ["cls"], "normalize": False, "max_seq_length": None}


def test_trained_setup_bad_input(tmp_path):
    with pytest.raises(TypeError, match="model_path"):
        trained_setup(3)
    with pytest.raises(ValueError, match="model_path: expected a sentence-transformers folder"):
        trained_setup(tmp_path)


def test_token_limits_of_the_default_model(model):
    assert token_limits(model) == {
        "tokenizer_model_max_length": 512, "trained_max_length": 256, "max_position_embeddings": 512,
    }


def test_calibrate_threshold_separates_separable_scores():
    scores = np.array([0.1, 0.2, 0.35, 0.6, 0.7, 0.9])
    labels = np.array([0, 0, 0, 1, 1, 1], dtype=bool)
    threshold = calibrate_threshold(scores, labels)
    assert 0.35 < threshold <= 0.6
    assert threshold_accuracy(scores, labels, threshold) == 1.0
    assert threshold_accuracy(scores, labels, 0.0) == 0.5


def test_calibrate_threshold_beats_every_other_cut_on_noisy_scores():
    rng = np.random.default_rng(0)
    labels = rng.random(200) < 0.4
    scores = rng.normal(labels * 1.0, 0.7)
    best = threshold_accuracy(scores, labels, calibrate_threshold(scores, labels))
    assert all(threshold_accuracy(scores, labels, t) <= best for t in np.linspace(-2, 3, 101))


@pytest.mark.parametrize(
    "scores,labels,error,match",
    [
        ([0.1, 0.2], [True], ValueError, "labels: expected 2 items"),
        ([0.1, float("nan")], [True, False], ValueError, "scores: expected finite"),
        ([0.1, 0.2], [2, 0], ValueError, "labels: expected booleans or 0/1"),
        ([0.1, 0.2], [True, True], ValueError, "labels: expected both"),
        ("abc", [True], TypeError, "scores"),
        ([[0.1, 0.2]], [True], ValueError, "scores: expected 1 dimensions"),
    ],
)
def test_calibrate_threshold_bad_input(scores, labels, error, match):
    with pytest.raises(error, match=match):
        calibrate_threshold(scores, labels)


def test_threshold_accuracy_bad_threshold():
    with pytest.raises(TypeError, match="threshold"):
        threshold_accuracy([0.1, 0.9], [False, True], "0.5")


def test_chunk_max_scores_takes_each_documents_best_chunk():
    scores = torch.tensor([[0.1, 0.9, 0.3, 0.2], [0.5, 0.4, 0.8, 0.7]])
    owner = torch.tensor([0, 0, 1, 2])
    expected = torch.tensor([[0.9, 0.3, 0.2], [0.5, 0.8, 0.7]])
    torch.testing.assert_close(chunk_max_scores(scores, owner), expected)
    padded = chunk_max_scores(scores, owner, n_documents=4)
    assert padded.shape == (2, 4) and torch.isinf(padded[:, 3]).all()  # a document with no chunk never wins


def test_chunk_max_scores_bad_input():
    with pytest.raises(ValueError, match="owner: expected 2 integer"):
        chunk_max_scores(torch.zeros(1, 2), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="owner: expected document indices in 0..0"):
        chunk_max_scores(torch.zeros(1, 2), torch.tensor([0, 1]), n_documents=1)
    with pytest.raises(TypeError, match="chunk_scores"):
        chunk_max_scores([[0.1]], torch.tensor([0]))


def test_recall_at_k():
    scores = torch.tensor([[0.9, 0.1, 0.5], [0.2, 0.3, 0.8], [0.1, 0.2, 0.3]])
    assert recall_at_k(scores, [0, 1, 2], k=1) == pytest.approx(2 / 3)
    assert recall_at_k(scores, [0, 1, 2], k=2) == 1.0
    with pytest.raises(ValueError, match="k: expected an int in \\[1, 3\\]"):
        recall_at_k(scores, [0, 1, 2], k=4)
    with pytest.raises(ValueError, match="targets: expected 3 items"):
        recall_at_k(scores, [0, 1], k=1)


def test_encode_chunked_keeps_every_part_of_a_long_document(model):
    long_doc = [f"Sentence number {i} talks about the weather in another town." for i in range(40)]
    vectors, owner = encode_chunked([long_doc, ["A short one."]], model, max_tokens=64)
    assert vectors.shape[0] == owner.shape[0] and owner.tolist().count(1) == 1 and owner.tolist().count(0) > 4
    torch.testing.assert_close(vectors.norm(dim=1), torch.ones(len(vectors)))
    with pytest.raises(TypeError, match="documents"):
        encode_chunked("a string", model)
    with pytest.raises(ValueError, match="max_tokens"):
        encode_chunked([["a"]], model, max_tokens=2)


def test_with_prefix():
    assert with_prefix(["a", "b"], "query: ") == ["query: a", "query: b"]
    assert with_prefix("a", "passage: ") == ["passage: a"]
    with pytest.raises(ValueError, match="prefix"):
        with_prefix(["a"], "")
    with pytest.raises(TypeError, match="texts"):
        with_prefix(3, "query: ")


# --------------------------------------------------------------------------- exercises of notebook 09


def _mean(hidden, mask):
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1)


def _last(hidden, mask):
    last = mask.shape[1] - 1 - mask.flip(dims=[1]).argmax(dim=1)
    return hidden[torch.arange(hidden.shape[0]), last]


def _search(query, corpus, k):
    return (F.normalize(corpus, dim=1) @ F.normalize(query, dim=0)).topk(k).indices


@pytest.mark.parametrize(
    "exercise,colleague,fixed",
    [
        (get_exercise("ex09_fix_mean"), lambda h, m: h.mean(dim=1), _mean),
        (get_exercise("ex09_fix_last_token"), lambda h, m: h[:, -1], _last),
        (get_exercise("ex09_fix_last_token"), lambda h, m: h[torch.arange(h.shape[0]), m.sum(dim=1) - 1], _last),
        (get_exercise("ex09_fix_search"), lambda q, c, k: (c @ q).topk(k).indices, _search),
    ],
)
def test_exercises_reject_the_colleagues_code_and_accept_the_fix(exercise, colleague, fixed):
    assert exercise.name.startswith("ex09_")
    assert exercise.check(colleague).status == "incorrect"
    assert exercise.check(fixed)
    assert exercise.check(lambda *args: ...).status == "not attempted"


def test_exercise_solutions_pass_their_own_checks():
    for exercise, function_name in ((get_exercise("ex09_fix_mean"), "sentence_vectors"), (get_exercise("ex09_fix_last_token"), "last_token"),
                                    (get_exercise("ex09_fix_search"), "search")):
        namespace: dict = {"torch": torch}
        exec(exercise.solution, namespace)
        assert exercise.check(namespace[function_name]), exercise.name

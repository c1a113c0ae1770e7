"""course_lib.retrieval (notebook 07): recall@k and nDCG@k against hand computations, and the task builder."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from course_lib import data
from course_lib.retrieval import load_retrieval_task, ndcg_at_k, pairs_retrieval_task, recall_at_k
from conftest import require_real_data

# Two queries over a corpus of 6; higher = closer.
SCORES = torch.tensor([
    [0.9, 0.8, 0.7, 0.6, 0.5, 0.4],  # ranking 0, 1, 2, 3, 4, 5
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],  # ranking 5, 4, 3, 2, 1, 0
])
RELEVANT = [{1, 3}, {0}]


def test_recall_at_k_by_hand():
    # query 0: top-3 = {0, 1, 2} holds 1 of its 2 relevant; query 1: top-3 = {5, 4, 3} holds none of {0}
    assert recall_at_k(SCORES, RELEVANT, k=3) == pytest.approx((1 / 2 + 0) / 2)
    assert recall_at_k(SCORES, RELEVANT, k=6) == 1.0
    assert recall_at_k(SCORES.numpy(), RELEVANT, k=4) == pytest.approx((2 / 2 + 0) / 2)


def test_ndcg_at_k_by_hand():
    # query 0, k=3: hit at rank 2 -> 1/log2(3); ideal: hits at ranks 1, 2 -> 1 + 1/log2(3)
    query0 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(SCORES, RELEVANT, k=3) == pytest.approx((query0 + 0) / 2)
    # k=6: query 0 hits at ranks 2 and 4; query 1 hits at rank 6 (ideal: rank 1)
    query0 = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    query1 = 1 / math.log2(7)
    assert ndcg_at_k(SCORES, RELEVANT, k=6) == pytest.approx((query0 + query1) / 2)
    assert ndcg_at_k(SCORES, [{0}, {5}], k=1) == 1.0


def test_exclude_removes_the_query_itself_from_the_ranking():
    # query 0 "is" corpus item 0: without it the top-2 is {1, 2}
    assert recall_at_k(SCORES, RELEVANT, k=2, exclude=[0, -1]) == pytest.approx((1 / 2 + 0) / 2)
    assert ndcg_at_k(SCORES, [{1}, {5}], k=1, exclude=[0, -1]) == 1.0
    assert ndcg_at_k(SCORES, [{1}, {5}], k=1) == 0.5


def test_pairs_retrieval_task_builds_queries_relevant_and_exclusions():
    task = pairs_retrieval_task(
        ["a", "a", "b", "c"], ["x", "y", "z", "c"], [4.5, 4.0, 3.0, 5.0], min_score=4.0, distractors=["q", "x"]
    )
    assert task.corpus == ["a", "b", "c", "x", "y", "z", "q"]
    assert task.queries == ["a"]  # "b" scores below 4; "c" paired with itself is not a retrieval
    assert task.relevant == [frozenset({3, 4})] and task.exclude == [0]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: recall_at_k(SCORES, RELEVANT, k=7), ValueError, "k: expected an int in [1, 6], got 7"),
        (lambda: recall_at_k(SCORES, [{1}], k=2), ValueError, "relevant: expected 2 items"),
        (lambda: ndcg_at_k(SCORES, [{1}, set()], k=2), ValueError, "relevant: expected at least one relevant index"),
        (lambda: ndcg_at_k(SCORES, [{1}, {9}], k=2), ValueError, "relevant: expected indices in [0, 5]"),
        (lambda: ndcg_at_k(SCORES[0], RELEVANT, k=2), ValueError, "scores: expected 2 dimensions"),
        (lambda: pairs_retrieval_task(["a"], ["b"], [1.0]), ValueError, "min_score: expected a threshold that some pair reaches"),
        (lambda: pairs_retrieval_task(["a", "b"], ["b"], [1.0]), ValueError, "sentences2: expected 2 items"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_bundled_task_without_real_data(monkeypatch):
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)
    task = load_retrieval_task()
    assert task.source.startswith("bundled") and len(task.queries) > 20
    assert len(task.corpus) == len(set(task.corpus)) > 500
    assert all(task.corpus[i] == q for i, q in zip(task.exclude, task.queries))


def test_stsb_task_with_real_data():
    require_real_data()
    task = load_retrieval_task()
    assert task.source.startswith("STS-B") and len(task.queries) > 200 and len(task.corpus) > 10_000
    assert np.mean([len(r) for r in task.relevant]) >= 1

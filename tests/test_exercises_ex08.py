"""Notebook 08's exercise checks: the solution passes (so the notebook's from-scratch attention pooling
equals course_lib's), typical mistakes fail with a useful message."""

from __future__ import annotations

import math

import torch

from course_lib.exercises import ex08, get_exercise


def _solution(name: str) -> dict:
    namespace: dict = {}
    exec(get_exercise(name).solution, namespace)  # noqa: S102 - our own solution text
    return namespace


def test_attention_pool_solution_passes_and_mistakes_fail():
    assert ex08.check_attention_pool(_solution("ex08_attention_pool")["attention_pool"])

    def unmasked(token_embeddings, attention_mask, queries):
        scores = torch.einsum("bsh,qh->bqs", token_embeddings, queries) / math.sqrt(token_embeddings.shape[-1])
        return (torch.softmax(scores, dim=-1) @ token_embeddings).flatten(1)

    def averaged_queries(token_embeddings, attention_mask, queries):  # averages instead of concatenating
        solution = _solution("ex08_attention_pool")["attention_pool"]
        out = solution(token_embeddings, attention_mask, queries)
        return out.reshape(out.shape[0], queries.shape[0], -1).mean(1)

    assert ex08.check_attention_pool(unmasked).status == "incorrect"
    wrong_shape = ex08.check_attention_pool(averaged_queries)
    assert wrong_shape.status == "incorrect" and "shape" in wrong_shape.message
    assert ex08.check_attention_pool(None).status == "not attempted"


def test_masked_weights_prediction():
    assert ex08.check_masked_weights(_solution("ex08_masked_weights")["answer"])
    assert ex08.check_masked_weights([0.125, 0.375, 0.125, 0.125, 0.25]).status == "incorrect"  # the pad counted
    assert ex08.check_masked_weights(...).status == "not attempted"

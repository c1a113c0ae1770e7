"""Exercises of notebook 08 (learned pooling).

Importing this module registers the exercises, so ``show_solution("ex08_attention_pool")`` works.

- :func:`check_attention_pool` (``ex08_attention_pool``): attention pooling with one or more learned
  queries, padding masked out, the blocks of several queries concatenated; checked against
  :func:`course_lib.learned_pooling.attention_pool` (so the notebook's version equals course_lib's).
- :func:`check_masked_weights` (``ex08_masked_weights``): predict the weights a query gives five
  positions, one of them a pad with the highest score.
"""

from __future__ import annotations

import math

import torch

from course_lib.exercises.core import function_exercise, value_exercise
from course_lib.exercises.core import padded_test_batch
from course_lib.learned_pooling import attention_pool

__all__ = ["check_attention_pool", "check_masked_weights", "MASKED_WEIGHTS_TOKENS", "MASKED_WEIGHTS_SCORES"]


def _queries(seed: int, n_queries: int, hidden: int, scale: float = 2.0) -> torch.Tensor:
    return torch.randn(n_queries, hidden, generator=torch.Generator().manual_seed(seed)) * scale


_ATTENTION_CASES = [
    (*padded_test_batch(20, [5, 2, 4], hidden=6), _queries(0, 1, 6)),
    (*padded_test_batch(21, [3, 6, 1], hidden=6, side="left"), _queries(1, 2, 6)),  # a second query
    (*padded_test_batch(22, [4, 4], hidden=6), torch.zeros(3, 6)),  # zero queries: mean pooling, three times
]

check_attention_pool = function_exercise(
    name="ex08_attention_pool",
    question=(
        "Write attention_pool(token_embeddings, attention_mask, queries): token_embeddings (batch, seq, hidden), "
        "attention_mask (batch, seq) of 0/1, queries (n_queries, hidden). Each query scores every token with "
        "q·h_t / sqrt(hidden); pads get weight 0; a softmax over the real tokens gives the weights; the query's "
        "vector is the weighted sum of the token vectors. Return (batch, n_queries * hidden): the queries' "
        "vectors side by side, query 0 first."
    ),
    hint=(
        "scores = torch.einsum('bsh,qh->bqs', x, queries) / hidden ** 0.5 is (batch, n_queries, seq); set the "
        "pads' scores to -inf with masked_fill(attention_mask[:, None, :] == 0, float('-inf')) before the "
        "softmax over dim=-1; then weights @ x is (batch, n_queries, hidden): flatten it from dim 1."
    ),
    solution='''
import math
import torch

def attention_pool(token_embeddings, attention_mask, queries):
    hidden = token_embeddings.shape[-1]
    scores = torch.einsum("bsh,qh->bqs", token_embeddings, queries) / math.sqrt(hidden)  # (batch, q, seq)
    scores = scores.masked_fill(attention_mask[:, None, :] == 0, float("-inf"))        # pads: weight 0
    weights = torch.softmax(scores, dim=-1)                                             # sums to 1 per query
    pooled = weights @ token_embeddings                                                 # (batch, q, hidden)
    return pooled.flatten(1)                                                            # (batch, q * hidden)
''',
    reference_fn=attention_pool,
    cases=_ATTENTION_CASES,
    atol=1e-5,
).check


MASKED_WEIGHTS_TOKENS = ["[CLS]", "good", "movie", "[SEP]", "[PAD]"]
MASKED_WEIGHTS_SCORES = [0.0, math.log(3.0), 0.0, 0.0, 5.0]


def _masked_weights_reference() -> list[float]:
    scores = torch.tensor([MASKED_WEIGHTS_SCORES])
    mask = torch.tensor([[1, 1, 1, 1, 0]])
    weights = torch.softmax(scores.masked_fill(mask == 0, float("-inf")), dim=-1)
    return [round(w, 6) for w in weights[0].tolist()]


check_masked_weights = value_exercise(
    name="ex08_masked_weights",
    question=(
        "A query gives the five positions ['[CLS]', 'good', 'movie', '[SEP]', '[PAD]'] the scores "
        "[0, ln 3, 0, 0, 5] (already divided by sqrt(hidden)); the last position is padding. Predict, without "
        "running anything, the five weights masked attention pooling gives them (a list of five numbers)."
    ),
    hint="the pad gets exactly 0 whatever its score; exp(0) = 1 and exp(ln 3) = 3, and the four real weights "
    "are those numbers divided by their sum.",
    solution='''
answer = [1 / 6, 3 / 6, 1 / 6, 1 / 6, 0.0]
# the pad is masked out before the softmax (its high score never counts);
# exp(0) = 1 for [CLS], "movie" and [SEP], exp(ln 3) = 3 for "good": 1 + 3 + 1 + 1 = 6
''',
    reference=_masked_weights_reference,
    atol=1e-4,
).check

"""Exercises of notebook 02 (pooling methods): a safe masked mean, naive CLS under left padding, and
mean_sqrt_len from the mean.

Importing this module registers the exercises, so ``show_solution("ex02_safe_mean")`` works; the
model loads only when ``ex02_left_padding_cls`` is checked.

- ``ex02_safe_mean``: masked mean pooling that ignores padding and survives float16.
- ``ex02_left_padding_cls``: in which rows of a left-padded batch naive ``hidden[:, 0]`` reads a pad.
- ``ex02_mean_sqrt_len_from_mean``: turn mean-pooled vectors into ``mean_sqrt_len`` vectors.
"""

from __future__ import annotations

import torch

from course_lib.embed import encode_tokens
from course_lib.exercises.core import function_exercise, padded_test_batch, value_exercise
from course_lib.pooling import mean_pool

__all__ = [
    "LEFT_PADDING_SENTENCES",
    "check_safe_mean",
    "check_left_padding_cls",
    "check_mean_sqrt_len_from_mean",
    "reference_left_padding_cls",
    "reference_mean_sqrt_len_from_mean",
]


def _long_float16_batch() -> tuple[torch.Tensor, torch.Tensor]:
    """300 tokens of values near 400: their float16 sum (~120,000) overflows float16's max of 65,504."""
    embeddings, mask = padded_test_batch(3, [300, 120], hidden=4, scale=5.0)
    embeddings = (embeddings + 400.0).to(torch.float16)
    return embeddings, mask


SAFE_MEAN_CASES = [
    padded_test_batch(0, [4, 2, 5]),
    padded_test_batch(1, [3, 6, 1], side="left"),
    padded_test_batch(2, [7, 7]),
    _long_float16_batch(),
]

SAFE_MEAN_HINT = (
    "multiply by the mask (as float32, shape (batch, seq, 1)) before summing, divide by the number of "
    "real tokens, and do the sum in float32 (hidden.float()) so float16 cannot overflow; return "
    ".to(hidden.dtype)."
)

check_safe_mean = function_exercise(
    name="ex02_safe_mean",
    question=(
        "Write safe_mean(hidden, mask): the mean of the real tokens' vectors (batch, hidden) that "
        "ignores padding on either side and does not overflow when hidden is float16."
    ),
    solution='''
def safe_mean(hidden, mask):
    weights = mask.unsqueeze(-1).float()           # (batch, seq, 1): 1 = real token
    summed = (hidden.float() * weights).sum(dim=1)  # accumulate in float32
    count = weights.sum(dim=1)                      # (batch, 1) real tokens per row
    return (summed / count).to(hidden.dtype)
''',
    reference_fn=mean_pool,
    cases=SAFE_MEAN_CASES,
    hint=SAFE_MEAN_HINT,
    atol=1e-3,
    rtol=1e-3,
).check


LEFT_PADDING_SENTENCES = [
    "Dogs bark.",
    "The quick brown fox jumps over the lazy dog.",
    "It rained all day in Glasgow.",
    "Pooling turns many token vectors into one.",
]

LEFT_PADDING_HINT = (
    "encode_tokens(LEFT_PADDING_SENTENCES, model, padding_side='left') gives .tokens and "
    ".attention_mask; position 0 of row r is a pad when attention_mask[r, 0] == 0."
)


def reference_left_padding_cls() -> list[bool]:
    """For each sentence of :data:`LEFT_PADDING_SENTENCES` padded on the left: is position 0 a pad, not [CLS]?"""
    output = encode_tokens(LEFT_PADDING_SENTENCES, padding_side="left")
    return [tokens[0] != "[CLS]" for tokens in output.tokens]


check_left_padding_cls = value_exercise(
    name="ex02_left_padding_cls",
    question=(
        "Predict, then compute: the four LEFT_PADDING_SENTENCES are encoded as one LEFT-padded batch. "
        "In which rows does naive CLS pooling, hidden[:, 0], read a [PAD] instead of [CLS]? "
        "Answer with a list of four bools (True = reads a pad)."
    ),
    solution='''
left = encode_tokens(LEFT_PADDING_SENTENCES, model, padding_side="left")
answer = [bool(row[0] == 0) for row in left.attention_mask]  # mask 0 at position 0 = a pad
''',
    reference=reference_left_padding_cls,
    hint=LEFT_PADDING_HINT,
).check


def reference_mean_sqrt_len_from_mean(mean_vectors: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """``mean_sqrt_len`` = sum / sqrt(n) = mean * sqrt(n), from mean vectors ``(batch, hidden)`` and the mask."""
    counts = attention_mask.to(torch.float32).sum(dim=1, keepdim=True)
    return mean_vectors * counts.sqrt()


def _mean_and_mask(seed: int, lengths: list[int], side: str = "right") -> tuple[torch.Tensor, torch.Tensor]:
    embeddings, mask = padded_test_batch(seed, lengths, side=side)
    return mean_pool(embeddings, mask), mask


MEAN_SQRT_LEN_CASES = [
    _mean_and_mask(10, [4, 9, 1]),
    _mean_and_mask(11, [2, 16], side="left"),
    _mean_and_mask(12, [25]),
]

MEAN_SQRT_LEN_HINT = (
    "mean = sum / n and mean_sqrt_len = sum / sqrt(n), so mean_sqrt_len = mean * sqrt(n); n is the "
    "number of real tokens per row, attention_mask.sum(dim=1, keepdim=True)."
)

check_mean_sqrt_len_from_mean = function_exercise(
    name="ex02_mean_sqrt_len_from_mean",
    question=(
        "Write mean_sqrt_len_from_mean(mean_vectors, attention_mask): given mean-pooled vectors "
        "(batch, hidden) and the mask (batch, seq), return what mean_sqrt_len pooling (as in "
        "sentence-transformers) would have given, without the token embeddings."
    ),
    solution='''
def mean_sqrt_len_from_mean(mean_vectors, attention_mask):
    n = attention_mask.sum(dim=1, keepdim=True).float()  # (batch, 1) real tokens
    return mean_vectors * n.sqrt()                        # sum / sqrt(n) = (sum / n) * sqrt(n)
''',
    reference_fn=reference_mean_sqrt_len_from_mean,
    cases=MEAN_SQRT_LEN_CASES,
    hint=MEAN_SQRT_LEN_HINT,
).check

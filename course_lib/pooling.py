"""Pooling: turn token embeddings ``(batch, seq, hidden)`` into sentence vectors ``(batch, hidden)``.

Introduced in notebook 02. Every function takes the encoder's last hidden state and the attention
mask ``(batch, seq)`` (1 = real token, 0 = padding) and follows the same rules:

- padding never changes a sentence's vector, whether the batch is padded on the right or the left;
- the inputs are never modified in place, and gradients flow (notebook 04 trains through them);
- float16/bfloat16 inputs are safe: sums accumulate in float32, max pooling never sees a -1e9 fill
  (it overflows to -inf in float16) and returns the input dtype;
- a row with no real token raises ValueError instead of returning NaN or a pad vector;
- NaN or inf in a real token raises ValueError; in padding it is ignored like any pad value.

``mean``, ``max``, ``cls``, ``mean_sqrt_len``, ``weighted_mean`` and ``last_token`` match
sentence-transformers' ``Pooling`` modes ``mean``, ``max``, ``cls``, ``mean_sqrt_len_tokens``,
``weightedmean`` and ``lasttoken`` on right-padded batches (tested).
"""

from __future__ import annotations

from typing import Callable

import torch

from course_lib._checks import check_choice, check_finite, check_tensor

METHODS: tuple[str, ...] = ("cls", "mean", "max", "mean_sqrt_len", "weighted_mean", "last_token")

# Names other libraries use for the same methods, so the error message can point the way.
_ALIASES = {
    "mean_tokens": "mean",
    "mean_sqrt_len_tokens": "mean_sqrt_len",
    "weightedmean": "weighted_mean",
    "lasttoken": "last_token",
    "cls_token": "cls",
    "max_tokens": "max",
}


def _check_inputs(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate the pair; return the token embeddings with padding zeroed when it held NaN/inf, and
    the mask as a bool tensor ``(batch, seq)`` on the embeddings' device.

    A NaN or inf in a real token is a ValueError; in padding it is ignored (zeroed), so that padding
    never changes a vector (``0 * NaN`` would otherwise be NaN in the masked sums).
    """
    shape = "(batch, seq, hidden)"
    check_tensor("token_embeddings", token_embeddings, ndim=3, shape=shape)
    if not token_embeddings.is_floating_point():
        raise TypeError(f"token_embeddings: expected a floating-point dtype, got {token_embeddings.dtype}")
    check_tensor("attention_mask", attention_mask, shape="(batch, seq)", allow_empty=True)
    batch, seq, _ = token_embeddings.shape
    if tuple(attention_mask.shape) != (batch, seq):
        raise ValueError(
            f"attention_mask: expected shape (batch, seq) = {(batch, seq)} to match token_embeddings, "
            f"got {tuple(attention_mask.shape)}"
        )
    if attention_mask.is_complex():
        raise TypeError(f"attention_mask: expected bool or 0/1 integers, got {attention_mask.dtype}")
    attention_mask = attention_mask.to(token_embeddings.device)
    if attention_mask.dtype != torch.bool:
        if not bool(((attention_mask == 0) | (attention_mask == 1)).all()):
            raise ValueError("attention_mask: expected only 0 and 1 (1 = real token, 0 = padding), got other values")
        attention_mask = attention_mask != 0
    has_token = attention_mask.any(dim=1)
    if not bool(has_token.all()):
        empty_rows = (~has_token).nonzero().flatten().tolist()
        raise ValueError(
            f"attention_mask: expected at least one real token per row, got row(s) {empty_rows} with none "
            "(all zeros), so there is nothing to pool"
        )
    try:
        check_finite("token_embeddings", token_embeddings)  # one reduction: the common, all-finite case
    except ValueError:
        padding = ~attention_mask.unsqueeze(-1)
        token_embeddings = token_embeddings.masked_fill(padding, 0.0)
        bad = ~torch.isfinite(token_embeddings)
        if bool(bad.any()):
            row, position = (int(i) for i in bad.any(dim=2).nonzero()[0])
            raise ValueError(
                f"token_embeddings: expected finite values in the real tokens, got NaN or inf at row {row}, "
                f"position {position} (a real token; NaN/inf in padding is ignored)"
            ) from None
    return token_embeddings, attention_mask


def _accumulation_dtype(dtype: torch.dtype) -> torch.dtype:
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype


def _masked_sum_and_count(token_embeddings: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    acc = _accumulation_dtype(token_embeddings.dtype)
    weights = mask.to(acc).unsqueeze(1)  # (batch, 1, seq)
    # A batched matrix product sums over seq without materialising a masked copy of the input.
    summed = torch.bmm(weights, token_embeddings.to(acc)).squeeze(1)
    count = weights.sum(dim=2)
    return summed, count


def cls_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The first REAL token's vector (``[CLS]`` for BERT), also under left padding. ``(batch, hidden)``."""
    token_embeddings, mask = _check_inputs(token_embeddings, attention_mask)
    first = mask.to(torch.int64).argmax(dim=1)
    return token_embeddings[torch.arange(token_embeddings.shape[0], device=first.device), first]


def last_token_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The last REAL token's vector (decoder models: the only token that has seen the whole text)."""
    token_embeddings, mask = _check_inputs(token_embeddings, attention_mask)
    seq = mask.shape[1]
    last = seq - 1 - mask.flip(dims=[1]).to(torch.int64).argmax(dim=1)
    return token_embeddings[torch.arange(token_embeddings.shape[0], device=last.device), last]


def mean_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of the real tokens' vectors: sum over real tokens / their count. ``(batch, hidden)``."""
    token_embeddings, mask = _check_inputs(token_embeddings, attention_mask)
    summed, count = _masked_sum_and_count(token_embeddings, mask)
    return (summed / count).to(token_embeddings.dtype)


def mean_sqrt_len_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Sum over real tokens divided by sqrt(count), as sentence-transformers' ``mean_sqrt_len_tokens``.

    Note: this is NOT "the mean divided by sqrt(n)" (that would be sum / n**1.5). It equals
    mean * sqrt(n), so longer sentences get longer vectors; cosine similarity ignores the difference.
    """
    token_embeddings, mask = _check_inputs(token_embeddings, attention_mask)
    summed, count = _masked_sum_and_count(token_embeddings, mask)
    return (summed / count.sqrt()).to(token_embeddings.dtype)


def max_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Element-wise maximum over the real tokens. ``(batch, hidden)``.

    Padding is replaced by the dtype's most negative finite value (never a -1e9 constant, which is
    -inf in float16), so the result is finite in every float dtype.
    """
    token_embeddings, mask = _check_inputs(token_embeddings, attention_mask)
    lowest = torch.finfo(token_embeddings.dtype).min
    filled = token_embeddings.masked_fill(~mask.unsqueeze(-1), lowest)
    return filled.max(dim=1).values


def weighted_mean_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Position-weighted mean: the i-th real token (1-based, pads not counted) gets weight i.

    Later tokens weigh more, as in SGPT for decoder models whose later tokens have seen more
    context. Equals sentence-transformers' ``weightedmean`` under right padding and is unchanged by
    left padding. ``(batch, hidden)``.
    """
    token_embeddings, mask = _check_inputs(token_embeddings, attention_mask)
    acc = _accumulation_dtype(token_embeddings.dtype)
    positions = mask.to(acc).cumsum(dim=1) * mask.to(acc)  # 1, 2, ... over real tokens, 0 on pads
    weights = positions.unsqueeze(1)  # (batch, 1, seq)
    summed = torch.bmm(weights, token_embeddings.to(acc)).squeeze(1)
    return (summed / weights.sum(dim=2)).to(token_embeddings.dtype)


POOLERS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "cls": cls_pool,
    "mean": mean_pool,
    "max": max_pool,
    "mean_sqrt_len": mean_sqrt_len_pool,
    "weighted_mean": weighted_mean_pool,
    "last_token": last_token_pool,
}


def check_method(method: str, name: str = "method") -> str:
    """Return ``method`` if it is a known pooling method, else raise naming the caller's argument ``name``."""
    return check_choice(name, method, METHODS, _ALIASES)


def pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor, method: str = "mean") -> torch.Tensor:
    """Pool ``(batch, seq, hidden)`` token embeddings into ``(batch, hidden)`` with ``method``.

    ``method`` is one of :data:`METHODS`.
    """
    return POOLERS[check_method(method)](token_embeddings, attention_mask)

"""Learned pooling on a frozen encoder: an attention-pooling head and a softmax layer mix (notebook 08).

Every pooling of notebook 02 is a fixed formula. Here the formula has a few learned numbers:

- :class:`AttentionPooling`: one or a few learned query vectors ``q`` score every token,
  ``a_t = softmax_t(q · h_t / sqrt(hidden))`` over the REAL tokens only (padding gets weight exactly
  0), and the sentence vector is ``sum_t a_t h_t`` (one block of ``hidden`` numbers per query).
  With zero queries every real token gets ``1 / n``: the head starts as mean pooling.
- :class:`LayerMixMeanPooling`: ELMo's scalar mix (Peters et al., 2018), ``sum_l softmax(s)_l H_l``
  over the encoder's layers, then mean pooling. Mean pooling is linear, so this equals mixing each
  layer's MEAN vector; :meth:`LayerMixMeanPooling.mix` trains on those, 7 vectors per sentence
  instead of 7 token matrices (tested equal).

The encoder stays frozen, so its outputs are computed ONCE per sentence and kept in memory
(:func:`cache_token_states`, :func:`cache_pairs`); training then touches only the head's few
hundred parameters and takes seconds on a CPU. Training goes through the course's one training
loop, :func:`course_lib.finetune.train_loop`, with SBERT's CosineSimilarityLoss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib._checks import check_bool, check_choice, check_int, check_tensor, check_texts, check_type, describe
from course_lib.data import SentencePairs
from course_lib.embed import length_sorted_batches, resolve_max_length, resolve_model
from course_lib.evaluate import sts_spearman
from course_lib.finetune import cosine_similarity_loss, train_loop
from course_lib.models import LoadedModel
from course_lib.pooling import _accumulation_dtype, _check_inputs, mean_pool

__all__ = [
    "TokenStateCache",
    "PairStates",
    "cache_token_states",
    "cache_pairs",
    "attention_pool",
    "masked_attention_weights",
    "AttentionPooling",
    "LayerMixMeanPooling",
    "train_pooling_head",
    "embed_cached",
    "pair_cosines",
    "pairs_spearman_cached",
]


# --------------------------------------------------------------------------- the cache


@dataclass
class TokenStateCache:
    """The frozen encoder's outputs for a list of texts, computed once.

    ``hidden`` is ``(total_tokens, hidden)``: the last layer's vectors of every REAL token, text after
    text (no padding stored); text ``i`` owns rows ``offsets[i]:offsets[i + 1]``. ``tokens`` holds
    each text's token strings. ``layer_means`` is ``(n_layers + 1, n_texts, hidden)``, every layer's
    mean-pooled vector (layer 0 = embeddings), or None when not cached.
    """

    texts: list[str]
    hidden: torch.Tensor
    offsets: torch.Tensor
    tokens: list[list[str]]
    layer_means: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def lengths(self) -> torch.Tensor:
        """Number of real tokens per text, ``(n_texts,)``."""
        return self.offsets[1:] - self.offsets[:-1]

    def batch(self, indices: Sequence[int] | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Texts ``indices`` as a right-padded batch: ``(batch, seq, hidden)`` (pads are 0) and a 0/1 mask ``(batch, seq)``."""
        rows = torch.as_tensor(indices, dtype=torch.int64).reshape(-1)
        if rows.numel() == 0:
            raise ValueError("indices: expected at least one text index, got none")
        if int(rows.min()) < 0 or int(rows.max()) >= len(self):
            raise ValueError(f"indices: expected indices in 0..{len(self) - 1}, got {rows.min().item()}..{rows.max().item()}")
        lengths = self.lengths[rows]
        seq = int(lengths.max())
        positions = torch.arange(seq)
        mask = positions.unsqueeze(0) < lengths.unsqueeze(1)  # (batch, seq)
        source = (self.offsets[rows].unsqueeze(1) + positions.unsqueeze(0)).clamp(max=self.hidden.shape[0] - 1)
        states = self.hidden[source] * mask.unsqueeze(-1).to(self.hidden.dtype)
        return states, mask.to(torch.int64)

    def batches(self, batch_size: int = 64) -> list[list[int]]:
        """All text indices in batches of similar length (little padding), longest first."""
        batch_size = check_int("batch_size", batch_size, 1)
        order = torch.argsort(self.lengths, descending=True, stable=True).tolist()
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def cache_token_states(
    texts: Sequence[str],
    model: LoadedModel | str | None = None,
    all_layers: bool = False,
    batch_size: int = 64,
    max_length: int | None = None,
    show_progress: bool | None = None,
) -> TokenStateCache:
    """Run the frozen encoder ONCE over ``texts`` and keep its outputs in memory.

    Keeps the last layer's real-token vectors; with ``all_layers=True`` also every layer's mean
    vector (all that a layer mix followed by mean pooling needs), from the same forward pass.
    Batching is :func:`course_lib.embed.length_sorted_batches` (the one encoding loop's batching), so
    the vectors equal :func:`course_lib.embed.encode_tokens`' (tested). Duplicate texts are encoded
    once.
    """
    items = check_texts("texts", texts)
    all_layers = check_bool("all_layers", all_layers)
    batch_size = check_int("batch_size", batch_size, 1)
    loaded = resolve_model(model)
    length = resolve_max_length(loaded, max_length)
    unique = list(dict.fromkeys(items))
    n_batches = math.ceil(len(unique) / batch_size)
    batches = length_sorted_batches(loaded, unique, batch_size, length)
    if show_progress is None:
        show_progress = n_batches > 16
    if show_progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, total=n_batches, desc="Caching token states", unit="batch")
    n_layers = loaded.model.config.num_hidden_layers + 1
    per_text: list[torch.Tensor | None] = [None] * len(unique)
    ids: list[list[int] | None] = [None] * len(unique)
    layer_means = torch.empty(n_layers, len(unique), loaded.hidden_size) if all_layers else None
    with torch.inference_mode():
        for indices, batch in batches:
            output = loaded.model(**batch, output_hidden_states=all_layers)
            mask = batch["attention_mask"]
            last = output.last_hidden_state.float().cpu()
            for row, index in enumerate(indices):
                n = int(mask[row].sum())
                per_text[index] = last[row, :n].clone()
                ids[index] = batch["input_ids"][row, :n].tolist()
            if all_layers:
                for layer, states in enumerate(output.hidden_states):
                    layer_means[layer, indices] = mean_pool(states, mask).float().cpu()
    lengths = torch.tensor([t.shape[0] for t in per_text])
    offsets = torch.cat([torch.zeros(1, dtype=torch.int64), lengths.cumsum(0)])
    where = {text: i for i, text in enumerate(unique)}
    order = [where[text] for text in items]
    if len(unique) != len(items):  # expand back to one entry per input text
        per_text = [per_text[i] for i in order]
        ids = [ids[i] for i in order]
        layer_means = None if layer_means is None else layer_means[:, order]
        lengths = lengths[order]
        offsets = torch.cat([torch.zeros(1, dtype=torch.int64), lengths.cumsum(0)])
    tokens = [loaded.tokenizer.convert_ids_to_tokens(row) for row in ids]
    return TokenStateCache(items, torch.cat(per_text), offsets, tokens, layer_means)


@dataclass
class PairStates:
    """Scored sentence pairs over one :class:`TokenStateCache` of their distinct sentences.

    Pair ``i`` is ``(states.texts[first[i]], states.texts[second[i]])`` with score ``gold[i]`` (0-5).
    """

    states: TokenStateCache
    first: torch.Tensor
    second: torch.Tensor
    gold: torch.Tensor

    def __len__(self) -> int:
        return int(self.first.shape[0])


def cache_pairs(
    pairs: SentencePairs,
    model: LoadedModel | str | None = None,
    all_layers: bool = False,
    batch_size: int = 64,
    show_progress: bool | None = None,
) -> PairStates:
    """Cache the token states of every distinct sentence of ``pairs`` once (see :func:`cache_token_states`)."""
    check_type("pairs", pairs, SentencePairs, "SentencePairs (e.g. from course_lib.data.load_sts_pairs())")
    distinct = list(dict.fromkeys([*pairs.sentences1, *pairs.sentences2]))
    where = {text: i for i, text in enumerate(distinct)}
    states = cache_token_states(distinct, model, all_layers=all_layers, batch_size=batch_size, show_progress=show_progress)
    first = torch.tensor([where[t] for t in pairs.sentences1])
    second = torch.tensor([where[t] for t in pairs.sentences2])
    return PairStates(states, first, second, torch.as_tensor(np.asarray(pairs.scores), dtype=torch.float32))


# --------------------------------------------------------------------------- attention pooling


def _checked_attention(
    token_embeddings: torch.Tensor, attention_mask: torch.Tensor, queries: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The weights ``(batch, n_queries, seq)`` and the checked token embeddings (padding NaN/inf zeroed)."""
    token_embeddings, mask = _check_inputs(token_embeddings, attention_mask)
    queries = check_tensor("queries", queries, ndim=2, shape="(n_queries, hidden)", floating=True, finite=True)
    if queries.shape[1] != token_embeddings.shape[2]:
        raise ValueError(
            f"queries: expected shape (n_queries, {token_embeddings.shape[2]}) to match the hidden size, "
            f"got {tuple(queries.shape)}"
        )
    acc = _accumulation_dtype(token_embeddings.dtype)
    scores = torch.einsum("bsh,qh->bqs", token_embeddings.to(acc), queries.to(acc)) / math.sqrt(queries.shape[1])
    scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
    return torch.softmax(scores, dim=-1), token_embeddings


def masked_attention_weights(
    token_embeddings: torch.Tensor, attention_mask: torch.Tensor, queries: torch.Tensor
) -> torch.Tensor:
    """Attention of each query over the real tokens: ``(batch, n_queries, seq)``, rows sum to 1.

    ``scores = q · h_t / sqrt(hidden)``; padded positions get weight exactly 0 (their score is set to
    -inf before the softmax, and every row has a real token). Computed in float32 for half inputs.
    """
    return _checked_attention(token_embeddings, attention_mask, queries)[0]


def attention_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    """Attention pooling with learned ``queries`` ``(n_queries, hidden)``: ``(batch, n_queries * hidden)``.

    Each query gives ``sum_t a_t h_t`` with :func:`masked_attention_weights`; the blocks are
    concatenated, query 0 first. Zero queries give mean pooling (one copy per query).
    """
    weights, token_embeddings = _checked_attention(token_embeddings, attention_mask, queries)
    pooled = torch.bmm(weights, token_embeddings.to(weights.dtype))  # (batch, n_queries, hidden)
    return pooled.flatten(1).to(token_embeddings.dtype)


class AttentionPooling(nn.Module):
    """A pooling head with ``n_queries`` learned query vectors over frozen token vectors.

    ``forward(token_embeddings (batch, seq, hidden), attention_mask (batch, seq))`` returns
    ``(batch, n_queries * hidden)``. ``init="uniform"`` (zero queries) starts exactly at mean
    pooling; ``init="random"`` draws small queries from ``seed``. Values are the token vectors
    themselves (no projection), so the output stays in the encoder's space and the weights are
    easy to read. A simplified cousin of NV-Embed's latent attention (notebook 08).
    """

    def __init__(self, hidden_size: int, n_queries: int = 1, init: str = "uniform", seed: int = 0) -> None:
        super().__init__()
        hidden_size = check_int("hidden_size", hidden_size, 1)
        n_queries = check_int("n_queries", n_queries, 1)
        init = check_choice("init", init, ("uniform", "random"))
        seed = check_int("seed", seed, 0)
        queries = torch.zeros(n_queries, hidden_size)
        if init == "random":
            generator = torch.Generator().manual_seed(seed)
            queries = torch.randn(n_queries, hidden_size, generator=generator) * 0.1
        self.queries = nn.Parameter(queries)

    def forward(self, token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return attention_pool(token_embeddings, attention_mask, self.queries)

    def attention_weights(self, token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The weights each query gives each token, ``(batch, n_queries, seq)`` (no gradient)."""
        with torch.no_grad():
            return masked_attention_weights(token_embeddings, attention_mask, self.queries)

    def pool_cached(self, states: TokenStateCache, indices: Sequence[int]) -> torch.Tensor:
        return self(*states.batch(indices))

    def extra_repr(self) -> str:
        return f"n_queries={self.queries.shape[0]}, hidden_size={self.queries.shape[1]}"


# --------------------------------------------------------------------------- layer mix


class LayerMixMeanPooling(nn.Module):
    """ELMo's scalar mix over layers, then mean pooling: ``mean_t(sum_l w_l H_l[t])``, ``w = softmax(s)``.

    ``n_layers`` counts the embedding output too (7 for a 6-block model). Starts uniform
    (``s = 0``, as ELMo). ELMo's extra scale γ is left out: cosine similarity ignores it.
    """

    def __init__(self, n_layers: int) -> None:
        super().__init__()
        n_layers = check_int("n_layers", n_layers, 1)
        self.logits = nn.Parameter(torch.zeros(n_layers))

    @property
    def layer_weights(self) -> torch.Tensor:
        """The softmax weights ``(n_layers,)``, summing to 1 (no gradient)."""
        return torch.softmax(self.logits.detach(), dim=0)

    def forward(self, layer_states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """``layer_states`` ``(n_layers, batch, seq, hidden)`` -> ``(batch, hidden)``."""
        layer_states = check_tensor("layer_states", layer_states, ndim=4, shape="(n_layers, batch, seq, hidden)", floating=True)
        self._check_layers("layer_states", layer_states)
        weights = torch.softmax(self.logits, dim=0).to(layer_states.dtype)
        mixed = torch.einsum("l,lbsh->bsh", weights, layer_states)
        return mean_pool(mixed, attention_mask)

    def mix(self, layer_means: torch.Tensor) -> torch.Tensor:
        """The same result from each layer's mean vectors ``(n_layers, batch, hidden)`` (mean pooling is linear)."""
        layer_means = check_tensor("layer_means", layer_means, ndim=3, shape="(n_layers, batch, hidden)", floating=True)
        self._check_layers("layer_means", layer_means)
        weights = torch.softmax(self.logits, dim=0).to(layer_means.dtype)
        return torch.einsum("l,lbh->bh", weights, layer_means)

    def pool_cached(self, states: TokenStateCache, indices: Sequence[int]) -> torch.Tensor:
        if states.layer_means is None:
            raise ValueError("states: expected a cache with every layer (cache_token_states(..., all_layers=True)), got the last layer only")
        return self.mix(states.layer_means[:, torch.as_tensor(indices, dtype=torch.int64)])

    def _check_layers(self, name: str, value: torch.Tensor) -> None:
        if value.shape[0] != self.logits.shape[0]:
            raise ValueError(f"{name}: expected {self.logits.shape[0]} layers in dimension 0, got {value.shape[0]}")

    def extra_repr(self) -> str:
        return f"n_layers={self.logits.shape[0]}"


# --------------------------------------------------------------------------- training and scoring


def _check_head(head: object) -> nn.Module:
    if not isinstance(head, (AttentionPooling, LayerMixMeanPooling)):
        raise TypeError(f"head: expected an AttentionPooling or LayerMixMeanPooling, got {describe(head)}")
    return head


def train_pooling_head(
    head: nn.Module,
    pairs: PairStates,
    epochs: int = 4,
    batch_size: int = 32,
    learning_rate: float = 1e-2,
    warmup_ratio: float = 0.1,
    weight_decay: float = 0.0,
    seed: int = 0,
    show_progress: bool | None = None,
) -> list[float]:
    """Train ``head`` in place on cached pairs with CosineSimilarityLoss; return the per-step losses.

    The pairs are shuffled every epoch by a generator seeded with ``seed`` and the epoch, so the same
    seed gives the same losses and the same head. The encoder is never run here: every batch comes
    from ``pairs.states``. Uses :func:`course_lib.finetune.train_loop` (AdamW, linear warm-up/decay).
    """
    _check_head(head)
    check_type("pairs", pairs, PairStates, "PairStates (from cache_pairs)")
    epochs = check_int("epochs", epochs, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    seed = check_int("seed", seed, 0)
    n = len(pairs)

    def batches(epoch: int) -> list[torch.Tensor]:
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000 + epoch))
        return list(order.split(batch_size))

    def loss_fn(module: nn.Module, indices: torch.Tensor) -> torch.Tensor:
        u = module.pool_cached(pairs.states, pairs.first[indices])
        v = module.pool_cached(pairs.states, pairs.second[indices])
        return cosine_similarity_loss(u, v, pairs.gold[indices])

    return train_loop(
        head, batches, loss_fn, epochs=epochs, learning_rate=learning_rate, warmup_ratio=warmup_ratio,
        weight_decay=weight_decay, seed=seed, show_progress=show_progress, desc="Training the pooling head",
    )


PoolingFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _check_pooler(pooler: object) -> None:
    if not callable(pooler):
        raise TypeError(f"pooler: expected a pooling function or a pooling head, got {describe(pooler)}")


def embed_cached(pooler: PoolingFunction | nn.Module, states: TokenStateCache, batch_size: int = 64) -> torch.Tensor:
    """Pool every cached text: ``(n_texts, dim)`` float32, in the cache's order.

    ``pooler`` is a pooling function ``(token_embeddings, attention_mask) -> (batch, dim)`` (e.g.
    :func:`course_lib.pooling.mean_pool`) or a trained head; the batches are right-padded, pads 0.
    """
    _check_pooler(pooler)
    check_type("states", states, TokenStateCache, "a TokenStateCache (from cache_token_states)")
    outputs: list[torch.Tensor | None] = [None] * len(states)
    with torch.no_grad():
        for indices in states.batches(batch_size):
            if isinstance(pooler, (AttentionPooling, LayerMixMeanPooling)):
                vectors = pooler.pool_cached(states, indices)
            else:
                vectors = pooler(*states.batch(indices))
            for row, index in enumerate(indices):
                outputs[index] = vectors[row].float()
    return torch.stack(outputs)


def pair_cosines(vectors: torch.Tensor, pairs: PairStates) -> np.ndarray:
    """Cosine of every pair ``(n_pairs,)`` from ``vectors`` ``(n_texts, dim)`` of ``pairs.states``."""
    vectors = check_tensor("vectors", vectors, ndim=2, shape="(n_texts, dim)", floating=True)
    check_type("pairs", pairs, PairStates, "PairStates (from cache_pairs)")
    if vectors.shape[0] != len(pairs.states):
        raise ValueError(f"vectors: expected {len(pairs.states)} rows, one per cached text, got {vectors.shape[0]}")
    return F.cosine_similarity(vectors[pairs.first], vectors[pairs.second], dim=1).double().numpy()


def pairs_spearman_cached(pooler: PoolingFunction | nn.Module, pairs: PairStates) -> float:
    """Spearman ρ between cos(u, v) and the gold scores, pooling the cached states with ``pooler``."""
    _check_pooler(pooler)
    check_type("pairs", pairs, PairStates, "PairStates (from cache_pairs)")
    vectors = embed_cached(pooler, pairs.states)
    return sts_spearman(vectors[pairs.first], vectors[pairs.second], pairs.gold)

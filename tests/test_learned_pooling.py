"""Learned pooling (notebook 08): masking, the mean-pooling start, the layer-mix shortcut, the cache,
and deterministic training through the course's training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.embed import encode_layers, encode_tokens
from course_lib.exercises.core import padded_test_batch
from course_lib.learned_pooling import (
    AttentionPooling,
    LayerMixMeanPooling,
    PairStates,
    TokenStateCache,
    attention_pool,
    cache_token_states,
    embed_cached,
    masked_attention_weights,
    pairs_spearman_cached,
    train_pooling_head,
)
from course_lib.pooling import mean_pool


def _padded(lengths, side="right", hidden=8, seed=0, dtype=torch.float32):
    """Token embeddings with junk in the pads and a 0/1 mask (notebook 02's exercise batches)."""
    return padded_test_batch(seed, lengths, hidden=hidden, side=side, dtype=dtype, pad_value=4.0)


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_masked_attention_gives_padding_exactly_zero_weight(side, dtype):
    x, mask = _padded([5, 3, 1], side=side, dtype=dtype)
    queries = torch.randn(3, 8, generator=torch.Generator().manual_seed(1)) * 5  # peaked weights
    weights = masked_attention_weights(x, mask, queries)
    assert weights.shape == (3, 3, 5)
    assert torch.all(weights[~mask.bool().unsqueeze(1).expand_as(weights)] == 0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 3))
    assert torch.isfinite(attention_pool(x, mask, queries).float()).all()


def test_padding_does_not_change_the_attention_pooled_vector():
    head = AttentionPooling(8, n_queries=2, init="random", seed=3)
    x, mask = _padded([6, 2])
    alone = head(x[1:, :2].clone(), mask[1:, :2].clone())
    torch.testing.assert_close(head(x, mask)[1:], alone)
    left_x, left_mask = _padded([6, 2], side="left")
    left_x[1, 4:] = x[1, :2]
    torch.testing.assert_close(head(left_x, left_mask)[1:], alone)


@pytest.mark.parametrize("n_queries", [1, 3])
def test_uniform_init_equals_mean_pooling(n_queries):
    x, mask = _padded([7, 4, 1])
    head = AttentionPooling(8, n_queries=n_queries)
    expected = mean_pool(x, mask).repeat(1, n_queries)
    torch.testing.assert_close(head(x, mask), expected)
    weights = head.attention_weights(x, mask)
    torch.testing.assert_close(weights[2, 0, :1], torch.ones(1))
    torch.testing.assert_close(weights[1, 0, :4], torch.full((4,), 0.25))


def test_layer_mix_mixing_then_pooling_equals_mixing_the_layer_means():
    generator = torch.Generator().manual_seed(0)
    layer_states = torch.randn(7, 3, 5, 8, generator=generator)
    _, mask = _padded([5, 2, 4])
    mix = LayerMixMeanPooling(7)
    torch.testing.assert_close(mix(layer_states, mask), torch.stack([mean_pool(s, mask) for s in layer_states]).mean(0))
    with torch.no_grad():
        mix.logits.copy_(torch.randn(7, generator=generator))
    means = torch.stack([mean_pool(s, mask) for s in layer_states])
    torch.testing.assert_close(mix(layer_states, mask), mix.mix(means))
    torch.testing.assert_close(mix.layer_weights.sum(), torch.tensor(1.0))


def _toy_pairs(n_pairs=24, hidden=8, seed=0) -> PairStates:
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, 7, (2 * n_pairs,), generator=generator)
    offsets = torch.cat([torch.zeros(1, dtype=torch.int64), lengths.cumsum(0)])
    cache = TokenStateCache(
        texts=[f"text {i}" for i in range(2 * n_pairs)],
        hidden=torch.randn(int(lengths.sum()), hidden, generator=generator),
        offsets=offsets,
        tokens=[["t"] * int(n) for n in lengths],
        layer_means=torch.randn(7, 2 * n_pairs, hidden, generator=generator),
    )
    gold = torch.rand(n_pairs, generator=generator) * 5
    return PairStates(cache, torch.arange(n_pairs), torch.arange(n_pairs, 2 * n_pairs), gold)


@pytest.mark.parametrize("make_head", [lambda: AttentionPooling(8, n_queries=2), lambda: LayerMixMeanPooling(7)])
def test_training_is_deterministic_under_a_seed(make_head):
    pairs = _toy_pairs()
    runs = []
    for seed in (0, 0, 1):
        head = make_head()
        losses = train_pooling_head(head, pairs, epochs=3, batch_size=8, learning_rate=5e-2, seed=seed)
        runs.append((losses, [p.detach().clone() for p in head.parameters()]))
        assert not head.training
    assert len(runs[0][0]) == 9
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    assert runs[0][0] != runs[2][0]  # another seed shuffles differently
    assert any(not torch.equal(p, torch.zeros_like(p)) for p in runs[0][1])  # it learned something


def test_training_lowers_the_loss_on_learnable_data():
    pairs = _toy_pairs(n_pairs=48)
    with torch.no_grad():  # gold = how similar the first tokens are: a head that looks at them wins
        first = pairs.states.hidden[pairs.states.offsets[:-1]]
        pairs.gold.copy_((torch.cosine_similarity(first[pairs.first], first[pairs.second]) + 1) * 2.5)
    head = AttentionPooling(8)
    losses = train_pooling_head(head, pairs, epochs=20, batch_size=16, learning_rate=5e-2, seed=0)
    assert np.mean(losses[-3:]) < np.mean(losses[:3])


def test_cache_matches_encode_tokens_and_encode_layers(model):
    texts = ["A man plays the guitar.", "Dogs bark.", "A man plays the guitar.", "The stock market fell sharply today."]
    cache = cache_token_states(texts, model, all_layers=True, batch_size=2)
    assert len(cache) == 4 and cache.tokens[1][0] == "[CLS]"
    reference = encode_tokens(texts, model)
    states, mask = cache.batch([0, 1, 2, 3])
    real = reference.attention_mask.bool()
    seq = states.shape[1]
    torch.testing.assert_close(states[real[:, :seq]], reference.hidden[real], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(mask, reference.attention_mask[:, :seq])
    layers = encode_layers(texts, model, methods=["mean"])["mean"]
    torch.testing.assert_close(cache.layer_means, layers, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(embed_cached(mean_pool, cache), layers[-1], atol=1e-5, rtol=1e-4)


def test_cached_spearman_equals_the_uncached_one(model):
    from course_lib.data import load_sts_pairs
    from course_lib.evaluate import pairs_spearman
    from course_lib.learned_pooling import cache_pairs

    pairs = load_sts_pairs()
    cached = cache_pairs(pairs, model)
    assert pairs_spearman_cached(mean_pool, cached) == pytest.approx(pairs_spearman(pairs, model, "mean"), abs=1e-6)
    assert pairs_spearman_cached(AttentionPooling(model.hidden_size), cached) == pytest.approx(
        pairs_spearman(pairs, model, "mean"), abs=1e-6
    )


def test_bad_inputs_raise_clear_errors():
    x, mask = _padded([3, 2])
    with pytest.raises(ValueError, match="queries: expected shape"):
        attention_pool(x, mask, torch.zeros(1, 5))
    with pytest.raises(TypeError, match="queries"):
        attention_pool(x, mask, [[0.0] * 8])
    with pytest.raises(ValueError, match="real token"):
        attention_pool(x, torch.zeros_like(mask), torch.zeros(1, 8))
    with pytest.raises(ValueError, match="n_queries"):
        AttentionPooling(8, n_queries=0)
    with pytest.raises(ValueError, match="init"):
        AttentionPooling(8, init="mean")
    with pytest.raises(ValueError, match="layer_states: expected 7 layers"):
        LayerMixMeanPooling(7)(torch.zeros(6, 2, 3, 8), mask)
    with pytest.raises(TypeError, match="head"):
        train_pooling_head(torch.nn.Linear(2, 2), _toy_pairs())
    with pytest.raises(TypeError, match="pairs"):
        train_pooling_head(AttentionPooling(8), "pairs")
    with pytest.raises(ValueError, match="indices"):
        _toy_pairs().states.batch([999])
    with pytest.raises(TypeError, match="texts"):
        cache_token_states(42)

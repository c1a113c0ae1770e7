"""course_lib.pooling: equal to sentence-transformers where it has the mode, and safe everywhere."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import pooling
from course_lib.pooling import METHODS, pool

ST_MODES = {
    "cls": "cls",
    "mean": "mean",
    "max": "max",
    "mean_sqrt_len": "mean_sqrt_len_tokens",
    "weighted_mean": "weightedmean",
    "last_token": "lasttoken",
}


def right_padded_batch(seed: int, lengths: list[int], hidden: int = 8, dtype=torch.float32):
    generator = torch.Generator().manual_seed(seed)
    seq = max(lengths)
    embeddings = torch.randn(len(lengths), seq, hidden, generator=generator).to(dtype)
    mask = torch.zeros(len(lengths), seq, dtype=torch.int64)
    for row, length in enumerate(lengths):
        mask[row, :length] = 1
    # Pads carry large junk values, as a real encoder's padded positions carry non-zero states.
    embeddings = torch.where(mask.bool().unsqueeze(-1), embeddings, torch.full_like(embeddings, 50.0))
    return embeddings, mask


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), lengths=st.lists(st.integers(1, 12), min_size=1, max_size=6))
def test_equals_sentence_transformers_on_right_padding(method, seed, lengths):
    from sentence_transformers.sentence_transformer.modules import Pooling

    embeddings, mask = right_padded_batch(seed, lengths)
    reference = Pooling(embeddings.shape[-1], pooling_mode=ST_MODES[method])(
        {"token_embeddings": embeddings.clone(), "attention_mask": mask.clone()}
    )["sentence_embedding"]
    torch.testing.assert_close(pool(embeddings, mask, method), reference, rtol=1e-5, atol=1e-5)


def single_and_padded(method: str, padding_side: str, lengths=(3, 7, 1, 5)):
    """Each sentence pooled alone vs inside a batch padded on ``padding_side``."""
    generator = torch.Generator().manual_seed(0)
    hidden, seq = 6, max(lengths) + 2  # extra columns: pads beyond every sentence
    sentences = [torch.randn(n, hidden, generator=generator) for n in lengths]
    batch = torch.full((len(lengths), seq, hidden), -7.0)
    mask = torch.zeros(len(lengths), seq, dtype=torch.int64)
    for row, tokens in enumerate(sentences):
        n = tokens.shape[0]
        where = slice(0, n) if padding_side == "right" else slice(seq - n, seq)
        batch[row, where] = tokens
        mask[row, where] = 1
    alone = torch.cat([pool(t.unsqueeze(0), torch.ones(1, t.shape[0]), method) for t in sentences])
    return alone, pool(batch, mask, method)


@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("method", METHODS)
def test_padding_never_changes_a_sentence_vector(method, padding_side):
    alone, batched = single_and_padded(method, padding_side)
    torch.testing.assert_close(batched, alone, rtol=1e-6, atol=1e-6)


def test_cls_is_the_first_real_token_under_left_padding():
    embeddings = torch.arange(2 * 4 * 2, dtype=torch.float32).reshape(2, 4, 2)
    mask = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1]])
    torch.testing.assert_close(pooling.cls_pool(embeddings, mask), embeddings[[0, 1], [2, 0]])
    torch.testing.assert_close(pooling.last_token_pool(embeddings, mask), embeddings[[0, 1], [3, 3]])


@pytest.mark.parametrize("method", METHODS)
def test_inputs_are_not_modified(method):
    embeddings, mask = right_padded_batch(1, [2, 5, 3])
    before = embeddings.clone(), mask.clone()
    pool(embeddings, mask, method)
    assert torch.equal(embeddings, before[0]) and torch.equal(mask, before[1])


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("method", METHODS)
def test_half_precision_is_finite_and_close_to_float32(method, dtype):
    embeddings, mask = right_padded_batch(2, [1, 6, 3], hidden=16)
    low = pool(embeddings.to(dtype), mask, method)
    assert low.dtype == dtype
    assert torch.isfinite(low).all()
    torch.testing.assert_close(low.float(), pool(embeddings, mask, method), rtol=2e-2, atol=2e-2)


def test_a_minus_1e9_fill_overflows_in_float16_but_ours_does_not():
    embeddings, mask = right_padded_batch(3, [2, 4], hidden=4, dtype=torch.float16)
    fill = torch.tensor(-1e9, dtype=torch.float16)
    assert torch.isinf(fill)  # -1e9 is beyond float16's range (about ±65504)
    keep = mask.unsqueeze(-1).half()
    naive = (embeddings * keep + (1 - keep) * fill).max(dim=1).values  # the classic masking recipe
    assert torch.isnan(naive).any()  # 0 * -inf = NaN on every real token
    ours = pooling.max_pool(embeddings, mask)
    assert torch.isfinite(ours).all()
    torch.testing.assert_close(ours.float(), pooling.max_pool(embeddings.float(), mask))


def test_mean_sqrt_len_is_sum_over_sqrt_n_not_mean_over_sqrt_n():
    embeddings = torch.ones(1, 4, 3)
    mask = torch.ones(1, 4)
    result = pooling.mean_sqrt_len_pool(embeddings, mask)
    torch.testing.assert_close(result, torch.full((1, 3), 4 / math.sqrt(4)))  # 2.0, not 0.5


def test_weighted_mean_weights_real_positions_1_to_n():
    embeddings = torch.tensor([[[0.0], [9.0], [3.0], [6.0]]])
    mask = torch.tensor([[0, 0, 1, 1]])  # left padded: real tokens get weights 1 and 2
    torch.testing.assert_close(pooling.weighted_mean_pool(embeddings, mask), torch.tensor([[(3 * 1 + 6 * 2) / 3]]))


def test_gradients_flow_for_training():
    embeddings, mask = right_padded_batch(4, [2, 3])
    embeddings.requires_grad_(True)
    pool(embeddings, mask, "mean").sum().backward()
    assert embeddings.grad is not None and embeddings.grad[0, 2:].abs().sum() == 0  # pads get no gradient


# ---- bad input ---------------------------------------------------------------------------------

GOOD = (torch.randn(2, 3, 4), torch.ones(2, 3, dtype=torch.int64))


@pytest.mark.parametrize(
    "embeddings, mask, error, words",
    [
        (GOOD[0].numpy(), GOOD[1], TypeError, "token_embeddings"),
        (GOOD[0], GOOD[1].tolist(), TypeError, "attention_mask"),
        (torch.randn(3, 4), GOOD[1], ValueError, "token_embeddings"),
        (torch.ones(2, 3, 4, dtype=torch.int64), GOOD[1], TypeError, "floating-point"),
        (GOOD[0], torch.ones(2, 4), ValueError, "attention_mask"),
        (GOOD[0], torch.ones(3, 3), ValueError, "attention_mask"),
        (GOOD[0], torch.full((2, 3), 2), ValueError, "0 and 1"),
        (torch.randn(0, 3, 4), torch.ones(0, 3), ValueError, "non-empty"),
        (GOOD[0], torch.tensor([[1, 1, 0], [0, 0, 0]]), ValueError, "row(s) [1]"),
    ],
)
@pytest.mark.parametrize("method", METHODS)
def test_bad_input_is_rejected_with_a_clear_message(method, embeddings, mask, error, words):
    with pytest.raises(error, match=__import__("re").escape(words)):
        pool(embeddings, mask, method)


def test_unknown_method_lists_the_valid_ones():
    with pytest.raises(ValueError, match="method: expected one of .*'cls'.*'last_token'.*got 'avg'"):
        pool(*GOOD, "avg")
    with pytest.raises(ValueError, match="did you mean 'weighted_mean'"):
        pool(*GOOD, "weightedmean")
    with pytest.raises(TypeError, match="method"):
        pool(*GOOD, 3)


# --------------------------------------------------------------------------- non-finite values


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("pad_value", [float("nan"), float("-inf"), float("inf")])
def test_nan_or_inf_in_padding_never_changes_a_vector(method, pad_value):
    generator = torch.Generator().manual_seed(0)
    clean = torch.randn(2, 5, 4, generator=generator)
    mask = torch.tensor([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1]])
    dirty = clean.masked_fill(~mask.bool().unsqueeze(-1), pad_value)
    expected = pool(clean, mask, method)
    got = pool(dirty, mask, method)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("method", METHODS)
def test_nan_or_inf_in_a_real_token_is_rejected_with_its_place(method):
    embeddings = torch.randn(2, 4, 3)
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]])
    embeddings[1, 1, 2] = float("nan")
    with pytest.raises(ValueError, match="token_embeddings: expected finite values in the real tokens, got NaN or inf at row 1, position 1"):
        pool(embeddings, mask, method)


def test_meta_tensors_and_other_devices_give_clear_errors():
    meta = torch.empty(2, 3, 4, device="meta")
    with pytest.raises(ValueError, match="token_embeddings: expected a tensor with data, got a 'meta' tensor"):
        pool(meta, torch.ones(2, 3))
    with pytest.raises(ValueError, match="attention_mask: expected a tensor with data"):
        pool(torch.randn(2, 3, 4), torch.ones(2, 3, device="meta"))

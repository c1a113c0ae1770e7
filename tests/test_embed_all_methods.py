"""course_lib.embed.encode_all_methods: one encoder pass, every pooling method, same results as encode()."""

from __future__ import annotations

import pytest
import torch

from course_lib import data
from course_lib.embed import encode, encode_all_methods
from course_lib.pooling import METHODS


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    pairs = data.load_sts_pairs()
    return pairs.sentences1[:40] + ["word " * 400, "Short."]  # one text longer than max_length


def test_equals_one_encode_call_per_method(model, sentences):
    together = encode_all_methods(sentences, model, batch_size=16)
    assert list(together) == list(METHODS)
    for method in METHODS:
        alone = encode(sentences, model, pooling=method, batch_size=16)
        assert together[method].dtype == torch.float32 and together[method].shape == (len(sentences), 384)
        torch.testing.assert_close(together[method], alone, rtol=1e-5, atol=1e-5)


def test_normalize_max_length_and_a_subset_of_methods(model, sentences):
    result = encode_all_methods(sentences, model, methods=["max", "cls"], normalize=True, max_length=32, batch_size=7)
    assert list(result) == ["max", "cls"]
    for method, vectors in result.items():
        torch.testing.assert_close(vectors.norm(dim=1), torch.ones(len(sentences)))
        torch.testing.assert_close(
            vectors, encode(sentences, model, pooling=method, normalize=True, max_length=32, batch_size=7),
            rtol=1e-5, atol=1e-5,
        )


def test_order_and_batching_do_not_change_results(model, sentences):
    forward = encode_all_methods(sentences, model, methods=["mean"], batch_size=5)["mean"]
    backward = encode_all_methods(sentences[::-1], model, methods=["mean"], batch_size=64)["mean"]
    torch.testing.assert_close(forward, backward.flip(0), rtol=1e-5, atol=1e-5)
    single = encode_all_methods("Short.", model, methods=("last_token",))
    assert single["last_token"].shape == (1, 384)


def test_bad_input_names_the_argument(model):
    with pytest.raises(ValueError, match="methods: expected at least one"):
        encode_all_methods(["a"], model, methods=[])
    with pytest.raises(TypeError, match="methods: expected a list"):
        encode_all_methods(["a"], model, methods="mean")
    with pytest.raises(ValueError, match="method: expected one of .* \\(did you mean 'mean'\\?\\)"):
        encode_all_methods(["a"], model, methods=["mean_tokens"])
    with pytest.raises(TypeError, match="normalize"):
        encode_all_methods(["a"], model, normalize="yes")
    with pytest.raises(ValueError, match="batch_size"):
        encode_all_methods(["a"], model, batch_size=0)
    with pytest.raises(ValueError, match="texts"):
        encode_all_methods([], model)

"""course_lib.embed and course_lib.models on the real bundled model."""

from __future__ import annotations

import re

import pytest
import torch

from course_lib import data
from course_lib.embed import encode, encode_all_methods, encode_tokens
from course_lib.models import DEFAULT_MODEL, load_model
from course_lib.pooling import METHODS, pool

from conftest import require_real_data


def real_sentences() -> list[str]:
    pairs = data.load_sts_pairs()
    return pairs.sentences1 + pairs.sentences2 + data.load_topic_corpus().texts


def test_default_model_loads_offline_with_its_trained_length(model):
    assert model.name == DEFAULT_MODEL
    assert model.max_length == 256  # from sentence_bert_config.json, not the tokenizer's 512
    assert model.hidden_size == 384 and not model.model.training
    assert load_model() is model and load_model(DEFAULT_MODEL) is model  # cached


def test_unknown_model_offline_says_what_to_do():
    with pytest.raises(OSError, match="load_model\\(\\) with no argument"):
        load_model("no-such-org/no-such-model-xyz")
    with pytest.raises(TypeError, match="name_or_path"):
        load_model(42)


def test_encode_equals_sentence_transformers(model, st_model):
    sentences = real_sentences()
    assert len(sentences) >= 200
    ours = encode(sentences, model, pooling="mean", normalize=True)
    reference = st_model.encode(sentences, convert_to_tensor=True)
    assert ours.dtype == torch.float32 and ours.shape == reference.shape
    assert (ours - reference).abs().max().item() < 1e-6


def test_encode_keeps_input_order_and_is_batch_independent(model):
    sentences = real_sentences()[:40]
    together = encode(sentences, model, batch_size=7)
    alone = torch.cat([encode(s, model) for s in sentences[:5]])
    torch.testing.assert_close(together[:5], alone, rtol=1e-5, atol=1e-5)
    assert encode("one sentence", model).shape == (1, 384)


def test_normalize_gives_unit_vectors(model):
    vectors = encode(["a short one", "and a slightly longer sentence here"], model, normalize=True)
    torch.testing.assert_close(vectors.norm(dim=1), torch.ones(2))


def test_truncation_at_the_trained_length(model):
    long_text = "word " * 600
    assert encode_tokens(long_text, model).hidden.shape[1] == 256
    assert encode_tokens(long_text, model, max_length=32).hidden.shape[1] == 32
    # Words beyond the limit cannot change the vector.
    torch.testing.assert_close(encode(long_text, model), encode(long_text + " elephant " * 50, model))


@pytest.mark.parametrize("method", METHODS)
def test_left_and_right_padding_give_the_same_vectors(model, method):
    texts = ["short", "a much longer sentence that needs no padding at all"]
    right = encode_tokens(texts, model, padding_side="right")
    left = encode_tokens(texts, model, padding_side="left")
    assert right.attention_mask[0, -1] == 0 and left.attention_mask[0, 0] == 0
    torch.testing.assert_close(
        pool(left.hidden, left.attention_mask, method), pool(right.hidden, right.attention_mask, method),
        rtol=1e-4, atol=1e-4,
    )


def test_progress_bar_only_for_long_inputs(model, capsys):
    encode(["a"] * 10, model)
    assert "Encoding" not in capsys.readouterr().err
    encode(["a"] * 10, model, show_progress=True, batch_size=2)
    assert "Encoding" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(texts=[]), ValueError, "texts: expected at least one text"),
        (dict(texts=["ok", 3]), TypeError, "texts: expected strings, got 3 at index 1"),
        (dict(texts=None), TypeError, "texts: expected a string or a list"),
        (dict(texts=["ok"], pooling="avg"), ValueError, "pooling: expected one of"),
        (dict(texts=["ok"], batch_size=0), ValueError, "batch_size: expected an int >= 1, got 0"),
        (dict(texts=["ok"], batch_size=2.5), TypeError, "batch_size"),
        (dict(texts=["ok"], max_length=0), ValueError, "max_length"),
        (dict(texts=["ok"], normalize="yes"), TypeError, "normalize"),
        (dict(texts=["ok"], model=3.0), TypeError, "model: expected a LoadedModel"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(model, kwargs, error, words):
    kwargs.setdefault("model", model)
    with pytest.raises(error, match=re.escape(words)):
        encode(**kwargs)


def test_encode_tokens_rejects_bad_padding_side(model):
    with pytest.raises(ValueError, match=r"padding_side: expected one of \[.right., .left.\], got .middle."):
        encode_tokens("text", model, padding_side="middle")


@pytest.mark.real_data
def test_published_stsb_number_mean_pooling_cosine(model):
    """MTEB publishes cosine Spearman 0.82032 for all-MiniLM-L6-v2 on STS-B test."""
    require_real_data("stsbenchmark")
    from course_lib.evaluate import sts_spearman

    test = data.load_stsb("test")
    first = encode(test.sentences1, model, show_progress=False)
    second = encode(test.sentences2, model, show_progress=False)
    assert sts_spearman(first, second, test.scores) == pytest.approx(0.82032, abs=5e-4)


# --------------------------------------------------------------------------- course_lib.embed.encode_all_methods: one encoder pass, every pooling method, same results as encode().


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
    with pytest.raises(ValueError, match="methods: expected one of .* \\(did you mean 'mean'\\?\\)"):
        encode_all_methods(["a"], model, methods=["mean_tokens"])
    with pytest.raises(TypeError, match="normalize"):
        encode_all_methods(["a"], model, normalize="yes")
    with pytest.raises(ValueError, match="batch_size"):
        encode_all_methods(["a"], model, batch_size=0)
    with pytest.raises(ValueError, match="texts"):
        encode_all_methods([], model)


def test_max_length_above_the_position_table_is_a_clear_error(model):
    with pytest.raises(ValueError, match=r"max_length: expected an int in \[1, 512\], got 1024"):
        encode("a long text " * 400, model, max_length=1024)
    assert encode("short", model, max_length=512).shape == (1, 384)


def test_the_error_names_the_callers_argument(model):
    with pytest.raises(ValueError, match="pooling: expected one of .* got 'avg'"):
        encode("text", model, pooling="avg")
    with pytest.raises(ValueError, match="methods: expected one of"):
        encode_all_methods("text", model, methods=["mean", "avg"])
    with pytest.raises(TypeError, match="normalize: expected True or False, got 'yes'"):
        encode("text", model, normalize="yes")

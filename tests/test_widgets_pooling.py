"""The pooling explorer, driven headless: set the controls from code and check what it computes and shows."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_lib.embed import encode_tokens  # noqa: E402
from course_lib.pooling import METHODS, pool  # noqa: E402
from course_lib.widgets import PoolingExplorer, pooling_explorer, pooling_explorer_static  # noqa: E402

SENTENCE = "The river bank was flooded after the storm."
OTHER = "Heavy rain made the stream burst its banks."
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def expected(sentence: str, other: str, method: str, model) -> tuple[torch.Tensor, torch.Tensor, float]:
    mine, theirs = encode_tokens(sentence, model), encode_tokens(other, model)
    vector = pool(mine.hidden, mine.attention_mask, method)[0]
    other_vector = pool(theirs.hidden, theirs.attention_mask, method)[0]
    return vector, other_vector, F.cosine_similarity(vector, other_vector, dim=0).item()


@pytest.fixture
def explorer(model):
    return pooling_explorer(model, sentence=SENTENCE, other=OTHER, method="mean")


def test_initial_state_matches_a_direct_computation(explorer, model):
    assert isinstance(explorer, PoolingExplorer)
    vector, other_vector, similarity = expected(SENTENCE, OTHER, "mean", model)
    torch.testing.assert_close(explorer.vector, vector)
    torch.testing.assert_close(explorer.other_vector, other_vector)
    assert explorer.similarity == pytest.approx(similarity, abs=1e-6)
    assert explorer.tokens == encode_tokens(SENTENCE, model).tokens[0]
    assert explorer.token_embeddings.shape == (len(explorer.tokens), 384)
    assert bytes(explorer.image.value).startswith(PNG_MAGIC)
    assert f"{similarity:.4f}" in explorer.readout.value and "mean" in explorer.readout.value
    assert list(explorer.method_box.options) == list(METHODS)


def test_changing_the_method_updates_vector_similarity_and_picture(explorer, model):
    seen_similarities, seen_images = {}, set()
    for method in METHODS:
        explorer.method_box.value = method  # what the dropdown does in a browser
        vector, _, similarity = expected(SENTENCE, OTHER, method, model)
        torch.testing.assert_close(explorer.vector, vector)
        assert explorer.similarity == pytest.approx(similarity, abs=1e-6)
        assert explorer.view.method == method and method in explorer.readout.value
        assert explorer.figure.axes[0].get_title(loc="left").startswith(f"{method} pooling")
        seen_similarities[method] = explorer.similarity
        seen_images.add(bytes(explorer.image.value))
    assert len(seen_images) == len(METHODS)
    # mean and mean_sqrt_len differ only in length, so their cosine is the same; all others differ
    assert seen_similarities["mean"] == pytest.approx(seen_similarities["mean_sqrt_len"], abs=1e-6)
    assert len(set(round(s, 6) for s in seen_similarities.values())) == len(METHODS) - 1


def test_typing_a_sentence_updates_tokens_and_similarity(explorer, model):
    before = explorer.similarity
    explorer.sentence_box.value = "I paid the cheque into my bank account."
    assert explorer.tokens[4:6] == ["che", "##que"]
    _, _, similarity = expected("I paid the cheque into my bank account.", OTHER, "mean", model)
    assert explorer.similarity == pytest.approx(similarity, abs=1e-6) and explorer.similarity != before
    explorer.other_box.value = "The deposit was credited to her savings account."
    _, _, closer = expected("I paid the cheque into my bank account.", explorer.other_box.value, "mean", model)
    assert explorer.similarity == pytest.approx(closer, abs=1e-6)
    assert explorer.similarity > similarity  # a money sentence is closer than the flooding one


def test_empty_input_clears_the_state_and_says_what_to_do(explorer):
    explorer.sentence_box.value = "   "
    assert explorer.view is None and explorer.vector is None and explorer.similarity is None
    assert bytes(explorer.image.value) == b"" and "Type a sentence" in explorer.readout.value
    explorer.sentence_box.value = SENTENCE
    assert explorer.similarity is not None


def test_static_fallback_shows_the_same_for_one_input(model):
    figure = pooling_explorer_static(SENTENCE, OTHER, method="max", model=model)
    assert isinstance(figure, Figure) and not plt.get_fignums()  # returned closed
    _, _, similarity = expected(SENTENCE, OTHER, "max", model)
    assert figure.axes[0].get_title(loc="left") == f"max pooling · cosine to the other sentence = {similarity:.3f}"
    tokens = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert tokens == encode_tokens(SENTENCE, model).tokens[0]
    assert figure.axes[1].get_yticklabels()[0].get_text() == "max"


def test_bad_input_is_rejected_with_the_argument_named(model):
    with pytest.raises(ValueError, match="method"):
        pooling_explorer(model, method="average")
    with pytest.raises(TypeError, match="sentence"):
        pooling_explorer(model, sentence=42)
    with pytest.raises(ValueError, match="other"):
        pooling_explorer(model, other="")
    with pytest.raises(ValueError, match="max_dims"):
        pooling_explorer(model, max_dims=0)
    with pytest.raises(ValueError, match="method"):
        pooling_explorer_static(SENTENCE, OTHER, method="mean_tokens", model=model)

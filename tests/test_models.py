"""course_lib.models: loading, fresh copies, random initialisation, saving."""

from __future__ import annotations

import pytest
import torch

from course_lib.embed import encode
import tempfile
from pathlib import Path

from course_lib.models import DEFAULT_SAVE_DIR, load_fresh_model, load_model, random_init_model, save_model

REPO = Path(__file__).resolve().parents[1]


def test_fresh_model_is_an_independent_equal_copy(model):
    fresh = load_fresh_model()
    assert fresh.model is not model.model and fresh.tokenizer is not model.tokenizer
    assert fresh.name == model.name and fresh.max_length == model.max_length and not fresh.model.training
    texts = ["The cat sat on the mat.", "Prices rose again this year."]
    torch.testing.assert_close(encode(texts, fresh), encode(texts, model))
    before = model.model.embeddings.word_embeddings.weight.clone()
    with torch.no_grad():
        fresh.model.embeddings.word_embeddings.weight.add_(1.0)
    assert torch.equal(model.model.embeddings.word_embeddings.weight, before)
    assert load_model() is model


def test_random_init_is_seeded_untrained_and_same_architecture(model):
    first, again, other = random_init_model(seed=0), random_init_model(seed=0), random_init_model(seed=1)
    weight = lambda loaded: loaded.model.encoder.layer[0].attention.self.query.weight  # noqa: E731
    assert torch.equal(weight(first), weight(again)) and not torch.equal(weight(first), weight(other))
    assert type(first.model) is type(model.model) and first.model.config.to_dict() == model.model.config.to_dict()
    assert weight(first).std().item() == pytest.approx(model.model.config.initializer_range, rel=0.05)
    assert not torch.equal(weight(first), weight(model)) and not first.model.training
    assert "random init, seed=0" in first.name and first.tokenizer is model.tokenizer
    state = torch.random.get_rng_state()
    random_init_model(seed=5)
    assert torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize("seed", ["0", 1.5, True])
def test_random_init_bad_seed(seed):
    with pytest.raises(TypeError, match="seed: expected an int"):
        random_init_model(seed=seed)


def test_save_model_round_trip_reloads_what_was_saved_last(model, tmp_path):
    texts = ["A cat sat on the mat.", "Stock markets fell sharply."]
    first, second = random_init_model(seed=1), random_init_model(seed=2)
    folder = save_model(first, tmp_path / "tuned")
    reloaded = load_model(folder)
    assert reloaded.max_length == model.max_length
    torch.testing.assert_close(encode(texts, reloaded, "cls"), encode(texts, first, "cls"))
    assert load_model(str(folder)) is reloaded  # cached while the folder is unchanged
    save_model(second, folder)  # the same folder again: load_model must not return the old weights
    torch.testing.assert_close(encode(texts, load_model(folder), "cls"), encode(texts, second, "cls"))
    assert Path(tempfile.gettempdir()) in DEFAULT_SAVE_DIR.parents and REPO not in DEFAULT_SAVE_DIR.parents
    with pytest.raises(TypeError, match="folder: expected a folder path or None, got 3"):
        save_model(first, 3)
    with pytest.raises(TypeError, match="model: expected a LoadedModel"):
        save_model(first.model, tmp_path)

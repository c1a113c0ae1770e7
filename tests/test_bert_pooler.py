"""course_lib.bert_pooler (notebook 04): BERT's pooler by hand and the three views of one forward pass."""

from __future__ import annotations

import pytest
import torch

from course_lib import data
from course_lib.embed import encode
from course_lib.bert_pooler import encode_cls_views, pooler_by_hand


def test_pooler_by_hand_equals_pooler_output(model):
    batch = model.tokenizer(["A short one.", "A rather longer sentence with more tokens."], padding=True, return_tensors="pt")
    with torch.inference_mode():
        output = model.model(**batch)
        by_hand = pooler_by_hand(output.last_hidden_state, model.model.pooler)
    torch.testing.assert_close(by_hand, output.pooler_output, rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match=r"last_hidden_state: expected 3 dimensions \(batch, seq, hidden\)"):
        pooler_by_hand(output.last_hidden_state[0], model.model.pooler)
    with pytest.raises(TypeError, match="pooler: expected a BERT pooler"):
        pooler_by_hand(output.last_hidden_state, torch.nn.Tanh())


def test_views_match_encode_and_huggingface(model):
    pairs = data.load_sts_pairs()
    texts = pairs.sentences1[:37] + pairs.sentences2[:37]
    views = encode_cls_views(texts, model, batch_size=16)
    assert set(views) == {"cls", "pooler_output", "mean"} and views["cls"].shape == (74, 384)
    torch.testing.assert_close(views["cls"], encode(texts, model, pooling="cls"), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(views["mean"], encode(texts, model, pooling="mean"), rtol=1e-5, atol=1e-5)
    batch = model.tokenizer(texts[:3], padding=True, return_tensors="pt")
    with torch.inference_mode():
        reference = model.model(**batch).pooler_output
    torch.testing.assert_close(views["pooler_output"][:3], reference, rtol=1e-5, atol=1e-5)


def test_views_bad_input(model):
    with pytest.raises(ValueError, match="batch_size"):
        encode_cls_views(["a"], model, batch_size=0)
    with pytest.raises(TypeError, match="texts"):
        encode_cls_views(3, model)

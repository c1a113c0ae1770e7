"""BERT's pooler and the three "CLS-ish" sentence vectors of one forward pass (notebook 04).

BERT's pooler is one dense layer and a tanh on the ``[CLS]`` vector:
``pooler_output = tanh(W · last_hidden_state[:, 0] + b)``. Pre-training trained it for next-sentence
prediction; ``BertForSequenceClassification`` classifies from it.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from course_lib._checks import check_tensor, describe
from course_lib.embed import check_positive_int, check_texts, length_sorted_batches, resolve_model
from course_lib.models import LoadedModel
from course_lib.pooling import cls_pool, mean_pool

VIEWS: tuple[str, ...] = ("cls", "pooler_output", "mean")


def pooler_by_hand(last_hidden_state: torch.Tensor, pooler: nn.Module) -> torch.Tensor:
    """``tanh(dense(last_hidden_state[:, 0]))`` with the weights of a BERT ``pooler``: ``(batch, hidden)``.

    Reads column 0, exactly like Hugging Face's ``BertPooler``: right padding is assumed.
    """
    check_tensor("last_hidden_state", last_hidden_state, ndim=3, shape="(batch, seq, hidden)", floating=True)
    dense = getattr(pooler, "dense", None)
    if not isinstance(dense, nn.Linear):
        raise TypeError(f"pooler: expected a BERT pooler with a .dense Linear layer, got {describe(pooler)}")
    if dense.weight.device != last_hidden_state.device:
        raise ValueError(
            f"last_hidden_state: expected a tensor on the pooler's device ({dense.weight.device}), got {last_hidden_state.device}"
        )
    return torch.tanh(last_hidden_state[:, 0] @ dense.weight.T + dense.bias)


def encode_cls_views(
    texts: str | Sequence[str], model: LoadedModel | str | None = None, batch_size: int = 64
) -> dict[str, torch.Tensor]:
    """The raw ``[CLS]`` vector, the ``pooler_output`` and the mean of the tokens, from ONE forward pass.

    Returns ``{"cls", "pooler_output", "mean"}``, each float32 ``(n, hidden)``, in input order.
    Batches are sorted by length (little padding) and padded on the right.
    """
    loaded = resolve_model(model)
    items = check_texts(texts)
    batch_size = check_positive_int("batch_size", batch_size)
    if getattr(loaded.model, "pooler", None) is None:
        raise ValueError(f"model: expected a model with a pooler (BERT-style), {loaded.name!r} has none")
    views = {name: torch.empty(len(items), loaded.hidden_size, dtype=torch.float32) for name in VIEWS}
    with torch.inference_mode():
        # Right padding, as the pooler reads column 0.
        for indices, batch in length_sorted_batches(loaded, items, batch_size, loaded.max_length):
            output = loaded.model(**batch)
            mask = batch["attention_mask"]
            views["cls"][indices] = cls_pool(output.last_hidden_state, mask).float().cpu()
            views["pooler_output"][indices] = output.pooler_output.float().cpu()
            views["mean"][indices] = mean_pool(output.last_hidden_state, mask).float().cpu()
    return views

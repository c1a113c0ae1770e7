"""From texts to embeddings: token embeddings and pooled sentence embeddings (notebook 01).

``encode`` is the course's equivalent of ``SentenceTransformer.encode``: it tokenises, runs the
encoder in batches sorted by length (less padding, so less work), pools with any method of
:mod:`course_lib.pooling`, optionally L2-normalises, and restores the input order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Sequence

import torch
import torch.nn.functional as F

from course_lib import _checks
from course_lib.models import LoadedModel, load_model
from course_lib.pooling import check_method, pool

# Inputs with more batches than this get a progress bar when show_progress is None.
_PROGRESS_MIN_BATCHES = 16


@dataclass
class TokenEmbeddings:
    """The encoder's output for a batch, with what is needed to read it.

    ``hidden`` is ``(batch, seq, hidden)``, ``attention_mask`` and ``input_ids`` are ``(batch, seq)``
    and ``tokens`` holds the token strings of each row (padding included).
    """

    hidden: torch.Tensor
    attention_mask: torch.Tensor
    input_ids: torch.Tensor
    tokens: list[list[str]]


def resolve_model(model: LoadedModel | str | None) -> LoadedModel:
    """A LoadedModel as it is, a name through ``load_model``, None as the default model."""
    if model is None or isinstance(model, str):
        return load_model(model)
    if isinstance(model, LoadedModel):
        return model
    raise TypeError(
        f"model: expected a LoadedModel (from course_lib.models.load_model), a model name or None, "
        f"got {_checks.describe(model)}"
    )


def check_texts(texts: str | Sequence[str], name: str = "texts") -> list[str]:
    """A string as a one-item list, a non-empty list or tuple of strings as a list; anything else raises."""
    return _checks.check_texts(name, texts)


def check_positive_int(name: str, value: object) -> int:
    """``value`` if it is an int >= 1, else a TypeError/ValueError naming ``name``."""
    return _checks.check_int(name, value, 1)


def position_limit(loaded: LoadedModel) -> int | None:
    """How many positions the model's position table holds (512 for BERT), or None if it does not say."""
    _checks.check_type("loaded", loaded, LoadedModel, "a LoadedModel")
    limit = getattr(loaded.model.config, "max_position_embeddings", None)
    return int(limit) if isinstance(limit, int) and limit > 0 else None


def resolve_max_length(loaded: LoadedModel, max_length: int | None) -> int:
    """``max_length`` checked (at least 1, at most the model's position table), or the trained length when None."""
    limit = position_limit(loaded)
    if max_length is None:
        return loaded.max_length
    return _checks.check_int("max_length", max_length, 1, limit)


def length_sorted_batches(
    loaded: LoadedModel, texts: list[str], batch_size: int, max_length: int
) -> Iterator[tuple[list[int], dict[str, torch.Tensor]]]:
    """Tokenise once, then yield ``(indices, batch)`` with the longest texts first.

    ``batch`` holds ``(batch, seq)`` tensors on the model's device, padded on the right to the
    longest text of that batch only, so short texts are not padded to the longest of all;
    ``indices`` says which input texts the rows are. Shared by every function that runs the
    encoder over many texts (``encode``, ``late_interaction.token_sets``, ``bert_pooler.encode_cls_views``).
    """
    _checks.check_type("loaded", loaded, LoadedModel, "a LoadedModel")
    texts = check_texts(texts)
    batch_size = check_positive_int("batch_size", batch_size)
    max_length = resolve_max_length(loaded, max_length)
    tokenizer = loaded.tokenizer
    encoded = tokenizer(texts, truncation=True, max_length=max_length)
    features = [key for key in ("input_ids", "token_type_ids", "attention_mask") if key in encoded]
    order = sorted(range(len(texts)), key=lambda i: -len(encoded["input_ids"][i]))
    previous_side = tokenizer.padding_side
    tokenizer.padding_side = "right"
    try:
        for start in range(0, len(texts), batch_size):
            indices = order[start : start + batch_size]
            batch = tokenizer.pad(
                {key: [encoded[key][i] for i in indices] for key in features}, padding=True, return_tensors="pt"
            )
            yield indices, {key: value.to(loaded.device) for key, value in batch.items()}
    finally:
        tokenizer.padding_side = previous_side


def encode_tokens(
    texts: str | Sequence[str],
    model: LoadedModel | str | None = None,
    max_length: int | None = None,
    padding_side: str = "right",
) -> TokenEmbeddings:
    """Run the encoder once on one padded batch and keep every token's vector.

    Returns :class:`TokenEmbeddings` with ``hidden`` of shape ``(batch, seq, hidden)``. Use it to
    look inside the model (notebook 01) or to try several pooling methods on one forward pass
    (notebook 02). ``padding_side`` is ``"right"`` (BERT's default) or ``"left"`` (as decoder
    models pad); with left padding, position ids are counted from each text's first real token.
    """
    loaded = resolve_model(model)
    items = check_texts(texts)
    length = resolve_max_length(loaded, max_length)
    _checks.check_choice("padding_side", padding_side, ("right", "left"))
    tokenizer = loaded.tokenizer
    previous_side = tokenizer.padding_side
    tokenizer.padding_side = padding_side
    try:
        batch = tokenizer(items, padding=True, truncation=True, max_length=length, return_tensors="pt")
    finally:
        tokenizer.padding_side = previous_side
    batch = {key: value.to(loaded.device) for key, value in batch.items()}
    if padding_side == "left":
        # BERT-style models number positions from the first column: without this, left padding
        # would shift every real token's position and change its vector.
        batch["position_ids"] = (batch["attention_mask"].cumsum(dim=1) - 1).clamp(min=0)
    with torch.inference_mode():
        hidden = loaded.model(**batch).last_hidden_state
    tokens = [tokenizer.convert_ids_to_tokens(row) for row in batch["input_ids"].tolist()]
    return TokenEmbeddings(
        hidden=hidden.float().cpu(),
        attention_mask=batch["attention_mask"].cpu(),
        input_ids=batch["input_ids"].cpu(),
        tokens=tokens,
    )


def encode(
    texts: str | Sequence[str],
    model: LoadedModel | str | None = None,
    pooling: str = "mean",
    normalize: bool = False,
    batch_size: int = 32,
    max_length: int | None = None,
    show_progress: bool | None = None,
) -> torch.Tensor:
    """Embed texts as sentence vectors: float32 tensor ``(n, hidden)`` (a single string gives ``(1, hidden)``).

    Texts longer than ``max_length`` tokens (default: the length the model was trained with) are
    truncated. ``show_progress=None`` shows a tqdm bar only for long inputs.
    """
    return encode_all_methods(
        texts, model, [check_method(pooling, "pooling")], normalize=normalize, batch_size=batch_size,
        max_length=max_length, show_progress=show_progress,
    )[pooling]


def encode_all_methods(
    texts: str | Sequence[str],
    model: LoadedModel | str | None = None,
    methods: Sequence[str] | None = None,
    normalize: bool = False,
    batch_size: int = 32,
    max_length: int | None = None,
    show_progress: bool | None = None,
) -> dict[str, torch.Tensor]:
    """Run the encoder ONCE and pool every batch with several methods: ``{method: (n, hidden)}``.

    ``methods`` defaults to every method in :data:`course_lib.pooling.METHODS`. Tokenisation,
    batching, truncation and normalisation are those of :func:`encode`, so ``result[m]`` equals
    ``encode(texts, model, pooling=m, ...)`` at a fraction of the cost of one call per method
    (notebook 02 compares the six methods on STS-B this way).
    """
    outputs = _encode_pooled(texts, model, methods, normalize, batch_size, max_length, show_progress, layers=None)
    return {method: stacked[0] for method, stacked in outputs.items()}


def encode_layers(
    texts: str | Sequence[str],
    model: LoadedModel | str | None = None,
    methods: Sequence[str] | None = None,
    layers: Sequence[int] | None = None,
    normalize: bool = False,
    batch_size: int = 32,
    max_length: int | None = None,
    show_progress: bool | None = None,
) -> dict[str, torch.Tensor]:
    """Pool EVERY layer's token vectors in one forward pass: ``{method: (n_layers, n, hidden)}``.

    Layer 0 is the embedding output (word + position + type embeddings, LayerNorm), layer ``i`` the
    output of transformer block ``i``; ``layers`` picks some (default: all, ``0 .. num_layers``).
    The last layer's slice equals :func:`encode_all_methods`. Introduced in notebook 06.
    """
    return _encode_pooled(
        texts, model, methods, normalize, batch_size, max_length, show_progress,
        layers="all" if layers is None else layers,
    )


def _encode_pooled(
    texts: str | Sequence[str],
    model: LoadedModel | str | None,
    methods: Sequence[str] | None,
    normalize: bool,
    batch_size: int,
    max_length: int | None,
    show_progress: bool | None,
    layers: Sequence[int] | str | None,
) -> dict[str, torch.Tensor]:
    """The one encoding loop: ``{method: (n_layers, n, hidden)}``; ``layers=None`` is the last layer only."""
    loaded = resolve_model(model)
    items = check_texts(texts)
    if methods is None:
        from course_lib.pooling import METHODS

        methods = METHODS
    if isinstance(methods, str) or not isinstance(methods, (list, tuple)):
        raise TypeError(f"methods: expected a list of pooling method names, got {_checks.describe(methods)}")
    if len(methods) == 0:
        raise ValueError("methods: expected at least one pooling method, got an empty list")
    methods = [check_method(method, "methods") for method in methods]
    normalize = _checks.check_bool("normalize", normalize)
    batch_size = check_positive_int("batch_size", batch_size)
    length = resolve_max_length(loaded, max_length)
    if show_progress is not None:
        show_progress = _checks.check_bool("show_progress", show_progress)
    n_layers = loaded.model.config.num_hidden_layers
    if layers is None:
        selected, want_all_states = [n_layers], False
    elif layers == "all":
        selected, want_all_states = list(range(n_layers + 1)), True
    else:
        if isinstance(layers, (str, bytes)) or not isinstance(layers, (list, tuple, range)):
            raise TypeError(f"layers: expected a list of layer indices 0..{n_layers}, got {_checks.describe(layers)}")
        if len(layers) == 0:
            raise ValueError(f"layers: expected at least one layer index 0..{n_layers}, got an empty list")
        selected = [_checks.check_int("layers", layer, 0, n_layers) for layer in layers]
        want_all_states = True

    batches = length_sorted_batches(loaded, items, batch_size, length)
    if show_progress is None:
        show_progress = math.ceil(len(items) / batch_size) > _PROGRESS_MIN_BATCHES
    if show_progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, total=math.ceil(len(items) / batch_size), desc="Encoding", unit="batch")

    outputs = {
        method: torch.empty(len(selected), len(items), loaded.hidden_size, dtype=torch.float32) for method in methods
    }
    with torch.inference_mode():
        for indices, batch in batches:
            if want_all_states:
                states = loaded.model(**batch, output_hidden_states=True).hidden_states
            else:
                states = {n_layers: loaded.model(**batch).last_hidden_state}
            for slot, layer in enumerate(selected):
                for method in methods:
                    vectors = pool(states[layer], batch["attention_mask"], method).float()
                    if normalize:
                        vectors = F.normalize(vectors, p=2, dim=1)
                    outputs[method][slot, indices] = vectors.cpu()
    return outputs

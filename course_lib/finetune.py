"""Fine-tune a sentence encoder on scored sentence pairs with a plain PyTorch loop (notebook 04).

The recipe is SBERT's STS training (Reimers & Gurevych, 2019): both sentences of a pair go through
the same encoder and pooling, giving ``u`` and ``v``, and the loss is the mean squared error between
``cos(u, v)`` and ``gold / 5`` (sentence-transformers' ``CosineSimilarityLoss``). With
``pooling="cls"`` this teaches the ``[CLS]`` vector to carry the sentence's meaning.

The model you pass in is never modified: :func:`fine_tune` trains a deep copy and returns it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from course_lib._checks import check_bool, check_callable, check_int, check_number, check_str, check_tensor, check_type, describe
from course_lib.data import SentencePairs, check_pairs
from course_lib.embed import resolve_max_length, resolve_model
from course_lib.models import LoadedModel, load_fresh_model
from course_lib.pooling import check_method, pool

# Batches are formed inside buckets of this many batches, each sorted by length: little padding,
# and still a different mix of pairs every epoch.
_BATCHES_PER_BUCKET = 50

# More steps than this get a progress bar when show_progress is None (as encode's batches).
_PROGRESS_MIN_STEPS = 16


@dataclass
class FineTuneResult:
    """What :func:`fine_tune` returns: the trained copy (eval mode) and how training went."""

    model: LoadedModel
    losses: list[float]  # one value per optimisation step
    seconds: float
    trainable_parameters: int
    total_parameters: int
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return len(self.losses)

    def __repr__(self) -> str:
        return (
            f"FineTuneResult(pooling={self.settings.get('pooling')!r}, steps={self.steps}, "
            f"first loss={self.losses[0]:.4f}, last loss={self.losses[-1]:.4f}, "
            f"trainable={self.trainable_parameters:,}/{self.total_parameters:,} parameters)"
        )


# --------------------------------------------------------------------------- input checks


# --------------------------------------------------------------------------- the pieces


def cosine_similarity_loss(
    u: torch.Tensor, v: torch.Tensor, gold: torch.Tensor, max_score: float = 5.0
) -> torch.Tensor:
    """SBERT's CosineSimilarityLoss: mean of ``(cos(u_i, v_i) - gold_i / max_score) ** 2``.

    ``u``, ``v``: ``(batch, hidden)`` sentence vectors; ``gold``: ``(batch,)`` scores in
    ``[0, max_score]``. Returns a 0-d tensor that gradients flow through.
    """
    check_tensor("u", u, ndim=2, shape="(batch, hidden)", floating=True, finite=True)
    check_tensor("v", v, ndim=2, shape="(batch, hidden)", floating=True, finite=True)
    if u.shape != v.shape:
        raise ValueError(f"v: expected the shape of u {tuple(u.shape)}, got {tuple(v.shape)}")
    check_tensor("gold", gold, ndim=1, shape="(batch,)", finite=True)
    if tuple(gold.shape) != (u.shape[0],):
        raise ValueError(f"gold: expected a tensor of shape ({u.shape[0]},), got {tuple(gold.shape)}")
    if gold.device != u.device or v.device != u.device:
        raise ValueError(f"gold, v: expected tensors on u's device ({u.device}), got {v.device} and {gold.device}")
    max_score = check_number("max_score", max_score, 0.0, low_inclusive=False)
    cosine = F.cosine_similarity(u, v, dim=1)
    return F.mse_loss(cosine, gold.to(cosine.dtype) / max_score)


def encoder_layers(model: nn.Module) -> nn.ModuleList:
    """The transformer blocks of a BERT/RoBERTa-style encoder (``model.encoder.layer``)."""
    check_type("model", model, nn.Module, "a torch.nn.Module (a BERT-style encoder)")
    base = getattr(model, "base_model", model)
    layers = getattr(getattr(base, "encoder", None), "layer", None)
    if not isinstance(layers, nn.ModuleList):
        raise TypeError(
            f"model: expected a BERT-style encoder with .encoder.layer, got {type(model).__name__}"
        )
    return layers


def freeze_lower_layers(model: nn.Module, trainable_layers: int | None) -> int:
    """Train only the top ``trainable_layers`` transformer blocks; ``None`` trains everything.

    Freezes the embeddings, the lower blocks and the pooler (CLS and mean pooling never use it).
    Changes ``requires_grad`` in place and returns the number of trainable parameters.
    """
    layers = encoder_layers(model)
    if trainable_layers is None:
        model.requires_grad_(True)
    else:
        count = check_int("trainable_layers", trainable_layers, 1)
        if count > len(layers):
            raise ValueError(
                f"trainable_layers: expected at most the model's {len(layers)} layers (or None for all), got {count}"
            )
        model.requires_grad_(False)
        for layer in layers[len(layers) - count :]:
            layer.requires_grad_(True)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def embed_batch(model: nn.Module, features: dict[str, torch.Tensor], pooling: str = "cls") -> torch.Tensor:
    """One forward pass and pooling, with gradients: ``features`` of a padded batch -> ``(batch, hidden)``."""
    check_type("model", model, nn.Module, "a torch.nn.Module")
    check_type("features", features, Mapping, "a dict of (batch, seq) tensors (tokenizer output)")
    hidden = model(**features).last_hidden_state
    return pool(hidden, features["attention_mask"], pooling)


def training_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    features_a: dict[str, torch.Tensor],
    features_b: dict[str, torch.Tensor],
    gold: torch.Tensor,
    pooling: str = "cls",
    max_score: float = 5.0,
    max_grad_norm: float | None = 1.0,
) -> float:
    """One optimisation step on a batch of pairs; returns the loss before the update.

    ``features_a``/``features_b``: tokenizer outputs of the first/second sentences (padded batches
    of the same size); ``gold``: ``(batch,)`` scores. Embeds both sides with ``pooling``, computes
    :func:`cosine_similarity_loss`, backpropagates, clips the gradient norm and steps.
    """
    check_type("model", model, nn.Module, "a torch.nn.Module")
    check_type("optimizer", optimizer, torch.optim.Optimizer, "a torch.optim.Optimizer")

    def loss_fn(model: nn.Module, batch: None) -> torch.Tensor:
        u = embed_batch(model, features_a, pooling)
        v = embed_batch(model, features_b, pooling)
        return cosine_similarity_loss(u, v, gold, max_score)

    trainable = [p for p in model.parameters() if p.requires_grad]
    return float(_optimisation_step(model, optimizer, loss_fn, None, trainable, max_grad_norm).detach())


def _optimisation_step(
    module: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[nn.Module, Any], torch.Tensor],
    batch: Any,
    trainable: list[torch.Tensor],
    max_grad_norm: float | None,
) -> torch.Tensor:
    """zero_grad, loss, backward, clip (when ``max_grad_norm`` is not None), step; returns the loss."""
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(module, batch)
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        raise TypeError(f"loss_fn: expected a 0-d loss tensor, got {describe(loss)}")
    loss.backward()
    if max_grad_norm is not None:
        torch.nn.utils.clip_grad_norm_(trainable, max_grad_norm)
    optimizer.step()
    return loss


def length_bucketed_batches(lengths: Sequence[int], batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """Shuffle, cut into buckets of 50 batches, sort each bucket by length, cut into batches, shuffle them.

    Neighbours in length share a batch, so padding (wasted compute) is small.
    """
    if isinstance(lengths, (str, bytes)) or not isinstance(lengths, Sequence):
        raise TypeError(f"lengths: expected a list of token counts, got {describe(lengths)}")
    batch_size = check_int("batch_size", batch_size, 1)
    check_type("generator", generator, torch.Generator, "a torch.Generator")
    order = torch.randperm(len(lengths), generator=generator).tolist()
    bucket = batch_size * _BATCHES_PER_BUCKET
    batches: list[list[int]] = []
    for start in range(0, len(order), bucket):
        chunk = sorted(order[start : start + bucket], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


def optimizer_groups(module: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """AdamW parameter groups: decay on weights, none on biases and LayerNorm weights (as BERT and SBERT).

    Only parameters that require grad are included; an empty group is left out.
    """
    check_type("module", module, nn.Module, "a torch.nn.Module")
    weight_decay = check_number("weight_decay", weight_decay, 0.0)
    decay, no_decay = [], []
    for name, parameter in module.named_parameters():
        if parameter.requires_grad:
            (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(parameter)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return [group for group in groups if group["params"]]


def warmup_steps_for(total_steps: int, warmup_ratio: float) -> int:
    """Warm-up length as the Hugging Face Trainer computes it: ``ceil(warmup_ratio * total_steps)``."""
    total_steps = check_int("total_steps", total_steps, 1)
    warmup_ratio = check_number("warmup_ratio", warmup_ratio, 0.0, 1.0)
    return math.ceil(warmup_ratio * total_steps)


def linear_warmup_factor(step: int, total_steps: int, warmup_steps: int) -> float:
    """The learning-rate factor at ``step`` (0-based), equal to ``get_linear_schedule_with_warmup``.

    Rises linearly from 0.0 at step 0 to 1.0 at ``warmup_steps``, then falls linearly to 0.0 at
    ``total_steps``: ``0, 1/w, 2/w, ...`` during warm-up (step ``s`` trains with factor ``s / w``).
    """
    step = check_int("step", step, 0)
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


def train_loop(
    module: nn.Module,
    batches: Callable[[int], Sequence[Any]],
    loss_fn: Callable[[nn.Module, Any], torch.Tensor],
    *,
    epochs: int = 1,
    learning_rate: float = 2e-4,
    warmup_ratio: float = 0.1,
    weight_decay: float = 0.01,
    seed: int = 0,
    show_progress: bool | None = None,
    desc: str = "Training",
    max_grad_norm: float | None = None,
) -> list[float]:
    """Train ``module`` in place with AdamW and a linear warm-up/decay schedule; return the per-step losses.

    ``batches(epoch)`` returns that epoch's batches (the caller seeds its own shuffling) and
    ``loss_fn(module, batch)`` returns a 0-d loss tensor. Each step, in this order:
    ``zero_grad``, ``loss_fn``, ``backward``, clip the gradient norm to ``max_grad_norm`` (when not
    None), ``optimizer.step()``, ``scheduler.step()``. The optimiser is AdamW over the parameters
    that require grad (:func:`optimizer_groups`: no weight decay on biases and LayerNorm weights);
    the schedule is :func:`linear_warmup_factor` with ``ceil(warmup_ratio * total_steps)`` warm-up
    steps, equal to ``transformers.get_linear_schedule_with_warmup`` (step 0 trains with factor 0.0
    when there is warm-up). Dropout is seeded with ``seed`` without touching the caller's random
    state. ``show_progress=None`` shows a bar when there are more than 16 steps (as ``encode``).
    The module is put back in eval mode, also on error.
    """
    check_type("module", module, nn.Module, "a torch.nn.Module")
    check_callable("batches", batches, "a function epoch -> list of batches")
    check_callable("loss_fn", loss_fn, "a function (module, batch) -> loss tensor")
    epochs = check_int("epochs", epochs, 1)
    learning_rate = check_number("learning_rate", learning_rate, 0.0, low_inclusive=False)
    warmup_ratio = check_number("warmup_ratio", warmup_ratio, 0.0, 1.0)
    weight_decay = check_number("weight_decay", weight_decay, 0.0)
    seed = check_int("seed", seed, 0)
    if show_progress is not None:
        show_progress = check_bool("show_progress", show_progress)
    desc = check_str("desc", desc)
    if max_grad_norm is not None:
        max_grad_norm = check_number("max_grad_norm", max_grad_norm, 0.0, low_inclusive=False)
    groups = optimizer_groups(module, weight_decay)
    if not groups:
        raise ValueError("module: expected at least one parameter that requires grad, got none")

    device = next(module.parameters()).device
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        epoch_batches = []
        for epoch in range(epochs):
            this_epoch = batches(epoch)
            if not isinstance(this_epoch, Sequence) or isinstance(this_epoch, (str, bytes)):
                raise TypeError(f"batches: expected batches(epoch) to return a list, got {describe(this_epoch)}")
            if len(this_epoch) == 0:
                raise ValueError(f"batches: expected at least one batch in epoch {epoch}, got none")
            epoch_batches.append(this_epoch)
        total_steps = sum(len(b) for b in epoch_batches)
        warmup_steps = warmup_steps_for(total_steps, warmup_ratio)
        optimizer = torch.optim.AdamW(groups, lr=learning_rate)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: linear_warmup_factor(step, total_steps, warmup_steps)
        )
        trainable = [p for group in groups for p in group["params"]]
        if show_progress is None:
            show_progress = total_steps > _PROGRESS_MIN_STEPS
        progress = None
        if show_progress:
            from tqdm.auto import tqdm

            progress = tqdm(total=total_steps, desc=desc, unit="step")
        losses: list[float] = []
        module.train()
        try:
            for this_epoch in epoch_batches:
                for batch in this_epoch:
                    loss = _optimisation_step(module, optimizer, loss_fn, batch, trainable, max_grad_norm)
                    scheduler.step()
                    losses.append(float(loss.detach()))
                    if progress is not None:
                        progress.update(1)
                        progress.set_postfix(loss=f"{losses[-1]:.4f}")
        finally:
            if progress is not None:
                progress.close()
            module.eval()
            optimizer.zero_grad(set_to_none=True)
    return losses


# --------------------------------------------------------------------------- fine_tune


def fine_tune(
    pairs: SentencePairs | tuple,
    model: LoadedModel | str | None = None,
    pooling: str = "cls",
    epochs: int = 1,
    batch_size: int = 16,
    learning_rate: float = 2e-4,
    trainable_layers: int | None = 2,
    warmup_ratio: float = 0.1,
    weight_decay: float = 0.01,
    max_grad_norm: float | None = 1.0,
    max_score: float = 5.0,
    seed: int = 0,
    max_length: int | None = None,
    show_progress: bool | None = None,
) -> FineTuneResult:
    """Fine-tune a COPY of ``model`` (default: all-MiniLM-L6-v2) on scored sentence pairs.

    Exactly this, so a plain loop can reproduce it step for step:

    1. copy the model (:func:`course_lib.models.load_fresh_model`); freeze all but the top
       ``trainable_layers`` blocks (:func:`freeze_lower_layers`; ``None``: train everything);
    2. tokenise both sides once (truncated to ``max_length``, default the model's);
    3. each epoch ``e``, :func:`length_bucketed_batches` over ``max(len(a), len(b))`` per pair with a
       ``torch.Generator`` seeded with ``seed`` once before epoch 0 (so epoch 1 continues its stream);
    4. :func:`train_loop` with ``seed``: per batch, pad both sides on the right, embed with
       ``pooling`` (:func:`embed_batch`), :func:`cosine_similarity_loss` against ``gold``, backward,
       clip the gradient norm to ``max_grad_norm``, AdamW step, schedule step.

    ``show_progress=None`` shows a bar when there are more than 16 steps (as ``encode``). Returns a
    :class:`FineTuneResult` whose ``.model`` is in eval mode with every parameter trainable again.
    """
    data = check_pairs("pairs", pairs, check_number("max_score", max_score, 0.0, low_inclusive=False))
    check_method(pooling)
    batch_size = check_int("batch_size", batch_size, 1)
    seed = check_int("seed", seed, 0)
    if show_progress is not None:
        show_progress = check_bool("show_progress", show_progress)
    source = resolve_model(model)
    length = resolve_max_length(source, max_length)
    source = load_fresh_model(source)  # never train the caller's (shared, cached) model
    network = source.model
    trainable = freeze_lower_layers(network, trainable_layers)
    total = sum(p.numel() for p in network.parameters())

    tokenizer = source.tokenizer
    tokens_a = tokenizer(data.sentences1, truncation=True, max_length=length)
    tokens_b = tokenizer(data.sentences2, truncation=True, max_length=length)
    features = [key for key in ("input_ids", "token_type_ids", "attention_mask") if key in tokens_a]
    pair_lengths = [max(len(a), len(b)) for a, b in zip(tokens_a["input_ids"], tokens_b["input_ids"])]
    gold = torch.tensor(data.scores, dtype=torch.float32)
    device = source.device
    generator = torch.Generator().manual_seed(seed)

    def padded(tokens, indices: list[int]) -> dict[str, torch.Tensor]:
        batch = tokenizer.pad({key: [tokens[key][i] for i in indices] for key in features}, return_tensors="pt")
        return {key: value.to(device) for key, value in batch.items()}

    def loss_fn(network: nn.Module, indices: list[int]) -> torch.Tensor:
        u = embed_batch(network, padded(tokens_a, indices), pooling)
        v = embed_batch(network, padded(tokens_b, indices), pooling)
        return cosine_similarity_loss(u, v, gold[indices].to(device), max_score)

    started = time.perf_counter()
    try:
        losses = train_loop(
            network, lambda epoch: length_bucketed_batches(pair_lengths, batch_size, generator), loss_fn,
            epochs=epochs, learning_rate=learning_rate, warmup_ratio=warmup_ratio, weight_decay=weight_decay,
            seed=seed, show_progress=show_progress, desc=f"Fine-tuning ({pooling})", max_grad_norm=max_grad_norm,
        )
    finally:
        network.requires_grad_(True)
    seconds = time.perf_counter() - started
    settings = dict(
        pooling=pooling, epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
        trainable_layers=trainable_layers, warmup_ratio=warmup_ratio, weight_decay=weight_decay,
        max_grad_norm=max_grad_norm, max_score=max_score, seed=seed, max_length=length, pairs=len(pair_lengths),
    )
    trained = LoadedModel(
        name=f"{source.name} (fine-tuned, {pooling})", tokenizer=tokenizer, model=network, max_length=source.max_length
    )
    return FineTuneResult(trained, losses, seconds, trainable, total, settings)

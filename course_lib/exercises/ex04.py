"""Exercises of notebook 04 (CLS pooling and fine-tuning the CLS token).

Importing this module registers the exercises, so ``show_solution("ex04_training_step")`` works;
models are built only when a check runs.

- :func:`check_cosine_similarity_loss` (``ex04_cosine_similarity_loss``): SBERT's
  CosineSimilarityLoss, ``mean((cos(u, v) - gold / 5) ** 2)``.
- :func:`check_training_step` (``ex04_training_step``): one optimisation step of CLS fine-tuning,
  checked against :func:`course_lib.finetune.training_step` on a tiny BERT (losses and weights
  after two steps).

Left padding and naive CLS is notebook 02's exercise (``ex02_left_padding_cls``);
:func:`naive_left_padded_cls` shows what it does to a real model.
"""

from __future__ import annotations

import torch

from course_lib.exercises.core import function_exercise
from course_lib.finetune import cosine_similarity_loss, training_step

__all__ = [
    "LEFT_PADDING_TEXTS",
    "check_cosine_similarity_loss",
    "check_training_step",
    "naive_left_padded_cls",
    "tiny_bert_batch",
]


# --------------------------------------------------------------------------- 1. the loss


def _loss_cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(4)
    u = torch.randn(6, 8, generator=generator)
    v = torch.randn(6, 8, generator=generator)
    gold = torch.tensor([0.0, 1.0, 2.5, 3.0, 4.2, 5.0])
    near = u + 0.1 * torch.randn(6, 8, generator=generator)  # cosines near 1
    scaled = torch.stack([u[0], 7.0 * u[0], -u[0]])  # cos 1, 1 and -1: length must not matter
    return [(u, v, gold), (u, near, gold.flip(0)), (scaled[:1].expand(3, 8), scaled, torch.tensor([5.0, 5.0, 0.0]))]


COSINE_LOSS_HINT = (
    "F.cosine_similarity(u, v, dim=1) gives one cosine per pair (batch,); the target is gold / 5 "
    "(a score in [0, 1]), and the loss is the MEAN of the squared differences."
)

check_cosine_similarity_loss = function_exercise(
    name="ex04_cosine_similarity_loss",
    question=(
        "Write cosine_similarity_loss(u, v, gold): u and v are (batch, hidden) sentence vectors, gold "
        "(batch,) scores from 0 to 5. Return the mean squared error between cos(u_i, v_i) and gold_i / 5 "
        "(a 0-d tensor)."
    ),
    solution='''
import torch.nn.functional as F

def cosine_similarity_loss(u, v, gold):
    cosine = F.cosine_similarity(u, v, dim=1)      # (batch,)
    return ((cosine - gold / 5) ** 2).mean()       # = F.mse_loss(cosine, gold / 5)
''',
    reference_fn=cosine_similarity_loss,
    cases=_loss_cases(),
    hint=COSINE_LOSS_HINT,
).check


# --------------------------------------------------------------------------- 2. the training step


def tiny_bert_batch(seed: int = 0):
    """A tiny BERT without dropout and a batch of 4 padded pairs: ``(model, features_a, features_b, gold)``.

    Small enough that a check runs in milliseconds; the same code path as the real model.
    """
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=16, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
        initializer_range=0.2,  # larger than BERT's 0.02, so that different inputs get different [CLS] vectors
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = BertModel(config)
        generator = torch.Generator().manual_seed(seed)

        def features(lengths: list[int]) -> dict[str, torch.Tensor]:
            seq = max(lengths)
            ids = torch.randint(5, 50, (len(lengths), seq), generator=generator)
            mask = (torch.arange(seq)[None, :] < torch.tensor(lengths)[:, None]).long()
            ids = ids * mask  # id 0 is [PAD]
            ids[:, 0] = 2  # a [CLS]-like first token
            return {"input_ids": ids, "token_type_ids": torch.zeros_like(ids), "attention_mask": mask}

        features_a, features_b = features([7, 5, 3, 6]), features([4, 7, 7, 2])
    model.train()
    return model, features_a, features_b, torch.tensor([4.5, 1.0, 3.2, 0.0])


TRAINING_STEP_HINT = (
    "optimizer.zero_grad(); u = model(**features_a).last_hidden_state[:, 0]; the same for v; "
    "loss = cosine_similarity_loss(u, v, gold); loss.backward(); optimizer.step(); return loss.item(). "
    "If the losses match but the weights do not, look at the order of zero_grad, backward and step."
)


def reference_training_step(model, optimizer, features_a, features_b, gold) -> float:
    """:func:`course_lib.finetune.training_step` with CLS pooling and no clipping, as the exercise asks."""
    return training_step(model, optimizer, features_a, features_b, gold, pooling="cls", max_grad_norm=None)


def two_steps_on_a_tiny_bert(step_fn):
    """``step_fn`` as the check calls it: two steps with SGD(lr=0.1) on :func:`tiny_bert_batch`.

    Returns a function of no arguments giving the loss and all weights (flattened) after each
    step, so a step that forgets ``optimizer.step()`` or ``zero_grad()`` shows in the weights.
    """

    def run() -> dict[str, object] | None:
        model, features_a, features_b, gold = tiny_bert_batch()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        outcome: dict[str, object] = {}
        for step in (1, 2):
            loss = step_fn(
                model, optimizer, {k: v.clone() for k, v in features_a.items()},
                {k: v.clone() for k, v in features_b.items()}, gold.clone(),
            )
            if loss is None or loss is Ellipsis:
                return loss
            outcome[f"loss after step {step}"] = loss.detach() if isinstance(loss, torch.Tensor) else loss
            outcome[f"weights after step {step}"] = torch.cat([p.detach().flatten() for p in model.parameters()])
        return outcome

    return run


check_training_step = function_exercise(
    name="ex04_training_step",
    question=(
        "Write training_step(model, optimizer, features_a, features_b, gold) for CLS fine-tuning: embed "
        "both sides with the model's [CLS] vector, compute the CosineSimilarityLoss, update the weights "
        "once and return the loss as a float."
    ),
    solution='''
import torch.nn.functional as F

def training_step(model, optimizer, features_a, features_b, gold):
    optimizer.zero_grad()                                    # forget the previous step's gradients
    u = model(**features_a).last_hidden_state[:, 0]          # CLS vectors (batch, hidden)
    v = model(**features_b).last_hidden_state[:, 0]          # (right padding: column 0 is [CLS])
    loss = F.mse_loss(F.cosine_similarity(u, v, dim=1), gold / 5)
    loss.backward()                                          # gradients of the loss
    optimizer.step()                                         # move the weights
    return loss.item()
''',
    reference_fn=reference_training_step,
    cases=[()],
    hint=TRAINING_STEP_HINT,
    atol=1e-5,
    rtol=1e-4,
    run=two_steps_on_a_tiny_bert,
).check


# --------------------------------------------------------------------------- left padding, shown (not an exercise)

LEFT_PADDING_TEXTS = ["Dogs bark.", "The orchestra played Beethoven's ninth symphony last night."]


def naive_left_padded_cls(model=None) -> tuple[list[str], torch.Tensor]:
    """What a naive CLS gives for :data:`LEFT_PADDING_TEXTS`: pad on the left, call the model, take column 0.

    Returns the short row's tokens and the vectors ``hidden[:, 0]`` ``(2, hidden)``.
    """
    from course_lib.embed import resolve_model

    loaded = resolve_model(model)
    tokenizer = loaded.tokenizer
    previous_side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    try:
        batch = tokenizer(LEFT_PADDING_TEXTS, padding=True, return_tensors="pt").to(loaded.device)
    finally:
        tokenizer.padding_side = previous_side
    with torch.inference_mode():
        hidden = loaded.model(**batch).last_hidden_state
    return tokenizer.convert_ids_to_tokens(batch["input_ids"][0]), hidden[:, 0].float()

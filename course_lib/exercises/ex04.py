"""Exercises of notebook 04 (CLS pooling and fine-tuning the CLS token).

Importing this module registers the exercises, so ``show_solution("ex04_training_step")`` works;
models are built only when a check runs.

- ``ex04_cosine_similarity_loss``: SBERT's CosineSimilarityLoss, ``mean((cos(u, v) - gold / 5) ** 2)``.
- ``ex04_training_step``: one optimisation step of CLS fine-tuning, checked against
  :func:`course_lib.finetune.training_step` on a tiny BERT (loss and weights after two steps).
- ``ex04_left_padding``: predict what ``hidden[:, 0]`` ("naive CLS") holds when a batch is padded on the left.
"""

from __future__ import annotations

import copy

import torch

from course_lib.exercises.core import (
    Exercise,
    Feedback,
    _is_placeholder,
    _one_line,
    cmp,
    function_exercise,
    register,
)
from course_lib.finetune import cosine_similarity_loss, training_step

__all__ = [
    "COSINE_LOSS",
    "TRAINING_STEP",
    "LEFT_PADDING",
    "LEFT_PADDING_TEXTS",
    "check_cosine_similarity_loss",
    "check_training_step",
    "check_left_padding",
    "reference_left_padding",
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

COSINE_LOSS = function_exercise(
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
)


def check_cosine_similarity_loss(fn) -> Feedback:
    """Check a learner's ``cosine_similarity_loss(u, v, gold) -> 0-d tensor`` on three batches."""
    return COSINE_LOSS.check(fn)


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
    "loss = cosine_similarity_loss(u, v, gold); loss.backward(); optimizer.step(); return loss.item()."
)


def _clone_features(features: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {key: value.clone() for key, value in features.items()}


def _max_param_diff(a: torch.nn.Module, b: torch.nn.Module) -> float:
    return max((p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters()))


def check_training_step(fn) -> Feedback:
    """Run a learner's ``training_step(model, optimizer, features_a, features_b, gold) -> float`` twice.

    Compared with :func:`course_lib.finetune.training_step` (CLS pooling, no clipping) on a tiny
    BERT with SGD: the returned loss and every weight after each of two steps.
    """
    name = "ex04_training_step"
    if _is_placeholder(fn):
        return Feedback(name, "not attempted")
    if not callable(fn):
        return Feedback(name, "incorrect", f"expected a function, got {type(fn).__name__}")
    reference_model, features_a, features_b, gold = tiny_bert_batch()
    learner_model = copy.deepcopy(reference_model)
    start_model = copy.deepcopy(reference_model)
    reference_optimizer = torch.optim.SGD(reference_model.parameters(), lr=0.1)
    learner_optimizer = torch.optim.SGD(learner_model.parameters(), lr=0.1)
    for step in range(2):
        expected = training_step(
            reference_model, reference_optimizer, features_a, features_b, gold, pooling="cls", max_grad_norm=None
        )
        try:
            got = fn(learner_model, learner_optimizer, _clone_features(features_a), _clone_features(features_b), gold.clone())
        except NotImplementedError:
            return Feedback(name, "not attempted")
        except Exception as error:  # the learner's bug, reported rather than raised
            message = f"step {step + 1} raised {type(error).__name__}: {_one_line(str(error))}"
            return Feedback(name, "incorrect", f"{message}. Hint: {TRAINING_STEP_HINT}")
        if got is None or got is Ellipsis:
            return Feedback(name, "not attempted", "the function returned None; return the loss as a float.")
        if isinstance(got, torch.Tensor) and got.requires_grad:
            got = got.detach()
        verdict = cmp(name, got, expected, atol=1e-5, rtol=1e-4)
        if not verdict:
            return Feedback(
                name, "incorrect",
                f"step {step + 1}: the returned loss is off ({verdict.message}). Hint: {TRAINING_STEP_HINT}",
            )
        if step == 0 and _max_param_diff(learner_model, start_model) == 0.0:
            return Feedback(
                name, "incorrect",
                "the loss is right but no weight changed: call loss.backward() and then optimizer.step().",
            )
        difference = _max_param_diff(learner_model, reference_model)
        if difference > 1e-5:
            cause = (
                "check the order: zero_grad, forward, loss, backward, step"
                if step == 0
                else "the first step was right, so gradients probably piled up: call optimizer.zero_grad() every step"
            )
            return Feedback(
                name, "incorrect", f"step {step + 1}: the weights after the update differ by up to {difference:.3g}; {cause}."
            )
    return Feedback(name, "correct", "loss and weights match the reference after 2 steps")


TRAINING_STEP = register(
    Exercise(
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
        hint=TRAINING_STEP_HINT,
        check=check_training_step,
    )
)


# --------------------------------------------------------------------------- 3. left padding

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
        batch = tokenizer(LEFT_PADDING_TEXTS, padding=True, return_tensors="pt")
    finally:
        tokenizer.padding_side = previous_side
    with torch.inference_mode():
        hidden = loaded.model(**batch).last_hidden_state
    return tokenizer.convert_ids_to_tokens(batch["input_ids"][0]), hidden[:, 0].float()


def reference_left_padding(model=None) -> dict[str, object]:
    """The true answers, computed: the token at column 0 of the short row, and whether each row's naive
    vector is (cosine > 0.99) the [CLS] vector the same text gets with right padding."""
    import torch.nn.functional as F

    from course_lib.embed import encode_tokens

    tokens, naive = naive_left_padded_cls(model)
    right_cls = encode_tokens(LEFT_PADDING_TEXTS, model).hidden[:, 0]  # right padding: column 0 is [CLS]
    cosine = F.cosine_similarity(naive, right_cls)
    return {
        "token_at_position_0_short": tokens[0],
        "naive_is_cls_short": bool(cosine[0] > 0.99),
        "naive_is_cls_long": bool(cosine[1] > 0.99),
    }


LEFT_PADDING_HINT = (
    "left padding puts the [PAD] tokens BEFORE the text, so column 0 of a short row is padding, and the "
    "real tokens sit at later positions than usual; the longest row has no padding at all."
)

LEFT_PADDING = register(
    Exercise(
        name="ex04_left_padding",
        question=(
            "The batch ['Dogs bark.', 'The orchestra played Beethoven's ninth symphony last night.'] is padded on "
            "the LEFT and sent to the model as it is; 'naive CLS' takes hidden[:, 0]. Predict: the token at "
            "position 0 of the short row; is the short row's naive vector (cosine > 0.99) the [CLS] vector that "
            "'Dogs bark.' gets with right padding; and is the long row's?"
        ),
        solution='''
answer = {
    "token_at_position_0_short": "[PAD]",  # left padding: the pads come first
    "naive_is_cls_short": False,           # column 0 is a pad, and every real token sits at a shifted position
    "naive_is_cls_long": True,             # the longest row has no padding: column 0 is [CLS]
}
''',
        hint=LEFT_PADDING_HINT,
        check=lambda answer: check_left_padding(answer),
    )
)


def check_left_padding(answer: object) -> Feedback:
    """Check a learner's three predictions (a dict) against what the model really does."""
    name = "ex04_left_padding"
    if _is_placeholder(answer):
        return Feedback(name, "not attempted")
    return cmp(name, answer, reference_left_padding(), hint=LEFT_PADDING_HINT)

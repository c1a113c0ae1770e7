"""Notebook 04's exercise checks: right answers pass, typical wrong answers fail with a useful message."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from course_lib.exercises import ex04, get_exercise
from course_lib.pooling import mean_pool


# --------------------------------------------------------------------------- 1. the loss


def test_cosine_similarity_loss_right_and_wrong():
    assert ex04.check_cosine_similarity_loss(lambda u, v, g: F.mse_loss(F.cosine_similarity(u, v, dim=1), g / 5))
    unscaled = ex04.check_cosine_similarity_loss(lambda u, v, g: F.mse_loss(F.cosine_similarity(u, v, dim=1), g))
    assert unscaled.status == "incorrect" and "gold / 5" in unscaled.message
    dot = ex04.check_cosine_similarity_loss(lambda u, v, g: ((u * v).sum(1) - g / 5).pow(2).mean())
    assert dot.status == "incorrect"
    summed = ex04.check_cosine_similarity_loss(lambda u, v, g: (F.cosine_similarity(u, v, dim=1) - g / 5).pow(2).sum())
    assert summed.status == "incorrect"
    one_minus = ex04.check_cosine_similarity_loss(lambda u, v, g: (1 - F.cosine_similarity(u, v, dim=1)).mean())
    assert one_minus.status == "incorrect"
    assert ex04.check_cosine_similarity_loss(None).status == "not attempted"
    assert ex04.check_cosine_similarity_loss(lambda u, v, g: ...).status == "not attempted"


# --------------------------------------------------------------------------- 2. the training step


def _embed_cls(model, features):
    return model(**features).last_hidden_state[:, 0]


def right_step(model, optimizer, features_a, features_b, gold):
    optimizer.zero_grad()
    loss = F.mse_loss(F.cosine_similarity(_embed_cls(model, features_a), _embed_cls(model, features_b)), gold / 5)
    loss.backward()
    optimizer.step()
    return loss.item()


def test_training_step_right_answers_pass():
    assert ex04.check_training_step(right_step)
    # Returning the loss tensor (detached or not) is fine too.
    def returns_tensor(model, optimizer, features_a, features_b, gold):
        optimizer.zero_grad()
        loss = F.mse_loss(F.cosine_similarity(_embed_cls(model, features_a), _embed_cls(model, features_b)), gold / 5)
        loss.backward()
        optimizer.step()
        return loss
    assert ex04.check_training_step(returns_tensor)


def test_training_step_wrong_answers_fail_with_the_cause():
    def no_zero_grad(model, optimizer, features_a, features_b, gold):
        loss = F.mse_loss(F.cosine_similarity(_embed_cls(model, features_a), _embed_cls(model, features_b)), gold / 5)
        loss.backward()
        optimizer.step()
        return loss.item()

    def no_step(model, optimizer, features_a, features_b, gold):
        optimizer.zero_grad()
        loss = F.mse_loss(F.cosine_similarity(_embed_cls(model, features_a), _embed_cls(model, features_b)), gold / 5)
        loss.backward()
        return loss.item()

    def mean_pooling(model, optimizer, features_a, features_b, gold):
        optimizer.zero_grad()
        u = mean_pool(model(**features_a).last_hidden_state, features_a["attention_mask"])
        v = mean_pool(model(**features_b).last_hidden_state, features_b["attention_mask"])
        loss = F.mse_loss(F.cosine_similarity(u, v), gold / 5)
        loss.backward()
        optimizer.step()
        return loss.item()

    def loss_after_step(model, optimizer, features_a, features_b, gold):
        right_step(model, optimizer, features_a, features_b, gold)
        with torch.no_grad():
            return F.mse_loss(F.cosine_similarity(_embed_cls(model, features_a), _embed_cls(model, features_b)), gold / 5).item()

    def crashes(model, optimizer, features_a, features_b, gold):
        return model(features_a)  # a dict passed as input_ids

    piled_up = ex04.check_training_step(no_zero_grad)
    assert piled_up.status == "incorrect" and "step 2" in piled_up.message and "zero_grad" in piled_up.message
    frozen = ex04.check_training_step(no_step)
    assert frozen.status == "incorrect" and "weights after step 1" in frozen.message
    wrong_pooling = ex04.check_training_step(mean_pooling)
    assert wrong_pooling.status == "incorrect" and "loss after step 1" in wrong_pooling.message
    assert ex04.check_training_step(loss_after_step).status == "incorrect"
    crashed = ex04.check_training_step(crashes)
    assert crashed.status == "incorrect" and "raised" in crashed.message
    assert ex04.check_training_step(3).status == "incorrect"


def test_training_step_not_attempted():
    def stub(model, optimizer, features_a, features_b, gold):
        ...

    def raises(model, optimizer, features_a, features_b, gold):
        raise NotImplementedError

    assert ex04.check_training_step(stub).status == "not attempted"
    assert ex04.check_training_step(raises).status == "not attempted"
    assert ex04.check_training_step(None).status == "not attempted"


# --------------------------------------------------------------------------- left padding, shown


def test_naive_left_padding_really_reads_a_pad(model):
    tokens, naive = ex04.naive_left_padded_cls(model)
    assert tokens[0] == "[PAD]" and "[CLS]" in tokens and naive.shape == (2, 384)
    assert model.tokenizer.padding_side == "right"  # restored


# --------------------------------------------------------------------------- solutions


@pytest.mark.parametrize(
    ("name", "defines"),
    [("ex04_cosine_similarity_loss", "cosine_similarity_loss"), ("ex04_training_step", "training_step")],
)
def test_the_registered_solution_passes_its_own_check(name, defines):
    exercise = get_exercise(name)
    namespace: dict = {}
    exec(exercise.solution, namespace)
    assert defines in namespace, f"the solution of {name} must define {defines}"
    feedback = exercise.check(namespace[defines])
    assert feedback, feedback

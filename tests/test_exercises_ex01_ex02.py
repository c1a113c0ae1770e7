"""The exercises of notebooks 01 and 02: every check accepts a right answer, rejects wrong ones with a
useful message, says "not attempted" for the notebook's stub, and its registered solution passes."""

from __future__ import annotations

from course_lib.exercises.core import padded_test_batch

import pytest
import torch

from course_lib.embed import encode_tokens
from course_lib.exercises import get_exercise
from course_lib.exercises import ex01, ex02


def _run_solution(name: str, namespace: dict) -> dict:
    exec(get_exercise(name).solution, namespace)
    return namespace


# --------------------------------------------------------------------------- notebook 01


def test_word_vector(model):
    def right(text, word):
        output = encode_tokens(text, model)
        return output.hidden[0, output.tokens[0].index(word)]

    def last_occurrence(text, word):
        output = encode_tokens(text, model)
        tokens = output.tokens[0]
        return output.hidden[0, len(tokens) - 1 - tokens[::-1].index(word)]

    def static_lookup(text, word):  # the input embedding, not the contextual vector
        ids = torch.tensor([model.tokenizer.convert_tokens_to_ids(word)])
        return model.model.embeddings.word_embeddings(ids)[0].detach()

    def stub(text, word):
        ...

    assert ex01.check_word_vector(right)
    assert ex01.check_word_vector(last_occurrence).status == "incorrect"  # case 2 has two 'bank's
    feedback = ex01.check_word_vector(static_lookup)
    assert feedback.status == "incorrect" and "Hint" in feedback.message
    assert ex01.check_word_vector(lambda text, word: encode_tokens(text, model).hidden[0]).status == "incorrect"
    assert ex01.check_word_vector(stub).status == "not attempted"


def test_lost_tokens(model):
    tokenizer = model.tokenizer

    def right(text, max_length=256):
        return max(0, len(tokenizer(text, add_special_tokens=False)["input_ids"]) - (max_length - 2))

    def forgets_special_tokens(text, max_length=256):
        return max(0, len(tokenizer(text, add_special_tokens=False)["input_ids"]) - max_length)

    def goes_negative(text, max_length=256):
        return len(tokenizer(text, add_special_tokens=False)["input_ids"]) - (max_length - 2)

    def counts_words(text, max_length=256):
        return max(0, len(text.split()) - (max_length - 2))

    assert ex01.check_lost_tokens(right)
    for wrong in (forgets_special_tokens, goes_negative, counts_words):
        assert ex01.check_lost_tokens(wrong).status == "incorrect", wrong.__name__
    assert ex01.check_lost_tokens(lambda text, max_length=256: ...).status == "not attempted"
    assert [ex01.reference_lost_tokens(*case) for case in ex01.LOST_TOKENS_CASES][0] == 0
    assert ex01.reference_lost_tokens("Exactly fits.", 5) == 0 and ex01.reference_lost_tokens("Exactly fits.", 4) == 1
    with pytest.raises(ValueError, match="max_length"):
        ex01.reference_lost_tokens("text", 2)


def test_ex01_solutions_pass_their_checks(model):
    namespace = _run_solution("ex01_word_vector", {"encode_tokens": encode_tokens, "model": model})
    assert ex01.check_word_vector(namespace["word_vector"])
    namespace = _run_solution("ex01_lost_tokens", {"tokenizer": model.tokenizer})
    assert ex01.check_lost_tokens(namespace["lost_tokens"])


# --------------------------------------------------------------------------- notebook 02


def test_safe_mean():
    def right(hidden, mask):
        weights = mask.unsqueeze(-1).float()
        return ((hidden.float() * weights).sum(dim=1) / weights.sum(dim=1)).to(hidden.dtype)

    def unmasked(hidden, mask):
        return hidden.mean(dim=1)

    def float16_sum(hidden, mask):  # masked, but sums in the input dtype: overflows in float16
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1)

    def in_place(hidden, mask):
        hidden *= mask.unsqueeze(-1)
        return right(hidden, mask)

    assert ex02.check_safe_mean(right)
    assert ex02.check_safe_mean(unmasked).status == "incorrect"
    overflow = ex02.check_safe_mean(float16_sum)
    assert overflow.status == "incorrect" and "case 3" in overflow.message and "inf" in overflow.message
    assert ex02.check_safe_mean(in_place).status == "incorrect"
    assert ex02.check_safe_mean(lambda hidden, mask: ...).status == "not attempted"


def test_left_padding_cls(model):
    reference = ex02.reference_left_padding_cls()
    left = encode_tokens(ex02.LEFT_PADDING_SENTENCES, model, padding_side="left")
    lengths = left.attention_mask.sum(dim=1)
    assert reference == [bool(n < lengths.max()) for n in lengths]  # every row but the longest
    assert sum(reference) == 3
    assert ex02.check_left_padding_cls(reference)
    assert ex02.check_left_padding_cls([False] * 4).status == "incorrect"  # "CLS is always first"
    assert ex02.check_left_padding_cls([True] * 4).status == "incorrect"
    assert ex02.check_left_padding_cls(reference[:3]).status == "incorrect"
    assert ex02.check_left_padding_cls(...).status == "not attempted"


def test_mean_sqrt_len_from_mean():
    def right(mean_vectors, attention_mask):
        return mean_vectors * attention_mask.sum(dim=1, keepdim=True).float().sqrt()

    def misreading(mean_vectors, attention_mask):  # mean / sqrt(n)
        return mean_vectors / attention_mask.sum(dim=1, keepdim=True).float().sqrt()

    def counts_pads(mean_vectors, attention_mask):
        return mean_vectors * attention_mask.shape[1] ** 0.5

    assert ex02.check_mean_sqrt_len_from_mean(right)
    feedback = ex02.check_mean_sqrt_len_from_mean(misreading)
    assert feedback.status == "incorrect" and "sqrt(n)" in feedback.message
    assert ex02.check_mean_sqrt_len_from_mean(counts_pads).status == "incorrect"
    assert ex02.check_mean_sqrt_len_from_mean(lambda m, a: ...).status == "not attempted"


def test_mean_sqrt_len_reference_agrees_with_course_lib():
    from course_lib.pooling import mean_pool, mean_sqrt_len_pool

    embeddings, mask = padded_test_batch(5, [3, 11, 1, 6], side="left")
    torch.testing.assert_close(
        ex02.reference_mean_sqrt_len_from_mean(mean_pool(embeddings, mask), mask), mean_sqrt_len_pool(embeddings, mask)
    )


def test_ex02_solutions_pass_their_checks(model):
    namespace = _run_solution("ex02_safe_mean", {})
    assert ex02.check_safe_mean(namespace["safe_mean"])
    namespace = _run_solution(
        "ex02_left_padding_cls",
        {"encode_tokens": encode_tokens, "model": model, "LEFT_PADDING_SENTENCES": ex02.LEFT_PADDING_SENTENCES},
    )
    assert ex02.check_left_padding_cls(namespace["answer"])
    namespace = _run_solution("ex02_mean_sqrt_len_from_mean", {})
    assert ex02.check_mean_sqrt_len_from_mean(namespace["mean_sqrt_len_from_mean"])


def test_exercise_names_are_registered_once():
    from course_lib.exercises import list_exercises

    names = list_exercises()
    for name in ("ex01_word_vector", "ex01_lost_tokens", "ex02_safe_mean", "ex02_left_padding_cls",
                 "ex02_mean_sqrt_len_from_mean"):
        assert names.count(name) == 1
        assert get_exercise(name).hint

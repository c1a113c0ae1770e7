"""Exercises of notebook 01 (token vs sentence embeddings): a contextual word vector, and truncation.

Importing this module registers the exercises, so ``show_solution("ex01_word_vector")`` works; the
model loads only when a check runs.

- ``ex01_word_vector``: the contextual vector ``(hidden,)`` of a word inside a text.
- ``ex01_lost_tokens``: how many of a text's tokens the model never sees at a given ``max_length``.
"""

from __future__ import annotations

import torch

from course_lib.embed import encode_tokens
from course_lib.exercises.core import function_exercise
from course_lib.models import load_model

__all__ = [
    "check_word_vector",
    "check_lost_tokens",
    "reference_word_vector",
    "reference_lost_tokens",
]


def reference_word_vector(text: str, word: str) -> torch.Tensor:
    """The default model's vector ``(hidden,)`` for the first token of ``text`` equal to ``word``."""
    if not isinstance(text, str) or not isinstance(word, str):
        raise TypeError(f"text and word: expected two strings, got {type(text).__name__} and {type(word).__name__}")
    output = encode_tokens(text)
    tokens = output.tokens[0]
    if word not in tokens:
        raise ValueError(f"word: expected one of the text's tokens {tokens}, got {word!r}")
    return output.hidden[0, tokens.index(word)]


def reference_lost_tokens(text: str, max_length: int = 256) -> int:
    """How many of ``text``'s word pieces are cut when the model reads at most ``max_length`` tokens.

    ``[CLS]`` and ``[SEP]`` always take two of the ``max_length`` places.
    """
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 3:
        raise ValueError(f"max_length: expected an int >= 3, got {max_length!r}")
    n_pieces = len(load_model().tokenizer(text, add_special_tokens=False)["input_ids"])
    return max(0, n_pieces - (max_length - 2))


_STORY = (
    "The lighthouse keeper climbed the spiral stairs every evening, trimmed the wick, polished the "
    "great lens and wrote the weather into a leather-bound log before the ships came in. "
)

WORD_VECTOR_CASES = [
    ("We had a picnic on the bank of the river.", "bank"),
    ("The bank approved our mortgage application.", "bank"),
    ("The bank next to the river bank closes at five.", "bank"),  # the FIRST occurrence
    ("A cat sat on the warm mat.", "cat"),
]

LOST_TOKENS_CASES = [
    ("A short sentence loses nothing.", 256),
    (_STORY * 12, 256),
    (_STORY * 12, 128),
    (_STORY, 16),
    ("Exactly fits.", 5),
]

WORD_VECTOR_HINT = (
    "encode_tokens(text, model) gives .tokens[0] (a list of strings) and .hidden[0] (seq, 384); "
    "find the word's position with .index(word) and take that row."
)
LOST_TOKENS_HINT = (
    "count the word pieces with tokenizer(text, add_special_tokens=False), and remember that "
    "[CLS] and [SEP] use two of the max_length places; a short text loses 0, never a negative number."
)

check_word_vector = function_exercise(
    name="ex01_word_vector",
    question=(
        "Write word_vector(text, word) that returns the contextual vector (384,) of the first token "
        "of `text` equal to `word`, from the default model's last hidden state."
    ),
    solution='''
def word_vector(text, word):
    out = encode_tokens(text, model)
    position = out.tokens[0].index(word)
    return out.hidden[0, position]
''',
    reference_fn=reference_word_vector,
    cases=WORD_VECTOR_CASES,
    hint=WORD_VECTOR_HINT,
    atol=1e-4,
    rtol=1e-4,
).check

check_lost_tokens = function_exercise(
    name="ex01_lost_tokens",
    question=(
        "Write lost_tokens(text, max_length=256) that returns how many of the text's word pieces "
        "the model never sees because of truncation."
    ),
    solution='''
def lost_tokens(text, max_length=256):
    n_pieces = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    return max(0, n_pieces - (max_length - 2))  # [CLS] and [SEP] take two places
''',
    reference_fn=reference_lost_tokens,
    cases=LOST_TOKENS_CASES,
    hint=LOST_TOKENS_HINT,
).check

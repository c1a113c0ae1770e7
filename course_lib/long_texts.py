"""Build long texts from short sentences, and cut long texts back into chunks (notebook 03).

- :func:`hide_needles`   put one "needle" sentence inside filler sentences, at a random place:
  texts of any length whose one important detail is known, for measuring what compression loses;
- :func:`pack_sentences`  group consecutive sentences into chunks of at most ``max_tokens`` tokens,
  the usual way to embed a document longer than the model's window.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from course_lib import _checks
from course_lib.embed import check_texts, resolve_model
from course_lib.models import LoadedModel


class Haystacks(NamedTuple):
    """Texts with a needle inside: ``sentences[i]`` lists text i's sentences in order, and
    ``positions[i]`` is the needle's index among them; ``texts[i]`` is them joined by spaces."""

    texts: list[str]
    sentences: list[list[str]]
    positions: list[int]


def hide_needles(needles: Sequence[str], filler: Sequence[str], n_filler: int, seed: int = 0) -> Haystacks:
    """For every needle, a text of ``n_filler`` filler sentences with the needle at a random place.

    Deterministic for a given ``seed``. Needle i always draws its filler from the same shuffled
    order, so growing ``n_filler`` only *adds* sentences: the text with 4 filler sentences holds
    the 2 of the text with 2. Sentences are joined with a space.
    """
    needle_list = check_texts(needles, "needles")
    filler_list = check_texts(filler, "filler")
    n_filler = _checks.check_int("n_filler", n_filler, 0, len(filler_list))
    seed = _checks.check_int("seed", seed, 0)
    texts, all_sentences, positions = [], [], []
    for i, needle in enumerate(needle_list):
        rng = np.random.default_rng([seed, i])
        order = rng.permutation(len(filler_list))
        place = float(rng.random())  # where the needle goes, as a fraction of the text
        sentences = [filler_list[j] for j in order[:n_filler]]
        position = int(round(place * n_filler))
        sentences.insert(position, needle)
        texts.append(" ".join(sentences))
        all_sentences.append(sentences)
        positions.append(position)
    return Haystacks(texts, all_sentences, positions)


def pack_sentences(
    sentences: Sequence[str], max_tokens: int, model: LoadedModel | str | None = None
) -> list[str]:
    """Greedily join consecutive sentences into chunks of at most ``max_tokens`` tokens each.

    Tokens are counted with the model's tokenizer, ``[CLS]`` and ``[SEP]`` included, so every chunk
    fits a ``max_length`` of ``max_tokens``. A single sentence longer than that becomes a chunk of its
    own (and will be truncated when embedded). Order is kept; nothing is dropped.
    """
    items = check_texts(sentences, "sentences")
    max_tokens = _checks.check_int("max_tokens", max_tokens, 3)  # [CLS], one token, [SEP]
    tokenizer = resolve_model(model).tokenizer
    chunks: list[str] = []
    current: list[str] = []
    for sentence in items:
        candidate = " ".join([*current, sentence])
        if current and len(tokenizer(candidate)["input_ids"]) > max_tokens:
            chunks.append(" ".join(current))
            current = [sentence]
        else:
            current.append(sentence)
    chunks.append(" ".join(current))
    return chunks

"""A word-content probe: can a linear classifier read, from a text's vector, which words it contains? (notebook 03)

After Adi et al. (2017), "Fine-grained analysis of sentence embeddings using auxiliary prediction
tasks". Each example is a (text, word) pair, labelled 1 if the word occurs in the text and 0 if
not, half and half. The probe sees only the text's sentence vector and the word's vector, combined
element-wise (:func:`word_content_features`); how well it does, as texts grow longer, measures how
much of the text's wording the single vector still holds.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Sequence

import numpy as np
import torch

from course_lib._checks import check_int, check_str, check_tensor, check_texts, describe

# Very common words carry little content and occur in almost every long text: they are not probed.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor
    not now of off on once only or other our out over own same she should so some such than that the
    their them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your""".split()
)
_WORD = re.compile(r"[a-z]+")


def content_words(text: str) -> list[str]:
    """The distinct lower-case words of ``text`` with 3+ letters that are not :data:`STOPWORDS`, sorted."""
    check_str("text", text, allow_empty=True)
    return sorted({w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in STOPWORDS})


class WordContentPairs(NamedTuple):
    """Probe examples: ``text_index`` ``(m,)`` into the texts, the ``words`` (m), ``labels`` ``(m,)`` 1 = present."""

    text_index: np.ndarray
    words: list[str]
    labels: np.ndarray


def word_content_pairs(
    texts: Sequence[str], vocabulary: Sequence[str], per_text: int = 4, seed: int = 0
) -> WordContentPairs:
    """Up to ``per_text`` present and as many absent words for each text, drawn at random (seeded).

    Present words are the text's :func:`content_words`; absent ones come from ``vocabulary`` minus
    those. Each text contributes as many absent as present words, so guessing scores 50%.
    """
    items = check_texts("texts", texts)
    if isinstance(vocabulary, str):
        raise TypeError(f"vocabulary: expected a list of words, got the string {describe(vocabulary)}")
    check_texts("vocabulary", vocabulary)
    per_text = check_int("per_text", per_text, 1)
    seed = check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    known = sorted(set(vocabulary))
    index, words, labels = [], [], []
    for i, text in enumerate(items):
        present = content_words(text)
        present_set = set(present)
        absent = [w for w in known if w not in present_set]
        n = min(per_text, len(present), len(absent))
        if n == 0:
            continue
        chosen = [present[j] for j in rng.choice(len(present), n, replace=False)]
        chosen += [absent[j] for j in rng.choice(len(absent), n, replace=False)]
        index += [i] * (2 * n)
        words += chosen
        labels += [1] * n + [0] * n
    return WordContentPairs(np.asarray(index, dtype=np.int64), words, np.asarray(labels, dtype=np.int64))


def word_content_features(text_vectors: torch.Tensor, word_vectors: torch.Tensor) -> torch.Tensor:
    """Probe input ``(m, hidden)``: the element-wise product of unit text and word vectors, row by row.

    Summing a row gives the cosine of text and word, so a linear probe on these features can do at
    least what "is the word's cosine high?" does, and can also weigh the dimensions.
    """
    for name, x in (("text_vectors", text_vectors), ("word_vectors", word_vectors)):
        check_tensor(name, x, ndim=2, shape="(m, hidden)", floating=True, finite=True)
    if text_vectors.shape != word_vectors.shape:
        raise ValueError(
            f"word_vectors: expected the shape of text_vectors {tuple(text_vectors.shape)} (one row per pair), "
            f"got {tuple(word_vectors.shape)}"
        )
    unit = torch.nn.functional.normalize
    return unit(text_vectors.float(), dim=1) * unit(word_vectors.float(), dim=1)

"""Word-level baselines: what a model's *parts* give a sentence task without the whole (notebook 03).

Each function turns texts into one feature vector per text, so a linear classifier can compare
them with pooled sentence embeddings on the same task:

- :func:`static_word_average`  the mean of the model's *input* word-piece embeddings
  (``model.embeddings.word_embeddings``): the lookup table, before any layer, so no context;
- :func:`isolated_word_average`  every word run through the whole encoder *alone*, then averaged:
  all the network, but no word ever sees its neighbours;
- :func:`bag_of_words`  which words a text contains (binary), with no model at all;
- :func:`featurize`  one entry point for these and the sentence embedding (:data:`APPROACHES`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from scipy import sparse

from course_lib._checks import check_choice
from course_lib.embed import check_positive_int, check_texts, encode, resolve_model
from course_lib.models import LoadedModel

SENTENCE = "sentence embedding"
WORD_PIECES = "word-piece average"
WORDS_ALONE = "words encoded alone"
BAG_OF_WORDS = "bag of words"
APPROACHES: tuple[str, ...] = (SENTENCE, WORD_PIECES, WORDS_ALONE, BAG_OF_WORDS)

# Words keep their apostrophes, so "didn't" and SST-2's split-off "n't" stay one feature: a fair
# bag of words must be able to see negation (scikit-learn's default pattern drops "n't" entirely).
WORD_PATTERN = r"(?u)[\w']+"


def static_word_average(texts: str | Sequence[str], model: LoadedModel | str | None = None) -> torch.Tensor:
    """Average of each text's input word-piece embeddings: ``(n, hidden)`` float32.

    Looks the word pieces up in the encoder's input table (``model.embeddings.word_embeddings`` for
    BERT), with no ``[CLS]``/``[SEP]``, no position embeddings and no layer: the same vector for a
    word in every sentence. A text with no word piece (``""``) gets the zero vector.
    """
    loaded = resolve_model(model)
    items = check_texts(texts)
    table = loaded.model.get_input_embeddings().weight.detach().float().cpu()
    ids = loaded.tokenizer(items, add_special_tokens=False)["input_ids"]
    out = torch.zeros(len(items), table.shape[1], dtype=torch.float32)
    for row, pieces in enumerate(ids):
        if pieces:
            out[row] = table[torch.tensor(pieces)].mean(dim=0)
    return out


def isolated_word_average(
    texts: str | Sequence[str], model: LoadedModel | str | None = None, batch_size: int = 128
) -> torch.Tensor:
    """Average of each word's sentence embedding when the word is encoded on its own: ``(n, hidden)``.

    Words are the whitespace-separated pieces of a text; each distinct word is encoded once (mean
    pooling, as :func:`course_lib.embed.encode`). A text with no word gets the zero vector.
    """
    loaded = resolve_model(model)
    items = check_texts(texts)
    batch_size = check_positive_int("batch_size", batch_size)
    words_per_text = [text.split() for text in items]
    vocabulary = sorted({word for words in words_per_text for word in words})
    out = torch.zeros(len(items), loaded.hidden_size, dtype=torch.float32)
    if not vocabulary:
        return out
    word_vectors = encode(vocabulary, loaded, batch_size=batch_size, show_progress=False)
    index = {word: i for i, word in enumerate(vocabulary)}
    for row, words in enumerate(words_per_text):
        if words:
            out[row] = word_vectors[[index[word] for word in words]].mean(dim=0)
    return out


def bag_of_words(texts: str | Sequence[str], vocabulary_texts: Sequence[str] | None = None) -> sparse.csr_matrix:
    """Binary word-presence matrix ``(n, vocabulary)`` (scipy sparse, float64), lower-cased.

    The vocabulary comes from ``vocabulary_texts`` (default: ``texts`` themselves). To featurise a
    test set, pass the training texts as ``vocabulary_texts``: words never seen in training are
    dropped, as a model trained on them could not use them anyway.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    items = check_texts(texts)
    fit_on = items if vocabulary_texts is None else check_texts(vocabulary_texts)
    vectorizer = CountVectorizer(binary=True, lowercase=True, token_pattern=WORD_PATTERN, dtype=np.float64)
    try:
        vectorizer.fit(fit_on)
    except ValueError as error:  # scikit-learn: "empty vocabulary; perhaps the documents only contain stop words"
        raise ValueError(f"vocabulary_texts: expected texts with at least one word, got none ({error})") from error
    return vectorizer.transform(items).tocsr()


def featurize(
    approach: str,
    texts: str | Sequence[str],
    model: LoadedModel | str | None = None,
    vocabulary_texts: Sequence[str] | None = None,
) -> torch.Tensor | sparse.csr_matrix:
    """Features ``(n, d)`` of ``texts`` for one of :data:`APPROACHES`.

    ``"sentence embedding"`` is the model's mean-pooled sentence vector; ``vocabulary_texts`` is
    used by ``"bag of words"`` only (see :func:`bag_of_words`).
    """
    check_choice("approach", approach, APPROACHES)
    if approach == SENTENCE:
        return encode(texts, model, pooling="mean", show_progress=False)
    if approach == WORD_PIECES:
        return static_word_average(texts, model)
    if approach == WORDS_ALONE:
        return isolated_word_average(texts, model)
    return bag_of_words(texts, vocabulary_texts)

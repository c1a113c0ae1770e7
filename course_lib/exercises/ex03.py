"""Exercises of notebook 03 (why sentence embeddings): the parts, the clusters and the tokens.

Importing this module registers the exercises, so ``show_solution("ex03_purity")`` works; the
model loads only when a check that needs it runs.

- ``ex03_words_alone``: the "words encoded alone" baseline for one text, ``(hidden,)``.
- ``ex03_purity``: the purity of a clustering against the true classes.
- ``ex03_maxsim``: the late-interaction MaxSim score of one query against one document.
"""

from __future__ import annotations


import numpy as np
import torch

from course_lib.baselines import isolated_word_average
from course_lib.clustering import purity
from course_lib.exercises.core import function_exercise
from course_lib.late_interaction import maxsim

__all__ = [
    "check_words_alone",
    "check_purity",
    "check_maxsim",
    "reference_words_alone",
]


def reference_words_alone(text: str) -> torch.Tensor:
    """The default model's "words encoded alone" vector ``(hidden,)`` of ``text``."""
    return isolated_word_average(text)[0]


WORDS_ALONE_CASES = [
    ("not bad at all",),
    ("The plot is thin , but the acting is superb .",),
    ("delightful",),
]

PURITY_CASES = [
    (np.array([0, 0, 0, 1, 1, 2]), np.array([5, 5, 7, 7, 7, 9])),
    (np.array([0, 1, 0, 1]), np.array([0, 0, 0, 0])),      # one big cluster
    (np.array([0, 0, 1, 1, 2]), np.array([0, 1, 2, 3, 4])),  # one cluster per item
    (np.array([2, 2, 1, 1, 0, 0, 0]), np.array([1, 1, 1, 0, 0, 0, 2])),
]


def _maxsim_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(3)
    doc = torch.randn(9, 16, generator=generator)
    return [
        (torch.randn(4, 16, generator=generator), torch.randn(7, 16, generator=generator)),
        (torch.randn(2, 16, generator=generator) * 5.0, torch.randn(11, 16, generator=generator) * 0.1),
        (doc[[1, 4]], doc),  # every query token occurs in the document: the score is 1
        (torch.randn(1, 384, generator=generator), torch.randn(30, 384, generator=generator)),
    ]


check_words_alone = function_exercise(
    name="ex03_words_alone",
    question=(
        "Write words_alone(text) that returns the 'words encoded alone' vector (384,): split the text "
        "on whitespace, encode every word on its own with the model (mean pooling), and average."
    ),
    solution='''
def words_alone(text):
    words = text.split()
    return encode(words, model).mean(dim=0)  # (n_words, 384) -> (384,)
''',
    reference_fn=reference_words_alone,
    cases=WORDS_ALONE_CASES,
    hint=(
        "encode(list_of_words, model) gives one row per word, each computed with no neighbours; "
        "encode(text, model) would let the words see each other, which is the whole, not the parts."
    ),
    atol=1e-5,
    rtol=1e-4,
).check

check_purity = function_exercise(
    name="ex03_purity",
    question=(
        "Write purity(true_labels, cluster_ids) for two integer arrays of the same length: for each "
        "cluster, count its most common true label; return the sum of those counts divided by n."
    ),
    solution='''
def purity(true_labels, cluster_ids):
    total = 0
    for cluster in np.unique(cluster_ids):
        members = true_labels[cluster_ids == cluster]
        total += np.bincount(members).max()   # size of the cluster's majority class
    return total / len(true_labels)
''',
    reference_fn=purity,
    cases=PURITY_CASES,
    hint=(
        "weight each cluster by its size: add up the majority counts and divide once by n, rather than "
        "averaging per-cluster shares; and take the majority within each cluster, not within each class."
    ),
).check

check_maxsim = function_exercise(
    name="ex03_maxsim",
    question=(
        "Write maxsim(query_tokens, doc_tokens) for tensors (q, hidden) and (d, hidden): for every query "
        "token, the highest cosine similarity to any document token; return the mean of those q values."
    ),
    solution='''
def maxsim(query_tokens, doc_tokens):
    q = F.normalize(query_tokens, dim=1)          # unit rows: dot product = cosine
    d = F.normalize(doc_tokens, dim=1)
    similarities = q @ d.T                        # (q, d)
    return similarities.max(dim=1).values.mean()  # best match per query token, then the mean
''',
    reference_fn=maxsim,
    cases=_maxsim_cases(),
    hint=(
        "normalise the rows first (cosine, not dot product), take the max over the DOCUMENT tokens "
        "(dim=1 of the (q, d) matrix), and average over the query tokens (ColBERT sums; here we average)."
    ),
    atol=1e-5,
    rtol=1e-4,
).check

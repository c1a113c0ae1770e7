"""Exercises of notebook 09 (the pitfalls clinic): "find the bug in a colleague's code".

Each exercise shows a colleague's function and what it printed; the learner writes the corrected
function and the check runs it against the fix on batches built to expose
the bug. Importing this module registers the exercises, so ``show_solution("ex09_fix_mean")`` works.

- ``ex09_fix_mean``: a mean over every position, pads included (case 2).
- ``ex09_fix_last_token``: ``hidden[:, -1]`` as "the last token" (case 3).
- ``ex09_fix_search``: top-k by raw dot product on unnormalised vectors (case 5).
"""

from __future__ import annotations

import torch

from course_lib.exercises.core import function_exercise
from course_lib.exercises.core import padded_test_batch
from course_lib.pooling import last_token_pool, mean_pool
from course_lib.similarity import most_similar

__all__ = ["check_fix_mean", "check_fix_last_token", "check_fix_search", "reference_search"]

# Batches padded on the right and on the left, with pads that hold large junk values.
_PADDED_CASES = [
    padded_test_batch(90, [4, 2, 5]),
    padded_test_batch(91, [3, 6, 1], side="left"),
    padded_test_batch(92, [7, 7]),
    padded_test_batch(93, [1, 5, 2, 8], hidden=16),
]

check_fix_mean = function_exercise(
    name="ex09_fix_mean",
    question=(
        "A colleague's sentence_vectors(hidden, mask) returns hidden.mean(dim=1), and the same sentence gets a "
        "different vector in a batch of 32 than alone. Write the corrected sentence_vectors(hidden, mask): "
        "hidden (batch, seq, hidden), mask (batch, seq) of 0/1 -> (batch, hidden)."
    ),
    solution='''
def sentence_vectors(hidden, mask):
    weights = mask.unsqueeze(-1).to(hidden.dtype)         # (batch, seq, 1): 1 on real tokens
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1)   # divide by the number of REAL tokens
''',
    reference_fn=mean_pool,
    cases=_PADDED_CASES,
    hint="hidden.mean(dim=1) divides by seq, padding included; multiply by the mask and divide by mask.sum(dim=1).",
).check

check_fix_last_token = function_exercise(
    name="ex09_fix_last_token",
    question=(
        "A colleague pools decoder-style with last_token(hidden, mask) = hidden[:, -1]. Under right padding "
        "it reads a [PAD] for every row shorter than the longest. Write the corrected last_token(hidden, mask) "
        "that returns each row's last REAL token, whether the batch is padded on the right or on the left."
    ),
    solution='''
def last_token(hidden, mask):
    seq = mask.shape[1]
    # position of the last 1 in each row: flip the mask, find the first 1, count back from the end
    last = seq - 1 - mask.flip(dims=[1]).argmax(dim=1)
    return hidden[torch.arange(hidden.shape[0]), last]
''',
    reference_fn=last_token_pool,
    cases=_PADDED_CASES,
    hint="(mask.sum(dim=1) - 1) is right only under right padding; find the LAST position whose mask is 1 "
    "(mask.flip(dims=[1]).argmax(dim=1) counts it from the end).",
).check


def reference_search(query: torch.Tensor, corpus: torch.Tensor, k: int) -> torch.Tensor:
    """Indices ``(k,)`` of the ``k`` corpus rows with the highest cosine to ``query`` ``(d,)``."""
    return most_similar(query, corpus, "cosine", k=k)[0]


def _search_cases() -> list[tuple[torch.Tensor, torch.Tensor, int]]:
    generator = torch.Generator().manual_seed(9)
    cases = []
    for rows, dim, k in ((12, 8, 3), (40, 16, 5), (25, 384, 4)):
        directions = torch.randn(rows, dim, generator=generator)
        lengths = torch.rand(rows, 1, generator=generator) * 9 + 1  # norms from 1 to 10, as raw vectors vary
        cases.append((torch.randn(dim, generator=generator), directions * lengths, k))
    return cases


check_fix_search = function_exercise(
    name="ex09_fix_search",
    question=(
        "A colleague's search(query, corpus, k) returns (corpus @ query).topk(k).indices on raw mean-pooled "
        "vectors, and the top results are not the closest in meaning. Write the corrected search(query, corpus, k) "
        "for a model trained for cosine: query (d,), corpus (m, d) -> the (k,) indices of the best matches."
    ),
    solution='''
import torch.nn.functional as F

def search(query, corpus, k):
    scores = F.normalize(corpus, dim=1) @ F.normalize(query, dim=0)   # cosine = dot of unit vectors
    return scores.topk(k).indices
''',
    reference_fn=reference_search,
    cases=_search_cases(),
    hint="a raw dot product grows with the corpus vectors' lengths; normalise the vectors (F.normalize) first.",
).check

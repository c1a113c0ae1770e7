"""A retrieval task built from sentence pairs, and its metrics recall@k and nDCG@k (notebook 07).

:func:`pairs_retrieval_task` turns scored sentence pairs into a search benchmark: each
``sentence1`` of a pair scored >= ``min_score`` is a query, the ``sentence2`` of those pairs are
its relevant results, and the corpus is every unique sentence given. The query's own sentence is
in the corpus too; ``exclude`` marks it so that it is not counted as a hit.
:func:`load_retrieval_task` uses the STS Benchmark from ``COURSE_DATA_DIR`` when it is there and
the bundled pairs (with the bundled topic corpus as distractors) otherwise.

The metrics take a ``(queries, corpus)`` score matrix, higher = closer, with binary relevance:

- recall@k = |relevant in the top k| / |relevant|;
- nDCG@k = DCG@k / ideal DCG@k with DCG = Σ_{rank r <= k, relevant} 1 / log2(r + 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from course_lib import data
from course_lib._checks import check_choice, check_int, check_number, check_same_length, check_tensor, check_texts, check_type


class RetrievalTask(NamedTuple):
    """Queries, a corpus, the relevant corpus indices of each query and the index each must skip (or -1)."""

    queries: list[str]
    corpus: list[str]
    relevant: list[frozenset[int]]
    exclude: list[int]
    source: str


def pairs_retrieval_task(
    sentences1: Sequence[str], sentences2: Sequence[str], scores, min_score: float = 4.0,
    distractors: Sequence[str] = (), source: str = "pairs",
) -> RetrievalTask:
    """Queries = unique ``sentences1`` with a pair scored >= ``min_score``; relevant = their ``sentences2``.

    The corpus holds every unique sentence of the pairs, then the ``distractors``, in first-seen order.
    """
    first, second = check_texts("sentences1", sentences1), check_texts("sentences2", sentences2)
    check_same_length("sentences2", second, "sentences1", first)
    gold = np.asarray(scores, dtype=np.float64)
    if gold.shape != (len(first),):
        raise ValueError(f"scores: expected shape ({len(first)},), one per pair, got {gold.shape}")
    min_score = check_number("min_score", min_score)
    corpus: dict[str, int] = {}
    for text in [*first, *second, *distractors]:
        corpus.setdefault(text, len(corpus))
    relevant: dict[str, set[int]] = {}
    for a, b, score in zip(first, second, gold):
        if score >= min_score and a != b:
            relevant.setdefault(a, set()).add(corpus[b])
    if not relevant:
        raise ValueError(f"min_score: expected a threshold that some pair reaches, got {min_score} (max {gold.max()})")
    queries = list(relevant)
    return RetrievalTask(queries, list(corpus), [frozenset(relevant[q]) for q in queries],
                         [corpus[q] for q in queries], source)


def load_retrieval_task(min_score: float = 4.0, distractor_splits: Sequence[str] = ("dev", "train")) -> RetrievalTask:
    """STS-B when ``COURSE_DATA_DIR`` holds it, else the bundled pairs with the topic corpus as distractors.

    STS-B: queries and relevant sentences from the test pairs, searched among every unique
    sentence of the test split and of ``distractor_splits`` (all three splits: about 15 500
    sentences), so that near misses abound.
    """
    if data.has_real_data("stsbenchmark"):
        splits = [check_choice("distractor_splits", split, ("dev", "train")) for split in distractor_splits]
        test = data.load_stsb("test")
        others = [text for split in splits for pairs in [data.load_stsb(split)] for text in pairs.sentences1 + pairs.sentences2]
        source = f"STS-B (test queries; test{''.join(' + ' + split for split in splits)} sentences)"
        return pairs_retrieval_task(test.sentences1, test.sentences2, test.scores, min_score,
                                    distractors=others, source=source)
    pairs = data.load_sts_pairs()
    return pairs_retrieval_task(pairs.sentences1, pairs.sentences2, pairs.scores, min_score,
                                distractors=data.load_topic_corpus().texts, source="bundled pairs + topic corpus")


def _ranked(scores, relevant, k: int, exclude) -> tuple[torch.Tensor, list[frozenset[int]], int]:
    matrix = check_tensor("scores", scores, ndim=2, shape="(queries, corpus)", allow_numpy=True).double()
    check_type("relevant", relevant, (list, tuple), "a list with one set of relevant corpus indices per query")
    check_same_length("relevant", relevant, "scores' rows", range(matrix.shape[0]))
    k = check_int("k", k, minimum=1, maximum=matrix.shape[1])
    sets = [frozenset(int(i) for i in r) for r in relevant]
    for row, items in enumerate(sets):
        if not items:
            raise ValueError(f"relevant: expected at least one relevant index per query, got none for query {row}")
        if min(items) < 0 or max(items) >= matrix.shape[1]:
            raise ValueError(f"relevant: expected indices in [0, {matrix.shape[1] - 1}], got {sorted(items)} for query {row}")
    if exclude is not None:
        check_same_length("exclude", exclude, "scores' rows", range(matrix.shape[0]))
        matrix = matrix.clone()
        rows = [r for r, column in enumerate(exclude) if column >= 0]
        matrix[rows, [exclude[r] for r in rows]] = -torch.inf
    return torch.topk(matrix, k, dim=1).indices, sets, k


def recall_at_k(scores, relevant: Sequence[set[int]], k: int = 10, exclude: Sequence[int] | None = None) -> float:
    """Mean over queries of |relevant ∩ top-k| / |relevant|. ``scores`` ``(queries, corpus)``, higher = closer."""
    top, sets, _ = _ranked(scores, relevant, k, exclude)
    return float(np.mean([len(sets[q] & set(top[q].tolist())) / len(sets[q]) for q in range(len(sets))]))


def ndcg_at_k(scores, relevant: Sequence[set[int]], k: int = 10, exclude: Sequence[int] | None = None) -> float:
    """Mean nDCG@k with binary relevance: a hit at rank r earns 1 / log2(r + 1), divided by the best possible."""
    top, sets, k = _ranked(scores, relevant, k, exclude)
    discounts = 1 / np.log2(np.arange(2, k + 2))
    values = []
    for q, items in enumerate(sets):
        gains = np.array([column in items for column in top[q].tolist()], dtype=np.float64)
        values.append(float(gains @ discounts) / float(discounts[: min(len(items), k)].sum()))
    return float(np.mean(values))

"""What compressing embeddings costs in quality: STS Spearman and retrieval, per setting (notebook 07).

:func:`prepare` encodes a retrieval task, the STS pairs and a separate fitting set once (every
text once, however many roles it plays). :func:`evaluate` then scores one setting — ``dims``
kept by ``reduction`` and ``bits`` per number — on both tasks in a fraction of a second, so a
whole grid (:func:`sweep`), the notebook's figure, the benchmark and the widget share the same
numbers. The fitting set (never evaluated) provides the PCA directions and the int8 ranges.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from course_lib._checks import check_choice, check_int, check_tensor, check_texts, check_type
from course_lib.compress import (
    REDUCTIONS,
    PCAProjection,
    binary_search_rescore,
    bytes_per_vector,
    check_bits,
    compress,
    compressed_scores,
    fit_pca,
    int8_ranges,
    reduce_dims,
)
from course_lib.embed import encode
from course_lib.evaluate import sts_spearman
from course_lib.models import LoadedModel
from course_lib.retrieval import RetrievalTask, ndcg_at_k, recall_at_k
from course_lib.similarity import cosine

DIMS: tuple[int, ...] = (16, 32, 64, 128, 192, 256, 384)


class CompressionData(NamedTuple):
    """Float32 sentence vectors for the three roles, and the PCA fitted on the fitting set."""

    task: RetrievalTask
    corpus: torch.Tensor  # (corpus, hidden)
    queries: torch.Tensor  # (queries, hidden)
    sts_a: torch.Tensor  # (pairs, hidden)
    sts_b: torch.Tensor
    sts_gold: np.ndarray  # (pairs,)
    fit: torch.Tensor  # (fit, hidden): PCA and int8 calibration only
    pca: PCAProjection


class Quality(NamedTuple):
    """One setting's numbers: Spearman on the STS pairs, recall@10 and nDCG@10 on the retrieval task."""

    reduction: str
    dims: int
    bits: int
    bytes_per_vector: int
    spearman: float
    recall: float
    ndcg: float


def prepare(
    task: RetrievalTask,
    sts_sentences1: Sequence[str],
    sts_sentences2: Sequence[str],
    sts_gold,
    fit_texts: Sequence[str],
    model: LoadedModel | str | None = None,
    show_progress: bool | None = None,
) -> CompressionData:
    """Encode every distinct text once (mean pooling, not normalised) and fit the full PCA."""
    if not isinstance(task, RetrievalTask):
        raise TypeError(f"task: expected a RetrievalTask from course_lib.retrieval, got {type(task).__name__}")
    first, second = check_texts("sts_sentences1", sts_sentences1), check_texts("sts_sentences2", sts_sentences2)
    fit_list = check_texts("fit_texts", fit_texts)
    distinct = list(dict.fromkeys([*task.corpus, *first, *second, *fit_list]))
    vectors = encode(distinct, model, show_progress=show_progress)
    row = {text: i for i, text in enumerate(distinct)}

    def rows(texts: Sequence[str]) -> torch.Tensor:
        return vectors[[row[t] for t in texts]]

    corpus = rows(task.corpus)
    fit = rows(fit_list)
    return CompressionData(task, corpus, corpus[task.exclude], rows(first), rows(second),
                           np.asarray(sts_gold, dtype=np.float64), fit, fit_pca(fit, min(fit.shape[1], fit.shape[0] - 1)))


def load_compression_data(
    model: LoadedModel | str | None = None, fit_size: int = 2000, seed: int = 0,
    distractor_splits: Sequence[str] = ("dev", "train"), show_progress: bool | None = None,
) -> CompressionData:
    """:func:`prepare` on STS-B when ``COURSE_DATA_DIR`` holds it, else on the bundled sets.

    STS-B: the retrieval task of :func:`course_lib.retrieval.load_retrieval_task` (test queries among
    the test and ``distractor_splits`` sentences), the test pairs for Spearman, and ``fit_size``
    training sentences (a seeded sample) for PCA and int8 ranges.
    Bundled: the bundled pairs, with the 300 review and 210 topic sentences as the fitting set.
    """
    import random

    from course_lib import data
    from course_lib.retrieval import load_retrieval_task

    fit_size = check_int("fit_size", fit_size, minimum=2)
    task = load_retrieval_task(distractor_splits=distractor_splits)
    if data.has_real_data("stsbenchmark"):
        pairs = data.load_stsb("test")
        train = data.load_stsb("train")
        fit_texts = list(dict.fromkeys(train.sentences1 + train.sentences2))
        random.Random(seed).shuffle(fit_texts)
        fit_texts = fit_texts[:fit_size]
    else:
        pairs = data.load_sts_pairs()
        fit_texts = data.load_sentiment().texts + data.load_topic_corpus().texts
    return prepare(task, pairs.sentences1, pairs.sentences2, pairs.scores, fit_texts, model, show_progress)


def _check_data(data: object) -> CompressionData:
    return check_type("data", data, CompressionData, "CompressionData from prepare(...)")


def _check_quality(name: str, value: object) -> Quality:
    return check_type(name, value, Quality, "a Quality row from evaluate(...)")


def _reduce(data: CompressionData, vectors: torch.Tensor, dims: int, reduction: str) -> torch.Tensor:
    return reduce_dims(vectors, dims, reduction, data.pca)


def evaluate(data: CompressionData, dims: int = 384, bits: int = 32, reduction: str = "truncate") -> Quality:
    """Quality of one setting: vectors reduced to ``dims``, stored at ``bits``, queries compressed alike."""
    data = _check_data(data)
    check_choice("reduction", reduction, REDUCTIONS)
    bits = check_bits(bits)
    reduced = {name: _reduce(data, getattr(data, name), dims, reduction) for name in ("corpus", "queries", "sts_a", "sts_b")}
    ranges = int8_ranges(_reduce(data, data.fit, dims, reduction)) if bits == 8 else None
    corpus = compress(reduced["corpus"], bits, ranges)
    scores = compressed_scores(reduced["queries"], corpus)
    pair_a = compressed_scores(reduced["sts_a"], compress(reduced["sts_b"], bits, ranges))
    # Pair scores are the diagonal: sentence a_i against its own partner b_i.
    sts_scores = pair_a.diagonal().double().numpy()
    from scipy.stats import spearmanr

    spearman = float(spearmanr(sts_scores, data.sts_gold).statistic)
    relevant, exclude = list(data.task.relevant), list(data.task.exclude)
    return Quality(reduction, dims, bits, bytes_per_vector(dims, bits), spearman,
                   recall_at_k(scores, relevant, 10, exclude), ndcg_at_k(scores, relevant, 10, exclude))


def evaluate_rescore(data: CompressionData, multiplier: int = 4, k: int = 10) -> Quality:
    """Binary search over all 384 dims for ``k * multiplier`` candidates, then float32 rescoring.

    Retrieval only (STS scores single pairs, where there is nothing to shortlist: its Spearman is
    float32's). The bytes are the binary codes held in memory; the float32 vectors stay on disk.
    """
    corpus, queries = _check_data(data).corpus, data.queries
    multiplier = check_int("multiplier", multiplier, minimum=1)
    k = check_int("k", k, minimum=1, maximum=corpus.shape[0] - 1)
    # The query's own sentence must not take a place in the shortlist: ask for one more and drop it.
    ids, values = binary_search_rescore(queries, compress(corpus, 1).codes, corpus, k=k + 1, multiplier=multiplier)
    scores = torch.full((queries.shape[0], corpus.shape[0]), -torch.inf, dtype=torch.float64)
    scores.scatter_(1, ids, values.double())
    relevant, exclude = list(data.task.relevant), list(data.task.exclude)
    spearman = sts_spearman(data.sts_a, data.sts_b, data.sts_gold)
    return Quality("binary + rescore", corpus.shape[1], 1, bytes_per_vector(corpus.shape[1], 1), spearman,
                   recall_at_k(scores, relevant, k, exclude), ndcg_at_k(scores, relevant, k, exclude))


def sweep(
    data: CompressionData, dims: Sequence[int] = DIMS, bits: Sequence[int] = (32, 8, 1),
    reductions: Sequence[str] = REDUCTIONS,
) -> list[Quality]:
    """:func:`evaluate` for every reduction x dims x bits (one row each, in that order)."""
    return [evaluate(data, d, b, r) for r in reductions for b in bits for d in dims]


def kept(quality: Quality, reference: Quality) -> tuple[float, float, float]:
    """``(Spearman, recall@10, nDCG@10)`` of ``quality`` as a percentage of ``reference`` (float32, all dims)."""
    _check_quality("quality", quality), _check_quality("reference", reference)
    return tuple(100 * getattr(quality, name) / getattr(reference, name) for name in ("spearman", "recall", "ndcg"))


def top_k(data: CompressionData, query_vector: torch.Tensor, dims: int, bits: int, reduction: str, k: int = 5):
    """Indices and scores ``(k,)`` of the corpus rows closest to one query vector ``(hidden,)`` at a setting."""
    hidden = _check_data(data).corpus.shape[1]
    vector = check_tensor("query_vector", query_vector, ndim=1, shape="(hidden,)", floating=True, allow_numpy=True)
    if vector.shape[0] != hidden:
        raise ValueError(f"query_vector: expected {hidden} numbers like the corpus vectors, got {vector.shape[0]}")
    dims = check_int("dims", dims, minimum=1, maximum=hidden)
    bits = check_bits(bits)
    check_choice("reduction", reduction, REDUCTIONS)
    k = check_int("k", k, minimum=1, maximum=data.corpus.shape[0])
    query = _reduce(data, vector.reshape(1, -1), dims, reduction)
    corpus = _reduce(data, data.corpus, dims, reduction)
    if bits == 32:
        scores = cosine(query, corpus)[0]
    else:
        ranges = int8_ranges(_reduce(data, data.fit, dims, reduction)) if bits == 8 else None
        scores = compressed_scores(query, compress(corpus, bits, ranges))[0]
    # Stable ordering: ties (frequent with Hamming scores) are broken by corpus position.
    order = np.lexsort((np.arange(scores.shape[0]), -scores.double().numpy()))[:k]
    return torch.from_numpy(order.copy()), scores[order]

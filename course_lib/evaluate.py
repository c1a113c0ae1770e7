"""Evaluation on sentence-similarity pairs (introduced in notebook 02).

STS evaluation scores each pair with a similarity measure and reports the Spearman rank
correlation with the human gold scores: only the ORDER of the pairs matters, so any monotone
rescaling of the scores leaves the result unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from scipy.stats import kendalltau, spearmanr

from course_lib._checks import check_array, check_finite, check_int, check_number, check_tensor, check_type
from course_lib.data import SentencePairs, check_pairs
from course_lib.models import LoadedModel
from course_lib.similarity import check_pair, higher_is_closer, paired, pairwise


def sts_spearman(emb_a, emb_b, gold, measure: str = "cosine", p: float | None = None) -> float:
    """Spearman ρ between the pairs' similarity and the gold scores.

    ``emb_a``, ``emb_b``: ``(n, hidden)`` embeddings of the first and second sentences; ``gold``:
    ``(n,)`` scores. Distances are negated, so a good measure gives a positive ρ for every measure.
    """
    scores = paired(emb_a, emb_b, measure, p, names=("emb_a", "emb_b"))
    gold_array = check_array("gold", gold, ndim=1, shape="(n,)").astype(np.float64)
    if gold_array.shape[0] != scores.shape[0]:
        raise ValueError(f"gold: expected shape ({scores.shape[0]},) to match the pairs, got {gold_array.shape}")
    if scores.shape[0] < 3:
        raise ValueError(f"emb_a: expected at least 3 pairs for a rank correlation, got {scores.shape[0]}")
    check_finite("gold", gold_array)
    if np.ptp(gold_array) == 0:
        raise ValueError(
            f"gold: expected scores that vary, got {gold_array[0]:g} for every pair (Spearman ρ is undefined)"
        )
    a, b = check_pair(emb_a, emb_b, ("emb_a", "emb_b"))
    if a.shape == b.shape and torch.equal(a, b):
        raise ValueError("emb_b: expected the second sentences' embeddings, got the same values as emb_a")
    oriented = scores.double().cpu().numpy() if higher_is_closer(measure) else -scores.double().cpu().numpy()
    if np.ptp(oriented) == 0:
        raise ValueError(f"emb_b: expected pairs whose {measure} varies, got the same score for every pair")
    return float(spearmanr(oriented, gold_array).statistic)


# --------------------------------------------------------------------------- ranking agreement (notebook 05)


def _closeness_matrix(name: str, x: object) -> torch.Tensor:
    x = check_tensor(name, x, ndim=2, shape="(queries, candidates)", allow_numpy=True, finite=True)
    if x.shape[1] < 2:
        raise ValueError(f"{name}: expected shape (queries, candidates) with at least 2 candidates, got {tuple(x.shape)}")
    return x if x.is_floating_point() else x.double()


def _check_rankable(name: str, x: torch.Tensor) -> None:
    """Kendall τ is undefined (NaN) for a query whose candidates all score the same."""
    tied = (x.amax(dim=1) == x.amin(dim=1)).nonzero().flatten().tolist()
    if tied:
        raise ValueError(
            f"{name}: expected every query to tell its candidates apart, got query row(s) {tied[:5]} where all "
            "candidates score the same (a zero-vector query?), so they have no ranking"
        )


def closeness(query, corpus, measure: str = "cosine", p: float | None = None) -> torch.Tensor:
    """The ``(q, m)`` matrix of ``measure`` oriented so that higher always means closer.

    Similarities are returned as they are and distances negated, so that every measure's ranking of
    the corpus for a query is "sort descending". ``query`` ``(q, d)``, ``corpus`` ``(m, d)``.
    """
    scores = pairwise(query, corpus, measure, p, names=("query", "corpus"))
    return scores if higher_is_closer(measure) else -scores


def _check_same_shape(a: torch.Tensor, b: torch.Tensor) -> None:
    if a.shape != b.shape:
        raise ValueError(f"closeness_b: expected the shape of closeness_a {tuple(a.shape)}, got {tuple(b.shape)}")


def top_k_overlap(closeness_a, closeness_b, k: int = 10) -> float:
    """Mean share of the top-``k`` that two rankings have in common, in [0, 1].

    ``closeness_a``, ``closeness_b``: ``(queries, candidates)`` scores of two measures, higher =
    closer (see :func:`closeness`). For each query, |top-k(a) ∩ top-k(b)| / k; then the mean.
    """
    a, b = _closeness_matrix("closeness_a", closeness_a), _closeness_matrix("closeness_b", closeness_b)
    _check_same_shape(a, b)
    k = check_int("k", k, 1, a.shape[1])
    top_a = torch.topk(a, k, dim=1).indices
    top_b = torch.topk(b, k, dim=1).indices
    shared = (top_a.unsqueeze(2) == top_b.unsqueeze(1)).any(dim=2).sum(dim=1)
    return float(shared.double().mean() / k)


def kendall_tau(closeness_a, closeness_b) -> float:
    """Mean Kendall τ (scipy's tau-b) between two measures' rankings of all candidates, per query.

    ``(queries, candidates)`` inputs, higher = closer. 1 = the same order, 0 = unrelated orders,
    -1 = reversed. Every candidate counts equally, so the far tail weighs as much as the top.
    """
    a, b = _closeness_matrix("closeness_a", closeness_a), _closeness_matrix("closeness_b", closeness_b)
    _check_same_shape(a, b)
    _check_rankable("closeness_a", a)
    _check_rankable("closeness_b", b)
    a_rows, b_rows = a.double().numpy(), b.double().numpy()
    taus = [kendalltau(row_a, row_b).statistic for row_a, row_b in zip(a_rows, b_rows)]
    return float(np.mean(taus))


def ranking_agreement(closeness_by_measure, k: int = 10) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Top-``k`` overlap and Kendall τ between every pair of measures.

    ``closeness_by_measure``: ``{name: (queries, candidates)}`` (higher = closer, same shape for
    all). Returns ``(names, overlap, tau)`` with two symmetric ``(M, M)`` matrices, 1 on the diagonal.
    """
    expected = "a dict {measure name: (queries, candidates) scores}"
    check_type("closeness_by_measure", closeness_by_measure, Mapping, expected)
    if len(closeness_by_measure) == 0:
        raise ValueError(f"closeness_by_measure: expected {expected} with at least one measure, got an empty dict")
    names = [str(name) for name in closeness_by_measure]
    matrices = [_closeness_matrix(f"closeness_by_measure[{name!r}]", m) for name, m in closeness_by_measure.items()]
    overlap = np.eye(len(names))
    tau = np.eye(len(names))
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if matrices[j].shape != matrices[i].shape:
                raise ValueError(
                    f"closeness_by_measure[{names[j]!r}]: expected shape {tuple(matrices[i].shape)} like "
                    f"{names[i]!r}, got {tuple(matrices[j].shape)}"
                )
            overlap[i, j] = overlap[j, i] = top_k_overlap(matrices[i], matrices[j], k)
            tau[i, j] = tau[j, i] = kendall_tau(matrices[i], matrices[j])
    return names, overlap, tau


def bootstrap_spearman_difference(
    scores_a, scores_b, gold, n_resamples: int = 1000, seed: int = 0, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Spearman(b, gold) - Spearman(a, gold) on the pairs, with a paired bootstrap interval.

    ``scores_a``, ``scores_b``: ``(n,)`` scores of the same pairs by two measures, higher = closer;
    ``gold``: ``(n,)``. Resamples the pairs with replacement (``seed`` fixes which) and returns
    ``(difference on all pairs, low, high)``: if the interval contains 0, the data cannot tell the
    two measures apart.
    """
    arrays = []
    for name, values in (("scores_a", scores_a), ("scores_b", scores_b), ("gold", gold)):
        array = check_array(name, values, ndim=1, shape="(n,)").astype(np.float64)
        if array.shape[0] < 3:
            raise ValueError(f"{name}: expected shape (n,) with n >= 3, got {array.shape}")
        check_finite(name, array)
        arrays.append(array)
    a, b, g = arrays
    if not a.shape == b.shape == g.shape:
        raise ValueError(f"scores_b, gold: expected the shape of scores_a {a.shape}, got {b.shape} and {g.shape}")
    n_resamples = check_int("n_resamples", n_resamples, 10)
    seed = check_int("seed", seed, 0)
    confidence = check_number("confidence", confidence, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    rng = np.random.default_rng(seed)
    differences = np.empty(n_resamples)
    for r in range(n_resamples):
        sample = rng.integers(0, g.shape[0], g.shape[0])
        differences[r] = spearmanr(b[sample], g[sample]).statistic - spearmanr(a[sample], g[sample]).statistic
    tail = (1 - confidence) / 2 * 100
    low, high = np.nanpercentile(differences, [tail, 100 - tail])
    full = spearmanr(b, g).statistic - spearmanr(a, g).statistic
    return float(full), float(low), float(high)


def pairs_spearman(
    pairs: SentencePairs, model: LoadedModel | str | None = None, pooling: str = "cls", batch_size: int = 64
) -> float:
    """Spearman ρ between cos(u, v) and the gold scores of ``pairs``, embedding with ``embed.encode`` (notebook 04)."""
    from course_lib.embed import encode

    checked = check_pairs("pairs", pairs)
    n = len(checked.sentences1)
    vectors = encode(checked.sentences1 + checked.sentences2, model, pooling=pooling, batch_size=batch_size, show_progress=False)
    return sts_spearman(vectors[:n], vectors[n:], checked.scores)

"""course_lib.evaluate: sts_spearman, pairs_spearman and the ranking-agreement helpers (notebooks 02, 04, 05)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import kendalltau, spearmanr

from course_lib.evaluate import (
    bootstrap_spearman_difference,
    closeness,
    kendall_tau,
    ranking_agreement,
    sts_spearman,
    top_k_overlap,
)
from course_lib.similarity import MEASURES, euclidean

@pytest.mark.parametrize("measure", MEASURES)
def test_a_measure_that_tracks_gold_gets_a_positive_rho(measure):
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(50, 64, generator=generator)
    noise = torch.randn(50, 64, generator=generator)
    gold = np.linspace(5, 0, 50)
    b = a + noise * torch.linspace(0.05, 3, 50).unsqueeze(1)  # the lower the gold, the further apart
    a, b = torch.nn.functional.normalize(a, dim=1), torch.nn.functional.normalize(b, dim=1)
    p = 3 if measure == "minkowski" else None
    assert sts_spearman(a, b, gold, measure, p=p) > 0.8


def test_equals_scipy_spearman_of_cosines():
    generator = torch.Generator().manual_seed(1)
    a, b = torch.randn(30, 5, generator=generator), torch.randn(30, 5, generator=generator)
    gold = torch.rand(30, generator=generator)
    cosines = torch.nn.functional.cosine_similarity(a, b).numpy()
    assert sts_spearman(a, b, gold) == pytest.approx(spearmanr(cosines, gold.numpy()).statistic, abs=1e-6)


def test_bad_gold_is_rejected():
    a = torch.randn(4, 3)
    with pytest.raises(ValueError, match="gold: expected shape \\(4,\\)"):
        sts_spearman(a, a, [1.0, 2.0])
    with pytest.raises(ValueError, match="gold: expected finite values"):
        sts_spearman(a, a, [1.0, 2.0, float("nan"), 3.0])
    with pytest.raises(ValueError, match="measure"):
        sts_spearman(a, a, [1.0, 2.0, 3.0, 4.0], measure="jaccard")


# --------------------------------------------------------------------------- course_lib.evaluate ranking-agreement helpers (notebook 05): top-k overlap, Kendall τ, bootstrap.


GENERATOR = torch.Generator().manual_seed(0)
QUERIES = torch.randn(6, 8, generator=GENERATOR)
CORPUS = torch.randn(40, 8, generator=GENERATOR)


def test_closeness_negates_distances_and_keeps_similarities():
    torch.testing.assert_close(closeness(QUERIES, CORPUS, "euclidean"), -euclidean(QUERIES, CORPUS))
    torch.testing.assert_close(closeness(QUERIES, CORPUS, "dot"), QUERIES @ CORPUS.T)
    assert closeness(QUERIES, CORPUS, "minkowski", p=3).shape == (6, 40)


def test_top_k_overlap_counts_shared_items():
    a = torch.tensor([[5.0, 4, 3, 2, 1, 0]])
    b = torch.tensor([[5.0, 4, 0, 1, 2, 3]])  # shares the top-2, one of the top-3
    assert top_k_overlap(a, b, k=2) == 1.0
    assert top_k_overlap(a, b, k=3) == pytest.approx(2 / 3)
    assert top_k_overlap(a, -a, k=3) == 0.0
    assert top_k_overlap(a, a * 7 + 1, k=4) == 1.0  # a monotone rescaling changes nothing


def test_top_k_overlap_is_the_mean_over_queries():
    a = torch.tensor([[3.0, 2, 1, 0], [3.0, 2, 1, 0]])
    b = torch.tensor([[3.0, 2, 1, 0], [0.0, 1, 2, 3]])
    assert top_k_overlap(a, b, k=2) == 0.5


def test_kendall_tau_equals_scipy_row_by_row():
    a, b = torch.randn(5, 30, generator=GENERATOR), torch.randn(5, 30, generator=GENERATOR)
    expected = np.mean([kendalltau(x, y).statistic for x, y in zip(a.numpy(), b.numpy())])
    assert kendall_tau(a, b) == pytest.approx(expected)
    assert kendall_tau(a, a) == pytest.approx(1.0)
    assert kendall_tau(a, -a) == pytest.approx(-1.0)


def test_ranking_agreement_matrices_are_symmetric_with_unit_diagonal():
    unit = torch.nn.functional.normalize(CORPUS, dim=1)
    scores = {m: closeness(unit[:10], unit, m) for m in ("cosine", "dot", "euclidean", "chebyshev")}
    names, overlap, tau = ranking_agreement(scores, k=5)
    assert names == ["cosine", "dot", "euclidean", "chebyshev"]
    for matrix in (overlap, tau):
        np.testing.assert_allclose(matrix, matrix.T)
        np.testing.assert_allclose(np.diag(matrix), 1.0)
    assert overlap[0, 1] == overlap[0, 2] == 1.0  # unit vectors: cosine, dot and Euclidean rank alike
    assert tau[0, 2] == pytest.approx(1.0)
    assert overlap[0, 3] < 1.0 and tau[0, 3] < 1.0


def test_bootstrap_difference_brackets_a_real_gap_and_contains_zero_for_none():
    rng = np.random.default_rng(0)
    gold = rng.normal(size=300)
    good = gold + rng.normal(scale=0.5, size=300)
    bad = gold + rng.normal(scale=3.0, size=300)
    difference, low, high = bootstrap_spearman_difference(good, bad, gold, n_resamples=300)
    assert difference == pytest.approx(spearmanr(bad, gold).statistic - spearmanr(good, gold).statistic)
    assert low < difference < high < 0
    same, low, high = bootstrap_spearman_difference(good, good * 2 + 1, gold, n_resamples=100)
    assert same == low == high == 0.0
    assert bootstrap_spearman_difference(good, bad, gold, seed=3, n_resamples=50) == bootstrap_spearman_difference(
        good, bad, gold, seed=3, n_resamples=50
    )


THREE = [1.0, 2.0, 3.0]
RANKED = torch.tensor([[1.0, 2.0, 3.0], [3.0, 1.0, 2.0]])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: top_k_overlap([[1.0, 2.0]], torch.ones(1, 2), k=1), TypeError, "closeness_a: expected a"),
        (lambda: top_k_overlap(torch.ones(2, 3), torch.ones(2, 4), k=1), ValueError, "closeness_b: expected the shape"),
        (lambda: top_k_overlap(torch.ones(2, 3), torch.ones(2, 3), k=4), ValueError, "k: expected an int in [1, 3], got 4"),
        (lambda: top_k_overlap(torch.ones(2, 3), torch.ones(2, 3), k=1.0), TypeError, "k: expected an int"),
        (lambda: kendall_tau(torch.ones(3), torch.ones(3)), ValueError, "closeness_a: expected 2 dimensions (queries, candidates)"),
        (lambda: kendall_tau(torch.tensor([[1.0, float("nan")]]), torch.ones(1, 2)), ValueError, "expected finite values"),
        (lambda: ranking_agreement({}), ValueError, "closeness_by_measure: expected a dict"),
        (lambda: ranking_agreement([torch.ones(2, 3)]), TypeError, "closeness_by_measure: expected a dict"),
        (lambda: ranking_agreement({"a": RANKED, "b": torch.ones(3, 3)}), ValueError, "['b']: expected"),
        (lambda: kendall_tau(RANKED, torch.ones(2, 3)), ValueError, "closeness_b: expected every query to tell"),
        (lambda: bootstrap_spearman_difference([1.0, 2], [1.0, 2], [1.0, 2]), ValueError, "scores_a: expected shape (n,)"),
        (lambda: bootstrap_spearman_difference(THREE, THREE + [4.0], THREE), ValueError, "scores_b, gold"),
        (lambda: bootstrap_spearman_difference(THREE, THREE, THREE, n_resamples=5), ValueError, "n_resamples"),
        (lambda: bootstrap_spearman_difference(THREE, THREE, THREE, confidence=95), ValueError, "confidence"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(call, error, words):
    import re

    with pytest.raises(error, match=re.escape(words)):
        call()


# --------------------------------------------------------------------------- undefined results are errors, not NaN


def test_sts_spearman_refuses_constant_gold_identical_embeddings_and_string_scores():
    generator = torch.Generator().manual_seed(0)
    a, b = torch.randn(6, 8, generator=generator), torch.randn(6, 8, generator=generator)
    with pytest.raises(ValueError, match="gold: expected scores that vary, got 3 for every pair"):
        sts_spearman(a, b, [3.0] * 6)
    with pytest.raises(ValueError, match="emb_b: expected the second sentences' embeddings, got the same values as emb_a"):
        sts_spearman(a, a.clone(), [0.0, 1, 2, 3, 4, 5])
    with pytest.raises(TypeError, match="gold: expected numbers, got an array of dtype <U"):
        sts_spearman(a, b, ["0", "1", "2", "3", "4", "5"])
    with pytest.raises(ValueError, match="emb_b: expected the same number of rows as emb_a"):
        sts_spearman(a, b[:5], [0.0, 1, 2, 3, 4, 5])


def test_ranking_agreement_with_a_zero_vector_query_is_an_error_not_nan():
    generator = torch.Generator().manual_seed(0)
    queries, corpus = torch.randn(3, 8, generator=generator), torch.randn(10, 8, generator=generator)
    queries[1] = 0.0
    scores = {measure: closeness(queries, corpus, measure) for measure in ("cosine", "dot")}
    with pytest.raises(ValueError, match=r"closeness_.: expected every query to tell its candidates apart, got query row\(s\) \[1\]"):
        ranking_agreement(scores)

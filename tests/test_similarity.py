"""course_lib.similarity: equal to scipy's cdist, and search equal to brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from course_lib import similarity as sim
RNG = np.random.default_rng(0)
A = RNG.normal(size=(7, 16))
B = RNG.normal(size=(11, 16))


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda a, b: 1 - sim.cosine(a, b), lambda a, b: cdist(a, b, "cosine")),
        (sim.euclidean, lambda a, b: cdist(a, b, "euclidean")),
        (sim.manhattan, lambda a, b: cdist(a, b, "cityblock")),
        (lambda a, b: sim.minkowski(a, b, 3), lambda a, b: cdist(a, b, "minkowski", p=3)),
        (lambda a, b: sim.minkowski(a, b, 1.5), lambda a, b: cdist(a, b, "minkowski", p=1.5)),
        (sim.chebyshev, lambda a, b: cdist(a, b, "chebyshev")),
        (sim.dot, lambda a, b: a @ b.T),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_measures_equal_scipy(ours, theirs, dtype):
    a, b = A.astype(dtype), B.astype(dtype)
    result = ours(torch.from_numpy(a), torch.from_numpy(b))
    assert result.shape == (7, 11)
    np.testing.assert_allclose(result.numpy(), theirs(a.astype(np.float64), b.astype(np.float64)), rtol=1e-5, atol=1e-5)


def test_numpy_input_and_1d_vectors():
    assert sim.cosine(A[0], B).shape == (1, 11)
    np.testing.assert_allclose(sim.minkowski(A, B, math.inf).numpy(), sim.chebyshev(A, B).numpy())
    np.testing.assert_allclose(sim.minkowski(A, B, 2).numpy(), sim.euclidean(A, B).numpy(), rtol=1e-12)


def test_close_vectors_keep_their_digits():
    a = torch.ones(1, 384)
    b = a + 1e-4
    assert sim.euclidean(a, b).item() == pytest.approx(1e-4 * math.sqrt(384), rel=1e-3)


def test_zero_vector_under_cosine_gives_zero_not_nan():
    result = sim.cosine(torch.zeros(2, 4), torch.randn(3, 4))
    assert torch.equal(result, torch.zeros(2, 3))
    assert sim.paired(torch.zeros(1, 4), torch.ones(1, 4), "cosine").item() == 0.0


def test_unit_vectors_make_cosine_dot_and_euclidean_agree():
    a = torch.nn.functional.normalize(torch.from_numpy(A), dim=1)
    b = torch.nn.functional.normalize(torch.from_numpy(B), dim=1)
    torch.testing.assert_close(sim.cosine(a, b), sim.dot(a, b))
    torch.testing.assert_close(sim.euclidean(a, b) ** 2, 2 - 2 * sim.cosine(a, b))


@pytest.mark.parametrize("measure", sim.MEASURES)
def test_paired_is_the_diagonal_of_pairwise(measure):
    p = 3.0 if measure == "minkowski" else None
    a, b = torch.from_numpy(A), torch.from_numpy(B[:7])
    torch.testing.assert_close(sim.paired(a, b, measure, p), torch.diagonal(sim.pairwise(a, b, measure, p)))


@pytest.mark.parametrize("measure", sim.MEASURES)
@pytest.mark.parametrize("chunk_size", [1, 7, 100, 8192])
def test_most_similar_equals_brute_force(measure, chunk_size):
    p = 3.0 if measure == "minkowski" else None
    corpus = torch.from_numpy(RNG.normal(size=(250, 16)))
    query = torch.from_numpy(RNG.normal(size=(4, 16)))
    full = sim.pairwise(query, corpus, measure, p)
    expected = torch.sort(full, dim=1, descending=sim.higher_is_closer(measure))
    indices, scores = sim.most_similar(query, corpus, measure, k=10, p=p, chunk_size=chunk_size)
    assert torch.equal(indices, expected.indices[:, :10])
    torch.testing.assert_close(scores, expected.values[:, :10])


def test_most_similar_single_query_and_direction():
    corpus = torch.eye(5)
    indices, scores = sim.most_similar(torch.tensor([0.0, 0, 1, 0, 0]), corpus, "euclidean", k=2)
    assert indices.shape == (2,) and indices[0].item() == 2 and scores[0].item() == 0.0
    indices, _ = sim.most_similar(torch.tensor([0.0, 0, 1, 0, 0]), corpus, "cosine", k=1)
    assert indices.tolist() == [2]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: sim.cosine([[1.0]], [[1.0]]), TypeError, "a: expected a torch.Tensor"),
        (lambda: sim.cosine(torch.ones(2, 3), torch.ones(2, 4)), ValueError, "b: expected vectors of dimension d=3"),
        (lambda: sim.cosine(torch.ones(2, 3, 4), torch.ones(2, 4)), ValueError, "a: expected 1 or 2 dimensions (n, d)"),
        (lambda: sim.dot(torch.ones(2, 3, dtype=torch.int64), torch.ones(2, 3)), TypeError, "a: expected a floating"),
        (lambda: sim.euclidean(torch.ones(0, 3), torch.ones(2, 3)), ValueError, "a: expected a non-empty"),
        (lambda: sim.euclidean(torch.ones(2, 3), torch.tensor([[float("nan")] * 3])), ValueError, "b: expected finite values"),
        (lambda: sim.minkowski(A, B, 0), ValueError, "p: expected a number > 0"),
        (lambda: sim.minkowski(A, B, -2), ValueError, "p: expected a number > 0"),
        (lambda: sim.minkowski(A, B, "2"), TypeError, "p: expected a number"),
        (lambda: sim.pairwise(A, B, "cosine_similarity"), ValueError, "measure: expected one of ['cosine'"),
        (lambda: sim.pairwise(A, B, "minkowski"), ValueError, "p: expected a number > 0 (or math.inf) with measure='minkowski', got None"),
        (lambda: sim.pairwise(A, B, "cosine", p=2), ValueError, "p: expected None (only measure='minkowski' takes p)"),
        (lambda: sim.paired(A, B, "cosine"), ValueError, "b: expected the same number of rows"),
        (lambda: sim.most_similar(A, B, k=0), ValueError, "k: expected an int in [1, 11], got 0"),
        (lambda: sim.most_similar(A, B, k=12), ValueError, "k: expected an int in [1, 11], got 12"),
        (lambda: sim.most_similar(A, B, k=2.0), TypeError, "k: expected an int"),
        (lambda: sim.most_similar(A, B, chunk_size=0), ValueError, "chunk_size"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(call, error, words):
    import re

    with pytest.raises(error, match=re.escape(words)):
        call()


# --------------------------------------------------------------------------- course_lib.similarity input checks: every NaN or inf is caught, wherever it sits (notebook 05).


BAD_VALUES = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
@pytest.mark.parametrize("bad", BAD_VALUES)
def test_one_bad_value_anywhere_is_rejected(dtype, bad):
    clean = torch.randn(37, 19, generator=torch.Generator().manual_seed(0)).to(dtype)
    sim.dot(clean, clean)  # no error without the bad value
    for row, col in [(0, 0), (36, 18), (17, 5), (36, 0), (0, 18)]:
        corrupted = clean.clone()
        corrupted[row, col] = bad
        with pytest.raises(ValueError, match="a: expected finite values, got NaN or infinite values"):
            sim.dot(corrupted, clean)
        with pytest.raises(ValueError, match="b: expected finite values, got NaN or infinite values"):
            sim.cosine(clean, corrupted)


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_most_similar_checks_the_whole_corpus_once(bad):
    corpus = torch.randn(1000, 8, generator=torch.Generator().manual_seed(1))
    corpus[999, 7] = bad  # in the last chunk
    with pytest.raises(ValueError, match="corpus: expected finite values, got NaN or infinite values"):
        sim.most_similar(torch.ones(8), corpus, chunk_size=64)


def test_huge_but_finite_values_are_accepted():
    x = torch.full((3, 4), 3.0e38)
    assert torch.equal(sim.chebyshev(x, x), torch.zeros(3, 3))

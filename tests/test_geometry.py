"""course_lib.geometry: anisotropy measures, centering and whitening against independent references,
and per-layer pooling (encode_layers) against encode and under padding."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA

from course_lib.embed import encode, encode_layers
from course_lib.geometry import Whitening, center, fit_whitening, mean_cosine, token_vectors_by_layer, variance_shares


def anisotropic_cloud(n: int = 600, d: int = 12, seed: int = 0) -> torch.Tensor:
    """A seeded cloud far from the origin with very unequal variances: a narrow cone."""
    generator = torch.Generator().manual_seed(seed)
    scales = torch.logspace(0, -2, d, dtype=torch.float64)
    mixing = torch.linalg.qr(torch.randn(d, d, generator=generator, dtype=torch.float64))[0]
    offset = torch.full((d,), 3.0, dtype=torch.float64)
    return (torch.randn(n, d, generator=generator, dtype=torch.float64) * scales) @ mixing + offset


# --------------------------------------------------------------------------- anisotropy measures


def test_mean_cosine_equals_the_average_over_all_pairs():
    vectors = torch.randn(30, 7, generator=torch.Generator().manual_seed(1)) + 0.5
    unit = F.normalize(vectors.double(), dim=1)
    by_pairs = np.mean([float(unit[i] @ unit[j]) for i, j in itertools.combinations(range(30), 2)])
    assert mean_cosine(vectors) == pytest.approx(by_pairs, abs=1e-12)


def test_mean_cosine_extremes_and_scale_invariance():
    same_direction = torch.tensor([[1.0, 2.0], [2.0, 4.0], [0.5, 1.0]])
    assert mean_cosine(same_direction) == pytest.approx(1.0)
    assert mean_cosine(torch.tensor([[1.0, 0.0], [-1.0, 0.0]])) == pytest.approx(-1.0)
    cloud = anisotropic_cloud()
    assert mean_cosine(cloud) > 0.9
    assert mean_cosine(cloud * 7.0) == pytest.approx(mean_cosine(cloud))  # cosine ignores length
    assert abs(mean_cosine(center(cloud))) < 0.01  # centring removes the shared offset


def test_variance_shares_match_scikit_learn():
    cloud = anisotropic_cloud(n=200, d=6)
    shares = variance_shares(cloud)
    assert shares.shape == (6,) and float(shares.sum()) == pytest.approx(1.0)
    np.testing.assert_allclose(shares.numpy(), PCA().fit(cloud.numpy()).explained_variance_ratio_, atol=1e-10)


def test_center_with_a_fitted_mean():
    fit, new = anisotropic_cloud(seed=1), anisotropic_cloud(n=5, seed=2)
    mean = fit.mean(dim=0)
    assert torch.allclose(center(new, mean), new - mean)
    assert torch.allclose(center(fit).mean(dim=0), torch.zeros(12, dtype=torch.float64), atol=1e-12)


# --------------------------------------------------------------------------- whitening


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_whitened_fit_data_has_zero_mean_and_identity_covariance(dtype):
    cloud = anisotropic_cloud().to(dtype)
    whitened = fit_whitening(cloud).transform(cloud).double()
    assert whitened.dtype == torch.float64 and whitened.shape == cloud.shape
    assert whitened.mean(dim=0).abs().max() < 1e-4
    covariance = torch.cov(whitened.T)
    assert (covariance - torch.eye(12, dtype=torch.float64)).abs().max() < 1e-4


@pytest.mark.parametrize("k", [12, 8, 3])
def test_whitening_equals_scikit_learn_pca_whiten_up_to_sign(k):
    fit, new = anisotropic_cloud(seed=3), anisotropic_cloud(n=50, seed=4)
    ours = fit_whitening(fit, k=k).transform(new).numpy()
    reference = PCA(n_components=k, whiten=True, svd_solver="full").fit(fit.numpy()).transform(new.numpy())
    # Same components in the same order (largest variance first); each column may differ in sign.
    signs = np.sign((ours * reference).sum(axis=0))
    assert set(signs.tolist()) <= {-1.0, 1.0}
    np.testing.assert_allclose(ours * signs, reference, atol=1e-8)


def test_whitening_keeps_k_columns_and_follows_the_paper_formula():
    cloud = anisotropic_cloud()
    whitening = fit_whitening(cloud, k=5)
    assert isinstance(whitening, Whitening) and (whitening.dim_in, whitening.dim_out) == (12, 5)
    assert repr(whitening) == "Whitening(d=12 -> k=5)"
    eigenvalues = torch.linalg.eigvalsh(torch.cov(cloud.T)).flip(0)
    torch.testing.assert_close(whitening.eigenvalues, eigenvalues)
    # W^T Sigma W = I_k: the kept directions are decorrelated and of unit variance.
    torch.testing.assert_close(whitening.matrix.T @ torch.cov(cloud.T) @ whitening.matrix, torch.eye(5, dtype=torch.float64))


def test_whitening_accepts_numpy_and_keeps_float32():
    cloud = anisotropic_cloud().float()
    whitening = fit_whitening(cloud.numpy())
    out = whitening.transform(cloud)
    assert out.dtype == torch.float32 and out.shape == (600, 12)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: fit_whitening(torch.randn(10, 12)), ValueError, "vectors: expected more rows than dimensions to fit a whitening (n > d = 12), got 10 rows"),
        (lambda: fit_whitening(torch.randn(12, 12)), ValueError, "(n > d = 12), got 12 rows"),
        (lambda: fit_whitening(torch.randn(40, 4), k=5), ValueError, "k: expected an int in [1, 4], got 5"),
        (lambda: fit_whitening(torch.randn(40, 4), k=2.0), TypeError, "k: expected an int"),
        (lambda: fit_whitening(torch.ones(40, 4)), ValueError, "vectors: expected a full-rank covariance"),
        (lambda: fit_whitening(torch.randn(40)), ValueError, "vectors: expected 2 dimensions (n, d)"),
        (lambda: fit_whitening([[1, 2], [3, 4]]), TypeError, "vectors: expected a torch.Tensor or numpy array"),
        (lambda: fit_whitening(torch.ones(40, 4, dtype=torch.int64)), TypeError, "vectors: expected a floating-point tensor"),
        (lambda: fit_whitening(torch.full((40, 4), float("nan"))), ValueError, "vectors: expected finite values"),
        (lambda: fit_whitening(torch.randn(40, 4)).transform(torch.randn(3, 5)), ValueError, "vectors: expected width d = 4"),
        (lambda: mean_cosine(torch.randn(1, 4)), ValueError, "vectors: expected at least 2 rows"),
        (lambda: mean_cosine(torch.tensor([[1.0, 0.0], [0.0, 0.0]])), ValueError, "no all-zero row"),
        (lambda: variance_shares(torch.ones(5, 3)), ValueError, "identical rows"),
        (lambda: center(torch.randn(5, 3), torch.zeros(4)), ValueError, "mean: expected shape (3,)"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


# --------------------------------------------------------------------------- per-layer pooling on the model

TEXTS = [
    "A man is playing a guitar on the stage.",
    "Stocks fell sharply.",
    "The river bank was flooded after the heavy storm last night.",
    "Cats sleep.",
]


@pytest.fixture(scope="module")
def layers(model):
    return encode_layers(TEXTS, model, methods=["mean", "cls", "max"], show_progress=False)


def test_per_layer_pooling_of_the_last_layer_equals_encode(model, layers):
    n_layers = model.model.config.num_hidden_layers
    for method, stacked in layers.items():
        assert stacked.shape == (n_layers + 1, len(TEXTS), model.hidden_size)
        torch.testing.assert_close(stacked[-1], encode(TEXTS, model, pooling=method, show_progress=False), atol=1e-5, rtol=0)


def test_per_layer_pooling_is_padding_invariant_for_every_layer(model, layers):
    # Batched, each text is padded to the longest; alone, it has no padding at all.
    for index, text in enumerate(TEXTS):
        alone = encode_layers([text], model, methods=["mean", "cls", "max"], show_progress=False)
        for method in layers:
            torch.testing.assert_close(layers[method][:, index], alone[method][:, 0], atol=1e-5, rtol=0)


def test_token_vectors_by_layer_match_the_pooled_means(model, layers):
    tokens = token_vectors_by_layer(TEXTS[:1], model, include_special=True)
    n_layers = model.model.config.num_hidden_layers
    n_tokens = len(model.tokenizer(TEXTS[0])["input_ids"])
    assert tokens.shape == (n_layers + 1, n_tokens, model.hidden_size)
    torch.testing.assert_close(tokens.mean(dim=1), layers["mean"][:, 0], atol=1e-5, rtol=0)
    torch.testing.assert_close(tokens[:, 0], layers["cls"][:, 0], atol=1e-5, rtol=0)
    without_special = token_vectors_by_layer(TEXTS, model)
    assert without_special.shape[1] == sum(len(model.tokenizer(t)["input_ids"]) - 2 for t in TEXTS)
    torch.testing.assert_close(without_special[:, : n_tokens - 2], tokens[:, 1:-1], atol=1e-5, rtol=0)


def test_first_last_avg_of_pooled_layers_equals_pooling_the_averaged_tokens(model, layers):
    # Notebook 06 averages pooled layers 1 and 6; mean and CLS pooling are linear, so that is the same
    # as pooling the average of the two layers' token vectors (Su et al.'s first-last-avg).
    tokens = token_vectors_by_layer(TEXTS[2], model, include_special=True)
    averaged_tokens = (tokens[1] + tokens[-1]) / 2
    torch.testing.assert_close(averaged_tokens.mean(dim=0), (layers["mean"][1, 2] + layers["mean"][-1, 2]) / 2, atol=1e-5, rtol=0)
    torch.testing.assert_close(averaged_tokens[0], (layers["cls"][1, 2] + layers["cls"][-1, 2]) / 2, atol=1e-5, rtol=0)

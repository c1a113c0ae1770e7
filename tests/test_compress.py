"""course_lib.compress (notebook 07) against its oracles: sentence-transformers' quantize_embeddings,
FAISS IndexBinaryFlat and scikit-learn's PCA; and its errors on bad input."""

from __future__ import annotations

import re
import warnings

import faiss
import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from course_lib.compress import (
    BITS,
    Compressed,
    binary_search_rescore,
    bytes_per_vector,
    compress,
    compressed_scores,
    decompress,
    dequantize_int8,
    fit_pca,
    hamming_distance,
    hamming_similarity,
    int8_ranges,
    quantize_binary,
    quantize_int8,
    reduce_dims,
    to_float16,
    truncate,
    unpack_binary,
)
from course_lib.similarity import cosine, most_similar

GENERATOR = torch.Generator().manual_seed(7)
CALIBRATION = torch.randn(300, 48, generator=GENERATOR)
VECTORS = torch.randn(40, 48, generator=GENERATOR) * 1.2  # some values fall outside the calibrated range


def st_quantize(embeddings, precision, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sentence_transformers.util.quantization import quantize_embeddings
    return quantize_embeddings(np.asarray(embeddings, dtype=np.float32), precision=precision, **kwargs)


# --------------------------------------------------------------------------- oracles


def test_int8_equals_sentence_transformers_with_calibration_embeddings():
    ours = quantize_int8(VECTORS, int8_ranges(CALIBRATION))
    theirs = st_quantize(VECTORS.numpy(), "int8", calibration_embeddings=CALIBRATION.numpy())
    assert ours.dtype == torch.int8 and theirs.dtype == np.int8
    np.testing.assert_array_equal(ours.numpy(), theirs)
    assert ours.min() == -128 and ours.max() == 127  # out-of-range values are clipped to the end buckets


def test_int8_equals_sentence_transformers_with_explicit_ranges():
    ranges = int8_ranges(CALIBRATION)
    np.testing.assert_array_equal(
        quantize_int8(VECTORS.numpy(), ranges.numpy()).numpy(), st_quantize(VECTORS, "int8", ranges=ranges.numpy())
    )


def test_int8_round_trip_error_is_at_most_half_a_bucket_inside_the_range():
    ranges = int8_ranges(CALIBRATION)
    inside = CALIBRATION[:50]
    restored = dequantize_int8(quantize_int8(inside, ranges), ranges)
    half_step = (ranges[1] - ranges[0]) / 255 / 2
    assert bool(((restored - inside).abs() <= half_step + 1e-6).all())


def test_binary_equals_sentence_transformers_ubinary_and_binary():
    ours = quantize_binary(VECTORS)
    np.testing.assert_array_equal(ours.numpy(), st_quantize(VECTORS, "ubinary"))
    np.testing.assert_array_equal((ours.numpy().astype(np.int16) - 128).astype(np.int8), st_quantize(VECTORS, "binary"))
    assert ours.shape == (40, 6) and ours.dtype == torch.uint8


def test_binary_packs_the_first_dimension_into_the_highest_bit_and_pads_the_rest():
    codes = quantize_binary(torch.tensor([[1.0, -1, -1, -1, -1, -1, -1, 0.5, 2.0, 0.0]]))
    assert codes.tolist() == [[0b10000001, 0b10000000]]  # 0 is not > 0: bit 0
    assert unpack_binary(codes, 10).tolist() == [[1, 0, 0, 0, 0, 0, 0, 1, 1, 0]]


def test_hamming_equals_faiss_index_binary_flat():
    database, queries = quantize_binary(VECTORS), quantize_binary(CALIBRATION[:7])
    index = faiss.IndexBinaryFlat(48)
    index.add(database.numpy())
    distances, ids = index.search(queries.numpy(), database.shape[0])
    ours = hamming_distance(queries, database)
    np.testing.assert_array_equal(np.take_along_axis(ours.numpy(), ids, axis=1), distances)
    by_hand = [[bin(int(a) ^ int(b)).count("1") for a, b in zip(q.tolist(), d.tolist())] for q, d in zip(queries[:1], database[:3])]
    assert ours[0, :1].tolist() == [sum(by_hand[0])]
    torch.testing.assert_close(hamming_similarity(queries, database), 48 - ours)


def test_pca_equals_scikit_learn():
    sklearn_pca = PCA(n_components=12, svd_solver="full").fit(CALIBRATION.double().numpy())
    ours = fit_pca(CALIBRATION.double(), 12)
    np.testing.assert_allclose(ours.components.numpy(), sklearn_pca.components_, atol=1e-10)
    np.testing.assert_allclose(ours.mean.numpy(), sklearn_pca.mean_, atol=1e-12)
    np.testing.assert_allclose(ours.explained_variance_ratio.numpy(), sklearn_pca.explained_variance_ratio_, atol=1e-12)
    np.testing.assert_allclose(ours.transform(VECTORS.double()).numpy(), sklearn_pca.transform(VECTORS.double().numpy()), atol=1e-10)
    float32 = fit_pca(CALIBRATION, 12).transform(VECTORS)
    assert float32.dtype == torch.float32
    np.testing.assert_allclose(float32.numpy(), sklearn_pca.transform(VECTORS.double().numpy()), atol=1e-4)


def test_pca_truncated_equals_a_smaller_fit_and_full_pca_is_a_rotation():
    full = fit_pca(CALIBRATION.double(), 48)
    torch.testing.assert_close(full.truncated(5).transform(VECTORS.double()), fit_pca(CALIBRATION.double(), 5).transform(VECTORS.double()))
    centred = VECTORS.double() - full.mean
    torch.testing.assert_close(full.transform(VECTORS.double()).norm(dim=1), centred.norm(dim=1))


# --------------------------------------------------------------------------- behaviour


def test_truncate_float16_and_bytes_per_vector():
    assert truncate(VECTORS, 16).shape == (40, 16) and torch.equal(truncate(VECTORS, 16), VECTORS[:, :16])
    assert to_float16(VECTORS).dtype == torch.float16
    assert [bytes_per_vector(384, bits) for bits in BITS] == [1536, 768, 384, 48]
    assert bytes_per_vector(10, 1) == 2
    assert reduce_dims(VECTORS, 8).shape == (40, 8)
    assert reduce_dims(VECTORS, 8, "pca", fit_pca(CALIBRATION, 16)).shape == (40, 8)


def test_compress_and_compressed_scores_for_every_bit_width():
    ranges = int8_ranges(CALIBRATION)
    exact = cosine(CALIBRATION[:5], VECTORS)
    for bits in BITS:
        stored = compress(VECTORS, bits, ranges if bits == 8 else None)
        assert isinstance(stored, Compressed) and stored.bytes_per_vector == bytes_per_vector(48, bits)
        scores = compressed_scores(CALIBRATION[:5], stored)
        assert scores.shape == (5, 40)
        if bits == 1:
            torch.testing.assert_close(scores, hamming_similarity(quantize_binary(CALIBRATION[:5]), stored.codes).float())
        else:
            tolerance = {32: 1e-6, 16: 2e-3, 8: 5e-2}[bits]  # int8: VECTORS reach outside the calibrated range and are clipped
            assert (scores - exact).abs().max() < tolerance
    assert torch.equal(decompress(compress(VECTORS, 32)), VECTORS)
    assert set(decompress(compress(VECTORS, 1)).unique().tolist()) == {-1.0, 1.0}


def test_binary_rescoring_recovers_the_exact_top_k():
    corpus = torch.randn(500, 64, generator=GENERATOR)
    queries = corpus[:20] + 0.3 * torch.randn(20, 64, generator=GENERATOR)
    exact_ids, exact_scores = most_similar(queries, corpus, k=5)
    ids, scores = binary_search_rescore(queries, quantize_binary(corpus), corpus, k=5, multiplier=100)
    assert torch.equal(ids, exact_ids)  # 500 candidates = the whole corpus: rescoring is exact
    torch.testing.assert_close(scores, exact_scores)
    few_ids, _ = binary_search_rescore(queries, quantize_binary(corpus), corpus, k=5, multiplier=2)
    assert few_ids.shape == (20, 5) and bool((few_ids[:, 0] == torch.arange(20)).float().mean() > 0.9)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: truncate(VECTORS, 49), ValueError, "dims: expected an int in [1, 48], got 49"),
        (lambda: truncate(VECTORS, 2.0), TypeError, "dims: expected an int"),
        (lambda: fit_pca(CALIBRATION, 64), ValueError, "dims: expected an int in [1, 48], got 64"),
        (lambda: fit_pca(CALIBRATION[:10], 12), ValueError, "embeddings: expected more rows than dims (12)"),
        (lambda: fit_pca(CALIBRATION, 4).transform(torch.zeros(2, 8)), ValueError, "expected vectors of dimension 48"),
        (lambda: fit_pca(CALIBRATION, 4).truncated(5), ValueError, "dims: expected an int in [1, 4], got 5"),
        (lambda: compress(VECTORS, 4), ValueError, "bits: expected one of [32, 16, 8, 1]"),
        (lambda: compress(VECTORS, "int8"), TypeError, "bits: expected one of [32, 16, 8, 1] as an int"),
        (lambda: compress(VECTORS, 8), ValueError, "ranges: bits=8 needs ranges (2, d)"),
        (lambda: compress(VECTORS, 16, int8_ranges(CALIBRATION)), ValueError, "ranges: only bits=8 uses"),
        (lambda: quantize_int8(VECTORS, int8_ranges(CALIBRATION[:, :32])), ValueError,
         "ranges: expected shape (2, 48) [min; max per dimension] to match the embeddings' 48 dimensions, got (2, 32)"),
        (lambda: quantize_int8(VECTORS, int8_ranges(CALIBRATION).flip(0)), ValueError, "maximum below its minimum"),
        (lambda: int8_ranges(CALIBRATION[:1]), ValueError, "calibration: expected at least 2 vectors"),
        (lambda: quantize_int8(torch.ones(2, 48, dtype=torch.long), int8_ranges(CALIBRATION)), TypeError, "floating-point"),
        (lambda: quantize_binary(torch.tensor([[float("nan"), 1.0]])), ValueError, "embeddings: expected finite values"),
        (lambda: dequantize_int8(quantize_binary(VECTORS), int8_ranges(CALIBRATION)), TypeError, "codes: expected int8 codes"),
        (lambda: hamming_distance(quantize_binary(VECTORS), quantize_binary(VECTORS[:, :16])), ValueError, "b: expected codes of 6 bytes"),
        (lambda: hamming_distance(VECTORS, VECTORS), TypeError, "a: expected packed uint8 codes"),
        (lambda: reduce_dims(VECTORS, 8, "pca"), TypeError, "pca: reduction='pca' needs a PCAProjection"),
        (lambda: reduce_dims(VECTORS, 8, "svd"), ValueError, "reduction: expected one of ['truncate', 'pca']"),
        (lambda: compressed_scores(VECTORS[:, :8], compress(VECTORS, 32)), ValueError, "queries: expected vectors of dimension 48"),
        (lambda: binary_search_rescore(VECTORS, quantize_binary(VECTORS), VECTORS[:5]), ValueError, "rescore_corpus: expected 40 rows"),
        (lambda: binary_search_rescore(VECTORS, quantize_binary(VECTORS), VECTORS, k=41), ValueError, "k: expected an int in [1, 40]"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()

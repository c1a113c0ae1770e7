"""course_lib.vector_index (notebook 07): FAISS indexes against course_lib's exact search."""

from __future__ import annotations

import re

import faiss
import numpy as np
import pytest
import torch

from course_lib.compress import hamming_distance, quantize_binary
from course_lib.similarity import most_similar
from course_lib.vector_index import (
    INDEX_KINDS,
    build_index,
    index_bytes,
    measure_index,
    pad_with_random,
    recall_against,
    search_index,
)

GENERATOR = torch.Generator().manual_seed(3)
CENTRES = torch.randn(20, 32, generator=GENERATOR)
CORPUS = torch.nn.functional.normalize(CENTRES.repeat(100, 1) + 0.4 * torch.randn(2000, 32, generator=GENERATOR), dim=1)
QUERIES = torch.nn.functional.normalize(CORPUS[:25] + 0.1 * torch.randn(25, 32, generator=GENERATOR), dim=1)
EXACT = most_similar(QUERIES, CORPUS, measure="dot", k=10)[0].numpy()


def test_flat_index_equals_most_similar():
    assert recall_against(search_index(build_index("flat", CORPUS), QUERIES), EXACT) == 1.0


def test_approximate_indexes_find_most_of_the_exact_top_10():
    assert recall_against(search_index(build_index("hnsw", CORPUS), QUERIES), EXACT) > 0.9
    assert recall_against(search_index(build_index("ivf", CORPUS, nprobe=16), QUERIES), EXACT) > 0.8
    assert recall_against(search_index(build_index("ivfpq", CORPUS, pq_m=8, nprobe=16), QUERIES), EXACT) > 0.3


def test_binary_index_returns_the_hamming_nearest():
    ids = search_index(build_index("binary", CORPUS), QUERIES, k=5)
    distances = hamming_distance(quantize_binary(QUERIES), quantize_binary(CORPUS))
    best = distances.min(dim=1).values
    assert torch.equal(distances[torch.arange(25), torch.from_numpy(ids[:, 0]).long()], best)


def test_bytes_per_vector_reflect_what_is_stored():
    assert index_bytes(build_index("flat", CORPUS)) / 2000 == pytest.approx(32 * 4, rel=0.05)
    assert index_bytes(build_index("binary", CORPUS)) / 2000 == pytest.approx(4, rel=0.1)
    hnsw = index_bytes(build_index("hnsw", CORPUS, hnsw_m=16)) / 2000
    assert hnsw > 32 * 4 + 16 * 4  # vectors plus at least M int32 links per vector on the bottom layer


def test_measure_index_reports_every_field():
    report = measure_index("hnsw", CORPUS, QUERIES, EXACT, repeats=1)
    assert report.kind == "hnsw" and report.recall > 0.9 and report.bytes_per_vector > 128
    assert report.build_seconds > 0 and report.ms_single > 0 and report.ms_batched > 0


def test_padding_keeps_the_real_vectors_first_and_is_seeded():
    padded = pad_with_random(CORPUS[:10] * 3, 50, seed=1)
    assert padded.shape == (50, 32)
    torch.testing.assert_close(padded[:10], CORPUS[:10])
    torch.testing.assert_close(padded.norm(dim=1), torch.ones(50))
    assert torch.equal(padded, pad_with_random(CORPUS[:10] * 3, 50, seed=1))
    assert not torch.equal(padded, pad_with_random(CORPUS[:10], 50, seed=2))


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: build_index("lsh", CORPUS), ValueError, f"kind: expected one of {list(INDEX_KINDS)}"),
        (lambda: build_index("ivf", CORPUS, nlist=5000), ValueError, "nlist: expected an int in [1, 2000]"),
        (lambda: build_index("flat", CORPUS.long()), TypeError, "vectors: expected a floating-point tensor"),
        (lambda: search_index(build_index("flat", CORPUS), QUERIES, k=0), ValueError, "k: expected an int in [1, 2000]"),
        (lambda: recall_against(np.zeros((2, 3)), np.zeros((2, 4))), ValueError, "found: expected the shape of exact"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()

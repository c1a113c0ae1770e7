"""course_lib.scale: the corpus is seeded, the memory arithmetic adds up, the measurements measure."""

from __future__ import annotations

import sys

import pytest
import torch

from course_lib.scale import peak_rss_growth, random_corpus, search_cost, search_memory_bytes, time_per_query


def test_random_corpus_is_seeded_and_unit_length():
    a, b = random_corpus(50, 8, seed=3), random_corpus(50, 8, seed=3)
    assert a.shape == (50, 8) and a.dtype == torch.float32 and torch.equal(a, b)
    assert not torch.equal(a, random_corpus(50, 8, seed=4))
    torch.testing.assert_close(a.norm(dim=1), torch.ones(50))
    assert not torch.allclose(random_corpus(50, 8, normalize=False).norm(dim=1), torch.ones(50))


def test_memory_arithmetic():
    parts = search_memory_bytes(n_queries=64, corpus_size=100_000, dim=384, k=10, chunk_size=8192, measure="cosine")
    assert parts["corpus"] == 100_000 * 384 * 4 == 153_600_000
    assert parts["unit-length chunk copy"] == 8192 * 384 * 4
    assert parts["chunk scores"] == 64 * 8192 * 4
    assert parts["candidates (scores + int64 indices)"] == 64 * 8202 * 12
    assert parts["working set"] == sum(v for k, v in parts.items() if k not in ("corpus", "working set"))
    assert search_memory_bytes(1, 100_000, measure="dot")["unit-length chunk copy"] == 0
    # the working set stops growing once the corpus is larger than a chunk
    assert search_memory_bytes(8, 10**6)["working set"] == search_memory_bytes(8, 10**5)["working set"]
    assert search_memory_bytes(8, 100)["chunk scores"] == 8 * 100 * 4


def test_time_per_query_divides_the_median_by_the_queries():
    calls = []
    seconds = time_per_query(lambda: calls.append(1), n_queries=4, repeats=3, warmup=2)
    assert len(calls) == 5 and 0 <= seconds < 0.01


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak RSS is read from /proc/self (Linux only)")
def test_peak_rss_growth_sees_a_large_allocation():
    def allocate():
        block = torch.ones(50_000_000, dtype=torch.uint8)  # 50 MB, touched
        return int(block[-1])

    result, growth = peak_rss_growth(allocate)
    assert result == 1
    assert growth is not None and 45e6 < growth < 200e6
    _, small = peak_rss_growth(lambda: None)
    assert small is not None and small < 10e6


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: random_corpus(0), "n: expected a positive int"),
        (lambda: random_corpus(3, dim=2.5), "dim: expected a positive int"),
        (lambda: search_memory_bytes(0, 10), "n_queries: expected a positive int"),
        (lambda: search_memory_bytes(1, 10, measure="hamming"), "measure: expected one of"),
        (lambda: time_per_query(lambda: None, repeats=0), "repeats: expected a positive int"),
        (lambda: time_per_query(lambda: None, warmup=-1), "warmup: expected an int >= 0"),
    ],
)
def test_bad_input_is_rejected(call, words):
    import re

    with pytest.raises(ValueError, match=re.escape(words)):
        call()


def test_non_callables_are_rejected():
    with pytest.raises(TypeError, match="fn: expected a callable"):
        time_per_query(42)
    with pytest.raises(TypeError, match="fn: expected a callable"):
        peak_rss_growth("not a function")


def test_search_cost_reports_a_consistent_measurement():
    corpus = random_corpus(2000, 16, seed=0)
    queries = random_corpus(4, 16, seed=1)
    cost = search_cost(queries, corpus, "dot", k=5, chunk_size=512, repeats=2)
    assert (cost.measure, cost.n_queries, cost.corpus_size) == ("dot", 4, 2000)
    assert cost.seconds_per_query > 0
    assert cost.predicted_bytes == search_memory_bytes(4, 2000, 16, k=5, chunk_size=512, measure="dot")["working set"]
    with pytest.raises(TypeError, match="queries: expected a \\(q, d\\) torch.Tensor"):
        search_cost(queries[0], corpus)
    with pytest.raises(TypeError, match="corpus: expected a \\(n, d\\) torch.Tensor"):
        search_cost(queries, corpus.numpy())

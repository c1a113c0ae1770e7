"""course_lib.similarity input checks: every NaN or inf is caught, wherever it sits (notebook 05).

The finite check is a min/max reduction rather than a full boolean mask; these tests pin down that
it still sees a single bad value at any position, in every float dtype, through every entry point.
"""

from __future__ import annotations

import math

import pytest
import torch

from course_lib import similarity as sim

BAD_VALUES = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
@pytest.mark.parametrize("bad", BAD_VALUES)
def test_one_bad_value_anywhere_is_rejected(dtype, bad):
    clean = torch.randn(37, 19, generator=torch.Generator().manual_seed(0)).to(dtype)
    sim.dot(clean, clean)  # no error without the bad value
    for row, col in [(0, 0), (36, 18), (17, 5), (36, 0), (0, 18)]:
        corrupted = clean.clone()
        corrupted[row, col] = bad
        with pytest.raises(ValueError, match="a: contains NaN or infinite values"):
            sim.dot(corrupted, clean)
        with pytest.raises(ValueError, match="b: contains NaN or infinite values"):
            sim.cosine(clean, corrupted)


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_most_similar_checks_the_whole_corpus_once(bad):
    corpus = torch.randn(1000, 8, generator=torch.Generator().manual_seed(1))
    corpus[999, 7] = bad  # in the last chunk
    with pytest.raises(ValueError, match="b: contains NaN or infinite values"):
        sim.most_similar(torch.ones(8), corpus, chunk_size=64)


def test_huge_but_finite_values_are_accepted():
    x = torch.full((3, 4), 3.0e38)
    assert torch.equal(sim.chebyshev(x, x), torch.zeros(3, 3))

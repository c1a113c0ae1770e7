"""course_lib.evaluate.sts_spearman."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from course_lib.evaluate import sts_spearman
from course_lib.similarity import MEASURES


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
    with pytest.raises(ValueError, match="gold: contains NaN"):
        sts_spearman(a, a, [1.0, 2.0, float("nan"), 3.0])
    with pytest.raises(ValueError, match="measure"):
        sts_spearman(a, a, [1.0, 2.0, 3.0, 4.0], measure="jaccard")

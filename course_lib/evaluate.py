"""Evaluation on sentence-similarity pairs (introduced in notebook 02).

STS evaluation scores each pair with a similarity measure and reports the Spearman rank
correlation with the human gold scores: only the ORDER of the pairs matters, so any monotone
rescaling of the scores leaves the result unchanged.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import spearmanr

from course_lib.similarity import higher_is_closer, paired


def sts_spearman(emb_a, emb_b, gold, measure: str = "cosine", p: float | None = None) -> float:
    """Spearman ρ between the pairs' similarity and the gold scores.

    ``emb_a``, ``emb_b``: ``(n, hidden)`` embeddings of the first and second sentences; ``gold``:
    ``(n,)`` scores. Distances are negated, so a good measure gives a positive ρ for every measure.
    """
    scores = paired(emb_a, emb_b, measure, p)
    gold_array = np.asarray(gold.cpu().numpy() if isinstance(gold, torch.Tensor) else gold, dtype=np.float64)
    if gold_array.ndim != 1 or gold_array.shape[0] != scores.shape[0]:
        raise ValueError(f"gold: expected shape ({scores.shape[0]},) to match the pairs, got {gold_array.shape}")
    if scores.shape[0] < 3:
        raise ValueError(f"emb_a: expected at least 3 pairs for a rank correlation, got {scores.shape[0]}")
    if not np.isfinite(gold_array).all():
        raise ValueError("gold: contains NaN or infinite values")
    oriented = scores.double().numpy() if higher_is_closer(measure) else -scores.double().numpy()
    return float(spearmanr(oriented, gold_array).statistic)

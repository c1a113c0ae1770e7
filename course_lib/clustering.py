"""Clustering sentence embeddings, and scoring clusters against known classes (notebook 03).

k-means needs every item to be a point in the same space: one fixed-length vector per text. That
is exactly what a sentence embedding is, and what a text's variable-length token matrix is not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from course_lib._checks import check_array, check_finite, check_int


def _as_ids(name: str, values: object) -> np.ndarray:
    array = check_array(name, values, ndim=1, shape="(n,) of labels", numeric=False)
    if array.dtype.kind not in "iub":  # strings or floats: map each distinct value to an int
        _, array = np.unique(array.astype(str), return_inverse=True)
    return array.astype(np.int64)


def purity(
    true_labels: Sequence | np.ndarray | torch.Tensor, cluster_ids: Sequence | np.ndarray | torch.Tensor
) -> float:
    """Share of items whose cluster's majority class is their own class, in (0, 1].

    For each cluster, count its most common true label; add up and divide by n. 1.0 = every
    cluster is pure. Beware: n clusters of one item each also score 1.0, so read it next to the
    adjusted Rand index (``sklearn.metrics.adjusted_rand_score``), which corrects for chance.
    """
    truth = _as_ids("true_labels", true_labels)
    clusters = _as_ids("cluster_ids", cluster_ids)
    if len(truth) != len(clusters):
        raise ValueError(
            f"cluster_ids: expected {len(truth)} ids (one per item, like true_labels), got {len(clusters)}"
        )
    _, truth = np.unique(truth, return_inverse=True)
    majority = sum(int(np.bincount(truth[clusters == c]).max()) for c in np.unique(clusters))
    return majority / len(truth)


def kmeans_clusters(
    embeddings: torch.Tensor | np.ndarray, k: int, seed: int = 0, normalize: bool = True, n_init: int = 10
) -> np.ndarray:
    """Cluster ids ``(n,)`` from k-means on ``embeddings`` ``(n, hidden)``.

    ``normalize=True`` (default) scales every vector to length 1 first: k-means uses Euclidean
    distance, and on unit vectors Euclidean distance ranks pairs exactly as cosine similarity does,
    the measure sentence-embedding models are trained for.
    """
    from sklearn.cluster import KMeans

    if isinstance(embeddings, (list, tuple)) and any(isinstance(item, str) for item in embeddings):
        raise TypeError(
            "embeddings: expected one vector per text, shape (n, hidden), got a list of strings "
            "(embed the texts first, e.g. encode(texts))"
        )
    shape = "(n, hidden): one fixed-length vector per text (token matrices? pool them into sentence vectors first)"
    points = check_array("embeddings", embeddings, ndim=2, shape=shape).astype(np.float64)
    k = check_int("k", k, 1, len(points))
    check_finite("embeddings", points)
    if normalize:
        norms = np.linalg.norm(points, axis=1, keepdims=True)
        points = points / np.where(norms == 0, 1.0, norms)
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(points)

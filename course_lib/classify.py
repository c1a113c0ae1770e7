"""A linear classifier on top of fixed features: how much of a label can a representation give? (notebook 03)

The model that makes the features is frozen; only a logistic regression is trained on them, the
protocol of SentEval (Conneau & Kiela, 2018). Features may be a torch tensor, a numpy array or a
scipy sparse matrix ``(n, d)``; labels are binary, 0 or 1, ``(n,)``.

- :func:`out_of_fold_probabilities`  cross-validation: every text is predicted by a model that never saw it
- :func:`train_test_probabilities`   fit on a training split, predict a test split
- :func:`accuracy_with_fewer_labels`  the same, with only n labelled training texts (same draws for every approach)
- :func:`accuracy_by_group`          accuracy per sub-group (e.g. negation, contrast)
- :func:`mcnemar_p`                  is one classifier's accuracy really better than another's on the same texts?
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from scipy import sparse

from course_lib._checks import check_bools, check_int, check_number, check_type, describe
from scipy.stats import binomtest


def _as_features(name: str, features: object):
    if isinstance(features, torch.Tensor):
        features = features.detach().cpu().numpy()
    if sparse.issparse(features):
        matrix = features.tocsr()
        values = matrix.data
    elif isinstance(features, np.ndarray):
        matrix = features
        values = features
    else:
        raise TypeError(
            f"{name}: expected a torch.Tensor, numpy array or scipy sparse matrix of shape (n, d), "
            f"got {describe(features)}"
        )
    if matrix.ndim != 2 or matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty matrix of shape (n, d), got shape {tuple(matrix.shape)}")
    if not np.issubdtype(values.dtype, np.number):
        raise TypeError(f"{name}: expected numbers, got an array of dtype {values.dtype}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name}: expected finite numbers, got NaN or infinite values")
    return matrix


def _as_labels(name: str, labels: object, n: int) -> np.ndarray:
    if isinstance(labels, torch.Tensor):
        labels = labels.detach().cpu().numpy()
    array = np.asarray(labels)
    if array.ndim != 1 or len(array) != n:
        raise ValueError(f"{name}: expected shape ({n},), one label per row of the features, got shape {array.shape}")
    if not np.isin(array, (0, 1)).all():
        raise ValueError(f"{name}: expected binary labels 0 or 1, got values {sorted(set(array.tolist()))[:5]}")
    return array.astype(np.int64)


def _check_c(C: object) -> float:
    return check_number("C", C, 0.0, low_inclusive=False)


def _classifier(C: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=5000)


def out_of_fold_probabilities(
    features,
    labels,
    n_splits: int = 5,
    seed: int = 0,
    strata: Sequence[object] | None = None,
    C: float = 1.0,
) -> np.ndarray:
    """P(label = 1) ``(n,)`` for every text, from a logistic regression that did not see it.

    Stratified ``n_splits``-fold cross-validation with shuffling seeded by ``seed``. The folds keep
    the mix of ``strata`` (default: the labels), e.g. label × phenomenon so that every fold holds
    its share of negations.
    """
    from sklearn.model_selection import StratifiedKFold

    matrix = _as_features("features", features)
    y = _as_labels("labels", labels, matrix.shape[0])
    n_splits = check_int("n_splits", n_splits, 2, len(y))
    if strata is None:
        keys = y
    else:
        if isinstance(strata, str) or len(strata) != len(y):
            raise ValueError(f"strata: expected a sequence of {len(y)} keys (one per text), got {strata!r:.60}")
        keys = np.asarray([f"{label}|{key}" for label, key in zip(y, strata)])
    C = _check_c(C)
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    probabilities = np.empty(len(y), dtype=np.float64)
    for train, test in folds.split(np.zeros(len(y)), keys):
        classifier = _classifier(C).fit(matrix[train], y[train])
        probabilities[test] = classifier.predict_proba(matrix[test])[:, 1]
    return probabilities


def train_test_probabilities(train_features, train_labels, test_features, C: float = 1.0) -> np.ndarray:
    """Fit a logistic regression on the training split; P(label = 1) ``(m,)`` for the test split."""
    train = _as_features("train_features", train_features)
    test = _as_features("test_features", test_features)
    if train.shape[1] != test.shape[1]:
        raise ValueError(
            f"test_features: expected {train.shape[1]} columns like train_features, got {test.shape[1]}"
        )
    y = _as_labels("train_labels", train_labels, train.shape[0])
    return _classifier(_check_c(C)).fit(train, y).predict_proba(test)[:, 1]


def accuracy_by_group(correct, groups: Sequence[str]) -> dict[str, float]:
    """Share of ``correct`` (bool ``(n,)``) in each group, groups in order of first appearance."""
    hits = np.asarray(correct)
    if hits.ndim != 1 or hits.dtype != bool:
        raise TypeError(f"correct: expected a boolean array of shape (n,), got dtype {hits.dtype} shape {hits.shape}")
    if isinstance(groups, str) or len(groups) != len(hits):
        raise ValueError(f"groups: expected {len(hits)} group names (one per text), got {len(groups)}")
    names = np.asarray(groups, dtype=object)
    return {group: float(hits[names == group].mean()) for group in dict.fromkeys(groups)}


def mcnemar_p(correct_a, correct_b) -> float:
    """Two-sided exact McNemar p-value: could A and B be equally accurate on these texts?

    Only the texts where exactly one of them is right count; under "equally good" each such text
    is a fair coin. Small p (say < 0.05) means the difference is unlikely to be luck.
    """
    a, b = check_bools("correct_a", correct_a), check_bools("correct_b", correct_b)
    if a.shape != b.shape:
        raise ValueError(f"correct_b: expected shape {a.shape} like correct_a, got {b.shape}")
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    if only_a + only_b == 0:
        return 1.0
    return float(binomtest(only_a, only_a + only_b, 0.5).pvalue)



def accuracy_with_fewer_labels(
    train_features: Mapping[str, object],
    train_labels,
    test_features: Mapping[str, object],
    test_labels,
    n_labels: int,
    repeats: int = 5,
    seed: int = 0,
    C: float = 1.0,
) -> dict[str, list[float]]:
    """Test accuracy of every approach when only ``n_labels`` training texts are labelled.

    ``train_features`` / ``test_features`` map an approach's name to its features. Each of the
    ``repeats`` draws picks ``n_labels`` training texts at random (seeded by ``seed + draw``) and
    gives *the same* texts to every approach, so the approaches are compared on equal terms.
    Returns ``{approach: [accuracy per draw]}``. With ``n_labels`` = all training texts there is one draw.
    """
    check_type("train_features", train_features, Mapping, "a dict {approach: features}")
    if not train_features:
        raise ValueError("train_features: expected a dict {approach: features} with at least one approach, got an empty dict")
    if not isinstance(test_features, Mapping) or set(test_features) != set(train_features):
        raise ValueError(
            f"test_features: expected a dict with the same approaches as train_features {list(train_features)}, "
            f"got {list(test_features) if isinstance(test_features, Mapping) else type(test_features).__name__}"
        )
    train = {name: _as_features(f"train_features[{name!r}]", x) for name, x in train_features.items()}
    test = {name: _as_features(f"test_features[{name!r}]", x) for name, x in test_features.items()}
    n_train = {x.shape[0] for x in train.values()}
    n_test = {x.shape[0] for x in test.values()}
    if len(n_train) != 1 or len(n_test) != 1:
        raise ValueError(f"train_features, test_features: expected the same number of rows for every approach, "
                         f"got {sorted(n_train)} and {sorted(n_test)}")
    y_train = _as_labels("train_labels", train_labels, n_train.pop())
    y_test = _as_labels("test_labels", test_labels, n_test.pop())
    n_labels = check_int("n_labels", n_labels, 2, len(y_train))
    repeats = check_int("repeats", repeats, 1)
    draws = 1 if n_labels == len(y_train) else repeats
    results: dict[str, list[float]] = {name: [] for name in train}
    for draw in range(draws):
        chosen = np.sort(np.random.default_rng(seed + draw).permutation(len(y_train))[:n_labels])
        if len(np.unique(y_train[chosen])) < 2:
            raise ValueError(f"n_labels: {n_labels} random texts (draw {draw}) hold only one class; use more labels")
        for name in train:
            probabilities = train_test_probabilities(train[name][chosen], y_train[chosen], test[name], C=C)
            results[name].append(float(((probabilities > 0.5) == (y_test == 1)).mean()))
    return results

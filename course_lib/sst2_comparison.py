"""The whole vs its parts on SST-2: one train/test comparison for notebook 03 and the benchmark.

Every approach of :mod:`course_lib.baselines` turns the SST-2 train and test sentences into features,
the same logistic regression (C=1) learns from all training labels and from a few random ones, and
the test accuracies are compared with an exact McNemar test. Needs ``COURSE_DATA_DIR`` with ``sst2/``.
Used by notebook 03 (section 1.6) and ``benchmarks/whole_vs_parts_sst2.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from course_lib._checks import check_callable, check_int, check_items
from course_lib.baselines import APPROACHES, SENTENCE, featurize
from course_lib.classify import accuracy_with_fewer_labels, mcnemar_p, train_test_probabilities
from course_lib.models import LoadedModel


@dataclass
class SST2Comparison:
    """Test accuracies per approach: with all labels, with a few (``fewer[n][approach]``: one per draw)."""

    approaches: tuple[str, ...]
    n_train: int
    n_test: int
    all_labels: dict[str, float]
    fewer: dict[int, dict[str, list[float]]]
    mcnemar: dict[str, float]  # exact McNemar p of each approach vs the sentence embedding (all labels)
    repeats: int
    seed: int

    def table(self) -> str:
        """A Markdown table: mean ± sd for each smaller training set, all labels, McNemar p."""
        sizes = sorted(self.fewer)
        header = [f"{n:,} labels" for n in sizes] + [f"all {self.n_train:,} labels", "McNemar p vs sentence"]
        lines = ["| approach | " + " | ".join(header) + " |", "|---|" + "---:|" * len(header)]
        for approach in self.approaches:
            cells = [f"{np.mean(self.fewer[n][approach]):.3f} ± {np.std(self.fewer[n][approach]):.3f}" for n in sizes]
            cells.append(f"{self.all_labels[approach]:.3f}")
            cells.append("—" if approach == SENTENCE else f"{self.mcnemar[approach]:.2g}")
            lines.append(f"| {approach} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def compare_on_sst2(
    approaches: Sequence[str] = APPROACHES,
    label_sizes: Sequence[int] = (300, 1000),
    repeats: int = 5,
    seed: int = 0,
    model: LoadedModel | str | None = None,
    report: Callable[[str], None] | None = None,
) -> SST2Comparison:
    """Featurize SST-2 train/test with each approach and compare test accuracies (see the module doc).

    ``approaches`` must include the sentence embedding (the McNemar reference). ``report``, if given,
    is called with one line per finished approach (e.g. ``print``: featurizing takes seconds to minutes).
    """
    from course_lib import data

    approaches = tuple(check_items("approaches", approaches, str, "approach names"))
    unknown = [a for a in approaches if a not in APPROACHES]
    if unknown or SENTENCE not in approaches:
        raise ValueError(f"approaches: expected some of {list(APPROACHES)} including {SENTENCE!r}, got {list(approaches)}")
    check_items("label_sizes", label_sizes, (int, np.integer), "training-set sizes (ints)", allow_empty=True)
    repeats, seed = check_int("repeats", repeats, minimum=1), check_int("seed", seed)
    if report is not None:
        check_callable("report", report, "a function taking one line of text, or None")
    train, test = data.load_sst2("train"), data.load_sst2("test")
    train_features, test_features = {}, {}
    for approach in approaches:
        train_features[approach] = featurize(approach, train.texts, model, vocabulary_texts=train.texts)
        test_features[approach] = featurize(approach, test.texts, model, vocabulary_texts=train.texts)
        if report is not None:
            report(f"features: {approach:<20} {tuple(test_features[approach].shape)[1]:>6} dims")
    sizes = sorted({n for n in label_sizes if 2 <= n < len(train.texts)})
    fewer = {n: accuracy_with_fewer_labels(train_features, train.labels, test_features, test.labels, n,
                                           repeats=repeats, seed=seed) for n in sizes}
    correct = {
        approach: (train_test_probabilities(train_features[approach], train.labels, test_features[approach]) > 0.5)
        == (test.labels == 1)
        for approach in approaches
    }
    return SST2Comparison(
        approaches=approaches, n_train=len(train.texts), n_test=len(test.texts),
        all_labels={a: float(correct[a].mean()) for a in approaches}, fewer=fewer,
        mcnemar={a: mcnemar_p(correct[SENTENCE], correct[a]) for a in approaches if a != SENTENCE},
        repeats=repeats, seed=seed,
    )

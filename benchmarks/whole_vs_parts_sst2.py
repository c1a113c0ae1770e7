"""The whole beats the parts, on SST-2: sentence embeddings vs word-level baselines (notebook 03).

    COURSE_DATA_DIR=/path/to/data python benchmarks/whole_vs_parts_sst2.py [--labels 300 1000] [--repeats 5]

Turns every SST-2 sentence (train 6920, test 1821) into features four ways, all but the last from
the bundled all-MiniLM-L6-v2, then trains a logistic regression (scikit-learn, C=1, the same for
every approach) on the training split and reports accuracy on the test split:

- sentence embedding    the whole sentence through the encoder, mean-pooled
- word-piece average    the mean of the model's input word-piece embeddings (no context)
- words encoded alone   each word through the encoder on its own, then averaged (no context)
- bag of words          binary word presence

Columns: with only --labels labelled training sentences (mean ± sd over --repeats random draws,
the same draws for every approach) and with all of them; the last column is the exact McNemar
p-value of the difference to the sentence embedding on the 1821 test sentences (all labels).
Encoding takes a few minutes on 2 CPU cores. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, nargs="*", default=[300, 1000], help="smaller training sets to try")
    parser.add_argument("--repeats", type=int, default=5, help="random draws per smaller training set")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    from course_lib import data
    from course_lib.baselines import APPROACHES, SENTENCE, featurize
    from course_lib.classify import accuracy_with_fewer_labels, mcnemar_p, train_test_probabilities
    from course_lib.models import load_model

    if not data.has_real_data("sst2"):
        print(f"SST-2 not found: set {data.DATA_ENV_VAR} to a folder holding sst2/ (see README).")
        return 2
    torch.manual_seed(args.seed)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} with "
          f"{torch.get_num_threads()} threads, load average (1 min) {load:.2f}")
    train, test = data.load_sst2("train"), data.load_sst2("test")
    model = load_model()
    print(f"SST-2: train {len(train.texts)}, test {len(test.texts)} sentences; model {model.name}\n")

    train_features, test_features = {}, {}
    for approach in APPROACHES:
        start = time.perf_counter()
        train_features[approach] = featurize(approach, train.texts, model, vocabulary_texts=train.texts)
        test_features[approach] = featurize(approach, test.texts, model, vocabulary_texts=train.texts)
        print(f"features: {approach:<20} {tuple(test_features[approach].shape)[1]:>6} dims, "
              f"{time.perf_counter() - start:6.1f} s")

    sizes = sorted({n for n in args.labels if 2 <= n < len(train.texts)})
    fewer = {n: accuracy_with_fewer_labels(train_features, train.labels, test_features, test.labels, n,
                                           repeats=args.repeats, seed=args.seed) for n in sizes}
    correct = {
        approach: (train_test_probabilities(train_features[approach], train.labels, test_features[approach]) > 0.5)
        == (test.labels == 1)
        for approach in APPROACHES
    }

    header = [f"{n:,} labels" for n in sizes] + [f"all {len(train.texts):,} labels", "McNemar p vs sentence"]
    print("\n| approach | " + " | ".join(header) + " |")
    print("|---|" + "---:|" * len(header))
    for approach in APPROACHES:
        cells = [f"{np.mean(fewer[n][approach]):.3f} ± {np.std(fewer[n][approach]):.3f}" for n in sizes]
        cells.append(f"{correct[approach].mean():.3f}")
        cells.append("—" if approach == SENTENCE else f"{mcnemar_p(correct[SENTENCE], correct[approach]):.2g}")
        print(f"| {approach} | " + " | ".join(cells) + " |")
    print(f"\naccuracy on the SST-2 test split ({len(test.texts)} sentences); logistic regression, C=1; "
          f"smaller training sets: mean ± sd over {args.repeats} random draws (seed {args.seed}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

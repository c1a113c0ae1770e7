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

    import torch

    from course_lib import data
    from course_lib.models import load_model
    from course_lib.sst2_comparison import compare_on_sst2

    if not data.has_real_data("sst2"):
        print(f"SST-2 not found: set {data.DATA_ENV_VAR} to a folder holding sst2/ (see README).")
        return 2
    torch.manual_seed(args.seed)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} with "
          f"{torch.get_num_threads()} threads, load average (1 min) {load:.2f}")
    model = load_model()
    started = time.perf_counter()

    def report(line: str) -> None:
        print(f"{line}, {time.perf_counter() - started:6.1f} s so far", flush=True)

    result = compare_on_sst2(label_sizes=args.labels, repeats=args.repeats, seed=args.seed, model=model, report=report)
    print(f"SST-2: train {result.n_train}, test {result.n_test} sentences; model {model.name}\n")
    print(result.table())
    print(f"\naccuracy on the SST-2 test split ({result.n_test} sentences); logistic regression, C=1; "
          f"smaller training sets: mean ± sd over {args.repeats} random draws (seed {args.seed}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

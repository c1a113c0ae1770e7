"""Learned pooling on the frozen all-MiniLM-L6-v2: does it beat mean pooling on STS-B test? (notebook 08)

    COURSE_DATA_DIR=/path/to/data python benchmarks/learned_pooling.py [--epochs 2] [--seeds 0 1 2]

Caches the encoder's outputs for STS-B train and test once, trains an attention-pooling head (1 and
4 queries) and a softmax layer mix with CosineSimilarityLoss (batch 32, AdamW, the course's
``train_loop``), and prints each one's Spearman ρ (cosine) on STS-B test, its difference to mean
pooling with a 95 % paired bootstrap interval (1,000 resamples), the layer weights, and the seconds
spent caching and training (these depend on the machine's load; the script prints the load).
Several ``--seeds`` show how much the result moves with the shuffling.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args(argv)

    from course_lib import data
    from course_lib.evaluate import bootstrap_spearman_difference
    from course_lib.learned_pooling import (
        AttentionPooling, LayerMixMeanPooling, cache_pairs, embed_cached, pair_cosines, train_pooling_head,
    )
    from course_lib.models import load_model
    from course_lib.pooling import mean_pool

    if not data.has_real_data("stsbenchmark"):
        print("needs the STS Benchmark: set COURSE_DATA_DIR (see the README's 'Real data')", file=sys.stderr)
        return 2
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    model = load_model()
    started = time.perf_counter()
    train = cache_pairs(data.load_stsb("train"), model, all_layers=True, show_progress=False)
    test = cache_pairs(data.load_stsb("test"), model, all_layers=True, show_progress=False)
    print(f"cached {len(train.states) + len(test.states)} sentences in {time.perf_counter() - started:.1f} s")
    mean_cosines = pair_cosines(embed_cached(mean_pool, test.states), test)
    gold = test.gold.numpy()
    from scipy.stats import spearmanr

    print(f"mean pooling: STS-B test ρ = {spearmanr(mean_cosines, gold).statistic:.4f}")
    for seed in args.seeds:
        heads = {
            "attention, 1 query": (AttentionPooling(model.hidden_size), 3e-2),
            "attention, 4 queries": (AttentionPooling(model.hidden_size, n_queries=4, init="random", seed=seed), 3e-2),
            "layer mix": (LayerMixMeanPooling(model.model.config.num_hidden_layers + 1), 3e-1),
        }
        for name, (head, learning_rate) in heads.items():
            started = time.perf_counter()
            train_pooling_head(head, train, epochs=args.epochs, batch_size=32, learning_rate=learning_rate,
                               seed=seed, show_progress=False)
            seconds = time.perf_counter() - started
            cosines = pair_cosines(embed_cached(head, test.states), test)
            difference, low, high = bootstrap_spearman_difference(mean_cosines, cosines, gold, n_resamples=1000, seed=0)
            extra = ""
            if isinstance(head, LayerMixMeanPooling):
                extra = f"  weights {[round(w, 3) for w in head.layer_weights.tolist()]}"
            print(f"seed {seed}  {name:<21} ρ = {spearmanr(cosines, gold).statistic:.4f}  vs mean {difference:+.4f} "
                  f"[{low:+.4f}, {high:+.4f}]  trained in {seconds:.1f} s{extra}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

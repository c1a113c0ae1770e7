"""What exact search costs at scale: most_similar over a seeded random corpus (notebook 05).

    python benchmarks/search_scale.py [--size 100000] [--dim 384] [--queries 64] [--repeats 5]

Prints, for a corpus of --size float32 vectors, the time per query and the memory of
course_lib.similarity.most_similar (cosine over raw vectors, dot over pre-normalised vectors,
Euclidean, one query per call and --queries per call), then the time per query as the corpus grows
and a linear extrapolation to 1 and 10 million vectors. Timings depend on the machine and its load
(the load average is printed); the memory is predicted from the chunk sizes and measured as the peak
growth of resident memory (Linux: /proc/self/status).
"""

from __future__ import annotations

import argparse
import os
import platform


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="corpus vectors (default 100000)")
    parser.add_argument("--dim", type=int, default=384, help="dimensions (default 384, as all-MiniLM-L6-v2)")
    parser.add_argument("--queries", type=int, default=64, help="queries per call in the batched rows")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--chunk-size", type=int, default=8192)
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per row; the median is reported")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    from course_lib.scale import random_corpus, search_cost

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__} with {torch.get_num_threads()} threads, load average (1 min) {load:.2f}")
    raw = random_corpus(args.size, args.dim, seed=args.seed, normalize=False)
    unit = torch.nn.functional.normalize(raw, dim=1)
    queries = random_corpus(args.queries, args.dim, seed=args.seed + 1)
    print(f"corpus: {args.size:,} x {args.dim} float32 = {raw.numel() * raw.element_size() / 1e6:.1f} MB "
          f"(seed {args.seed}); k = {args.k}, chunk_size = {args.chunk_size}, median of {args.repeats} calls")
    print()
    print(f"{'configuration':<46}{'ms / query':>11}{'predicted MB':>14}{'measured MB':>13}")
    rows = [
        ("cosine, raw corpus, 1 query per call", queries[:1], raw, "cosine"),
        ("dot, pre-normalised corpus, 1 query per call", queries[:1], unit, "dot"),
        ("euclidean, pre-normalised corpus, 1 query", queries[:1], unit, "euclidean"),
        (f"cosine, raw corpus, {args.queries} queries per call", queries, raw, "cosine"),
        (f"dot, pre-normalised corpus, {args.queries} per call", queries, unit, "dot"),
    ]
    for label, q, corpus, measure in rows:
        cost = search_cost(q, corpus, measure, k=args.k, chunk_size=args.chunk_size, repeats=args.repeats)
        measured = "n/a" if cost.measured_bytes is None else f"{cost.measured_bytes / 1e6:.1f}"
        print(f"{label:<46}{cost.seconds_per_query * 1e3:>11.2f}{cost.predicted_bytes / 1e6:>14.1f}{measured:>13}")

    print()
    sizes = [args.size // 8, args.size // 4, args.size // 2, args.size]
    print("dot, pre-normalised corpus, 1 query per call, as the corpus grows:")
    milliseconds = []
    for size in sizes:
        cost = search_cost(queries[:1], unit[:size], "dot", k=args.k, chunk_size=args.chunk_size, repeats=args.repeats)
        milliseconds.append(cost.seconds_per_query * 1e3)
        print(f"  {size:>10,} vectors  {milliseconds[-1]:8.2f} ms / query")
    slope, intercept = np.polyfit(sizes, milliseconds, 1)
    print(f"  linear fit: {slope * 1e6:.1f} ms per million vectors, {intercept:+.2f} ms per call")
    for size in (1_000_000, 10_000_000):
        print(f"  extrapolated to {size:>10,} vectors: {slope * size + intercept:8.1f} ms / query, "
              f"corpus {size * args.dim * 4 / 1e9:.2f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Compressing embeddings: quality kept and bytes saved on STS-B, then FAISS at 100 000 vectors (notebook 07).

    COURSE_DATA_DIR=/path/to/data python benchmarks/compression.py [--size 100000] [--queries 200]

Part 1 (quality): all-MiniLM-L6-v2 vectors of every STS-B sentence; PCA directions and int8 ranges
from 2 000 training sentences. For truncation and PCA at 16-384 dims and float32 / float16 / int8 /
binary storage: bytes per vector, STS-B test Spearman and retrieval recall@10 / nDCG@10 (test pairs
scored >= 4: sentence1 queries its sentence2 among all ~15 500 unique STS-B sentences), each also as a
percentage of float32 at 384 dims; then binary search with float32 rescoring. Without COURSE_DATA_DIR
the bundled pairs and topic corpus stand in (small: read the percentages as a smoke test).

Part 2 (speed): exact search with course_lib's most_similar against FAISS (IndexFlatIP, HNSW, IVF,
IVF-PQ, IndexBinaryFlat) on --size unit vectors: the real sentence vectors, padded with seeded random
unit vectors (which are almost never anyone's neighbour, so recall on the padded part is optimistic);
queries are real test sentences. Recall@10 against exact search, ms per query one at a time and
batched, build time, bytes per vector, and a linear extrapolation to 10 million vectors.
Timings depend on the machine and its load: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="vectors in the FAISS comparison (default 100000)")
    parser.add_argument("--queries", type=int, default=200, help="queries for the speed and recall rows")
    parser.add_argument("--fit", type=int, default=2000, help="training sentences for PCA and int8 ranges")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import faiss
    import torch

    from course_lib import compression_eval as ce
    from course_lib.compress import BITS
    from course_lib.scale import time_per_query
    from course_lib.similarity import most_similar
    from course_lib.vector_index import measure_index, pad_with_random

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} "
          f"with {torch.get_num_threads()} threads, faiss {faiss.__version__} with {faiss.omp_get_max_threads()} "
          f"threads, load average (1 min) {load:.2f}")

    begin = time.perf_counter()
    prepared = ce.load_compression_data(fit_size=args.fit, seed=args.seed)
    task = prepared.task
    print(f"task: {task.source}: {len(task.queries)} queries, {len(task.corpus):,} corpus sentences; "
          f"{len(prepared.sts_gold)} STS pairs; {len(prepared.fit)} fitting sentences; "
          f"encoded in {time.perf_counter() - begin:.1f} s")

    print("\nPart 1: quality kept (% of float32 at 384 dims)")
    reference = ce.evaluate(prepared)
    print(f"float32, 384 dims: Spearman {reference.spearman:.4f}, recall@10 {reference.recall:.4f}, nDCG@10 {reference.ndcg:.4f}")
    print(f"{'reduction':<18}{'dims':>5}{'bits':>5}{'bytes':>7}{'Spearman':>10}{'recall@10':>11}{'nDCG@10':>9}"
          f"{'% Sp.':>8}{'% rec.':>8}{'% nDCG':>8}")
    rows = ce.sweep(prepared, bits=BITS) + [ce.evaluate_rescore(prepared, m) for m in (2, 4, 10)]
    for multiplier, row in zip((None,) * (len(rows) - 3) + (2, 4, 10), rows):
        label = row.reduction if multiplier is None else f"bin+rescore x{multiplier}"
        kept = ce.kept(row, reference)
        print(f"{label:<18}{row.dims:>5}{row.bits:>5}{row.bytes_per_vector:>7}{row.spearman:>10.4f}{row.recall:>11.4f}"
              f"{row.ndcg:>9.4f}{kept[0]:>8.1f}{kept[1]:>8.1f}{kept[2]:>8.1f}")

    print(f"\nPart 2: a real index over {args.size:,} vectors (384 dims, unit length)")
    real = torch.nn.functional.normalize(prepared.corpus, dim=1)
    corpus = pad_with_random(real, args.size, seed=args.seed)
    queries = torch.nn.functional.normalize(prepared.queries[: args.queries], dim=1)
    print(f"{min(len(real), args.size):,} real sentence vectors + {max(0, args.size - len(real)):,} seeded random unit "
          f"vectors; {len(queries)} real queries; k = 10; median of {args.repeats} calls")
    exact_ids = most_similar(queries, corpus, measure="dot", k=10)[0].numpy()
    exact_single = time_per_query(lambda: most_similar(queries[:1], corpus, measure="dot", k=10), repeats=args.repeats)
    exact_batched = time_per_query(lambda: most_similar(queries, corpus, measure="dot", k=10), n_queries=len(queries),
                                   repeats=args.repeats)
    print(f"{'index':<34}{'build s':>9}{'ms/query':>10}{'ms/q batch':>12}{'recall@10':>11}{'bytes/vec':>11}")
    print(f"{'course_lib most_similar (exact)':<34}{0:>9.2f}{exact_single * 1e3:>10.3f}{exact_batched * 1e3:>12.4f}"
          f"{1:>11.3f}{corpus.shape[1] * 4:>11.1f}")
    reports = [
        ("IndexFlatIP (exact)", measure_index("flat", corpus, queries, exact_ids, repeats=args.repeats)),
        ("IndexHNSWFlat M=32 ef=64", measure_index("hnsw", corpus, queries, exact_ids, repeats=args.repeats)),
        ("IndexIVFFlat nprobe=8", measure_index("ivf", corpus, queries, exact_ids, repeats=args.repeats, seed=args.seed)),
        ("IndexIVFPQ 48 B nprobe=8", measure_index("ivfpq", corpus, queries, exact_ids, repeats=args.repeats, seed=args.seed)),
        ("IndexBinaryFlat (Hamming)", measure_index("binary", corpus, queries, exact_ids, repeats=args.repeats)),
    ]
    for label, report in reports:
        print(f"{label:<34}{report.build_seconds:>9.2f}{report.ms_single:>10.3f}{report.ms_batched:>12.4f}"
              f"{report.recall:>11.3f}{report.bytes_per_vector:>11.1f}")

    print("\nExtrapolated to 10,000,000 vectors (memory: bytes/vector x 10 M; exact and binary time: linear in n;")
    print("HNSW and IVF times grow much more slowly than n and are not extrapolated linearly):")
    scale = 10_000_000 / args.size
    print(f"  exact float32: {10_000_000 * 384 * 4 / 1e9:6.2f} GB, ~{exact_single * scale:.2f} s per single query, "
          f"~{exact_batched * scale * 1e3:.1f} ms per query in batches")
    for label, report in reports:
        print(f"  {label:<32}{10_000_000 * report.bytes_per_vector / 1e9:6.2f} GB")
    binary = reports[-1][1]
    print(f"  binary exact scan: ~{binary.ms_single * scale:.0f} ms per single query")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

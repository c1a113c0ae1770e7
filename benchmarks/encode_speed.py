"""Encoding speed: course_lib.embed.encode against SentenceTransformer.encode on the same sentences.

    python benchmarks/encode_speed.py [--runs 5] [--batch-size 32]

Prints sentences/s for both (interleaved runs, median), their ratio, and the time pool() takes as a
percentage of the encoder's forward pass, for every pooling method. Uses the STS Benchmark test
sentences when COURSE_DATA_DIR is set, otherwise the course's bundled sentences.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402

from course_lib import data  # noqa: E402
from course_lib.embed import encode  # noqa: E402
from course_lib.models import default_model_path, load_model  # noqa: E402
from course_lib.pooling import METHODS, pool  # noqa: E402


def benchmark_sentences() -> tuple[list[str], str]:
    if data.has_real_data("stsbenchmark"):
        test = data.load_stsb("test")
        return test.sentences1 + test.sentences2, "STS-B test (COURSE_DATA_DIR)"
    pairs, topics, sentiment = data.load_sts_pairs(), data.load_topic_corpus(), data.load_sentiment()
    texts = pairs.sentences1 + pairs.sentences2 + topics.texts + sentiment.texts
    # Longer inputs too, so the length mix is not only short sentences.
    texts += [f"{a} {b}" for a, b in zip(topics.texts, sentiment.texts)]
    return texts, "bundled course sentences"


def pooling_share(model, texts: list[str], batch_size: int) -> dict[str, float]:
    """pool() time as a percentage of the forward pass, over the same length-sorted batches."""
    tokenizer = model.tokenizer
    ordered = sorted(texts, key=len, reverse=True)
    forward_seconds = 0.0
    pool_seconds = {method: 0.0 for method in METHODS}
    with torch.inference_mode():
        for start in range(0, len(ordered), batch_size):
            batch = tokenizer(ordered[start : start + batch_size], padding=True, truncation=True,
                              max_length=model.max_length, return_tensors="pt")
            begin = time.perf_counter()
            hidden = model.model(**batch).last_hidden_state
            forward_seconds += time.perf_counter() - begin
            for method in METHODS:
                begin = time.perf_counter()
                pool(hidden, batch["attention_mask"], method)
                pool_seconds[method] += time.perf_counter() - begin
    return {method: 100 * seconds / forward_seconds for method, seconds in pool_seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    from sentence_transformers import SentenceTransformer

    texts, source = benchmark_sentences()
    model = load_model()
    reference = SentenceTransformer(str(default_model_path()), device="cpu")
    print(f"{len(texts)} sentences from {source}; batch size {args.batch_size}; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.processor() or platform.machine()}")

    def ours() -> torch.Tensor:
        return encode(texts, model, pooling="mean", normalize=True, batch_size=args.batch_size, show_progress=False)

    def theirs() -> torch.Tensor:
        return reference.encode(texts, batch_size=args.batch_size, convert_to_tensor=True, show_progress_bar=False)

    max_diff = (ours() - theirs()).abs().max().item()  # also warms both up
    timings: dict[str, list[float]] = {"course_lib": [], "sentence-transformers": []}
    for run in range(args.runs):
        # Interleave, alternating who goes first, so drift in machine load hits both alike.
        order = [("course_lib", ours), ("sentence-transformers", theirs)]
        for name, fn in order if run % 2 == 0 else order[::-1]:
            begin = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - begin)
    rates = {name: len(texts) / statistics.median(seconds) for name, seconds in timings.items()}

    print(f"max |difference| between the two embeddings: {max_diff:.2e}")
    for name, rate in rates.items():
        print(f"{name:>22}: {rate:8.1f} sentences/s (median of {args.runs} runs)")
    print(f"{'ratio':>22}: {rates['course_lib'] / rates['sentence-transformers']:.3f} (course_lib / sentence-transformers; target >= 1.0)")
    shares = pooling_share(model, texts, args.batch_size)
    print("pool() time as % of the forward pass (target <= 1%):")
    for method, share in shares.items():
        print(f"{method:>22}: {share:6.3f} %")


if __name__ == "__main__":
    main()

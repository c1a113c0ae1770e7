"""Encoding speed: course_lib.embed.encode against SentenceTransformer.encode on the same sentences.

    python benchmarks/encode_speed.py [--runs 5] [--batch-size 32]

Prints sentences/s for both (interleaved runs, median), their ratio, and the time pool() takes as a
percentage of the encoder's forward pass, for every pooling method. Uses the STS Benchmark test
sentences when COURSE_DATA_DIR is set, otherwise the course's bundled sentences.

A third contestant in the same interleaved runs (notebook 07): the encoder with its linear layers
dynamically quantised to int8 (course_lib.quantized_encoder, per-channel weight scales), with the
cosine between each sentence's float32 and int8 vectors and the STS Spearman it keeps.
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
from course_lib.evaluate import sts_spearman  # noqa: E402
from course_lib.models import default_model_path, load_model  # noqa: E402
from course_lib.pooling import METHODS, pool  # noqa: E402
from course_lib.quantized_encoder import count_quantized_linears, quantize_encoder  # noqa: E402


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
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(texts)} sentences from {source}; batch size {args.batch_size}; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.processor() or platform.machine()}, "
          f"load average (1 min) {load:.2f}")

    def ours() -> torch.Tensor:
        return encode(texts, model, pooling="mean", normalize=True, batch_size=args.batch_size, show_progress=False)

    def theirs() -> torch.Tensor:
        return reference.encode(texts, batch_size=args.batch_size, convert_to_tensor=True, show_progress_bar=False)

    int8_model = quantize_encoder(model)

    def int8() -> torch.Tensor:
        return encode(texts, int8_model, pooling="mean", normalize=True, batch_size=args.batch_size, show_progress=False)

    float_vectors = ours()
    max_diff = (float_vectors - theirs()).abs().max().item()  # also warms both up
    int8_vectors = int8()
    timings: dict[str, list[float]] = {"course_lib": [], "sentence-transformers": [], "course_lib int8": []}
    for run in range(args.runs):
        # Interleave, rotating who goes first, so drift in machine load hits all alike.
        order = [("course_lib", ours), ("sentence-transformers", theirs), ("course_lib int8", int8)]
        shift = run % len(order)
        for name, fn in order[shift:] + order[:shift]:
            begin = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - begin)
    rates = {name: len(texts) / statistics.median(seconds) for name, seconds in timings.items()}

    print(f"max |difference| between the two embeddings: {max_diff:.2e}")
    for name, rate in rates.items():
        print(f"{name:>22}: {rate:8.1f} sentences/s (median of {args.runs} runs)")
    print(f"{'ratio':>22}: {rates['course_lib'] / rates['sentence-transformers']:.3f} (course_lib / sentence-transformers; target >= 1.0)")
    quantized, still_float = count_quantized_linears(int8_model)
    cosines = (float_vectors * int8_vectors).sum(dim=1)
    print(f"int8 dynamic quantisation: {quantized} linear layers in int8, {still_float} left in float32")
    print(f"{'int8 / float32':>22}: {rates['course_lib int8'] / rates['course_lib']:.3f} (speed-up of the int8 encoder)")
    print(f"{'int8 / s-t':>22}: {rates['course_lib int8'] / rates['sentence-transformers']:.3f} (int8 encoder / SentenceTransformer.encode)")
    print(f"cosine(float32 vector, int8 vector) per sentence: mean {cosines.mean():.4f}, min {cosines.min():.4f}")
    pairs = data.load_stsb("test") if data.has_real_data("stsbenchmark") else data.load_sts_pairs()
    rho = {}
    for name, loaded in (("float32", model), ("int8", int8_model)):
        a = encode(pairs.sentences1, loaded, batch_size=args.batch_size, show_progress=False)
        b = encode(pairs.sentences2, loaded, batch_size=args.batch_size, show_progress=False)
        rho[name] = sts_spearman(a, b, pairs.scores)
    print(f"STS Spearman ({len(pairs.scores)} pairs): float32 {rho['float32']:.4f}, int8 {rho['int8']:.4f} "
          f"({100 * rho['int8'] / rho['float32']:.1f} % kept)")
    shares = pooling_share(model, texts, args.batch_size)
    print("pool() time as % of the forward pass (target <= 1%):")
    for method, share in shares.items():
        print(f"{method:>22}: {share:6.3f} %")


if __name__ == "__main__":
    main()

"""Fine-tune the CLS token of all-MiniLM-L6-v2 on STS-B train and score STS-B test (notebook 04).

    COURSE_DATA_DIR=/path/to/data python benchmarks/cls_finetune.py [--mean] [--save [DIR]]

Prints Spearman ρ (cosine) on STS-B test for the untuned CLS vector, the fine-tuned CLS vector and
the untuned mean-pooling baseline, plus the seconds spent training and evaluating. The default
recipe: one epoch, batch 16, AdamW lr 2e-4 with 10% warm-up and linear decay, only the last two
layers trained.
Nothing is written unless --save is given (default folder: under the system temp dir).
Notebook 04 imports :func:`stsb_recipe` from here for its optional full run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def stsb_recipe(
    epochs: int = 1,
    batch_size: int = 16,
    learning_rate: float = 2e-4,
    trainable_layers: int | None = 2,
    seed: int = 0,
    fine_tune_mean: bool = False,
    show_progress: bool | None = None,
) -> dict[str, Any]:
    """The full recipe on real data: fine-tune CLS on STS-B train, score STS-B test before and after.

    Needs ``COURSE_DATA_DIR`` (else FileNotFoundError). Returns Spearman ρ (cosine) for
    ``cls_before``, ``cls_after`` and the untuned ``mean_baseline`` (the model was trained with mean
    pooling), ``train_seconds``, ``eval_seconds`` and the :class:`FineTuneResult`; with
    ``fine_tune_mean=True`` also ``mean_after``: the same budget spent on mean pooling.
    """
    from course_lib._checks import check_bool
    from course_lib.bert_pooler import encode_cls_views
    from course_lib.data import load_stsb
    from course_lib.evaluate import pairs_spearman, sts_spearman
    from course_lib.finetune import fine_tune
    from course_lib.models import load_model

    check_bool("fine_tune_mean", fine_tune_mean)
    train, test = load_stsb("train"), load_stsb("test")
    settings = dict(
        epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, trainable_layers=trainable_layers,
        seed=seed, show_progress=show_progress,
    )
    started = time.perf_counter()
    shared = load_model()
    # One forward pass gives the untuned CLS and mean vectors (equal to encode's, tested).
    first, second = encode_cls_views(test.sentences1, shared), encode_cls_views(test.sentences2, shared)
    scores: dict[str, Any] = {
        "cls_before": sts_spearman(first["cls"], second["cls"], test.scores),
        "mean_baseline": sts_spearman(first["mean"], second["mean"], test.scores),
    }
    eval_seconds = time.perf_counter() - started
    result = fine_tune(train, pooling="cls", **settings)
    started = time.perf_counter()
    scores["cls_after"] = pairs_spearman(test, result.model, "cls")
    eval_seconds += time.perf_counter() - started
    scores.update(train_seconds=result.seconds, result=result)
    if fine_tune_mean:
        mean_result = fine_tune(train, pooling="mean", **settings)
        scores["mean_after"] = pairs_spearman(test, mean_result.model, "mean")
        scores["mean_train_seconds"] = mean_result.seconds
    scores["eval_seconds"] = eval_seconds
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--trainable-layers", type=int, default=2, help="top layers to train; 0 = all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mean", action="store_true", help="also spend the same budget fine-tuning mean pooling")
    parser.add_argument("--save", nargs="?", const="", default=None, metavar="DIR",
                        help="save the fine-tuned model (default folder under the system temp dir)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    import torch

    from course_lib.data import has_real_data
    from course_lib.models import save_model

    if not has_real_data("stsbenchmark"):
        print("Needs the STS Benchmark: set COURSE_DATA_DIR to a folder holding stsbenchmark/.", file=sys.stderr)
        return 2
    started, cpu_started = time.perf_counter(), time.process_time()
    scores = stsb_recipe(
        epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
        trainable_layers=args.trainable_layers or None, seed=args.seed, fine_tune_mean=args.mean,
        show_progress=False if args.no_progress else None,
    )
    total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    result = scores["result"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch threads {torch.get_num_threads()}, load average (1 min) {load:.2f}")
    print(f"recipe: {result.settings['pairs']} STS-B train pairs, epochs {args.epochs}, batch {args.batch_size}, "
          f"lr {args.lr:g}, trainable layers {args.trainable_layers or 'all'} "
          f"({result.trainable_parameters:,} of {result.total_parameters:,} parameters), {result.steps} steps")
    print("STS-B test, Spearman ρ of cosine similarity:")
    print(f"  CLS before fine-tuning   {scores['cls_before']:.3f}")
    print(f"  CLS after fine-tuning    {scores['cls_after']:.3f}")
    print(f"  mean pooling (untuned)   {scores['mean_baseline']:.3f}")
    if "mean_after" in scores:
        print(f"  mean after fine-tuning   {scores['mean_after']:.3f}  (same budget, {scores['mean_train_seconds']:.0f} s)")
    print(f"seconds: training {scores['train_seconds']:.0f}, evaluation {scores['eval_seconds']:.0f}, "
          f"total {total:.0f} (CPU time of this process: {cpu:.0f})")
    if args.save is not None:
        folder = save_model(result.model, args.save or None)
        print(f"saved to {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How good is a plain pre-trained encoder's [CLS] as a sentence embedding? (notebook 04, section 3)

    COURSE_DATA_DIR=/path/to/data python benchmarks/pretrained_cls.py [--models bert-base-uncased roberta-base]
                                                                      [--online] [--data stsb|bundled] [--limit N]

For each model, prints the Spearman ρ (cosine) on STS-B test of four sentence vectors from one encoder
that no sentence-level task has fine-tuned: the raw first-token vector ([CLS] / <s>), pooler_output,
the mean of the last layer's tokens, and first-last-avg (the mean over tokens of the first and the last
layer's outputs, averaged; Su et al. 2021). Published reference for BERT-base: [CLS] 16.50 and token
average 46.35 (Reimers & Gurevych 2019, Table 1); [CLS] 20.29 and first-last-avg 59.04 (README of
autoliuweijie/BERT-whitening-pytorch), all Spearman x 100 on STS-B test.

Nothing is downloaded unless --online is given: a model is read from a local folder or from the local
Hugging Face cache. When a model or the data is missing, the script says what is missing and exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys

DEFAULT_MODELS = ("bert-base-uncased", "roberta-base")
PUBLISHED = {  # STS-B test, Spearman x 100, no fine-tuning
    "bert-base-uncased": "published: CLS 16.50, token mean 46.35 (SBERT Table 1); CLS 20.29, first-last-avg 59.04 "
    "(BERT-whitening README)",
}
VIEWS = ("cls", "pooler_output", "mean", "first_last_avg")


def sentence_vectors(texts: list[str], loaded) -> dict:
    """The four views ``{name: (n, hidden)}``: raw first token, pooler_output, mean, first-last-avg."""
    from course_lib.embed import encode_layers
    from course_lib.bert_pooler import encode_cls_views

    views = encode_cls_views(texts, loaded)
    last = loaded.model.config.num_hidden_layers
    layer_means = encode_layers(texts, loaded, methods=["mean"], layers=[1, last], show_progress=False)["mean"]
    views["first_last_avg"] = layer_means.mean(dim=0)  # mean over tokens commutes with averaging the layers
    return views


def scores_for(loaded, pairs) -> dict[str, float]:
    from course_lib.evaluate import sts_spearman

    first, second = sentence_vectors(pairs.sentences1, loaded), sentence_vectors(pairs.sentences2, loaded)
    return {view: sts_spearman(first[view], second[view], pairs.scores) for view in VIEWS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS),
                        help="hub ids (read from the local cache) or local model folders")
    parser.add_argument("--online", action="store_true", help="allow downloading the models from the Hugging Face hub")
    parser.add_argument("--data", choices=["stsb", "bundled"], default="stsb",
                        help="stsb: STS-B test from COURSE_DATA_DIR; bundled: the course's 171 pairs (a smoke test)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N pairs")
    args = parser.parse_args(argv)
    os.environ["HF_HUB_OFFLINE"] = "0" if args.online else os.environ.get("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.limit is not None and args.limit < 2:
        parser.error(f"--limit: expected an int >= 2, got {args.limit}")

    from course_lib import data
    from course_lib.models import load_model

    if args.data == "stsb":
        if not data.has_real_data("stsbenchmark"):
            print("Nothing measured: the STS Benchmark is missing. Set COURSE_DATA_DIR to a folder holding "
                  "stsbenchmark/sts-test.csv (see the README), or pass --data bundled for a smoke test.")
            return 0
        pairs, label = data.load_stsb("test"), "STS-B test"
    else:
        pairs, label = data.load_sts_pairs(), "bundled pairs"
    if args.limit is not None:
        n = min(args.limit, len(pairs.scores))
        pairs = data.SentencePairs(pairs.sentences1[:n], pairs.sentences2[:n], pairs.scores[:n], None)

    missing, measured = [], 0
    for name in args.models:
        try:
            loaded = load_model(name)
        except OSError:
            missing.append(name)
            continue
        if getattr(loaded.model, "pooler", None) is None:
            print(f"{name}: skipped, it has no pooler (expected a BERT- or RoBERTa-style encoder)")
            continue
        scores = scores_for(loaded, pairs)
        measured += 1
        print(f"{name} ({label}, {len(pairs.scores)} pairs), Spearman ρ of cosine, no fine-tuning:")
        print("  " + "  ".join(f"{view} {scores[view]:.4f}" for view in VIEWS))
        if name in PUBLISHED:
            print(f"  {PUBLISHED[name]}")
    if missing:
        where = "on the Hugging Face hub" if args.online else "in the local Hugging Face cache (offline)"
        print(f"Not measured, weights not found {where}: {', '.join(missing)}.")
        if not args.online:
            print("To measure them, run once with --online (downloads the weights), or pass local model folders "
                  "(config.json, tokenizer files, model.safetensors) to --models.")
    if measured == 0:
        print("Nothing measured. Published reference for BERT-base on STS-B test (Spearman x 100): "
              f"{PUBLISHED['bert-base-uncased'].removeprefix('published: ')}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

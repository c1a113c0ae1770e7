"""Fixes for the mistakes people make with sentence embeddings (notebook 09, the pitfalls clinic).

Each helper is the "fix" half of one clinic case; the buggy halves live in the notebook.

- :func:`trained_setup`       what the model was trained with: pooling, normalisation, max length
- :func:`token_limits`        the three different "maximum lengths" a model folder carries
- :func:`calibrate_threshold` a decision threshold chosen on YOUR model's scores, and its accuracy
- :func:`encode_chunked`      embed documents longer than the model's window as chunks
- :func:`chunk_max_scores`    score a document by its best chunk: ``(queries, chunks)`` -> ``(queries, docs)``
- :func:`recall_at_k`         share of queries whose target is among their top ``k``
- :func:`with_prefix`         put an instruction prefix ("query: ", "passage: ") in front of every text
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from course_lib._checks import (
    check_array,
    check_number,
    check_int,
    check_same_length,
    check_str,
    check_tensor,
    check_texts,
    check_type,
    describe,
)
from course_lib.embed import encode, resolve_model
from course_lib.long_texts import pack_sentences
from course_lib.models import LoadedModel, default_model_path

__all__ = [
    "trained_setup",
    "token_limits",
    "calibrate_threshold",
    "threshold_accuracy",
    "encode_chunked",
    "chunk_max_scores",
    "recall_at_k",
    "with_prefix",
]

# sentence-transformers' 1_Pooling/config.json keys -> course_lib.pooling method names
_POOLING_KEYS = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len",
    "pooling_mode_weightedmean_tokens": "weighted_mean",
    "pooling_mode_lasttoken": "last_token",
}


def trained_setup(model_path: str | os.PathLike | None = None) -> dict[str, object]:
    """Read how a sentence-transformers model folder wants to be used (cases 1, 4, 5, 7).

    Returns ``{"pooling": [...], "normalize": bool, "max_seq_length": int | None}``: the pooling
    method(s) switched on in ``1_Pooling/config.json`` (as :mod:`course_lib.pooling` names), whether
    ``modules.json`` ends with a ``Normalize`` module (the model is meant for cosine), and
    ``max_seq_length`` from ``sentence_bert_config.json``. ``model_path`` defaults to the bundled model.
    """
    folder = default_model_path() if model_path is None else Path(
        check_type("model_path", model_path, (str, os.PathLike), "a folder path or None")
    )
    pooling_file = folder / "1_Pooling" / "config.json"
    if not pooling_file.is_file():
        raise ValueError(
            f"model_path: expected a sentence-transformers folder with 1_Pooling/config.json, got {str(folder)!r}"
        )
    pooling_config = json.loads(pooling_file.read_text())
    methods = [name for key, name in _POOLING_KEYS.items() if pooling_config.get(key)]
    modules_file = folder / "modules.json"
    modules = json.loads(modules_file.read_text()) if modules_file.is_file() else []
    config_file = folder / "sentence_bert_config.json"
    max_seq_length = json.loads(config_file.read_text()).get("max_seq_length") if config_file.is_file() else None
    return {
        "pooling": methods,
        "normalize": any(str(module.get("type", "")).endswith("Normalize") for module in modules),
        "max_seq_length": max_seq_length,
    }


def token_limits(model: LoadedModel | str | None = None) -> dict[str, int]:
    """The three "maximum lengths" of a model, which need not agree (case 7).

    ``tokenizer_model_max_length``: what the tokenizer truncates to when asked to truncate;
    ``trained_max_length``: what sentence-transformers (and :func:`course_lib.embed.encode`) use,
    from ``sentence_bert_config.json``; ``max_position_embeddings``: the size of the position table,
    a hard limit of the architecture. For all-MiniLM-L6-v2: 512, 256 and 512.
    """
    loaded = resolve_model(model)
    return {
        "tokenizer_model_max_length": int(loaded.tokenizer.model_max_length),
        "trained_max_length": int(loaded.max_length),
        "max_position_embeddings": int(loaded.model.config.max_position_embeddings),
    }


def _scores_and_labels(scores, labels) -> tuple[np.ndarray, np.ndarray]:
    score_array = check_array("scores", scores, ndim=1, shape="(n,)").astype(np.float64)
    label_array = check_array("labels", labels, ndim=1, shape="(n,)")
    check_same_length("labels", label_array, "scores", score_array)
    if not np.isfinite(score_array).all():
        raise ValueError("scores: expected finite values, got NaN or infinite values")
    if not np.isin(label_array, (0, 1)).all():
        raise ValueError("labels: expected booleans or 0/1, got other values")
    return score_array, label_array.astype(bool)


def threshold_accuracy(scores, labels, threshold: float) -> float:
    """Share of pairs that ``score >= threshold`` labels correctly. ``scores``, ``labels``: ``(n,)``."""
    score_array, label_array = _scores_and_labels(scores, labels)
    threshold = check_number("threshold", threshold)
    return float(((score_array >= threshold) == label_array).mean())


def calibrate_threshold(scores, labels) -> float:
    """The threshold that maximises accuracy of ``score >= threshold`` on labelled pairs (case 6).

    ``scores``: ``(n,)`` similarities from YOUR model; ``labels``: ``(n,)`` True where the pair
    should count as a match. Candidates are the midpoints between consecutive distinct scores (and
    one value beyond each end); ties go to the lowest threshold. Evaluate it on other pairs.
    """
    score_array, label_array = _scores_and_labels(scores, labels)
    if label_array.all() or not label_array.any():
        raise ValueError("labels: expected both matches and non-matches, got only one class")
    distinct = np.unique(score_array)
    candidates = np.concatenate([[distinct[0] - 1e-6], (distinct[:-1] + distinct[1:]) / 2, [distinct[-1] + 1e-6]])
    accuracies = [((score_array >= t) == label_array).mean() for t in candidates]
    return float(candidates[int(np.argmax(accuracies))])


def encode_chunked(
    documents: Sequence[Sequence[str]],
    model: LoadedModel | str | None = None,
    max_tokens: int | None = None,
    normalize: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Embed long documents as chunks that fit the model's window (case 7).

    ``documents``: one list of sentences per document. Consecutive sentences are packed into chunks
    of at most ``max_tokens`` tokens (default: the model's trained length) with
    :func:`course_lib.long_texts.pack_sentences`, so no part of a document is cut off. Returns
    ``(chunk_embeddings (n_chunks, hidden), owner (n_chunks,))``, where ``owner[c]`` is the index of
    the document chunk ``c`` came from.
    """
    loaded = resolve_model(model)
    if isinstance(documents, str) or not isinstance(documents, (list, tuple)) or len(documents) == 0:
        raise TypeError(f"documents: expected a non-empty list of lists of sentences, got {type(documents).__name__}")
    limit = loaded.max_length if max_tokens is None else check_int("max_tokens", max_tokens, minimum=3)
    chunks: list[str] = []
    owner: list[int] = []
    for index, sentences in enumerate(documents):
        pieces = pack_sentences(check_texts(f"documents[{index}]", sentences), limit, loaded)
        chunks.extend(pieces)
        owner.extend([index] * len(pieces))
    embeddings = encode(chunks, loaded, normalize=normalize, max_length=limit, show_progress=False)
    return embeddings, torch.tensor(owner, dtype=torch.long)


def chunk_max_scores(chunk_scores: torch.Tensor, owner: torch.Tensor, n_documents: int | None = None) -> torch.Tensor:
    """Each document's score is its best chunk's: ``(queries, n_chunks)`` -> ``(queries, n_documents)``."""
    scores = check_tensor("chunk_scores", chunk_scores, ndim=2, shape="(queries, n_chunks)", floating=True, finite=True)
    owner = check_tensor("owner", owner, ndim=1, shape="(n_chunks,)")
    if owner.is_floating_point() or owner.shape[0] != scores.shape[1]:
        raise ValueError(
            f"owner: expected {scores.shape[1]} integer document indices, one per chunk, got {describe(owner)}"
        )
    count = int(owner.max()) + 1 if n_documents is None else check_int("n_documents", n_documents, minimum=1)
    if int(owner.min()) < 0 or int(owner.max()) >= count:
        raise ValueError(f"owner: expected document indices in 0..{count - 1}, got {int(owner.min())}..{int(owner.max())}")
    result = torch.full((scores.shape[0], count), float("-inf"), dtype=scores.dtype)
    return result.scatter_reduce(1, owner.long().expand(scores.shape[0], -1), scores, reduce="amax")


def recall_at_k(scores: torch.Tensor, targets, k: int = 1) -> float:
    """Share of queries whose target candidate is among their ``k`` highest scores.

    ``scores``: ``(queries, candidates)``, higher = closer; ``targets``: ``(queries,)`` indices.
    """
    scores = check_tensor("scores", scores, ndim=2, shape="(queries, candidates)", floating=True)
    target_tensor = torch.as_tensor(check_array("targets", targets, ndim=1, shape="(queries,)"))
    check_same_length("targets", target_tensor, "scores", scores)
    k = check_int("k", k, minimum=1, maximum=scores.shape[1])
    top = torch.topk(scores, k, dim=1).indices
    return float((top == target_tensor.long().unsqueeze(1)).any(dim=1).double().mean())


def with_prefix(texts: str | Sequence[str], prefix: str) -> list[str]:
    """``prefix + text`` for every text: E5 wants "query: " / "passage: ", nomic "search_query: " ... (case 8)."""
    items = check_texts("texts", texts)
    prefix = check_str("prefix", prefix)
    return [prefix + text for text in items]

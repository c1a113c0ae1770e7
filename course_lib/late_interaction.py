"""Keep every token: per-text token vectors and late-interaction (ColBERT-style MaxSim) scoring (notebook 03).

A sentence embedding squeezes a text into one vector. Late interaction (Khattab & Zaharia, 2020)
keeps one vector per token and compares texts token by token at search time:

    MaxSim(query, doc) = mean over query tokens q of  max over doc tokens d of  cos(q, d)

ColBERT sums over query tokens; the mean used here ranks documents identically for a given query
and stays in [-1, 1]. The price is memory: a document costs ``(seq, hidden)`` numbers instead of
``(hidden,)``.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F

from course_lib._checks import check_tensor, describe
from course_lib.embed import check_positive_int, check_texts, length_sorted_batches, resolve_max_length, resolve_model
from course_lib.models import LoadedModel


def token_sets(
    texts: str | Sequence[str],
    model: LoadedModel | str | None = None,
    batch_size: int = 16,
    max_length: int | None = None,
) -> list[torch.Tensor]:
    """The last-layer vectors of each text's real tokens: a list of ``(seq_i, hidden)`` float32 tensors.

    ``[CLS]`` and ``[SEP]`` included, padding removed, so ``token_sets(t)[i].mean(0)`` is the
    mean-pooled sentence embedding of text i. Texts are batched by length (less padding).
    """
    loaded = resolve_model(model)
    items = check_texts(texts)
    batch_size = check_positive_int("batch_size", batch_size)
    sets: list[torch.Tensor | None] = [None] * len(items)
    with torch.inference_mode():
        for indices, batch in length_sorted_batches(loaded, items, batch_size, resolve_max_length(loaded, max_length)):
            hidden = loaded.model(**batch).last_hidden_state.float().cpu()
            lengths = batch["attention_mask"].sum(dim=1).tolist()
            for row, (index, length) in enumerate(zip(indices, lengths)):
                sets[index] = hidden[row, : int(length)].clone()  # right padding: real tokens come first
    return sets  # type: ignore[return-value]


def _as_token_matrix(name: str, x: object) -> torch.Tensor:
    return check_tensor(name, x, ndim=2, shape="(tokens, hidden)", floating=True, finite=True).float()


def maxsim(query_tokens: torch.Tensor, doc_tokens: torch.Tensor) -> float:
    """MaxSim score of one query ``(q, hidden)`` against one document ``(d, hidden)``, in [-1, 1].

    Every query token finds its most similar document token (cosine); the score is the mean of
    those best matches.
    """
    query = _as_token_matrix("query_tokens", query_tokens)
    doc = _as_token_matrix("doc_tokens", doc_tokens)
    if query.shape[1] != doc.shape[1]:
        raise ValueError(f"doc_tokens: expected hidden size {query.shape[1]} like query_tokens, got {doc.shape[1]}")
    if query.device != doc.device:
        raise ValueError(f"doc_tokens: expected a tensor on query_tokens' device ({query.device}), got {doc.device}")
    similarities = F.normalize(query, dim=1) @ F.normalize(doc, dim=1).T  # (q, d)
    return float(similarities.max(dim=1).values.mean())


def _as_token_list(name: str, sets: object) -> list[torch.Tensor]:
    if isinstance(sets, torch.Tensor) or not isinstance(sets, (list, tuple)):
        raise TypeError(f"{name}: expected a list of (tokens, hidden) tensors, got {describe(sets)}")
    if len(sets) == 0:
        raise ValueError(f"{name}: expected at least one (tokens, hidden) tensor, got an empty list")
    return [_as_token_matrix(f"{name}[{i}]", x) for i, x in enumerate(sets)]


def maxsim_matrix(queries: Sequence[torch.Tensor], docs: Sequence[torch.Tensor]) -> torch.Tensor:
    """MaxSim scores ``(n_queries, n_docs)`` of every query token set against every document token set.

    Equals :func:`maxsim` applied pair by pair; documents are padded into one tensor and the pads
    masked out, so it runs as a few matrix products.
    """
    query_list, doc_list = _as_token_list("queries", queries), _as_token_list("docs", docs)
    hidden, device = query_list[0].shape[1], query_list[0].device
    for name, items in (("queries", query_list), ("docs", doc_list)):
        for i, x in enumerate(items):
            if x.shape[1] != hidden:
                raise ValueError(f"{name}[{i}]: expected hidden size {hidden}, got {x.shape[1]}")
            if x.device != device:
                raise ValueError(f"{name}[{i}]: expected a tensor on {device} like queries[0], got {x.device}")
    # Every buffer follows the inputs' device.
    lengths = torch.tensor([len(d) for d in doc_list], device=device)
    padded = torch.nn.utils.rnn.pad_sequence([F.normalize(d, dim=1) for d in doc_list], batch_first=True)
    is_pad = torch.arange(padded.shape[1], device=device)[None, :] >= lengths[:, None]  # (n_docs, max_d)
    scores = torch.empty(len(query_list), len(doc_list), device=device)
    for i, query in enumerate(query_list):
        similarities = torch.einsum("qh,ndh->nqd", F.normalize(query, dim=1), padded)
        similarities = similarities.masked_fill(is_pad[:, None, :], float("-inf"))
        scores[i] = similarities.max(dim=2).values.mean(dim=1)
    return scores

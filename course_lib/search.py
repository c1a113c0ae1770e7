"""Semantic search over a list of TEXTS: a query string in, the top-k texts with their scores out (notebook 05).

Search comes in three layers, each built on the one below:

1. :func:`course_lib.similarity.most_similar` ranks VECTORS: query vectors against a corpus matrix,
   chunk by chunk (no model, no texts);
2. this module, :func:`search`, ranks TEXTS: it embeds the query string with the corpus's model and
   pooling, calls ``most_similar`` and returns :class:`SearchHit` rows; :func:`format_hits` renders
   them as a table and :func:`show_search` prints it (the widget's static fallback);
3. :func:`course_lib.widgets.search_widget` puts :func:`search` behind a text box and dropdowns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch

from course_lib._checks import check_int, check_tensor, check_texts, check_type, describe
from course_lib.embed import encode
from course_lib.models import LoadedModel
from course_lib.similarity import check_measure, check_pair, higher_is_closer, most_similar


class SearchHit(NamedTuple):
    """One result: its 1-based ``rank``, ``index`` in the corpus, raw ``score``, ``text`` and optional ``label``."""

    rank: int
    index: int
    score: float
    text: str
    label: str | None = None


def _check_corpus(texts: Sequence[str], embeddings: torch.Tensor, labels: Sequence[str] | None) -> None:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"texts: expected a list of strings, got {describe(texts)}")
    check_texts("texts", texts)
    check_tensor("embeddings", embeddings, ndim=2, shape="(n, hidden)", floating=True, finite=True)
    if embeddings.shape[0] != len(texts):
        raise ValueError(f"embeddings: expected one row per text ({len(texts)}), got {embeddings.shape[0]} rows")
    if labels is not None and (isinstance(labels, str) or not isinstance(labels, Sequence)):
        raise TypeError(f"labels: expected a list with one label per text, got {describe(labels)}")
    if labels is not None and len(labels) != len(texts):
        raise ValueError(f"labels: expected one label per text ({len(texts)}), got {len(labels)}")


def search(
    query: str,
    texts: Sequence[str],
    embeddings: torch.Tensor,
    model: LoadedModel | str | None = None,
    measure: str = "cosine",
    k: int = 5,
    p: float | None = None,
    pooling: str = "mean",
    normalize: bool = False,
    labels: Sequence[str] | None = None,
) -> list[SearchHit]:
    """The ``k`` texts closest to ``query`` under ``measure``, closest first.

    ``embeddings`` ``(n, hidden)`` must come from ``encode(texts, model, pooling, normalize)``: the
    query is embedded the same way. Scores are the raw measure (high = close for cosine and dot,
    low = close for distances).
    """
    if not isinstance(query, str):
        raise TypeError(f"query: expected a string, got {describe(query)}")
    if not query.strip():
        raise ValueError("query: expected some text, got an empty string")
    _check_corpus(texts, embeddings, labels)
    check_measure(measure)
    check_int("k", k, 1, embeddings.shape[0])
    query_vector = encode(query, model, pooling=pooling, normalize=normalize, show_progress=False)[0]
    query_vector = query_vector.to(embeddings.device, embeddings.dtype)
    check_pair(query_vector, embeddings, ("the model's query vector", "embeddings"))
    indices, scores = most_similar(query_vector, embeddings, measure=measure, k=k, p=p)
    return [
        SearchHit(rank, int(i), float(s), texts[int(i)], None if labels is None else str(labels[int(i)]))
        for rank, (i, s) in enumerate(zip(indices.tolist(), scores.tolist()), start=1)
    ]


def format_hits(hits: Sequence[SearchHit], measure: str = "cosine", max_chars: int = 70) -> str:
    """A plain-text table of ``hits``: rank, score (4 decimals), label and text (cut at ``max_chars``).

    The first line names the measure and its direction (higher or lower = closer).
    """
    if isinstance(hits, str) or not isinstance(hits, Sequence):
        raise TypeError(f"hits: expected a list of SearchHit (from search), got {describe(hits)}")
    for index, hit in enumerate(hits):
        check_type(f"hits[{index}]", hit, SearchHit, "a SearchHit (from search)")
    check_measure(measure)
    max_chars = check_int("max_chars", max_chars, 10)
    direction = "higher = closer" if higher_is_closer(measure) else "lower = closer"
    if not hits:
        return f"{measure} ({direction}): no results"
    scores = [f"{hit.score:.4f}" for hit in hits]
    score_width = max(len("score"), *(len(s) for s in scores))
    with_labels = any(hit.label is not None for hit in hits)
    label_width = max(len("label"), *(len(hit.label or "") for hit in hits))
    label_header = f"{'label':<{label_width}}  " if with_labels else ""
    lines = [f"{measure} ({direction})", f"rank  {'score':>{score_width}}  {label_header}text"]
    for hit, score in zip(hits, scores):
        text = " ".join(hit.text.split())
        text = text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
        label = f"{(hit.label or ''):<{label_width}}  " if with_labels else ""
        lines.append(f"{hit.rank:>4}  {score:>{score_width}}  {label}{text}")
    return "\n".join(lines)


def show_search(query: str, texts: Sequence[str], embeddings: torch.Tensor, **kwargs) -> list[SearchHit]:
    """Print the results table for one query (the widget's static fallback) and return the hits.

    Takes the arguments of :func:`search`.
    """
    hits = search(query, texts, embeddings, **kwargs)
    print(f"query: {query}")
    print(format_hits(hits, kwargs.get("measure", "cosine")))
    return hits

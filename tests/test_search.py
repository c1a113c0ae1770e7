"""course_lib.search: text in, ranked texts out, equal to most_similar on the same vectors (notebook 05)."""

from __future__ import annotations

import pytest
import torch

from course_lib.embed import encode
from course_lib.search import SearchHit, format_hits, search, show_search
from course_lib.similarity import most_similar

TEXTS = [
    "The striker scored twice in the second half.",
    "Knead the dough until it is smooth and elastic.",
    "The central bank raised interest rates again.",
    "The telescope photographed a distant galaxy.",
    "Simmer the tomato sauce for twenty minutes.",
]
LABELS = ["sports", "cooking", "finance", "space", "cooking"]


@pytest.fixture(scope="module")
def corpus(model):
    return encode(TEXTS, model, show_progress=False)


def test_search_finds_the_topical_neighbour_and_matches_most_similar(model, corpus):
    hits = search("How do I make bread at home?", TEXTS, corpus, model, k=3, labels=LABELS)
    assert [hit.rank for hit in hits] == [1, 2, 3]
    assert hits[0].text == TEXTS[1] and hits[0].label == "cooking"
    query = encode("How do I make bread at home?", model, show_progress=False)[0]
    indices, scores = most_similar(query, corpus, "cosine", k=3)
    assert [hit.index for hit in hits] == indices.tolist()
    assert [hit.score for hit in hits] == pytest.approx(scores.tolist())


def test_distances_are_sorted_ascending_and_similarities_descending(model, corpus):
    for measure, descending in [("cosine", True), ("dot", True), ("euclidean", False), ("chebyshev", False)]:
        scores = [hit.score for hit in search("interest rates", TEXTS, corpus, model, measure=measure, k=5)]
        assert scores == sorted(scores, reverse=descending)


def test_format_hits_is_a_fixed_width_table():
    hits = [SearchHit(1, 3, 0.51234, "A text", "space"), SearchHit(2, 0, -0.1, "Another\ttext " + "x" * 100, "sports")]
    table = format_hits(hits, "cosine", max_chars=20)
    lines = table.splitlines()
    assert lines[0] == "cosine (higher = closer)"
    assert lines[1].split() == ["rank", "score", "label", "text"]
    assert lines[2] == "   1   0.5123  space   A text"
    assert lines[3].endswith("…") and "\t" not in lines[3] and len(lines[3].split("  ")[-1]) == 20
    assert format_hits([], "euclidean") == "euclidean (lower = closer): no results"
    assert format_hits([SearchHit(1, 0, 2.0, "t")], "euclidean").splitlines()[1].split() == ["rank", "score", "text"]


def test_show_search_prints_the_table_it_returns(model, corpus, capsys):
    hits = show_search("galaxies", TEXTS, corpus, model=model, measure="euclidean", k=2)
    printed = capsys.readouterr().out
    assert printed == "query: galaxies\n" + format_hits(hits, "euclidean") + "\n"


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"query": 3}, TypeError, "query: expected a string"),
        ({"query": "  "}, ValueError, "query: expected some text"),
        ({"texts": "one text"}, TypeError, "texts: expected a list of strings"),
        ({"embeddings": torch.ones(4, 384)}, ValueError, "embeddings: expected one row per text (5)"),
        ({"embeddings": [[1.0]]}, TypeError, "embeddings: expected a torch.Tensor of shape (n, hidden)"),
        ({"labels": ["a"]}, ValueError, "labels: expected one label per text (5)"),
        ({"measure": "jaccard"}, ValueError, "measure: expected one of"),
        ({"k": 6}, ValueError, "k: expected an int in [1, 5], got 6"),
        ({"embeddings": torch.ones(5, 8)}, ValueError, "embeddings: expected vectors of dimension d=384"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(model, corpus, kwargs, error, words):
    import re

    arguments = {"query": "bread", "texts": TEXTS, "embeddings": corpus, "model": model} | kwargs
    with pytest.raises(error, match=re.escape(words)):
        search(**arguments)

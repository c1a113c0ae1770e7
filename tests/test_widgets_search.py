"""course_lib.widgets.search, driven headless: setting a control's value recomputes the results."""

from __future__ import annotations

import pytest

from course_lib import widgets
from course_lib.embed import encode
from course_lib.search import format_hits, search
from course_lib.widgets.search import SearchWidget, search_widget

TEXTS = [
    "The striker scored twice in the second half.",
    "The goalkeeper saved a penalty in extra time.",
    "Knead the dough until it is smooth and elastic.",
    "Simmer the tomato sauce for twenty minutes.",
    "The central bank raised interest rates again.",
    "Shares fell sharply after the earnings report.",
    "The telescope photographed a distant galaxy.",
    "Astronauts docked with the space station.",
]
LABELS = ["sports", "sports", "cooking", "cooking", "finance", "finance", "space", "space"]


@pytest.fixture(scope="module")
def corpus(model):
    return encode(TEXTS, model, show_progress=False)


@pytest.fixture
def widget(model, corpus):
    return search_widget(TEXTS, corpus, model, labels=LABELS, query="a football match", k=2)


def test_package_reexports_the_widget():
    assert widgets.search_widget is search_widget and widgets.SearchWidget is SearchWidget


def test_initial_results_match_the_static_search(model, corpus, widget):
    assert isinstance(widget, SearchWidget)
    assert widget.hits == search("a football match", TEXTS, corpus, model, k=2, labels=LABELS)
    assert {hit.label for hit in widget.hits} == {"sports"}
    assert "The striker scored twice" in widget.results.value and "<table>" in widget.results.value


def test_typing_a_new_query_changes_the_results(widget):
    widget.query_box.value = "exploring outer space and the stars"
    assert {hit.label for hit in widget.hits} == {"space"}
    assert "Astronauts" in widget.results.value and "striker" not in widget.results.value


def test_k_sets_the_number_of_rows(widget):
    widget.k_box.value = 5
    assert [hit.rank for hit in widget.hits] == [1, 2, 3, 4, 5]
    assert widget.results.value.count("<tr>") == 6  # header + 5 rows


def test_measure_changes_scores_and_their_direction(model, corpus, widget):
    widget.k_box.value = 8
    cosine_scores = [hit.score for hit in widget.hits]
    widget.measure_box.value = "euclidean"
    euclidean_scores = [hit.score for hit in widget.hits]
    assert euclidean_scores == sorted(euclidean_scores)  # distances: closest = smallest first
    assert cosine_scores == sorted(cosine_scores, reverse=True)
    assert widget.hits == search("a football match", TEXTS, corpus, model, "euclidean", k=8, labels=LABELS)
    assert "lower = closer" in widget.results.value
    widget.measure_box.value = "dot"
    assert [hit.score for hit in widget.hits] != cosine_scores  # unnormalised vectors: dot is not cosine


def test_empty_query_shows_a_prompt_instead_of_results(widget):
    widget.query_box.value = "   "
    assert widget.hits == [] and "Type a query" in widget.results.value


def test_html_escapes_the_texts(model):
    texts = ["<b>bold</b> claims & more", "plain text"]
    vectors = encode(texts, model, show_progress=False)
    widget = search_widget(texts, vectors, model, query="claims", k=2)
    assert "&lt;b&gt;bold&lt;/b&gt; claims &amp; more" in widget.results.value


def test_widget_and_static_fallback_show_the_same_ranking(model, corpus, widget):
    widget.query_box.value = "baking bread"
    static = format_hits(search("baking bread", TEXTS, corpus, model, k=2, labels=LABELS), "cosine")
    for hit in widget.hits:
        assert hit.text[:30] in static


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"measures": ["cosine", "minkowski"]}, ValueError, "measures: 'minkowski' needs a p"),
        ({"measures": "cosine"}, TypeError, "measures: expected a non-empty list"),
        ({"measure": "chebyshev", "measures": ["cosine", "dot"]}, ValueError, "measure: expected one of ['cosine'"),
        ({"k": 0}, ValueError, "k: expected an int between 1 and the corpus size (8)"),
        ({"labels": ["x"]}, ValueError, "labels: expected one label per text (8)"),
    ],
)
def test_bad_arguments_are_rejected(model, corpus, kwargs, error, words):
    import re

    with pytest.raises(error, match=re.escape(words)):
        search_widget(TEXTS, corpus, model, **kwargs)

"""course_lib.widgets.compression, driven headless: setting a control recomputes the readout."""

from __future__ import annotations

import re

import pytest

from course_lib import data, widgets
from course_lib.compress import bytes_per_vector
from course_lib.compression_eval import evaluate, prepare
from course_lib.retrieval import load_retrieval_task
from course_lib.widgets.compression import CompressionWidget, compression_static, compression_view, compression_widget


@pytest.fixture(scope="module")
def bundled(model):
    import os

    saved = os.environ.pop(data.DATA_ENV_VAR, None)  # the bundled task, whatever the environment
    try:
        task = load_retrieval_task()
    finally:
        if saved is not None:
            os.environ[data.DATA_ENV_VAR] = saved
    pairs = data.load_sts_pairs()
    return prepare(task, pairs.sentences1, pairs.sentences2, pairs.scores, data.load_sentiment().texts + data.load_topic_corpus().texts, model, show_progress=False)


@pytest.fixture
def widget(bundled, model):
    return compression_widget(bundled, model, query="A man is playing a guitar.")


def test_package_reexports_the_widget():
    assert widgets.compression_widget is compression_widget and widgets.CompressionWidget is CompressionWidget


def test_float32_at_full_size_keeps_everything_and_matches_its_own_top_5(widget):
    view = widget.view
    assert view.bytes_per_vector == 1536 and view.kept == pytest.approx((100.0, 100.0, 100.0))
    assert view.hits == view.reference_hits and len(view.hits) == 5
    assert "1536 bytes per vector (1x smaller" in widget.readout.value and widget.readout.value.count("<tr>") == 6


def test_changing_dims_bits_and_reduction_recomputes_the_readout(bundled, widget):
    widget.bits_box.value = 1
    assert widget.view.bytes_per_vector == 48 and "32x smaller" in widget.readout.value
    widget.dims_box.value = 64
    widget.reduction_box.value = "pca"
    view = widget.view
    assert (view.dims, view.bits, view.reduction, view.bytes_per_vector) == (64, 1, "pca", bytes_per_vector(64, 1))
    assert view.quality == evaluate(bundled, 64, 1, "pca")
    assert view.kept[2] < 100  # 8 bytes of sign bits lose retrieval quality
    assert view.reference_hits == compression_view(bundled, widget._query_vector(widget.query_box.value), 384, 32, "truncate").hits


def test_a_new_query_changes_the_results_and_an_empty_one_prompts(widget):
    before = widget.view.reference_hits
    widget.query_box.value = "The stock market fell sharply."
    assert widget.view.reference_hits != before
    widget.query_box.value = "  "
    assert widget.view is None and "Type a query" in widget.readout.value


def test_static_fallback_shows_the_same_numbers(bundled, model, widget):
    text = compression_static(bundled, model, query="A man is playing a guitar.", settings=[(384, 32, "truncate"), (64, 1, "pca")])
    assert "a live kernel lets you change the settings" in text
    widget.bits_box.value, widget.dims_box.value, widget.reduction_box.value = 1, 64, "pca"
    summary = re.escape(widget.readout.value.split("<p>")[1].split("</p>")[0])
    assert re.search(summary, text)
    assert widget.view.hits[0][:60] in text


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"dims": 100}, ValueError, "dims: expected one of [16, 32, 64, 128, 192, 256, 384], got 100"),
        ({"bits": 4}, ValueError, "bits: expected one of [32, 16, 8, 1]"),
        ({"reduction": "svd"}, ValueError, "reduction: expected one of ['truncate', 'pca']"),
        ({"query": 3}, TypeError, "query: expected a string"),
        ({"dims_options": [16, 1000]}, ValueError, "dims_options: expected an int in [1, 384], got 1000"),
    ],
)
def test_bad_arguments_are_rejected(bundled, model, kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        compression_widget(bundled, model, **kwargs)


def test_data_must_come_from_prepare(model):
    with pytest.raises(TypeError, match="data: expected CompressionData"):
        compression_widget({"corpus": None}, model)


def test_where_widgets_cannot_run_it_shows_a_snapshot_and_says_to_run_the_cell(widget):
    from course_lib.widgets._fallback import RUN_THE_CELL

    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    for kind in ("text/plain", "text/html"):
        assert "children=" not in bundle[kind] and f"dims {widget.dims_box.value}" in bundle[kind]
    assert RUN_THE_CELL in bundle["text/plain"]

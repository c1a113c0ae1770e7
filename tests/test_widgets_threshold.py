"""course_lib.widgets.threshold, driven headless: moving the slider recomputes the metrics and the flips;
the metrics equal scikit-learn's."""

from __future__ import annotations

import re

import numpy as np
import torch
import pytest
from sklearn.metrics import precision_recall_fscore_support

from course_lib import widgets
from course_lib.widgets.threshold import (
    ThresholdWidget,
    best_threshold,
    flipped_pairs,
    threshold_metrics,
    threshold_static,
    threshold_sweep,
    threshold_widget,
)

SCORES = np.array([0.95, 0.81, 0.74, 0.62, 0.55, 0.48, 0.33, 0.12])
LABELS = np.array([1, 1, 0, 1, 0, 1, 0, 0])
FIRST = [f"first <{i}> & co" for i in range(8)]
SECOND = [f"second {i}" for i in range(8)]


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.62, 0.7, 0.9, 1.0])
def test_metrics_equal_scikit_learn(threshold):
    ours = threshold_metrics(SCORES, LABELS, threshold)
    predicted = SCORES >= threshold
    p, r, f, _ = precision_recall_fscore_support(LABELS, predicted, average="binary", zero_division=0)
    assert (ours.precision, ours.recall, ours.f1) == pytest.approx((p, r, f))
    assert ours.true_positives + ours.false_positives == int(predicted.sum())
    assert ours.true_positives + ours.false_negatives == int(LABELS.sum())
    assert sum((ours.true_positives, ours.false_positives, ours.false_negatives, ours.true_negatives)) == 8


def test_nothing_called_similar_gives_zero_not_nan():
    metrics = threshold_metrics(SCORES, LABELS, 2.0)
    assert (metrics.precision, metrics.recall, metrics.f1) == (0.0, 0.0, 0.0)


def test_sweep_best_and_flips():
    sweep = threshold_sweep(SCORES, LABELS, [0.3, 0.6])
    assert [m.threshold for m in sweep] == [0.3, 0.6]
    best = best_threshold(SCORES, LABELS)
    assert best.f1 == max(threshold_metrics(SCORES, LABELS, t).f1 for t in SCORES)
    assert flipped_pairs(SCORES, 0.5, 0.7) == [4, 3]  # scores 0.55 and 0.62, lowest first
    assert flipped_pairs(SCORES, 0.7, 0.5) == [4, 3]  # the same pairs whichever way the slider moves
    assert flipped_pairs(SCORES, 0.56, 0.6) == []


def test_package_reexports_the_widget():
    assert widgets.threshold_widget is threshold_widget and widgets.ThresholdWidget is ThresholdWidget


def test_moving_the_slider_updates_metrics_and_flips():
    widget = threshold_widget(SCORES, LABELS, FIRST, SECOND, threshold=0.7)
    assert isinstance(widget, ThresholdWidget)
    assert widget.metrics == threshold_metrics(SCORES, LABELS, 0.7)
    assert widget.flips == [] and "Move the slider" in widget.flip_table.value
    widget.slider.value = 0.5
    assert widget.metrics == threshold_metrics(SCORES, LABELS, 0.5)
    assert widget.flips == [4, 3]
    table = widget.flip_table.value
    assert "2 pair(s) now called similar" in table and "fixed" in table and "broken" in table
    assert "first &lt;3&gt; &amp; co" in table  # texts are escaped
    assert f"F1 {widget.metrics.f1:.3f}" in widget.readout.value
    widget.update(0.9)
    assert widget.slider.value == 0.9 and widget.flips == [4, 3, 2, 1]
    assert "no longer called similar" in widget.flip_table.value


def test_static_fallback_reports_the_same_numbers_as_the_widget():
    text = threshold_static(SCORES, LABELS, FIRST, SECOND, thresholds=[0.3, 0.5, 0.9])
    widget = threshold_widget(SCORES, LABELS, FIRST, SECOND, threshold=0.5)
    assert widget.metrics.line() in text
    assert "Dragging the slider" in text and "Best F1 on these pairs" in text
    assert "ARE similar" in text  # moving 0.5 -> 0.9 loses similar pairs, and says so


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: threshold_metrics(SCORES, LABELS[:3], 0.5), ValueError, "labels: expected 8 items, one per item of scores, got 3"),
        (lambda: threshold_metrics(SCORES, LABELS * 2, 0.5), ValueError, "labels: expected 0/1 or True/False"),
        (lambda: threshold_metrics(SCORES, LABELS, "0.5"), TypeError, "threshold: expected a number"),
        (lambda: threshold_metrics(SCORES, LABELS, float("nan")), ValueError, "threshold: expected a finite number"),
        (lambda: threshold_metrics(SCORES[:, None], LABELS, 0.5), ValueError, "scores: expected 1 dimensions (pairs,)"),
        (lambda: threshold_widget(SCORES, LABELS, FIRST[:2], SECOND), ValueError, "sentences1: expected 8 items"),
        (lambda: threshold_widget(SCORES, LABELS, FIRST, SECOND, threshold=3.0), ValueError, "threshold: expected a number in"),
        (lambda: threshold_widget(SCORES, LABELS, FIRST, SECOND, low=0.9, high=0.1), ValueError, "high: expected a number > low"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_where_widgets_cannot_run_the_threshold_widget_shows_a_snapshot_and_says_to_run_the_cell():
    from course_lib.widgets._fallback import RUN_THE_CELL
    from course_lib.widgets.threshold import threshold_widget

    widget = threshold_widget(torch.tensor([0.1, 0.9, 0.6]), [0, 1, 1], ["a", "b", "c"], ["d", "e", "f"], threshold=0.5)
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live controls are still there
    for kind in ("text/plain", "text/html"):
        assert "children=" not in bundle[kind] and "F1 1.000" in bundle[kind]
    assert RUN_THE_CELL in bundle["text/plain"] and "threshold 0.500\nprecision" in bundle["text/plain"]

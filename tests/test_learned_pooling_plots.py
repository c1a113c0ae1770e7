"""Notebook 08's figures: closed Figures in the course style, clear errors for bad input."""

from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure

from course_lib.learned_pooling_plots import plot_attention_weights, plot_layer_weights, plot_leaderboard
from course_lib.widgets.pooling_lab import LeaderboardRow


def test_figures_are_returned_closed(no_open_figures_and_no_global_style):
    tokens = [["[CLS]", "dogs", "bark", "[SEP]"], ["[CLS]", "hi", "[SEP]"]]
    figure = plot_attention_weights(tokens, [torch.tensor([0.1, 0.5, 0.3, 0.1]), [0.2, 0.6, 0.2]])
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    figure = plot_layer_weights(torch.softmax(torch.arange(7.0), 0), {"STS-B test": [0.5, 0.5, 0.5, 0.6, 0.6, 0.7, 0.8]})
    assert len(figure.axes) == 2
    rows = [LeaderboardRow(1, "attention", "learned", {"d": 0.8}), LeaderboardRow(2, "mean", "built-in", {"d": 0.79}),
            LeaderboardRow(3, "mine", "yours", {"d": 0.5}, passed_checks=False)]
    figure = plot_leaderboard(rows, "d")
    axis = figure.axes[0]
    top_to_bottom = [label.get_text() for _, label in sorted(zip(axis.get_yticks(), axis.get_yticklabels()), key=lambda p: -p[0])]
    assert top_to_bottom == ["attention", "mean", "mine"]  # best on top


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"weights\[0\]: expected 3 items"):
        plot_attention_weights([["a", "b", "c"]], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="weights: expected 2 items"):
        plot_attention_weights([["a"], ["b"]], [[1.0]])
    with pytest.raises(ValueError, match="weights: expected 1 dimensions"):
        plot_layer_weights([[0.5, 0.5]])
    with pytest.raises(ValueError, match="rows"):
        plot_leaderboard([], "d")

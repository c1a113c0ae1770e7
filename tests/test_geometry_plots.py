"""course_lib.geometry_plots: closed figures that draw what they say, clear errors."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_lib.geometry_plots import plot_cone_vs_ball, plot_cosine_histograms, plot_threshold_curves  # noqa: E402
from course_lib.widgets.threshold import threshold_sweep  # noqa: E402

pytestmark = pytest.mark.usefixtures("no_open_figures_and_no_global_style")


def test_cone_vs_ball_titles_give_the_mean_cosines():
    fig = plot_cone_vs_ball(seed=0)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    cone, ball = (float(ax.get_title(loc="left").split()[-1]) for ax in fig.axes)
    assert cone > 0.9 and abs(ball) < 0.05


def test_histograms_share_bins_and_mark_the_threshold():
    rng = np.random.default_rng(0)
    fig = plot_cosine_histograms({"similar": rng.normal(0.7, 0.1, 50), "not similar": rng.normal(0.2, 0.1, 80)},
                                 threshold=0.45, title="t")
    ax = fig.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert set(labels) == {"threshold 0.45", "similar (n = 50)", "not similar (n = 80)"}
    heights = sum(patch.get_height() for patch in ax.patches)
    assert heights == 130


def test_threshold_curves_mark_the_best_f1():
    scores = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.2])
    labels = np.array([1, 1, 0, 1, 0, 0])
    sweep = threshold_sweep(scores, labels, np.linspace(0, 1, 21))
    fig = plot_threshold_curves(sweep)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()][:3] == ["precision", "recall", "F1"]
    best = max(sweep, key=lambda m: m.f1)
    assert f"best F1 {best.f1:.2f}" in ax.texts[0].get_text()


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: plot_cosine_histograms({}), TypeError, "groups: expected a non-empty dict"),
        (lambda: plot_cosine_histograms({"a": [0.1, float("nan")]}), ValueError, "groups['a']: expected finite values"),
        (lambda: plot_cosine_histograms({"a": [0.1, 0.2]}, threshold="x"), TypeError, "threshold: expected a number"),
        (lambda: plot_threshold_curves([]), TypeError, "sweep: expected a list of at least 2 ThresholdMetrics"),
        (lambda: plot_threshold_curves([1, 2]), TypeError, "sweep: expected ThresholdMetrics items"),
        (lambda: plot_cone_vs_ball(n=1), ValueError, "n: expected an int >= 2"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()

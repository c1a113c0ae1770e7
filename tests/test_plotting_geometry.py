"""course_lib.plotting helpers of notebook 05: closed figures that draw what they say, clear errors."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Arc  # noqa: E402

from course_lib import plotting  # noqa: E402
from course_lib.plotting import (  # noqa: E402
    MEASURE_COLORS,
    plot_angle_vs_distance,
    plot_minkowski_sweep,
    plot_scatter_trend,
    plot_unit_balls,
)

PS = [1, 2, 3, math.inf]


pytestmark = pytest.mark.usefixtures("no_open_figures_and_no_global_style")


def _texts(fig: Figure) -> str:
    return " | ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_exported():
    for name in ("plot_angle_vs_distance", "plot_unit_balls", "plot_minkowski_sweep", "plot_scatter_trend"):
        assert name in plotting.__all__


def test_angle_vs_distance_labels_the_true_numbers():
    fig = plot_angle_vs_distance(torch.tensor([3.0, 1.0]), np.array([1.0, 2.0]), [2.0, 4.0], names=("a", "b", "2b"))
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    text = _texts(fig)
    assert "θ = 45°" in text and "cos θ = 0.71" in text  # same angle in both panels
    assert "‖a − b‖ = 2.24" in text and "‖a − 2b‖ = 3.16" in text
    assert "a·b = 5.00" in text and "a·2b = 10.00" in text
    assert all(any(isinstance(p, Arc) for p in ax.patches) for ax in fig.axes)
    assert len(plot_angle_vs_distance([1.0, 0.0], [0.0, 1.0]).axes) == 1


def test_unit_balls_draw_each_norm_in_its_measure_colour():
    fig = plot_unit_balls(point=[0.6, 0.8])
    lines = fig.axes[0].get_lines()
    curves = [line for line in lines if len(line.get_xdata()) > 100]
    assert [line.get_color() for line in curves] == [
        MEASURE_COLORS["manhattan"], MEASURE_COLORS["euclidean"], MEASURE_COLORS["chebyshev"]
    ]
    for line, p in zip(curves, (1, 2, math.inf)):
        points = np.stack([line.get_xdata(), line.get_ydata()], axis=1)
        np.testing.assert_allclose(np.linalg.norm(points, ord=p, axis=1), 1.0, atol=1e-9)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[0] == "p = 1 (Manhattan): ‖x‖ = 1.40" and labels[2] == "p = ∞ (Chebyshev): ‖x‖ = 0.80"


def test_minkowski_sweep_puts_infinity_on_its_own_tick():
    fig = plot_minkowski_sweep(PS, {"raw": [0.5, 0.6, 0.55, 0.4]}, reference={"cosine": 0.62})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "∞"]
    assert ax.get_xticks()[-1] > 3
    assert "cosine (0.620)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_scatter_trend_reports_spearman():
    x = np.arange(1, 51, dtype=float)
    fig = plot_scatter_trend(x, -2 * x, "tokens", "norm", bins=5)
    assert "Spearman ρ = -1.00  (n = 50)" in _texts(fig)
    medians = fig.axes[0].get_lines()[0].get_ydata()
    assert list(medians) == sorted(medians, reverse=True) and len(medians) == 5


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: plot_angle_vs_distance([1.0, 2.0, 3.0], [1.0, 0.0]), ValueError, "a: expected a 2-D vector"),
        (lambda: plot_angle_vs_distance([1.0, 2.0], [0.0, 0.0]), ValueError, "b: expected a non-zero vector"),
        (lambda: plot_angle_vs_distance([1.0, 2.0], "b"), TypeError, "b: expected a torch tensor"),
        (lambda: plot_unit_balls([1, 0]), ValueError, "ps[1]: expected a number > 0"),
        (lambda: plot_unit_balls("12"), TypeError, "ps: expected a non-empty list"),
        (lambda: plot_minkowski_sweep([math.inf], {"a": [1.0]}), ValueError, "at least one finite p"),
        (lambda: plot_minkowski_sweep([2, 1], {"a": [1.0, 2.0]}), ValueError, "ps: expected increasing"),
        (lambda: plot_minkowski_sweep([1, 2], {"a": [1.0]}), ValueError, "curves['a']: expected shape (2,)"),
        (lambda: plot_minkowski_sweep([1, 2], {}), TypeError, "curves: expected a non-empty dict"),
        (lambda: plot_scatter_trend([1.0, 2.0, 3.0], [1.0, 2.0], "x", "y"), ValueError, "y: expected shape (3,)"),
        (lambda: plot_scatter_trend([1.0, 2.0], [1.0, 2.0], "x", "y"), ValueError, "at least 3 points"),
        (lambda: plot_scatter_trend([0.0, 1, 2], [1.0, 2, 3], "x", "y", logx=True), ValueError, "x: expected values > 0"),
    ],
)
def test_bad_input_is_rejected(call, error, words):
    import re

    with pytest.raises(error, match=re.escape(words)):
        call()

"""Figures of notebook 06 (the geometry of embeddings), in the course's shared style.

- :func:`plot_cone_vs_ball`        anisotropy in one picture: a narrow cone vs a ball, in 2-D
- :func:`plot_cosine_histograms`   where the cosines of similar and dissimilar pairs fall
- :func:`plot_threshold_curves`    precision, recall and F1 as the threshold moves

Each helper validates its inputs through :mod:`course_lib._checks`, draws inside
:func:`course_lib.plotting.course_style`, closes its figure and returns it. Per-layer curves use
:func:`course_lib.plotting.plot_curves`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from course_lib._checks import check_array, check_int, check_number, check_str, describe
from course_lib.geometry import mean_cosine
from course_lib.plotting import PALETTE, course_style
from course_lib.widgets.threshold import ThresholdMetrics

__all__ = ["plot_cone_vs_ball", "plot_cosine_histograms", "plot_threshold_curves"]

_SIMILAR, _DISSIMILAR = PALETTE[0], PALETTE[3]


@contextmanager
def _figure(figsize: tuple[float, float], ncols: int = 1) -> Iterator[tuple[Figure, np.ndarray]]:
    with course_style():
        fig, axes = plt.subplots(1, ncols, figsize=figsize, layout="constrained", squeeze=False)
        try:
            yield fig, axes[0]
        finally:
            plt.close(fig)


def _title(title: object) -> str | None:
    return None if title is None else check_str("title", title)


def plot_cone_vs_ball(n: int = 300, seed: int = 0) -> Figure:
    """Two seeded 2-D clouds: one in a narrow cone away from the origin, one a ball around it.

    Each panel's title gives the mean cosine between all pairs of its points
    (:func:`course_lib.geometry.mean_cosine`): near 1 for the cone, near 0 for the ball.
    """
    n = check_int("n", n, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(n, 2, generator=generator, dtype=torch.float64)
    cone = noise * torch.tensor([0.35, 0.12], dtype=torch.float64) + torch.tensor([2.0, 1.2], dtype=torch.float64)
    ball = noise
    with _figure((9.0, 4.3), ncols=2) as (fig, axes):
        for ax, points, name in ((axes[0], cone, "anisotropic: a narrow cone"), (axes[1], ball, "isotropic: a ball")):
            xy = points.numpy()
            ax.scatter(xy[:, 0], xy[:, 1], s=12, alpha=0.5, color=PALETTE[0], edgecolors="none")
            for row in xy[:: max(1, n // 12)]:
                ax.annotate("", xy=row, xytext=(0, 0), arrowprops={"arrowstyle": "-|>", "color": PALETTE[7], "lw": 0.8})
            ax.scatter([0], [0], marker="+", s=90, color="black", zorder=3)
            ax.set_xlim(-3.2, 3.2)
            ax.set_ylim(-3.2, 3.2)
            ax.set_aspect("equal")
            ax.set_title(f"{name}\nmean cosine between pairs {mean_cosine(points):.2f}", fontsize=11.5)
        fig.suptitle("Anisotropy: every direction is about the same direction", fontweight="bold")
    return fig


def plot_cosine_histograms(
    groups: Mapping[str, object],
    threshold: float | None = None,
    xlabel: str = "cosine similarity",
    title: str | None = None,
    bins: int = 30,
) -> Figure:
    """Overlaid histograms of ``{group name: scores (n,)}`` (e.g. similar vs dissimilar pairs).

    A dashed line marks ``threshold`` when given. Both groups share the bin edges so their
    overlap is read directly.
    """
    if not isinstance(groups, Mapping) or not groups:
        raise TypeError(f"groups: expected a non-empty dict {{name: scores}}, got {describe(groups)}")
    arrays = {str(name): check_array(f"groups[{name!r}]", scores, ndim=1, shape="(n,)").astype(np.float64)
              for name, scores in groups.items()}
    for name, values in arrays.items():
        if not np.isfinite(values).all():
            raise ValueError(f"groups[{name!r}]: expected finite values, got NaN or infinite values")
    if threshold is not None:
        threshold = check_number("threshold", threshold)
    check_str("xlabel", xlabel)
    title = _title(title)
    bins = check_int("bins", bins, minimum=2)
    everything = np.concatenate(list(arrays.values()))
    edges = np.linspace(everything.min(), everything.max(), bins + 1)
    colors = [_SIMILAR, _DISSIMILAR, *PALETTE[1:3], *PALETTE[4:]]
    with _figure((6.8, 4.2)) as (fig, axes):
        ax: Axes = axes[0]
        for (name, values), color in zip(arrays.items(), colors):
            ax.hist(values, bins=edges, alpha=0.55, color=color, label=f"{name} (n = {values.size})")
        if threshold is not None:
            ax.axvline(threshold, color="black", linestyle="--", linewidth=1.4, label=f"threshold {threshold:.2f}")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("pairs")
        ax.legend(loc="upper left")
        if title:
            ax.set_title(title)
    return fig


def plot_threshold_curves(sweep: Sequence[ThresholdMetrics], title: str | None = None) -> Figure:
    """Precision, recall and F1 against the threshold, from a :func:`~course_lib.widgets.threshold.threshold_sweep`.

    The best F1 is marked with its threshold.
    """
    if isinstance(sweep, (str, bytes)) or not isinstance(sweep, Sequence) or len(sweep) < 2:
        raise TypeError(f"sweep: expected a list of at least 2 ThresholdMetrics, got {describe(sweep)}")
    for i, item in enumerate(sweep):
        if not isinstance(item, ThresholdMetrics):
            raise TypeError(f"sweep: expected ThresholdMetrics items, got {describe(item)} at index {i}")
    title = _title(title)
    cuts = np.array([m.threshold for m in sweep])
    curves = {"precision": [m.precision for m in sweep], "recall": [m.recall for m in sweep], "F1": [m.f1 for m in sweep]}
    best = max(sweep, key=lambda m: m.f1)
    with _figure((6.8, 4.2)) as (fig, axes):
        ax = axes[0]
        for (name, values), color in zip(curves.items(), (PALETTE[0], PALETTE[1], PALETTE[6])):
            ax.plot(cuts, values, color=color, label=name, linewidth=2.4 if name == "F1" else 1.8)
        ax.axvline(best.threshold, color=PALETTE[7], linestyle="--", linewidth=1.2)
        ax.annotate(f"best F1 {best.f1:.2f}\nat {best.threshold:.2f}", xy=(best.threshold, best.f1),
                    xytext=(8, -34), textcoords="offset points", fontsize=10)
        ax.set_ylim(-0.02, 1.05)
        ax.set_xlabel("threshold on cosine (pairs at or above it are called similar)")
        ax.set_ylabel("score")
        ax.legend(loc="lower left")
        if title:
            ax.set_title(title)
    return fig

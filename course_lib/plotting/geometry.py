"""The geometry of similarity measures: angle vs distance, unit balls, the Minkowski sweep and a
scatter with a binned trend (notebook 05).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Arc
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter

from course_lib._checks import describe
from course_lib.plotting.style import (
    _label_axes,
    _MARKERS,
    _as_labels,
    _as_score,
    _check_finite,
    _check_ndim,
    _check_positive_int,
    _check_str,
    _check_title,
    _colors_for,
    _figure,
    _MUTED_COLOR,
    _TEXT_COLOR,
    _to_numpy,
    course_style,
    MEASURE_COLORS,
    PALETTE,
)

def _as_vector_2d(value: object, name: str) -> np.ndarray:
    vector = _to_numpy(value, name)
    if vector.shape != (2,):
        raise ValueError(f"{name}: expected a 2-D vector of shape (2,), got shape {vector.shape}")
    _check_finite(vector, name)
    if not vector.any():
        raise ValueError(f"{name}: expected a non-zero vector (the zero vector has no direction, so no angle), got the zero vector")
    return vector


def _draw_pair(ax: Axes, a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Arrows a and b from the origin, the angle between them, and the segment a - b."""
    cosine = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    angle_a, angle_b = (math.degrees(math.atan2(v[1], v[0])) for v in (a, b))
    start, end = sorted((angle_a, angle_b))
    if end - start > 180:
        start, end = end, start + 360
    radius = 0.32 * min(np.linalg.norm(a), np.linalg.norm(b))
    ax.add_patch(Arc((0, 0), 2 * radius, 2 * radius, theta1=start, theta2=end,
                     color=MEASURE_COLORS["cosine"], linewidth=2.2, zorder=3))
    middle = math.radians((start + end) / 2)
    theta = math.degrees(math.acos(max(-1.0, min(1.0, cosine))))
    ax.annotate(
        f"θ = {theta:.0f}°\ncos θ = {cosine:.2f}", (radius * math.cos(middle), radius * math.sin(middle)),
        xytext=(1.9 * radius * math.cos(middle), 1.9 * radius * math.sin(middle)), ha="center", va="center",
        fontsize=10, color=MEASURE_COLORS["cosine"], fontweight="bold",
        path_effects=[withStroke(linewidth=3, foreground="white")], zorder=5,
    )
    ax.plot([a[0], b[0]], [a[1], b[1]], linestyle="--", color=MEASURE_COLORS["euclidean"], linewidth=2.2, zorder=2)
    mid = (a + b) / 2
    ax.annotate(
        f"‖{name_a} − {name_b}‖ = {np.linalg.norm(a - b):.2f}", mid, xytext=(8, 6), textcoords="offset points",
        fontsize=10, color=MEASURE_COLORS["euclidean"], fontweight="bold",
        path_effects=[withStroke(linewidth=3, foreground="white")], zorder=5,
    )
    for vector, name, color in ((a, name_a, _TEXT_COLOR), (b, name_b, PALETTE[3])):
        ax.annotate("", xy=tuple(vector), xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color=color, linewidth=2.2, mutation_scale=16), zorder=4)
        ax.annotate(
            f"{name} = ({vector[0]:g}, {vector[1]:g})\n‖{name}‖ = {np.linalg.norm(vector):.2f}", tuple(vector),
            xytext=(6, 6), textcoords="offset points", fontsize=9.5, color=color,
            path_effects=[withStroke(linewidth=3, foreground="white")], zorder=5,
        )
    ax.text(0.02, 0.02, f"{name_a}·{name_b} = {float(a @ b):.2f}", transform=ax.transAxes, fontsize=10,
            color=MEASURE_COLORS["dot"], fontweight="bold")


def plot_angle_vs_distance(
    a: Any,
    b: Any,
    c: Any = None,
    names: Sequence[str] = ("a", "b", "c"),
    title: str | None = None,
) -> Figure:
    """Two 2-D vectors ``(2,)`` as arrows: the angle between them (cosine), the gap (Euclidean), a·b.

    With ``c`` a second panel shows ``a`` and ``c`` on the same scale, e.g. ``c = 2 * b``: the same
    angle at a different distance. Introduced in notebook 05.
    """
    vectors = [_as_vector_2d(a, "a"), _as_vector_2d(b, "b")] + ([] if c is None else [_as_vector_2d(c, "c")])
    labels = _as_labels(names, "names", 3, "vector name (a, b, c)")
    _check_title(title)
    pairs = [(vectors[0], vectors[1], labels[0], labels[1])]
    if c is not None:
        pairs.append((vectors[0], vectors[2], labels[0], labels[2]))
    points = np.vstack([np.zeros(2), *vectors])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = 0.25 * (high - low).max()
    with course_style():
        fig, axes = plt.subplots(1, len(pairs), figsize=(5.2 * len(pairs), 4.6), layout="constrained", squeeze=False)
        try:
            for ax, (u, v, name_u, name_v) in zip(axes[0], pairs):
                _draw_pair(ax, u, v, name_u, name_v)
                ax.set_xlim(low[0] - pad, high[0] + 1.6 * pad)
                ax.set_ylim(low[1] - pad, high[1] + pad)
                ax.set_aspect("equal")
                ax.axhline(0, color="#bbbbbb", linewidth=0.8, zorder=1)
                ax.axvline(0, color="#bbbbbb", linewidth=0.8, zorder=1)
                ax.set_title(f"{name_u} and {name_v}", fontsize=12)
            if title:
                fig.suptitle(title, fontweight="bold", x=0.02, ha="left")
        finally:
            plt.close(fig)
    return fig


def _p_label(p: float) -> str:
    names = {1.0: "Manhattan", 2.0: "Euclidean", math.inf: "Chebyshev"}
    value = "∞" if math.isinf(p) else f"{p:g}"
    return f"p = {value}" + (f" ({names[p]})" if p in names else "")


def _check_ps(ps: object, name: str = "ps") -> list[float]:
    if isinstance(ps, (str, bytes)) or not isinstance(ps, Sequence) or len(ps) == 0:
        raise TypeError(f"{name}: expected a non-empty list of numbers > 0 (math.inf allowed), got {describe(ps)}")
    values = []
    for i, p in enumerate(ps):
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or math.isnan(p) or not p > 0:
            raise ValueError(f"{name}[{i}]: expected a number > 0 or math.inf, got {p!r}")
        values.append(float(p))
    return values


def plot_unit_balls(
    ps: Sequence[float] = (1, 2, math.inf),
    point: Any = None,
    title: str | None = None,
) -> Figure:
    """The unit circles ``{x : ‖x‖_p = 1}`` in 2-D for each ``p`` (1 diamond, 2 circle, ∞ square).

    ``point`` ``(2,)`` marks one point and lists its distance from the origin under each p.
    Introduced in notebook 05.
    """
    values = _check_ps(ps)
    marked = None if point is None else _as_vector_2d(point, "point")
    _check_title(title)
    angles = np.linspace(0, 2 * np.pi, 721)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    fixed = {1.0: MEASURE_COLORS["manhattan"], 2.0: MEASURE_COLORS["euclidean"], math.inf: MEASURE_COLORS["chebyshev"]}
    others = iter([MEASURE_COLORS["minkowski"], *PALETTE])
    with _figure((7.4, 4.3)) as (fig, ax):
        for p in values:
            norms = np.linalg.norm(directions, ord=p, axis=1)
            curve = directions / norms[:, None]
            color = fixed.get(p) or next(others)
            label = _p_label(p)
            if marked is not None:
                label += f": ‖x‖ = {np.linalg.norm(marked, ord=p):.2f}"
            ax.plot(curve[:, 0], curve[:, 1], color=color, label=label, linewidth=2.2)
        if marked is not None:
            ax.scatter([marked[0]], [marked[1]], s=55, color=_TEXT_COLOR, zorder=5)
            ax.annotate(f"x = ({marked[0]:g}, {marked[1]:g})", tuple(marked), xytext=(7, 7),
                        textcoords="offset points", fontsize=10,
                        path_effects=[withStroke(linewidth=3, foreground="white")])
        ax.axhline(0, color="#bbbbbb", linewidth=0.8)
        ax.axvline(0, color="#bbbbbb", linewidth=0.8)
        limit = 1.25 if marked is None else max(1.25, 1.15 * float(np.abs(marked).max()))
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ax.set_aspect("equal")
        fig.legend(loc="outside right upper", title="curve: points at distance 1 from 0")
        if title:
            ax.set_title(title)
    return fig


def plot_minkowski_sweep(
    ps: Sequence[float],
    curves: Mapping[str, Any],
    reference: Mapping[str, float] | None = None,
    ylabel: str = "Spearman ρ",
    title: str | None = None,
) -> Figure:
    """A score ``{name: (len(ps),)}`` against the Minkowski ``p`` of the distance, ``math.inf`` included.

    Finite p sit on a linear axis; p = ∞ (Chebyshev) gets its own tick after a break. ``reference``
    ``{label: value}`` adds dashed horizontal lines (e.g. cosine). Introduced in notebook 05.
    """
    values = _check_ps(ps)
    finite = [p for p in values if math.isfinite(p)]
    if not finite:
        raise ValueError("ps: expected at least one finite p, got only math.inf")
    if values != sorted(values):
        raise ValueError(f"ps: expected increasing values (math.inf last), got {values}")
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError(f"curves: expected a non-empty dict {{name: scores}}, got {describe(curves)}")
    ys = {}
    for name, y in curves.items():
        array = _to_numpy(y, f"curves[{name!r}]")
        if array.shape != (len(values),):
            raise ValueError(f"curves[{name!r}]: expected shape ({len(values)},) to match ps, got {array.shape}")
        _check_finite(array, f"curves[{name!r}]")
        ys[str(name)] = array
    references = {}
    if reference is not None:
        if not isinstance(reference, Mapping):
            raise TypeError(f"reference: expected a dict {{label: value}}, got {describe(reference)}")
        references = {str(k): _as_score(v, f"reference[{k!r}]") for k, v in reference.items()}
    _check_str(ylabel, "ylabel")
    _check_title(title)
    gap = max(1.0, 0.15 * (max(finite) - min(finite)))
    xs = np.array([p if math.isfinite(p) else max(finite) + gap for p in values])
    colors = _colors_for(list(ys))
    with _figure((7.4, 4.4)) as (fig, ax):
        for index, ((name, y), color) in enumerate(zip(ys.items(), colors)):
            solid = np.isfinite(np.array(values))
            ax.plot(xs[solid], y[solid], color=color, marker=_MARKERS[index % len(_MARKERS)], label=name)
            if not solid.all():
                last = np.flatnonzero(solid)[-1]
                ax.plot([xs[last], xs[-1]], [y[last], y[-1]], color=color, linestyle=":", linewidth=1.6)
                ax.plot(xs[-1], y[-1], color=color, marker=_MARKERS[index % len(_MARKERS)])
        for (label, value), style in zip(references.items(), ["--", ":", "-."] * 8):
            ax.axhline(value, color=_MUTED_COLOR, linestyle=style, linewidth=1.4, label=f"{label} ({value:.3f})")
        ax.set_xticks(xs, labels=["∞" if math.isinf(p) else f"{p:g}" for p in values])
        ax.set_xlabel("Minkowski p  (1 = Manhattan, 2 = Euclidean, ∞ = Chebyshev)")
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if title:
            ax.set_title(title)
    return fig


def plot_scatter_trend(
    x: Any,
    y: Any,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    logx: bool = False,
    bins: int = 8,
) -> Figure:
    """Scatter of ``y`` ``(n,)`` against ``x`` ``(n,)`` with the median of y in ``bins`` quantile bins of x.

    The corner shows Spearman ρ and n, so the strength of a monotone trend is read as a number, not
    guessed from the cloud. Introduced in notebook 05.
    """
    from scipy.stats import spearmanr

    xs, ys = _to_numpy(x, "x"), _to_numpy(y, "y")
    _check_ndim(xs, "x", (1,), "(n,)")
    if ys.shape != xs.shape:
        raise ValueError(f"y: expected shape {xs.shape} to match x, got {ys.shape}")
    _check_finite(xs, "x")
    _check_finite(ys, "y")
    if xs.size < 3:
        raise ValueError(f"x: expected at least 3 points for a trend, got {xs.size}")
    _check_str(xlabel, "xlabel")
    _check_str(ylabel, "ylabel")
    _check_title(title)
    bins = _check_positive_int(bins, "bins")
    if logx and (xs <= 0).any():
        raise ValueError(f"x: expected values > 0 when logx=True, got minimum {xs.min():g}")
    edges = np.unique(np.quantile(xs, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, xs, side="right") - 1, 0, len(edges) - 2)
    centres = [float(np.median(xs[which == b])) for b in range(len(edges) - 1) if (which == b).any()]
    medians = [float(np.median(ys[which == b])) for b in range(len(edges) - 1) if (which == b).any()]
    rho = spearmanr(xs, ys).statistic
    with _figure((6.6, 4.4)) as (fig, ax):
        ax.scatter(xs, ys, s=16, alpha=0.35, color=PALETTE[0], edgecolors="none", label="one text")
        ax.plot(centres, medians, color=PALETTE[3], marker="o", linewidth=2.4, label="median per bin")
        if logx:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.text(0.98, 0.96, f"Spearman ρ = {rho:.2f}  (n = {xs.size})", transform=ax.transAxes, ha="right",
                va="top", fontsize=10.5, fontweight="bold", path_effects=[withStroke(linewidth=3, foreground="white")])
        _label_axes(ax, xlabel, ylabel, title, legend="lower left")
    return fig

"""Charts of results: method comparison bars, similarity matrices, 2-D scatter plots and curves
(notebooks 01-05).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter, NullLocator

from course_lib._checks import describe
from course_lib.plotting.style import (
    _label_axes,
    _MARKERS,
    _as_labels,
    _as_score,
    _check_finite,
    _check_ndim,
    _check_no_inf,
    _check_str,
    _check_title,
    _colors_for,
    _figure,
    _format_cell,
    _hide_spines,
    _MUTED_COLOR,
    _rotate_if_crowded,
    _TEXT_COLOR,
    _to_numpy,
    _truncate,
)

def _parse_scores(scores: object) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Validate ``{name: float}`` or ``{group: {name: float}}``; return (flat, grouped), one of them empty."""
    if not isinstance(scores, Mapping) or not scores:
        raise TypeError(
            "scores: expected a non-empty dict {name: float} or {group: {name: float}}, "
            f"got {describe(scores) if not isinstance(scores, Mapping) else 'an empty dict'}"
        )
    nested = [isinstance(v, Mapping) for v in scores.values()]
    if any(nested) and not all(nested):
        raise TypeError("scores: expected either all {name: float} or all {group: {name: float}}, got a mix of both")
    if not all(nested):
        return {str(k): _as_score(v, f"scores[{k!r}]") for k, v in scores.items()}, {}
    grouped: dict[str, dict[str, float]] = {}
    for group, inner in scores.items():
        if not inner:
            raise ValueError(f"scores[{group!r}]: expected a non-empty dict, got an empty one")
        grouped[str(group)] = {str(k): _as_score(v, f"scores[{group!r}][{k!r}]") for k, v in inner.items()}
    return {}, grouped


def plot_method_comparison(
    scores: Mapping[str, float] | Mapping[str, Mapping[str, float]],
    ylabel: str = "Spearman ρ",
    title: str | None = None,
    reference: Mapping[str, float] | None = None,
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """Bars of one score per method ``{name: float}``, or grouped bars ``{group: {name: float}}``.

    Each bar carries its value (3 decimals). ``reference`` ``{label: value}`` adds labelled dashed
    lines (e.g. a baseline). Methods and measures get their course colours; ``colors`` overrides.
    Introduced in notebook 02.
    """
    flat, grouped = _parse_scores(scores)
    _check_str(ylabel, "ylabel")
    _check_title(title)
    references: dict[str, float] = {}
    if reference is not None:
        if not isinstance(reference, Mapping):
            raise TypeError(f"reference: expected a dict {{label: value}}, got {describe(reference)}")
        references = {str(k): _as_score(v, f"reference[{k!r}]") for k, v in reference.items()}
    if colors is not None and not isinstance(colors, Mapping):
        raise TypeError(f"colors: expected a dict {{name: colour}}, got {describe(colors)}")
    colors = {str(k): v for k, v in (colors or {}).items()}

    groups = list(grouped)
    names = list(flat) if flat else list(dict.fromkeys(name for inner in grouped.values() for name in inner))
    name_colors = dict(zip(names, _colors_for(names, colors)))
    all_values = list(flat.values()) if flat else [v for inner in grouped.values() for v in inner.values()]
    n_bars = len(all_values)
    legend_room = 2.2 if groups or references else 0.0
    width = min(max(1.2 + (0.55 if groups else 0.95) * n_bars + legend_room, 5.0), 12.0)

    with _figure((width, 4.2)) as (fig, ax):
        ax.grid(axis="x", visible=False)
        if not groups:
            container = ax.bar(
                np.arange(len(names)), all_values, width=0.65, color=[name_colors[n] for n in names]
            )
            ax.bar_label(container, fmt="{:.3f}", padding=3, fontsize=9.5)
            ax.set_xticks(np.arange(len(names)), labels=names)
            _rotate_if_crowded(ax, names, room_per_label=10)
        else:
            bar_width = 0.8 / len(names)
            for j, name in enumerate(names):
                offset = (j - (len(names) - 1) / 2) * bar_width
                positions = [g + offset for g, group in enumerate(groups) if name in grouped[group]]
                heights = [grouped[group][name] for group in groups if name in grouped[group]]
                container = ax.bar(positions, heights, width=bar_width * 0.92, color=name_colors[name], label=name)
                ax.bar_label(container, fmt="{:.3f}", padding=3, fontsize=8.5 if len(names) > 3 else 9.5)
            ax.set_xticks(np.arange(len(groups)), labels=groups)
        for (label, value), style in zip(references.items(), ["--", ":", "-.", (0, (5, 1, 1, 1))] * 8):
            ax.axhline(
                value, color=_MUTED_COLOR, linestyle=style, linewidth=1.4, zorder=3, label=f"{label} ({value:.3f})"
            )
        if groups or references:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        low = min([0.0, *all_values, *references.values()])
        high = max([0.0, *all_values, *references.values()])
        span = (high - low) or 1.0
        ax.set_ylim(low - (0.12 * span if low < 0 else 0.0), high + 0.12 * span)
        if low < 0:
            ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
    return fig


def plot_similarity_matrix(
    matrix: Any,
    row_labels: Sequence[str],
    col_labels: Sequence[str] | None = None,
    title: str | None = None,
    annotate: bool = True,
    fmt: str = ".2f",
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str | Colormap = "viridis",
) -> Figure:
    """Heatmap of an ``(n, m)`` similarity (or distance) matrix with labelled rows and columns.

    Labels longer than 40 characters are cut with "…"; each cell shows its value (``fmt``) in black
    or white, whichever reads better on its colour. NaN cells are drawn light grey with "–".
    ``col_labels`` defaults to ``row_labels`` for a square matrix. Introduced in notebook 02.
    """
    values = _to_numpy(matrix, "matrix")
    _check_ndim(values, "matrix", (2,), "(n, m)")
    _check_no_inf(values, "matrix")
    n, m = values.shape
    rows = [_truncate(t, 40) for t in _as_labels(row_labels, "row_labels", n, "row of matrix")]
    if col_labels is None:
        if n != m:
            raise ValueError(f"col_labels: expected labels when matrix is not square, got None for a matrix of shape {values.shape}")
        cols = rows
    else:
        cols = [_truncate(t, 40) for t in _as_labels(col_labels, "col_labels", m, "column of matrix")]
    _check_title(title)
    if not isinstance(annotate, (bool, np.bool_)):
        raise TypeError(f"annotate: expected True or False, got {describe(annotate)}")
    _check_str(fmt, "fmt")
    try:
        format(0.5, fmt)
    except ValueError as error:
        raise ValueError(f"fmt: expected a format spec for one number such as '.2f', got {fmt!r}") from error
    for bound, bound_name in ((vmin, "vmin"), (vmax, "vmax")):
        if bound is not None:
            _as_score(bound, bound_name)
    if np.isnan(values).all():
        raise ValueError("matrix: expected at least one number, got only NaN")
    try:
        colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    except KeyError as error:
        raise ValueError(f"cmap: expected a matplotlib colormap name such as 'viridis', got {cmap!r}") from error
    if not isinstance(colormap, Colormap):
        raise TypeError(f"cmap: expected a colormap name or a matplotlib Colormap, got {describe(cmap)}")
    colormap = colormap.with_extremes(bad="#eeeeee")
    low = float(np.nanmin(values)) if vmin is None else float(vmin)
    high = float(np.nanmax(values)) if vmax is None else float(vmax)
    if low >= high:
        if vmin is not None and vmax is not None:
            raise ValueError(f"vmin: expected a value smaller than vmax, got vmin={vmin} and vmax={vmax}")
        low, high = low - 0.5, high + 0.5

    cell = (0.62 if n * m <= 64 else 0.5) if annotate else 0.4
    row_label_width = 0.075 * max(len(t) for t in rows)
    rotated = max(len(t) for t in cols) > 4
    col_label_height = 0.055 * max(len(t) for t in cols) if rotated else 0.3
    width = min(max(cell * m + row_label_width + 1.6, 4.0), 16.0)
    height = min(max(cell * n + col_label_height + 1.0, 3.0), 16.0)
    with _figure((width, height)) as (fig, ax):
        norm = Normalize(vmin=low, vmax=high)
        image = ax.imshow(values, cmap=colormap, norm=norm, aspect="auto", interpolation="nearest")
        ax.grid(False)
        _hide_spines(ax)
        ax.set_yticks(np.arange(n), labels=rows)
        ax.set_xticks(np.arange(m), labels=cols)
        ax.tick_params(length=0)
        if rotated:
            ax.tick_params(axis="x", labelrotation=40)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
                label.set_rotation_mode("anchor")
        if n * m <= 900:
            ax.set_xticks(np.arange(m + 1) - 0.5, minor=True)
            ax.set_yticks(np.arange(n + 1) - 0.5, minor=True)
            ax.tick_params(which="minor", length=0)
            ax.grid(which="minor", color="white", linewidth=1.2)
        if annotate:
            fontsize = 9.5 if n * m <= 64 else 8 if n * m <= 225 else 6.5
            for i in range(n):
                for j in range(m):
                    value = values[i, j]
                    if np.isnan(value):
                        ax.text(j, i, "–", ha="center", va="center", fontsize=fontsize, color=_MUTED_COLOR)
                        continue
                    red, green, blue, _ = colormap(norm(value))
                    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
                    ax.text(
                        j, i, _format_cell(value, fmt), ha="center", va="center", fontsize=fontsize,
                        color="black" if luminance > 0.45 else "white",
                    )
        if title:
            ax.set_title(title)
        colorbar = fig.colorbar(image, ax=ax, pad=0.02, shrink=0.9 if n > 3 else 1.0)
        colorbar.outline.set_visible(False)
    return fig


def plot_scatter_2d(
    points: Any,
    labels: Sequence[Any],
    texts: Sequence[str | None] | None = None,
    title: str | None = None,
    *,
    xlabel: str = "component 1",
    ylabel: str = "component 2",
) -> Figure:
    """Scatter of ``(n, 2)`` points (e.g. sentence embeddings after PCA), one colour and marker per label.

    ``labels`` ``(n,)`` are categories (strings or numbers); ``texts`` ``(n,)`` optionally annotates
    each point with a short text (None skips a point). Introduced in notebook 01.
    """
    values = _to_numpy(points, "points")
    _check_ndim(values, "points", (2,), "(n, 2)")
    if values.shape[1] != 2:
        raise ValueError(f"points: expected shape (n, 2), got shape {values.shape}; reduce to 2-D first (e.g. PCA)")
    _check_finite(values, "points")
    n = values.shape[0]
    if hasattr(labels, "detach") or isinstance(labels, np.ndarray):
        raw_labels = labels.detach().cpu().tolist() if hasattr(labels, "detach") else labels.tolist()
    else:
        raw_labels = labels
    categories_str = _as_labels(raw_labels, "labels", n, "row of points")
    notes: list[str | None] | None = None
    if texts is not None:
        if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
            raise TypeError(f"texts: expected a list of {n} strings (or None), got {describe(texts)}")
        if len(texts) != n:
            raise ValueError(f"texts: expected one entry per row of points ({n}), got {len(texts)}")
        notes = [None if t is None else _truncate(str(t), 30) for t in texts]
    _check_title(title)
    _check_str(xlabel, "xlabel")
    _check_str(ylabel, "ylabel")

    all_numeric = all(isinstance(v, numbers.Real) for v in raw_labels)
    if all_numeric:
        order = sorted(dict.fromkeys(raw_labels))
        categories = [str(v) for v in order]
    else:
        categories = list(dict.fromkeys(categories_str))
    colors = _colors_for(categories)
    label_array = np.array(categories_str, dtype=object)
    many = len(categories) > 5
    with _figure((7.6 if many else 6.4, 5.0)) as (fig, ax):
        for index, (category, color) in enumerate(zip(categories, colors)):
            selected = label_array == category
            ax.scatter(
                values[selected, 0], values[selected, 1], s=46, color=color, alpha=0.9,
                marker=_MARKERS[index % len(_MARKERS)], edgecolors="white", linewidths=0.6, label=category, zorder=3,
            )
        if notes is not None:
            for (x, y), note in zip(values, notes):
                if note:
                    ax.annotate(
                        note, (x, y), xytext=(5, 3), textcoords="offset points", fontsize=8.5,
                        color=_TEXT_COLOR, path_effects=[withStroke(linewidth=3, foreground="white")], zorder=2,
                    )
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if many:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), markerscale=1.1)
        else:
            ax.legend(loc="best", markerscale=1.1)
        if title:
            ax.set_title(title)
    return fig


def plot_curves(
    x: Any,
    curves: Mapping[str, Any],
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    logx: bool = False,
    markers: bool = True,
) -> Figure:
    """Line plot of one or more curves ``{name: y (k,)}`` sharing ``x`` ``(k,)``.

    For loss curves, parameter sweeps (Minkowski p) or "similarity vs text length". NaN in a curve
    leaves a gap. Introduced in notebook 02.
    """
    xs = _to_numpy(x, "x")
    _check_ndim(xs, "x", (1,), "(k,)")
    _check_finite(xs, "x")
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError(
            "curves: expected a non-empty dict {name: y values}, "
            f"got {describe(curves) if not isinstance(curves, Mapping) else 'an empty dict'}"
        )
    ys: dict[str, np.ndarray] = {}
    for name, y in curves.items():
        array = _to_numpy(y, f"curves[{name!r}]")
        if array.shape != xs.shape:
            raise ValueError(f"curves[{name!r}]: expected shape {xs.shape} to match x, got {array.shape}")
        _check_no_inf(array, f"curves[{name!r}]")
        ys[str(name)] = array
    _check_str(xlabel, "xlabel")
    _check_str(ylabel, "ylabel")
    _check_title(title)
    if logx and (xs <= 0).any():
        raise ValueError(f"x: expected values > 0 when logx=True, got minimum {xs.min():g}")

    colors = _colors_for(list(ys))
    mark_every = max(1, len(xs) // 12)
    with _figure((6.8, 4.2)) as (fig, ax):
        for index, ((name, y), color) in enumerate(zip(ys.items(), colors)):
            ax.plot(
                xs, y, color=color, label=name,
                marker=_MARKERS[index % len(_MARKERS)] if markers else None,
                markevery=mark_every, markersize=5.5,
            )
        if logx:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            if len(np.unique(xs)) <= 12:  # a sweep: tick exactly the values that were tried
                ax.set_xticks(np.unique(xs))
                ax.xaxis.set_minor_locator(NullLocator())
        _label_axes(ax, xlabel, ylabel, title, legend="best")
    return fig

"""One look for every figure of the course: a shared style, fixed colours and six plot helpers.

Every helper takes torch tensors or numpy arrays, validates them, draws inside
:func:`course_style`, closes its figure (nothing is left open in pyplot, so a notebook shows it
exactly once) and returns the :class:`matplotlib.figure.Figure`. A method or a measure has the same
colour in every notebook (:data:`METHOD_COLORS`, :data:`MEASURE_COLORS`), taken from the
colour-blind-safe Okabe–Ito palette. Importing this module changes nothing global.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

__all__ = [
    "COURSE_STYLE",
    "PALETTE",
    "METHOD_COLORS",
    "MEASURE_COLORS",
    "DIVERGING_CMAP",
    "course_style",
    "color_for",
    "plot_token_heatmap",
    "plot_vector_strip",
    "plot_method_comparison",
    "plot_similarity_matrix",
    "plot_scatter_2d",
    "plot_curves",
    "plot_pooled_tokens",
]

# Okabe & Ito (2008), without yellow (too pale on white); black and grey close the cycle.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#999999",  # grey
)

METHOD_COLORS: Mapping[str, str] = MappingProxyType(
    {
        "cls": "#D55E00",
        "mean": "#0072B2",
        "max": "#009E73",
        "mean_sqrt_len": "#56B4E9",
        "weighted_mean": "#CC79A7",
        "last_token": "#E69F00",
    }
)

MEASURE_COLORS: Mapping[str, str] = MappingProxyType(
    {
        "cosine": "#0072B2",
        "dot": "#D55E00",
        "euclidean": "#009E73",
        "manhattan": "#E69F00",
        "minkowski": "#CC79A7",
        "chebyshev": "#56B4E9",
    }
)

# sentence-transformers' spellings and common shorthands map onto the course's names.
_COLOR_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "cls_token": "cls",
        "mean_tokens": "mean",
        "max_tokens": "max",
        "mean_sqrt_len_tokens": "mean_sqrt_len",
        "weightedmean": "weighted_mean",
        "lasttoken": "last_token",
        "l1": "manhattan",
        "l2": "euclidean",
        "linf": "chebyshev",
    }
)

DIVERGING_CMAP = "RdBu_r"  # blue < 0 < red, white at 0; readable with red-green colour blindness
_TEXT_COLOR = "#222222"
_MUTED_COLOR = "#555555"
_PAD_COLOR = "#8c8c8c"

COURSE_STYLE: Mapping[str, Any] = MappingProxyType(
    {
        "figure.facecolor": "white",
        "figure.constrained_layout.use": True,
        "savefig.facecolor": "white",
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "font.size": 11,
        "text.color": _TEXT_COLOR,
        "axes.facecolor": "white",
        "axes.edgecolor": "#4d4d4d",
        "axes.linewidth": 0.8,
        "axes.labelcolor": _TEXT_COLOR,
        "axes.labelsize": 11,
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.titlepad": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.axisbelow": True,
        "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
        "grid.color": "#e5e5e5",
        "grid.linewidth": 0.8,
        "xtick.color": "#4d4d4d",
        "ytick.color": "#4d4d4d",
        "xtick.labelcolor": _TEXT_COLOR,
        "ytick.labelcolor": _TEXT_COLOR,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "legend.fontsize": 10,
        "legend.frameon": False,
        "lines.linewidth": 2.0,
        "lines.markersize": 6,
        "image.cmap": "viridis",
        "hatch.linewidth": 0.8,
    }
)


@contextmanager
def course_style() -> Iterator[None]:
    """Apply the course style to the figures created inside the ``with`` block, then restore.

    >>> with course_style():
    ...     fig, ax = plt.subplots()

    Introduced in notebook 01.
    """
    with mpl.rc_context(dict(COURSE_STYLE)):
        yield


def _color_key(name: object) -> str:
    key = str(name).strip().lower().replace(" ", "_").replace("-", "_")
    return _COLOR_ALIASES.get(key, key)


def color_for(name: object, index: int = 0) -> str:
    """The course colour of a pooling method or a similarity measure, else ``PALETTE[index]`` (cycled).

    Names are matched case-insensitively, with spaces or hyphens read as underscores
    ("Weighted mean" -> ``weighted_mean``). Introduced in notebook 01.
    """
    key = _color_key(name)
    if key in METHOD_COLORS:
        return METHOD_COLORS[key]
    if key in MEASURE_COLORS:
        return MEASURE_COLORS[key]
    return PALETTE[index % len(PALETTE)]


def _colors_for(names: Sequence[object], overrides: Mapping[str, str] | None = None) -> list[str]:
    """One colour per name: overrides, then the course colours, then unused palette colours."""
    overrides = overrides or {}
    fixed: list[str | None] = []
    for name in names:
        if str(name) in overrides:
            fixed.append(overrides[str(name)])
        else:
            key = _color_key(name)
            fixed.append(METHOD_COLORS.get(key) or MEASURE_COLORS.get(key))
    free = [c for c in PALETTE if c not in fixed] or list(PALETTE)
    colors, next_free = [], 0
    for color in fixed:
        if color is None:
            color = free[next_free % len(free)]
            next_free += 1
        colors.append(color)
    return colors


# --------------------------------------------------------------------------- input checks


def _describe(value: object) -> str:
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{type(value).__name__} of shape {tuple(value.shape)}"
    return type(value).__name__


def _to_numpy(value: object, name: str) -> np.ndarray:
    """A torch tensor (any device, with or without grad), numpy array or nested list -> float ndarray."""
    if value is None or isinstance(value, (str, bytes, Mapping)):
        raise TypeError(f"{name} must be a torch tensor or numpy array, got {_describe(value)}")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor, without importing torch
        value = value.detach().cpu()
        if value.dtype.is_complex:
            raise TypeError(f"{name} must hold real numbers, got a tensor of dtype {value.dtype}")
        value = value.double() if value.dtype.is_floating_point else value  # bfloat16 has no numpy dtype
        array = value.numpy()
    else:
        try:
            array = np.asarray(value)
        except (ValueError, TypeError) as error:  # ragged nested lists
            raise TypeError(f"{name} must be a torch tensor or numpy array, got {_describe(value)}") from error
    if array.dtype == bool:
        array = array.astype(float)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype}")
    return array.astype(float, copy=False)


def _check_ndim(array: np.ndarray, name: str, ndims: tuple[int, ...], expected: str) -> None:
    if array.ndim not in ndims:
        raise ValueError(f"{name} must have shape {expected}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")


def _check_no_inf(array: np.ndarray, name: str) -> None:
    if np.isinf(array).any():
        raise ValueError(f"{name} must not contain inf, found {int(np.isinf(array).sum())} infinite value(s)")


def _check_finite(array: np.ndarray, name: str) -> None:
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, found {int((~np.isfinite(array)).sum())} NaN/inf value(s)")


def _as_labels(labels: object, name: str, expected_len: int, per: str) -> list[str]:
    """``expected_len`` labels (strings, numbers, a tensor or an array), one ``per`` row/column -> list of str."""
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{name} must be a list with one entry per {per} ({expected_len}), got a single string")
    if hasattr(labels, "detach"):
        labels = labels.detach().cpu().tolist()
    elif isinstance(labels, np.ndarray):
        labels = labels.tolist()
    if not isinstance(labels, Sequence):
        raise TypeError(f"{name} must be a list with one entry per {per} ({expected_len}), got {_describe(labels)}")
    if len(labels) != expected_len:
        raise ValueError(f"{name} must have one entry per {per}: expected {expected_len}, got {len(labels)}")
    return [str(label) for label in labels]


def _check_str(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_describe(value)}")


def _check_title(title: object) -> None:
    if title is not None:
        _check_str(title, "title")


def _check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def _as_score(value: object, name: str) -> float:
    if hasattr(value, "detach"):
        if value.numel() != 1:
            raise TypeError(f"{name} must be a number, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_describe(value)}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return float(value)


def _truncate(text: str, max_chars: int) -> str:
    text = " ".join(text.split())  # newlines and tabs would break the layout
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


# --------------------------------------------------------------------------- drawing helpers


@contextmanager
def _figure(figsize: tuple[float, float]) -> Iterator[tuple[Figure, Axes]]:
    """A styled figure with one Axes that is closed in pyplot however the drawing ends."""
    with course_style():
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        try:
            yield fig, ax
        finally:
            plt.close(fig)


def _symmetric_limit(values: np.ndarray) -> tuple[float, bool]:
    """Colour limit for a diverging map, and whether some values lie beyond it.

    Five times the median |value|, kept between the 95th percentile and the maximum of |value|:
    one outlier dimension (BERT-style models have a few) saturates instead of washing out the rest.
    """
    magnitudes = np.abs(values[np.isfinite(values)])
    if magnitudes.size == 0 or magnitudes.max() == 0:
        return 1.0, False
    largest = float(magnitudes.max())
    limit = min(largest, max(5.0 * float(np.median(magnitudes)), float(np.quantile(magnitudes, 0.95))))
    if limit == 0:
        limit = largest
    return limit, largest > limit


def _hide_spines(ax: Axes) -> None:
    for spine in ax.spines.values():
        spine.set_visible(False)


def _row_separators(ax: Axes, n_rows: int, width: float = 1.0) -> None:
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.tick_params(axis="y", which="minor", length=0)
    ax.grid(which="minor", axis="y", color="white", linewidth=width)


def _format_cell(value: float, fmt: str) -> str:
    """``format(value, fmt)`` without the "-" of a value that rounds to zero ("-0.00" -> "0.00")."""
    text = format(value, fmt)
    try:
        return text[1:] if text.startswith("-") and float(text) == 0 else text
    except ValueError:  # formats such as ".1%" do not parse back
        return text


def _rotate_if_crowded(ax: Axes, labels: Sequence[str], room_per_label: float) -> None:
    if max(len(label) for label in labels) > room_per_label:
        ax.tick_params(axis="x", labelrotation=30)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")


# --------------------------------------------------------------------------- public helpers


def _hatch_padding_rows(ax: Any, padding: np.ndarray, width: int) -> None:
    """Grey out and hatch the heatmap rows marked as padding, and set their token labels in grey italics."""
    for row in np.flatnonzero(padding):
        ax.add_patch(
            Rectangle(
                (-0.5, row - 0.5), width, 1, facecolor="#e0e0e0", alpha=0.85,
                edgecolor=_PAD_COLOR, hatch="///", linewidth=0,
            )
        )
        tick_label = ax.get_yticklabels()[row]
        tick_label.set_color(_PAD_COLOR)
        tick_label.set_fontstyle("italic")


def _padding_rows(mask: Any, seq: int) -> np.ndarray:
    """``(seq,)`` bool: True where ``mask`` marks padding (0); all False when there is no mask."""
    if mask is None:
        return np.zeros(seq, dtype=bool)
    mask_values = _to_numpy(mask, "mask")
    if mask_values.shape != (seq,):
        raise ValueError(f"mask must have shape (seq,) = ({seq},) to match token_embeddings, got {mask_values.shape}")
    if not np.isin(mask_values, (0, 1)).all():
        raise ValueError("mask must contain only 0 (padding) and 1 (real token), got other values")
    return mask_values == 0


def plot_token_heatmap(
    token_embeddings: Any,
    tokens: Sequence[str],
    max_dims: int = 48,
    title: str | None = None,
    mask: Any = None,
) -> Figure:
    """Heatmap of one text's token embeddings ``(seq, hidden)``: tokens down, first ``max_dims`` dims across.

    Colours diverge around 0 (blue negative, red positive). The scale stops at 5x the median |value|
    so that an outlier dimension does not wash out the rest; arrows on the colour bar then show that
    some values lie beyond it. ``mask`` ``(seq,)`` of
    0/1 greys out and hatches the rows that are padding (0). Introduced in notebook 01.
    """
    values = _to_numpy(token_embeddings, "token_embeddings")
    _check_ndim(values, "token_embeddings", (2,), "(seq, hidden) — one text's token embeddings")
    _check_no_inf(values, "token_embeddings")
    seq, hidden = values.shape
    labels = [_truncate(t, 20) for t in _as_labels(tokens, "tokens", seq, "row of token_embeddings")]
    shown = min(_check_positive_int(max_dims, "max_dims"), hidden)
    _check_title(title)
    padding = _padding_rows(mask, seq)

    data = values[:, :shown]
    limit, clipped = _symmetric_limit(data)
    width = min(max(0.16 * shown + 2.6, 6.0), 12.0)
    height = min(max(0.3 * seq + 1.4, 2.6), 14.0)
    with _figure((width, height)) as (fig, ax):
        image = ax.imshow(
            data, aspect="auto", cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, interpolation="nearest"
        )
        ax.grid(False)
        _hide_spines(ax)
        ax.set_yticks(np.arange(seq), labels=labels)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
        if seq <= 64:
            _row_separators(ax, seq, width=0.8)
        _hatch_padding_rows(ax, padding, shown)
        scope = f"first {shown} of {hidden}" if shown < hidden else f"all {hidden}"
        ax.set_xlabel(f"embedding dimension ({scope})")
        ax.set_ylabel("token")
        if title:
            ax.set_title(title)
        colorbar = fig.colorbar(image, ax=ax, extend="both" if clipped else "neither", pad=0.02, shrink=0.9)
        colorbar.set_label("value")
        colorbar.outline.set_visible(False)
        if padding.any():
            legend_patch = Patch(facecolor="#e0e0e0", edgecolor=_PAD_COLOR, hatch="///", label="padding (mask = 0)")
            fig.legend(handles=[legend_patch], loc="outside lower right")
    return fig


def plot_vector_strip(
    vectors: Any,
    labels: Sequence[str] | None = None,
    max_dims: int | None = None,
    title: str | None = None,
) -> Figure:
    """One or several vectors ``(hidden,)`` or ``(n, hidden)`` as thin colour strips on one shared scale.

    Each row is one vector (e.g. the same sentence pooled six ways), so patterns line up by
    dimension. Introduced in notebook 02.
    """
    values = _to_numpy(vectors, "vectors")
    _check_ndim(values, "vectors", (1, 2), "(hidden,) or (n, hidden)")
    _check_no_inf(values, "vectors")
    values = values.reshape(1, -1) if values.ndim == 1 else values
    n, hidden = values.shape
    if labels is None:
        names = ["vector"] if n == 1 else [f"vector {i}" for i in range(n)]
    else:
        names = [_truncate(t, 30) for t in _as_labels(labels, "labels", n, "vector")]
    shown = hidden if max_dims is None else min(_check_positive_int(max_dims, "max_dims"), hidden)
    _check_title(title)

    data = values[:, :shown]
    limit, clipped = _symmetric_limit(data)
    height = min(max(0.42 * n + 1.3, 1.7), 12.0)
    with _figure((10.0, height)) as (fig, ax):
        image = ax.imshow(
            data, aspect="auto", cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, interpolation="nearest"
        )
        ax.grid(False)
        _hide_spines(ax)
        ax.set_yticks(np.arange(n), labels=names)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
        if n > 1:
            _row_separators(ax, n, width=3.0)
        scope = f"first {shown} of {hidden}" if shown < hidden else f"all {hidden}"
        ax.set_xlabel(f"dimension ({scope})")
        if title:
            ax.set_title(title)
        colorbar = fig.colorbar(
            image, ax=ax, extend="both" if clipped else "neither", pad=0.015, fraction=0.04, aspect=10
        )
        colorbar.outline.set_visible(False)
        colorbar.ax.locator_params(nbins=3)
    return fig


def _parse_scores(scores: object) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Validate ``{name: float}`` or ``{group: {name: float}}``; return (flat, grouped), one of them empty."""
    if not isinstance(scores, Mapping) or not scores:
        raise TypeError(
            "scores must be a non-empty dict {name: float} or {group: {name: float}}, "
            f"got {_describe(scores) if not isinstance(scores, Mapping) else 'an empty dict'}"
        )
    nested = [isinstance(v, Mapping) for v in scores.values()]
    if any(nested) and not all(nested):
        raise TypeError("scores must be either all {name: float} or all {group: {name: float}}, got a mix of both")
    if not all(nested):
        return {str(k): _as_score(v, f"scores[{k!r}]") for k, v in scores.items()}, {}
    grouped: dict[str, dict[str, float]] = {}
    for group, inner in scores.items():
        if not inner:
            raise ValueError(f"scores[{group!r}] must not be empty")
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
            raise TypeError(f"reference must be a dict {{label: value}}, got {_describe(reference)}")
        references = {str(k): _as_score(v, f"reference[{k!r}]") for k, v in reference.items()}
    if colors is not None and not isinstance(colors, Mapping):
        raise TypeError(f"colors must be a dict {{name: colour}}, got {_describe(colors)}")
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
            raise ValueError(f"col_labels is required when matrix is not square, got matrix of shape {values.shape}")
        cols = rows
    else:
        cols = [_truncate(t, 40) for t in _as_labels(col_labels, "col_labels", m, "column of matrix")]
    _check_title(title)
    if not isinstance(annotate, (bool, np.bool_)):
        raise TypeError(f"annotate must be True or False, got {_describe(annotate)}")
    _check_str(fmt, "fmt")
    try:
        format(0.5, fmt)
    except ValueError as error:
        raise ValueError(f"fmt must be a format spec for one number such as '.2f', got {fmt!r}") from error
    for bound, bound_name in ((vmin, "vmin"), (vmax, "vmax")):
        if bound is not None:
            _as_score(bound, bound_name)
    if np.isnan(values).all():
        raise ValueError("matrix must contain at least one number, got only NaN")
    try:
        colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    except KeyError as error:
        raise ValueError(f"cmap must be a matplotlib colormap name such as 'viridis', got {cmap!r}") from error
    if not isinstance(colormap, Colormap):
        raise TypeError(f"cmap must be a colormap name or a matplotlib Colormap, got {_describe(cmap)}")
    colormap = colormap.with_extremes(bad="#eeeeee")
    low = float(np.nanmin(values)) if vmin is None else float(vmin)
    high = float(np.nanmax(values)) if vmax is None else float(vmax)
    if low >= high:
        if vmin is not None and vmax is not None:
            raise ValueError(f"vmin must be smaller than vmax, got vmin={vmin} and vmax={vmax}")
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


_MARKERS = ("o", "s", "^", "D", "v", "P", "X")  # 7 markers x 8 colours: 56 distinct looks


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
        raise ValueError(f"points must have shape (n, 2), got shape {values.shape}; reduce to 2-D first (e.g. PCA)")
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
            raise TypeError(f"texts must be a list of {n} strings (or None), got {_describe(texts)}")
        if len(texts) != n:
            raise ValueError(f"texts must have one entry per row of points: expected {n}, got {len(texts)}")
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
            "curves must be a non-empty dict {name: y values}, "
            f"got {_describe(curves) if not isinstance(curves, Mapping) else 'an empty dict'}"
        )
    ys: dict[str, np.ndarray] = {}
    for name, y in curves.items():
        array = _to_numpy(y, f"curves[{name!r}]")
        if array.shape != xs.shape:
            raise ValueError(f"curves[{name!r}] must have shape {xs.shape} to match x, got {array.shape}")
        _check_no_inf(array, f"curves[{name!r}]")
        ys[str(name)] = array
    _check_str(xlabel, "xlabel")
    _check_str(ylabel, "ylabel")
    _check_title(title)
    if logx and (xs <= 0).any():
        raise ValueError(f"x must be > 0 when logx=True, got minimum {xs.min():g}")

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
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="best")
        if title:
            ax.set_title(title)
    return fig


def plot_pooled_tokens(
    token_embeddings: Any,
    tokens: Sequence[str],
    pooled: Any,
    label: str = "pooled",
    mask: Any = None,
    max_dims: int = 48,
    title: str | None = None,
) -> Figure:
    """One text's token embeddings ``(seq, hidden)`` above the sentence vector ``(hidden,)`` pooled from them.

    Both panels share the columns (the first ``max_dims`` dimensions) and one diverging colour
    scale, so each column of the bottom strip can be read against the tokens it was pooled from.
    ``label`` names the strip (e.g. the pooling method); ``mask`` ``(seq,)`` of 0/1 hatches
    padding rows as in :func:`plot_token_heatmap`. Introduced in notebook 01.
    """
    values = _to_numpy(token_embeddings, "token_embeddings")
    _check_ndim(values, "token_embeddings", (2,), "(seq, hidden) — one text's token embeddings")
    _check_no_inf(values, "token_embeddings")
    seq, hidden = values.shape
    labels = [_truncate(t, 20) for t in _as_labels(tokens, "tokens", seq, "row of token_embeddings (token)")]
    vector = _to_numpy(pooled, "pooled")
    if vector.ndim == 2 and vector.shape[0] == 1:
        vector = vector[0]
    if vector.shape != (hidden,):
        raise ValueError(f"pooled must have shape (hidden,) = ({hidden},) to match token_embeddings, got {vector.shape}")
    _check_no_inf(vector, "pooled")
    _check_str(label, "label")
    shown = min(_check_positive_int(max_dims, "max_dims"), hidden)
    _check_title(title)
    padding = _padding_rows(mask, seq)

    data = values[:, :shown]
    strip = vector[None, :shown]
    limit, clipped = _symmetric_limit(np.concatenate([data[~padding].ravel(), strip.ravel()]))
    width = min(max(0.16 * shown + 2.6, 6.0), 12.0)
    token_height = min(max(0.3 * seq, 1.2), 12.0)
    with course_style():
        fig, (top, bottom) = plt.subplots(
            2, 1, figsize=(width, token_height + 1.9), sharex=True, layout="constrained",
            gridspec_kw={"height_ratios": [max(seq, 1), 1.3]},
        )
        try:
            style = dict(aspect="auto", cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
            image = top.imshow(data, **style)
            bottom.imshow(strip, **style)
            for ax in (top, bottom):
                ax.grid(False)
                _hide_spines(ax)
                ax.tick_params(axis="y", length=0)
            top.set_yticks(np.arange(seq), labels=labels)
            if seq <= 64:
                _row_separators(top, seq, width=0.8)
            _hatch_padding_rows(top, padding, shown)
            top.set_ylabel("token")
            top.tick_params(axis="x", labelbottom=False)
            bottom.set_yticks([0], labels=[_truncate(label, 20)])
            bottom.yaxis.get_ticklabels()[0].set_fontweight("bold")
            bottom.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
            scope = f"first {shown} of {hidden}" if shown < hidden else f"all {hidden}"
            bottom.set_xlabel(f"embedding dimension ({scope})")
            if title:
                top.set_title(title)
            colorbar = fig.colorbar(
                image, ax=[top, bottom], extend="both" if clipped else "neither", pad=0.02, shrink=0.9
            )
            colorbar.set_label("value")
            colorbar.outline.set_visible(False)
            if padding.any():
                legend_patch = Patch(facecolor="#e0e0e0", edgecolor=_PAD_COLOR, hatch="///", label="padding (mask = 0)")
                fig.legend(handles=[legend_patch], loc="outside lower right")
        finally:
            plt.close(fig)
    return fig


# --------------------------------------------------------------------------- similarity measures (notebook 05)

from matplotlib.patches import Arc  # noqa: E402  (kept with the helpers that draw angles)


def _as_vector_2d(value: object, name: str) -> np.ndarray:
    vector = _to_numpy(value, name)
    if vector.shape != (2,):
        raise ValueError(f"{name} must be a 2-D vector of shape (2,), got shape {vector.shape}")
    _check_finite(vector, name)
    if not vector.any():
        raise ValueError(f"{name} must not be the zero vector: it has no direction, so no angle")
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
        raise TypeError(f"{name} must be a non-empty list of numbers > 0 (math.inf allowed), got {_describe(ps)}")
    values = []
    for i, p in enumerate(ps):
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or math.isnan(p) or not p > 0:
            raise ValueError(f"{name}[{i}] must be a number > 0 or math.inf, got {p!r}")
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
        raise ValueError("ps must contain at least one finite p")
    if values != sorted(values):
        raise ValueError(f"ps must be increasing (math.inf last), got {values}")
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError(f"curves must be a non-empty dict {{name: scores}}, got {_describe(curves)}")
    ys = {}
    for name, y in curves.items():
        array = _to_numpy(y, f"curves[{name!r}]")
        if array.shape != (len(values),):
            raise ValueError(f"curves[{name!r}] must have shape ({len(values)},) to match ps, got {array.shape}")
        _check_finite(array, f"curves[{name!r}]")
        ys[str(name)] = array
    references = {}
    if reference is not None:
        if not isinstance(reference, Mapping):
            raise TypeError(f"reference must be a dict {{label: value}}, got {_describe(reference)}")
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
        raise ValueError(f"y must have shape {xs.shape} to match x, got {ys.shape}")
    _check_finite(xs, "x")
    _check_finite(ys, "y")
    if xs.size < 3:
        raise ValueError(f"x must hold at least 3 points for a trend, got {xs.size}")
    _check_str(xlabel, "xlabel")
    _check_str(ylabel, "ylabel")
    _check_title(title)
    bins = _check_positive_int(bins, "bins")
    if logx and (xs <= 0).any():
        raise ValueError(f"x must be > 0 when logx=True, got minimum {xs.min():g}")
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
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="lower left")
        if title:
            ax.set_title(title)
    return fig


__all__ += ["plot_angle_vs_distance", "plot_unit_balls", "plot_minkowski_sweep", "plot_scatter_trend"]

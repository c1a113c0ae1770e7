"""The course look: palette, fixed colours per method and measure, the style context, and the
checks and drawing helpers every figure shares. Importing it changes nothing global.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from course_lib._checks import check_int, check_number, check_str, describe

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

_MARKERS = ("o", "s", "^", "D", "v", "P", "X")  # 7 markers x 8 colours: 56 distinct looks

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


def _to_numpy(value: object, name: str) -> np.ndarray:
    """A torch tensor (any device, with or without grad), numpy array or nested list -> float ndarray."""
    if value is None or isinstance(value, (str, bytes, Mapping)):
        raise TypeError(f"{name}: expected a torch tensor or numpy array, got {describe(value)}")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor, without importing torch
        value = value.detach().cpu()
        if value.dtype.is_complex:
            raise TypeError(f"{name}: expected real numbers, got a tensor of dtype {value.dtype}")
        value = value.double() if value.dtype.is_floating_point else value  # bfloat16 has no numpy dtype
        array = value.numpy()
    else:
        try:
            array = np.asarray(value)
        except (ValueError, TypeError) as error:  # ragged nested lists
            raise TypeError(f"{name}: expected a torch tensor or numpy array, got {describe(value)}") from error
    if array.dtype == bool:
        array = array.astype(float)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name}: expected real numbers, got an array of dtype {array.dtype}")
    return array.astype(float, copy=False)


def _check_ndim(array: np.ndarray, name: str, ndims: tuple[int, ...], expected: str) -> None:
    if array.ndim not in ndims:
        raise ValueError(f"{name}: expected shape {expected}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {array.shape}")


def _check_no_inf(array: np.ndarray, name: str) -> None:
    if np.isinf(array).any():
        raise ValueError(f"{name}: expected no inf, got {int(np.isinf(array).sum())} infinite value(s)")


def _check_finite(array: np.ndarray, name: str) -> None:
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: expected finite values, got {int((~np.isfinite(array)).sum())} NaN/inf value(s)")


def _as_labels(labels: object, name: str, expected_len: int, per: str) -> list[str]:
    """``expected_len`` labels (strings, numbers, a tensor or an array), one ``per`` row/column -> list of str."""
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{name}: expected a list with one entry per {per} ({expected_len}), got a single string")
    if hasattr(labels, "detach"):
        labels = labels.detach().cpu().tolist()
    elif isinstance(labels, np.ndarray):
        labels = labels.tolist()
    if not isinstance(labels, Sequence):
        raise TypeError(f"{name}: expected a list with one entry per {per} ({expected_len}), got {describe(labels)}")
    if len(labels) != expected_len:
        raise ValueError(f"{name}: expected one entry per {per} ({expected_len}), got {len(labels)}")
    return [str(label) for label in labels]


def _check_str(value: object, name: str) -> None:
    check_str(name, value, allow_empty=True)


def _check_title(title: object) -> None:
    if title is not None:
        _check_str(title, "title")


def _check_positive_int(value: object, name: str) -> int:
    return check_int(name, value, 1)


def _as_score(value: object, name: str) -> float:
    if hasattr(value, "detach"):
        if value.numel() != 1:
            raise TypeError(f"{name}: expected a number, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    return check_number(name, value)


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


def _label_axes(ax: Axes, xlabel: str, ylabel: str, title: str | None, legend: str | None = None) -> None:
    """Axis labels, a legend at ``legend`` (a matplotlib loc; None: no legend) and the title if any."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend is not None:
        ax.legend(loc=legend)
    if title:
        ax.set_title(title)


def _diverging_rows(ax: Axes, data: np.ndarray, limit: float, row_labels: Sequence[str], nbins: int):
    """``data`` (rows, columns) as a heatmap centred at 0 (±``limit``), one labelled row per entry."""
    image = ax.imshow(data, aspect="auto", cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
    ax.grid(False)
    _hide_spines(ax)
    ax.set_yticks(np.arange(len(row_labels)), labels=row_labels)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins, integer=True))
    return image

"""Figures of token embeddings: the token heatmap, a vector strip, and tokens -> pooled vector
(notebooks 01 and 02).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from course_lib.plotting.style import (
    _diverging_rows,
    _as_labels,
    _check_ndim,
    _check_no_inf,
    _check_positive_int,
    _check_str,
    _check_title,
    _figure,
    _hide_spines,
    _PAD_COLOR,
    _row_separators,
    _symmetric_limit,
    _to_numpy,
    _truncate,
    course_style,
    DIVERGING_CMAP,
)

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
        raise ValueError(f"mask: expected shape (seq,) = ({seq},) to match token_embeddings, got {mask_values.shape}")
    if not np.isin(mask_values, (0, 1)).all():
        raise ValueError("mask: expected only 0 (padding) and 1 (real token), got other values")
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
        image = _diverging_rows(ax, data, limit, labels, nbins=8)
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
        image = _diverging_rows(ax, data, limit, names, nbins=10)
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
        raise ValueError(f"pooled: expected shape (hidden,) = ({hidden},) to match token_embeddings, got {vector.shape}")
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

"""Figures of notebook 08 (learned pooling): attention weights, layer weights, the lab's leaderboard.

Same rules as :mod:`course_lib.plotting`: the course style and colours, tensors or arrays in, every
figure closed in pyplot and returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from course_lib._checks import check_array, check_same_length, check_type
from course_lib.plotting import PALETTE, color_for, course_style

__all__ = ["plot_attention_weights", "plot_layer_weights", "plot_leaderboard", "LEARNED_COLOR", "YOURS_COLOR"]

# The six built-in methods own six palette colours (plotting.METHOD_COLORS); the two left are these.
LEARNED_COLOR = "#999999"  # grey: a learned head
YOURS_COLOR = "#000000"  # black: the learner's entry
_MEAN_COLOR = color_for("mean")


def plot_attention_weights(
    tokens: Sequence[Sequence[str]],
    weights: Sequence[Any],
    title: str | None = "Where the attention head looks",
    label: str = "attention head",
) -> Figure:
    """One panel per sentence: the head's weight on each token (bars) against mean pooling's ``1/n`` (dashed).

    ``tokens[i]`` are sentence ``i``'s real tokens and ``weights[i]`` ``(n_i,)`` their weights (sum 1).
    """
    check_type("tokens", tokens, (list, tuple), "a list with the tokens of each sentence")
    check_type("weights", weights, (list, tuple), "a list with one weight vector per sentence")
    check_same_length("weights", weights, "tokens", tokens)
    if len(tokens) == 0:
        raise ValueError("tokens: expected at least one sentence, got an empty list")
    arrays = []
    for i, (row_tokens, row_weights) in enumerate(zip(tokens, weights)):
        array = check_array(f"weights[{i}]", row_weights, ndim=1, shape="(n_tokens,)").astype(float)
        check_same_length(f"weights[{i}]", array, f"tokens[{i}]", row_tokens)
        arrays.append(array)
    longest = max(len(t) for t in tokens)
    with course_style():
        fig, axes = plt.subplots(
            len(tokens), 1, figsize=(min(max(4.0, 0.55 * longest + 1.5), 12.0), 1.9 * len(tokens) + 0.6),
            layout="constrained", squeeze=False,
        )
        try:
            top = max(float(a.max()) for a in arrays) * 1.15
            for ax, row_tokens, array in zip(axes[:, 0], tokens, arrays):
                positions = np.arange(len(row_tokens))
                ax.bar(positions, array, width=0.7, color=LEARNED_COLOR, label=label)
                ax.hlines(1 / len(row_tokens), -0.5, len(row_tokens) - 0.5, colors=_MEAN_COLOR, linestyles="--",
                          linewidth=1.6, label=f"mean pooling (1/n)")
                ax.set_xticks(positions, labels=list(row_tokens), fontsize=9.5)
                ax.set_xlim(-0.6, max(len(row_tokens), 4) - 0.4)
                ax.set_ylim(0, top)
                ax.grid(axis="x", visible=False)
                ax.set_ylabel("weight")
            axes[0, 0].legend(loc="upper right", ncols=2)
            if title:
                axes[0, 0].set_title(title)
        finally:
            plt.close(fig)
    return fig


def plot_layer_weights(
    weights: Any,
    per_layer: dict[str, Any] | None = None,
    title: str | None = "The learned layer mix",
) -> Figure:
    """Bars of the softmax weight of each layer (0 = embeddings); ``per_layer`` ``{label: (n_layers,)}``
    adds each layer's own Spearman ρ as lines on a second panel."""
    array = check_array("weights", weights, ndim=1, shape="(n_layers,)").astype(float)
    layers = np.arange(array.shape[0])
    panels = 2 if per_layer else 1
    with course_style():
        fig, axes = plt.subplots(1, panels, figsize=(4.6 * panels + 0.4, 3.8), layout="constrained", squeeze=False)
        try:
            ax = axes[0, 0]
            container = ax.bar(layers, array, width=0.65, color=LEARNED_COLOR)
            ax.bar_label(container, fmt="{:.2f}", padding=2, fontsize=9)
            ax.axhline(1 / len(array), color="#555555", linestyle=":", linewidth=1.3, label=f"uniform (1/{len(array)})")
            ax.set_xticks(layers)
            ax.set_xlabel("layer (0 = embeddings)")
            ax.set_ylabel("softmax weight")
            ax.set_ylim(0, max(array.max() * 1.18, 1.2 / len(array)))
            ax.grid(axis="x", visible=False)
            ax.legend(loc="upper left")
            if title:
                ax.set_title(title)
            if per_layer:
                right = axes[0, 1]
                for index, (label, values) in enumerate(per_layer.items()):
                    series = check_array(f"per_layer[{label!r}]", values, ndim=1, shape="(n_layers,)").astype(float)
                    check_same_length(f"per_layer[{label!r}]", series, "weights", array)
                    right.plot(layers, series, marker="o", color=PALETTE[index % len(PALETTE)], label=label)
                right.set_xticks(layers)
                right.set_xlabel("layer (0 = embeddings)")
                right.set_ylabel("Spearman ρ of that layer's mean")
                right.set_title("Each layer alone")
                right.legend(loc="upper left")
        finally:
            plt.close(fig)
    return fig


def plot_leaderboard(rows: Sequence[Any], dataset: str, title: str | None = None) -> Figure:
    """Horizontal bars of ``row.scores[dataset]`` for leaderboard rows (best on top).

    Built-in methods keep their course colours, learned heads are orange, the learner's entry black
    (hatched when it failed a check).
    """
    check_type("rows", rows, (list, tuple), "a list of LeaderboardRow")
    if len(rows) == 0:
        raise ValueError("rows: expected at least one leaderboard row, got none")
    names = [row.name for row in rows]
    values = np.array([row.scores[dataset] for row in rows], dtype=float)
    colors = [YOURS_COLOR if row.kind == "yours" else LEARNED_COLOR if row.kind == "learned" else color_for(row.name)
              for row in rows]
    with course_style():
        fig, ax = plt.subplots(figsize=(7.2, 0.42 * len(rows) + 1.4), layout="constrained")
        try:
            positions = np.arange(len(rows))[::-1]
            bars = ax.barh(positions, values, height=0.68, color=colors)
            for bar, row in zip(bars, rows):
                if not row.passed_checks:
                    bar.set_hatch("///")
                    bar.set_edgecolor("white")
            ax.bar_label(bars, fmt="{:.3f}", padding=3, fontsize=9.5)
            ax.set_yticks(positions, labels=names)
            low, high = float(values.min()), float(values.max())
            span = max(high - low, 0.02)
            ax.set_xlim(max(0.0, low - 0.6 * span) if low > 0 else low - 0.1 * span, high + 0.25 * span)
            ax.grid(axis="y", visible=False)
            ax.set_xlabel(f"Spearman ρ (cosine), {dataset}")
            legend = [Patch(color=LEARNED_COLOR, label="learned head")]  # built-ins keep their course colours
            if any(row.kind == "yours" for row in rows):
                legend.append(Patch(color=YOURS_COLOR, label="yours"))
            ax.legend(handles=legend, loc="lower right")
            ax.set_title(title or f"Leaderboard: {dataset}")
        finally:
            plt.close(fig)
    return fig

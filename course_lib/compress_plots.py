"""The figure of notebook 07: quality kept against bytes per vector, every compression on one chart.

Drawn in the course style (:func:`course_lib.plotting.course_style`); the figure is closed in
pyplot and returned, like every course plot helper.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from course_lib._checks import check_items, check_str, check_type
from course_lib.compression_eval import Quality, kept
from course_lib.plotting import PALETTE, course_style

_BITS_NAMES = {32: "float32", 16: "float16", 8: "int8", 1: "binary"}
_BITS_COLORS = {32: PALETTE[0], 16: PALETTE[5], 8: PALETTE[2], 1: PALETTE[3]}
_LINESTYLES = {"truncate": "--", "pca": "-"}
_METRICS = {"spearman": (0, "STS Spearman ρ"), "ndcg": (2, "retrieval nDCG@10")}


def plot_quality_vs_bytes(
    rows: Sequence[Quality], reference: Quality, extra: Sequence[Quality] = (), title: str | None = None
) -> Figure:
    """Two panels (STS Spearman, retrieval nDCG@10): % of ``reference`` kept against bytes per vector (log).

    ``rows`` from :func:`course_lib.compression_eval.sweep` become one line per reduction and bit
    width (colour = bits, dashed = truncation, solid = PCA); ``extra`` rows (e.g. binary + rescore)
    are drawn as single labelled stars.
    """
    rows = check_items("rows", rows, Quality, "Quality rows from course_lib.compression_eval")
    check_type("reference", reference, Quality, "a Quality row from course_lib.compression_eval")
    extra = check_items("extra", extra, Quality, "Quality rows from course_lib.compression_eval", allow_empty=True)
    if title is not None:
        check_str("title", title)
    with course_style():
        fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.4), layout="constrained", sharey=False)
        try:
            for ax, (metric, (position, label)) in zip(axes, _METRICS.items()):
                for reduction in dict.fromkeys(row.reduction for row in rows):
                    for bits in dict.fromkeys(row.bits for row in rows):
                        line = [row for row in rows if row.reduction == reduction and row.bits == bits]
                        if not line:
                            continue
                        xs = np.array([row.bytes_per_vector for row in line])
                        ys = np.array([kept(row, reference)[position] for row in line])
                        ax.plot(xs, ys, _LINESTYLES.get(reduction, "-"), marker="o", markersize=4,
                                color=_BITS_COLORS.get(bits, PALETTE[6]),
                                label=f"{reduction}, {_BITS_NAMES.get(bits, bits)}")
                for index, row in enumerate(extra):
                    ax.plot([row.bytes_per_vector], [kept(row, reference)[position]], marker="*", markersize=14,
                            linestyle="none", color=PALETTE[(4 + index) % len(PALETTE)], label=row.reduction)
                ax.axhline(100, color="#999999", linewidth=0.8)
                ax.set_xscale("log", base=2)
                ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
                ax.xaxis.set_minor_locator(NullLocator())
                ax.set_xlabel("bytes per vector (log scale)")
                ax.set_ylabel(f"% of float32 {label} kept")
                ax.set_title(label)
            axes[1].legend(loc="lower right", fontsize=8.5, ncols=2)
            if title:
                fig.suptitle(title, fontweight="bold", x=0.01, ha="left")
        finally:
            plt.close(fig)
    return fig

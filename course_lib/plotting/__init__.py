"""One look for every figure of the course: a shared style, fixed colours and eleven plot helpers.

Every helper takes torch tensors or numpy arrays, validates them, draws inside
:func:`course_style`, closes its figure (nothing is left open in pyplot, so a notebook shows it
exactly once) and returns the :class:`matplotlib.figure.Figure`. A method or a measure has the same
colour in every notebook (:data:`METHOD_COLORS`, :data:`MEASURE_COLORS`), taken from the
colour-blind-safe Okabe–Ito palette. Importing this package changes nothing global.

- :mod:`~course_lib.plotting.style`     palette, colours, :func:`course_style`, shared checks and drawing helpers
- :mod:`~course_lib.plotting.tokens`    :func:`plot_token_heatmap`, :func:`plot_vector_strip`, :func:`plot_pooled_tokens`
- :mod:`~course_lib.plotting.charts`    :func:`plot_method_comparison`, :func:`plot_similarity_matrix`,
  :func:`plot_scatter_2d`, :func:`plot_curves`
- :mod:`~course_lib.plotting.geometry`  :func:`plot_angle_vs_distance`, :func:`plot_unit_balls`,
  :func:`plot_minkowski_sweep`, :func:`plot_scatter_trend`

``from course_lib.plotting import plot_curves`` works for every helper.
"""

from course_lib.plotting.charts import plot_curves, plot_method_comparison, plot_scatter_2d, plot_similarity_matrix
from course_lib.plotting.geometry import plot_angle_vs_distance, plot_minkowski_sweep, plot_scatter_trend, plot_unit_balls
from course_lib.plotting.style import (
    COURSE_STYLE,
    DIVERGING_CMAP,
    MEASURE_COLORS,
    METHOD_COLORS,
    PALETTE,
    color_for,
    course_style,
)
from course_lib.plotting.tokens import plot_pooled_tokens, plot_token_heatmap, plot_vector_strip

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
    "plot_pooled_tokens",
    "plot_method_comparison",
    "plot_similarity_matrix",
    "plot_scatter_2d",
    "plot_curves",
    "plot_angle_vs_distance",
    "plot_unit_balls",
    "plot_minkowski_sweep",
    "plot_scatter_trend",
]

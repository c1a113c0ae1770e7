"""course_lib.plotting: every helper returns a closed Figure, draws what it says and rejects bad input."""

from __future__ import annotations

import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from course_lib import plotting  # noqa: E402
from course_lib.plotting import (  # noqa: E402
    MEASURE_COLORS,
    METHOD_COLORS,
    color_for,
    course_style,
    plot_curves,
    plot_method_comparison,
    plot_scatter_2d,
    plot_similarity_matrix,
    plot_token_heatmap,
    plot_vector_strip,
)

TOKENS = ["[CLS]", "the", "cat", "sat", "[SEP]", "[PAD]"]
SCORES = {"cls": 0.61, "mean": 0.82, "max": 0.70}


pytestmark = pytest.mark.usefixtures("no_open_figures_and_no_global_style")


def _token_embeddings(seq: int = 6, hidden: int = 64) -> torch.Tensor:
    return torch.randn(seq, hidden, generator=torch.Generator().manual_seed(0))


ALL_HELPERS = {
    "token_heatmap": lambda: plot_token_heatmap(_token_embeddings(), TOKENS),
    "vector_strip": lambda: plot_vector_strip(np.random.default_rng(0).normal(size=(3, 32))),
    "method_comparison": lambda: plot_method_comparison(SCORES),
    "similarity_matrix": lambda: plot_similarity_matrix(torch.eye(3), ["a", "b", "c"]),
    "scatter_2d": lambda: plot_scatter_2d(torch.randn(6, 2), ["x", "y"] * 3),
    "curves": lambda: plot_curves([1, 2, 3], {"loss": [3.0, 2.0, 1.0]}, "step", "loss"),
}


@pytest.mark.parametrize("helper", list(ALL_HELPERS))
def test_every_helper_returns_a_closed_renderable_figure(helper):
    fig = ALL_HELPERS[helper]()
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == []
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # renders headless, after the style context has been left
    assert buffer.getvalue().startswith(b"\x89PNG")


@pytest.mark.parametrize("helper", list(ALL_HELPERS))
def test_helpers_leave_global_rcparams_untouched(helper):
    before = matplotlib.rcParams.copy()
    ALL_HELPERS[helper]()
    assert matplotlib.rcParams == before


def test_import_has_no_side_effects():
    code = (
        "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt;"
        "before = matplotlib.rcParams.copy(); import course_lib.plotting;"
        "assert matplotlib.rcParams == before, 'rcParams changed'; assert plt.get_fignums() == []"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_course_style_applies_inside_and_restores_after():
    outside = matplotlib.rcParams["axes.spines.top"]
    with course_style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["axes.grid"] is True
    assert matplotlib.rcParams["axes.spines.top"] == outside


def test_figures_keep_the_course_style_when_drawn_later():
    fig = plot_curves([1, 2, 3], {"loss": [3.0, 2.0, 1.0]}, "step", "loss")
    ax = fig.axes[0]
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)


# --------------------------------------------------------------------------- colours


def test_fixed_colours_cover_every_method_and_measure_and_are_distinct():
    from course_lib.pooling import METHODS
    from course_lib.similarity import MEASURES

    assert set(METHOD_COLORS) == set(METHODS)
    assert set(MEASURE_COLORS) == set(MEASURES)
    assert len(set(METHOD_COLORS.values())) == len(METHODS)
    assert len(set(MEASURE_COLORS.values())) == len(MEASURES)
    with pytest.raises(TypeError):
        METHOD_COLORS["mean"] = "red"  # type: ignore[index]


def test_color_for_matches_names_loosely_and_falls_back_to_the_palette():
    assert color_for("Weighted mean") == METHOD_COLORS["weighted_mean"]
    assert color_for("mean_tokens") == METHOD_COLORS["mean"]
    assert color_for("Cosine") == MEASURE_COLORS["cosine"]
    assert color_for("something else", index=2) == plotting.PALETTE[2]


# --------------------------------------------------------------------------- token heatmap


def test_token_heatmap_labels_every_token_and_centres_the_colours_at_zero():
    fig = plot_token_heatmap(_token_embeddings(hidden=384).requires_grad_(), TOKENS, max_dims=48, title="t")
    ax = fig.axes[0]
    assert [label.get_text() for label in ax.get_yticklabels()] == TOKENS
    image = ax.images[0]
    assert image.get_array().shape == (6, 48)
    low, high = image.get_clim()
    assert low == -high and high > 0
    assert "first 48 of 384" in ax.get_xlabel()
    assert ax.get_title(loc="left") == "t"


def test_token_heatmap_scale_ignores_one_outlier_dimension_and_says_so():
    values = _token_embeddings(seq=6, hidden=384)
    values[:, 3] = 100.0  # one outlier dimension among the 48 shown, as BERT models have
    fig = plot_token_heatmap(values, TOKENS, max_dims=48)
    image = fig.axes[0].images[0]
    assert 2.0 < image.get_clim()[1] < 10.0
    assert image.colorbar.extend == "both"


def test_token_heatmap_scale_shows_everything_when_nothing_stands_out():
    values = torch.linspace(-1, 1, 6 * 48).reshape(6, 48)
    image = plot_token_heatmap(values, TOKENS).axes[0].images[0]
    assert image.get_clim() == pytest.approx((-1.0, 1.0))
    assert image.colorbar.extend == "neither"


def test_token_heatmap_hatches_padding_rows():
    mask = torch.tensor([1, 1, 1, 1, 0, 0])
    fig = plot_token_heatmap(_token_embeddings(), TOKENS, mask=mask)
    hatched = [p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert sorted(p.get_y() + 0.5 for p in hatched) == [4.0, 5.0]
    assert any("padding" in t.get_text() for legend in fig.legends for t in legend.get_texts())


def test_token_heatmap_max_dims_larger_than_hidden_shows_all():
    fig = plot_token_heatmap(np.ones((2, 10)), ["a", "b"], max_dims=48)
    assert fig.axes[0].images[0].get_array().shape == (2, 10)
    assert "all 10" in fig.axes[0].get_xlabel()


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"tokens": TOKENS[:4]}, ValueError, ["tokens: expected one entry per row of token_embeddings", "(6), got 4"]),
        ({"tokens": "the cat sat"}, TypeError, ["tokens", "string"]),
        ({"token_embeddings": torch.zeros(1, 6, 8)}, ValueError, ["token_embeddings", "(seq, hidden)", "(1, 6, 8)"]),
        ({"token_embeddings": [["a", "b"]] * 6}, TypeError, ["token_embeddings", "real numbers"]),
        ({"token_embeddings": None}, TypeError, ["token_embeddings", "got None"]),
        ({"max_dims": 0}, ValueError, ["max_dims", ">= 1", "0"]),
        ({"max_dims": "48"}, TypeError, ["max_dims", "'48'"]),
        ({"mask": torch.ones(5)}, ValueError, ["mask", "(6,)", "(5,)"]),
        ({"mask": torch.full((6,), 2)}, ValueError, ["mask", "0", "1"]),
        ({"title": 3}, TypeError, ["title", "got 3"]),
    ],
)
def test_token_heatmap_rejects_bad_input(kwargs, error, words):
    arguments = {"token_embeddings": _token_embeddings(), "tokens": TOKENS, **kwargs}
    with pytest.raises(error) as raised:
        plot_token_heatmap(**arguments)
    for word in words:
        assert word in str(raised.value)


# --------------------------------------------------------------------------- vector strip


def test_vector_strip_draws_one_row_per_vector_on_a_shared_scale():
    vectors = torch.randn(6, 384)
    fig = plot_vector_strip(vectors, labels=list(METHOD_COLORS), max_dims=100)
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (6, 100)
    assert [label.get_text() for label in ax.get_yticklabels()] == list(METHOD_COLORS)
    low, high = ax.images[0].get_clim()
    assert low == -high


def test_vector_strip_accepts_a_single_vector():
    fig = plot_vector_strip(np.linspace(-1, 1, 20))
    assert fig.axes[0].images[0].get_array().shape == (1, 20)
    assert [label.get_text() for label in fig.axes[0].get_yticklabels()] == ["vector"]


def test_vector_strip_rejects_bad_input():
    with pytest.raises(ValueError, match=r"labels: expected one entry per vector \(2\), got 1"):
        plot_vector_strip(torch.zeros(2, 4), labels=["only one"])
    wrong_shape = r"vectors: expected shape \(hidden,\) or \(n, hidden\), got shape \(1, 2, 4\)"
    with pytest.raises(ValueError, match=wrong_shape):
        plot_vector_strip(torch.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="vectors: expected no inf"):
        plot_vector_strip(torch.tensor([1.0, float("inf")]))


# --------------------------------------------------------------------------- method comparison


def _bars(fig: Figure) -> list[Rectangle]:
    return [bar for container in fig.axes[0].containers if isinstance(container, BarContainer) for bar in container]


def test_method_comparison_draws_one_labelled_bar_per_score_in_the_method_colour():
    fig = plot_method_comparison(SCORES, reference={"baseline": 0.5})
    ax = fig.axes[0]
    bars = _bars(fig)
    assert [bar.get_height() for bar in bars] == pytest.approx(list(SCORES.values()))
    assert [to_hex(bar.get_facecolor()) for bar in bars] == [METHOD_COLORS[n].lower() for n in SCORES]
    assert [t.get_text() for t in ax.texts] == ["0.610", "0.820", "0.700"]
    assert [label.get_text() for label in ax.get_xticklabels()] == list(SCORES)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["baseline (0.500)"]
    assert any(list(line.get_ydata()) == [0.5, 0.5] for line in ax.get_lines())


def test_method_comparison_groups_nested_scores():
    scores = {"bundled": SCORES, "STS-B": {"cls": 0.5, "mean": 0.8}}
    fig = plot_method_comparison(scores, ylabel="Spearman ρ", colors={"max": "#123456"})
    ax = fig.axes[0]
    assert len(_bars(fig)) == 5
    assert len(ax.texts) == 5
    assert [label.get_text() for label in ax.get_xticklabels()] == ["bundled", "STS-B"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["cls", "mean", "max"]
    assert "#123456" in {to_hex(bar.get_facecolor()) for bar in _bars(fig)}


def test_method_comparison_handles_negative_scores_and_unknown_names():
    fig = plot_method_comparison({"euclidean": -0.8, "my idea": 0.3, "other idea": 0.2})
    colors = [to_hex(bar.get_facecolor()) for bar in _bars(fig)]
    assert colors[0] == MEASURE_COLORS["euclidean"].lower()
    assert len(set(colors)) == 3  # fallback colours never repeat a fixed one
    low, high = fig.axes[0].get_ylim()
    assert low < -0.8 and high > 0.3


@pytest.mark.parametrize(
    ("scores", "kwargs", "error", "pattern"),
    [
        ({}, {}, TypeError, "scores: expected a non-empty dict"),
        ([0.1, 0.2], {}, TypeError, "scores: expected a non-empty dict.*got a list"),
        ({"a": 0.1, "b": {"c": 0.2}}, {}, TypeError, "mix of both"),
        ({"a": float("nan")}, {}, ValueError, r"scores\['a'\]: expected a finite number, got nan"),
        ({"a": "high"}, {}, TypeError, r"scores\['a'\]: expected a number, got 'high'"),
        ({"g": {"a": None}}, {}, TypeError, r"scores\['g'\]\['a'\]: expected a number, got None"),
        ({"a": 0.1}, {"reference": 0.5}, TypeError, "reference: expected a dict"),
        ({"a": 0.1}, {"ylabel": None}, TypeError, "ylabel: expected a string"),
    ],
)
def test_method_comparison_rejects_bad_input(scores, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        plot_method_comparison(scores, **kwargs)


# --------------------------------------------------------------------------- similarity matrix


def test_similarity_matrix_annotates_every_cell_with_readable_contrast():
    matrix = torch.tensor([[1.0, 0.25, -0.5], [0.25, 1.0, -0.0001]])
    long_label = "A sentence that is much longer than forty characters, clearly."
    fig = plot_similarity_matrix(matrix, ["q1", "q2"], ["x", long_label, "z"], fmt=".3f")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1.000", "0.250", "-0.500", "0.250", "1.000", "0.000"]
    by_text = {t.get_text(): t.get_color() for t in ax.texts}
    assert by_text["1.000"] == "black"  # viridis yellow
    assert by_text["-0.500"] == "white"  # viridis dark purple
    column_labels = [label.get_text() for label in ax.get_xticklabels()]
    assert column_labels[1].endswith("…") and len(column_labels[1]) <= 40
    assert ax.images[0].get_clim() == (-0.5, 1.0)


def test_similarity_matrix_options():
    fig = plot_similarity_matrix(np.eye(3), ["a", "b", "c"], annotate=False, vmin=-1, vmax=1, cmap="magma")
    ax = fig.axes[0]
    assert len(ax.texts) == 0
    assert [label.get_text() for label in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.images[0].get_clim() == (-1.0, 1.0)
    with_nan = plot_similarity_matrix(np.array([[np.nan, 0.5], [0.5, np.nan]]), ["a", "b"])
    assert [t.get_text() for t in with_nan.axes[0].texts] == ["–", "0.50", "0.50", "–"]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "pattern"),
    [
        ((torch.zeros(2, 3), ["a", "b"]), {}, ValueError, r"col_labels: expected labels .* shape \(2, 3\)"),
        ((torch.zeros(2, 2), ["a"]), {}, ValueError, r"row_labels: expected one entry per row of matrix \(2\)"),
        ((torch.zeros(2, 3), ["a", "b"]), {"col_labels": ["x"]}, ValueError, r"col_labels: expected one entry per column of matrix \(3\)"),
        ((torch.zeros(4), ["a"] * 4), {}, ValueError, r"matrix: expected shape \(n, m\), got shape \(4,\)"),
        ((torch.zeros(2, 2), ["a", "b"]), {"fmt": ".2q"}, ValueError, "fmt: expected a format spec"),
        ((torch.zeros(2, 2), ["a", "b"]), {"cmap": "not-a-map"}, ValueError, "cmap: expected a matplotlib colormap"),
        ((torch.zeros(2, 2), ["a", "b"]), {"vmin": 1, "vmax": 0}, ValueError, "vmin: expected a value smaller than vmax"),
        ((torch.zeros(2, 2), ["a", "b"]), {"annotate": "yes"}, TypeError, "annotate: expected True or False"),
    ],
)
def test_similarity_matrix_rejects_bad_input(args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        plot_similarity_matrix(*args, **kwargs)


# --------------------------------------------------------------------------- scatter


def test_scatter_draws_one_series_per_label_with_annotations():
    points = torch.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [3.0, 3.0]])
    fig = plot_scatter_2d(points, ["mean", "cls", "mean", "cls"], texts=["first", None, "third", None])
    ax = fig.axes[0]
    assert len(ax.collections) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["mean", "cls"]
    assert [to_hex(c.get_facecolor()[0], keep_alpha=False) for c in ax.collections] == [
        METHOD_COLORS["mean"].lower(),
        METHOD_COLORS["cls"].lower(),
    ]
    assert [t.get_text() for t in ax.texts] == ["first", "third"]
    assert ax.collections[0].get_offsets().tolist() == [[0.0, 0.0], [2.0, 0.5]]


def test_scatter_sorts_numeric_labels():
    fig = plot_scatter_2d(np.zeros((3, 2)), torch.tensor([1, 0, 1]))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["0", "1"]


def test_scatter_rejects_bad_input():
    with pytest.raises(ValueError, match=r"points: expected shape \(n, 2\), got shape \(3, 5\)"):
        plot_scatter_2d(torch.zeros(3, 5), ["a"] * 3)
    with pytest.raises(ValueError, match=r"labels: expected one entry per row of points \(3\), got 2"):
        plot_scatter_2d(torch.zeros(3, 2), ["a"] * 2)
    with pytest.raises(ValueError, match=r"texts: expected one entry per row of points \(3\), got 1"):
        plot_scatter_2d(torch.zeros(3, 2), ["a"] * 3, texts=["t"])
    with pytest.raises(ValueError, match="points: expected finite values"):
        plot_scatter_2d(torch.tensor([[0.0, float("nan")]]), ["a"])


# --------------------------------------------------------------------------- curves


def test_curves_draws_one_line_per_curve():
    x = torch.tensor([1.0, 2.0, 4.0, 8.0])
    curves = {"cosine": torch.tensor([0.8, 0.8, 0.8, 0.8]), "minkowski": np.array([0.7, 0.75, 0.72, 0.6])}
    fig = plot_curves(x, curves, "p", "Spearman ρ", title="sweep", logx=True)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["cosine", "minkowski"]
    assert list(ax.get_lines()[1].get_ydata()) == pytest.approx([0.7, 0.75, 0.72, 0.6])
    assert to_hex(ax.get_lines()[0].get_color()) == MEASURE_COLORS["cosine"].lower()
    assert ax.get_xscale() == "log"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("p", "Spearman ρ")


def test_curves_without_markers():
    fig = plot_curves(np.arange(3), {"a": [1, 2, 3], "b": [3, 2, 1]}, "x", "y", markers=False)
    assert {line.get_marker() for line in fig.axes[0].get_lines()} <= {"None", None, ""}


def test_curves_rejects_bad_input():
    with pytest.raises(ValueError, match=r"curves\['loss'\]: expected shape \(3,\) to match x, got \(2,\)"):
        plot_curves([1, 2, 3], {"loss": [1, 2]}, "step", "loss")
    with pytest.raises(ValueError, match="x: expected values > 0 when logx=True, got minimum 0"):
        plot_curves([0, 1, 2], {"loss": [1, 2, 3]}, "step", "loss", logx=True)
    with pytest.raises(TypeError, match="curves: expected a non-empty dict"):
        plot_curves([1, 2, 3], [1, 2, 3], "step", "loss")
    with pytest.raises(TypeError, match="xlabel: expected a string"):
        plot_curves([1, 2, 3], {"loss": [1, 2, 3]}, None, "loss")


def test_a_failing_helper_still_closes_its_figure(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(matplotlib.axes.Axes, "bar_label", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        plot_method_comparison(SCORES)
    assert plt.get_fignums() == []

"""The pooling explorer: type a sentence, pick a pooling method, and watch the token heatmap, the
pooled vector and the similarity to a second sentence update (notebook 02).

:func:`pooling_explorer` returns a :class:`PoolingExplorer` (an ipywidgets ``VBox``). Its state
(``tokens``, ``token_embeddings``, ``vector``, ``other_vector``, ``similarity``, ``figure``) is
recomputed whenever a control changes, so it can be driven from code and tested without a browser.
:func:`pooling_explorer_static` draws the same figure for one input, for places where widgets do not
render (a notebook viewed on GitHub, a PDF).
"""

from __future__ import annotations

import html
import io
import math
from dataclasses import dataclass

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from course_lib.embed import TokenEmbeddings, encode_tokens
from course_lib.models import LoadedModel
from course_lib.plotting import plot_pooled_tokens
from course_lib.pooling import METHODS, check_method, pool
from course_lib.widgets._fallback import stale_hint, widget_mimebundle

DEFAULT_SENTENCE = "The river bank was flooded after the storm."
DEFAULT_OTHER = "Heavy rain made the stream burst its banks."
# The explorer's picture stays this tall (inches; 540 px at the widget's 90 dpi) however long the
# text, so the pooled strip under the heatmap stays in view; longer texts get thinner rows.
MAX_FIGURE_HEIGHT = 6.0
MAX_TOKEN_LABELS = 24


@dataclass(frozen=True)
class PoolingView:
    """Everything the explorer shows for one (sentence, other, method).

    ``token_embeddings`` is ``(seq, hidden)`` for ``sentence``; ``vector`` and ``other_vector`` are
    the pooled ``(hidden,)`` vectors; ``similarity`` is their cosine.
    """

    sentence: str
    other: str
    method: str
    tokens: list[str]
    token_embeddings: torch.Tensor
    vector: torch.Tensor
    other_vector: torch.Tensor
    similarity: float


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name}: expected a non-empty sentence, got {value!r}")
    return value


def _check_max_dims(max_dims: object) -> int:
    if isinstance(max_dims, bool) or not isinstance(max_dims, int) or max_dims < 1:
        raise ValueError(f"max_dims: expected a positive int, got {max_dims!r}")
    return max_dims


def _pooled(output: TokenEmbeddings, method: str) -> torch.Tensor:
    return pool(output.hidden, output.attention_mask, method)[0]


def explore(
    sentence: str, other: str, method: str = "mean", model: LoadedModel | str | None = None,
    _cache: dict[str, TokenEmbeddings] | None = None,
) -> PoolingView:
    """Encode ``sentence`` and ``other``, pool both with ``method`` and compare them with cosine."""
    _check_text("sentence", sentence)
    _check_text("other", other)
    check_method(method)
    cache = {} if _cache is None else _cache
    outputs = []
    for text in (sentence, other):
        if text not in cache:
            cache[text] = encode_tokens(text, model)
        outputs.append(cache[text])
    mine, theirs = outputs
    vector, other_vector = _pooled(mine, method), _pooled(theirs, method)
    similarity = F.cosine_similarity(vector, other_vector, dim=0).item()
    return PoolingView(
        sentence=sentence, other=other, method=method, tokens=list(mine.tokens[0]),
        token_embeddings=mine.hidden[0], vector=vector, other_vector=other_vector, similarity=similarity,
    )


def _view_figure(view: PoolingView, max_dims: int) -> Figure:
    title = f"{view.method} pooling · cosine to the other sentence = {view.similarity:.3f}"
    figure = plot_pooled_tokens(
        view.token_embeddings, view.tokens, view.vector, label=view.method, max_dims=max_dims, title=title
    )
    return _bound_height(figure, view.tokens)


def _bound_height(figure: Figure, tokens: list[str]) -> Figure:
    """Cap ``figure`` (heatmap above pooled strip) at MAX_FIGURE_HEIGHT, keeping the strip readable.

    plot_pooled_tokens gives every token a fixed row height (1 358 px at 75 tokens); here the
    heatmap's rows shrink instead, the strip keeps its share and at most MAX_TOKEN_LABELS tokens
    are labelled (every k-th one).
    """
    width, height = figure.get_size_inches()
    if height <= MAX_FIGURE_HEIGHT:
        return figure
    heatmap, strip = figure.axes[0], figure.axes[1]
    seq = len(tokens)
    heatmap.get_subplotspec().get_gridspec().set_height_ratios([12, 1.3])
    figure.set_size_inches(width, MAX_FIGURE_HEIGHT)
    step = math.ceil(seq / MAX_TOKEN_LABELS)
    heatmap.set_yticks(range(0, seq, step), labels=[tokens[i] for i in range(0, seq, step)])
    heatmap.set_ylabel(f"token (1 in {step} labelled)" if step > 1 else "token")
    return figure


def pooling_explorer_static(
    sentence: str = DEFAULT_SENTENCE,
    other: str = DEFAULT_OTHER,
    method: str = "mean",
    model: LoadedModel | str | None = None,
    max_dims: int = 48,
) -> Figure:
    """The explorer's picture for one input, as a closed matplotlib Figure (no widgets needed).

    Token heatmap ``(seq, max_dims)`` of ``sentence`` above its pooled vector; the title gives the
    cosine similarity to ``other`` under the same pooling ``method``.
    """
    return _view_figure(explore(sentence, other, method, model), _check_max_dims(max_dims))


class PoolingExplorer(widgets.VBox):
    """Two sentence boxes and a method dropdown above the figure and a one-line readout.

    After every change ``view`` (a :class:`PoolingView`), ``figure`` and the convenience attributes
    ``tokens``, ``token_embeddings``, ``vector``, ``other_vector`` and ``similarity`` hold the
    current state; with an empty sentence they are None and the readout says what to do.
    """

    def __init__(
        self,
        model: LoadedModel | str | None = None,
        sentence: str = DEFAULT_SENTENCE,
        other: str = DEFAULT_OTHER,
        method: str = "mean",
        methods: tuple[str, ...] | list[str] = METHODS,
        max_dims: int = 48,
    ) -> None:
        _check_text("sentence", sentence)
        _check_text("other", other)
        if isinstance(methods, str) or not isinstance(methods, (list, tuple)) or not methods:
            raise TypeError(f"methods: expected a non-empty list of pooling methods, got {methods!r}")
        for name in methods:
            check_method(name)
        if method not in methods:
            raise ValueError(f"method: expected one of {list(methods)}, got {method!r}")
        self._model = model
        self._max_dims = _check_max_dims(max_dims)
        self._cache: dict[str, TokenEmbeddings] = {}
        self.sentence_box = widgets.Text(
            value=sentence, description="sentence", continuous_update=False,
            placeholder="Type a sentence and press Enter", layout=widgets.Layout(width="70%"),
        )
        self.other_box = widgets.Text(
            value=other, description="compare to", continuous_update=False,
            placeholder="A second sentence", layout=widgets.Layout(width="70%"),
        )
        self.method_box = widgets.Dropdown(options=list(methods), value=method, description="pooling")
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", display="none"))
        self.readout = widgets.HTML()
        self.view: PoolingView | None = None
        self.figure: Figure | None = None
        for control in (self.sentence_box, self.other_box, self.method_box):
            control.observe(self._on_change, names="value")
        super().__init__(
            children=[self.sentence_box, self.other_box, self.method_box, self.readout, self.image, stale_hint()]
        )
        self.update()

    # Convenience accessors for the current state (None until both sentences are non-empty).
    @property
    def tokens(self) -> list[str] | None:
        return None if self.view is None else self.view.tokens

    @property
    def token_embeddings(self) -> torch.Tensor | None:
        return None if self.view is None else self.view.token_embeddings

    @property
    def vector(self) -> torch.Tensor | None:
        return None if self.view is None else self.view.vector

    @property
    def other_vector(self) -> torch.Tensor | None:
        return None if self.view is None else self.view.other_vector

    @property
    def similarity(self) -> float | None:
        return None if self.view is None else self.view.similarity

    def update(self) -> PoolingView | None:
        """Recompute the state, the figure and the readout from the current control values."""
        sentence, other = self.sentence_box.value, self.other_box.value
        if not sentence.strip() or not other.strip():
            self.view, self.figure = None, None
            self.image.value = b""
            self.image.layout.display = "none"  # an empty Image shows a broken-image icon
            self.readout.value = "<i>Type a sentence in both boxes and press Enter.</i>"
            return None
        if len(self._cache) > 32:
            self._cache.clear()
        self.view = explore(sentence, other, self.method_box.value, self._model, _cache=self._cache)
        self.figure = _view_figure(self.view, self._max_dims)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=90)
        self.image.value = buffer.getvalue()
        self.image.layout.display = None
        n_real = len(self.view.tokens)
        self.readout.value = (
            f"<b>{html.escape(self.view.method)}</b> pooling: {n_real} tokens × {self.view.vector.shape[0]} "
            f"→ 1 × {self.view.vector.shape[0]}; cosine to the second sentence = "
            f"<b>{self.view.similarity:.4f}</b>"
        )
        return self.view

    def _on_change(self, change: dict) -> None:
        self.update()

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The live controls, plus a snapshot (readout and picture) for where widgets cannot run."""
        return widget_mimebundle(
            super()._repr_mimebundle_(**kwargs), "Pooling explorer",
            snapshot_html=f"<p>{self.readout.value}</p>", png=bytes(self.image.value),
        )


def pooling_explorer(
    model: LoadedModel | str | None = None,
    sentence: str = DEFAULT_SENTENCE,
    other: str = DEFAULT_OTHER,
    method: str = "mean",
    max_dims: int = 48,
) -> PoolingExplorer:
    """A :class:`PoolingExplorer` for ``sentence`` vs ``other``, starting with pooling ``method``."""
    return PoolingExplorer(model, sentence=sentence, other=other, method=method, max_dims=max_dims)

"""A semantic-search widget: type a query, pick a measure and k, read the top-k (notebook 05).

The top layer of search: the widget calls :func:`course_lib.search.search` (texts), which calls
:func:`course_lib.similarity.most_similar` (vectors).

:func:`search_widget` returns a :class:`SearchWidget` (an ipywidgets ``VBox``). Its static
fallback, for a notebook viewed without a live kernel, is :func:`course_lib.search.show_search`,
which prints the same table for one query.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets
import torch

from course_lib.models import LoadedModel
from course_lib.search import SearchHit, _check_corpus, search
from course_lib.similarity import MEASURES, check_measure, higher_is_closer

DEFAULT_MEASURES: tuple[str, ...] = tuple(m for m in MEASURES if m != "minkowski")


def _hits_html(hits: Sequence[SearchHit], measure: str) -> str:
    direction = "higher = closer" if higher_is_closer(measure) else "lower = closer"
    with_labels = any(hit.label is not None for hit in hits)
    head = "<tr><th>rank</th><th>score</th>" + ("<th>label</th>" if with_labels else "") + "<th>text</th></tr>"
    rows = "".join(
        f"<tr><td>{hit.rank}</td><td style='font-family:monospace'>{hit.score:.4f}</td>"
        + (f"<td>{html.escape(hit.label or '')}</td>" if with_labels else "")
        + f"<td style='text-align:left'>{html.escape(hit.text)}</td></tr>"
        for hit in hits
    )
    return f"<b>{html.escape(measure)}</b> ({direction})<table>{head}{rows}</table>"


class SearchWidget(widgets.VBox):
    """Query box, measure dropdown and k slider above a results table.

    ``hits`` holds the current results (a list of :class:`~course_lib.search.SearchHit`); it is
    recomputed whenever ``query_box``, ``measure_box`` or ``k_box`` changes, so the widget can be
    driven from code and tested without a browser.
    """

    def __init__(
        self,
        texts: Sequence[str],
        embeddings: torch.Tensor,
        model: LoadedModel | str | None = None,
        labels: Sequence[str] | None = None,
        measures: Sequence[str] = DEFAULT_MEASURES,
        query: str = "",
        measure: str = "cosine",
        k: int = 5,
        pooling: str = "mean",
        normalize: bool = False,
    ) -> None:
        _check_corpus(texts, embeddings, labels)
        if isinstance(measures, str) or not measures:
            raise TypeError(f"measures: expected a non-empty list of measure names, got {measures!r}")
        for name in measures:
            if check_measure(name) == "minkowski":
                raise ValueError("measures: 'minkowski' needs a p, which the widget has no control for; leave it out")
        if measure not in measures:
            raise ValueError(f"measure: expected one of {list(measures)}, got {measure!r}")
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(texts):
            raise ValueError(f"k: expected an int between 1 and the corpus size ({len(texts)}), got {k!r}")
        self._texts, self._embeddings, self._labels = list(texts), embeddings, labels
        self._model, self._pooling, self._normalize = model, pooling, normalize
        self.query_box = widgets.Text(
            value=query, placeholder="Type a query and press Enter", description="query",
            continuous_update=False, layout=widgets.Layout(width="55%"),
        )
        self.measure_box = widgets.Dropdown(options=list(measures), value=measure, description="measure")
        self.k_box = widgets.IntSlider(value=k, min=1, max=min(20, len(texts)), description="k")
        self.results = widgets.HTML()
        self.hits: list[SearchHit] = []
        for control in (self.query_box, self.measure_box, self.k_box):
            control.observe(self._on_change, names="value")
        super().__init__(children=[widgets.HBox([self.query_box, self.measure_box, self.k_box]), self.results])
        self.update()

    def update(self) -> list[SearchHit]:
        """Recompute ``hits`` and the table from the current control values, and return the hits."""
        query = self.query_box.value
        if not query.strip():
            self.hits = []
            self.results.value = "<i>Type a query and press Enter.</i>"
            return self.hits
        self.hits = search(
            query, self._texts, self._embeddings, self._model, measure=self.measure_box.value,
            k=self.k_box.value, pooling=self._pooling, normalize=self._normalize, labels=self._labels,
        )
        self.results.value = _hits_html(self.hits, self.measure_box.value)
        return self.hits

    def _on_change(self, change: dict) -> None:
        self.update()


def search_widget(
    texts: Sequence[str],
    embeddings: torch.Tensor,
    model: LoadedModel | str | None = None,
    labels: Sequence[str] | None = None,
    query: str = "",
    measure: str = "cosine",
    k: int = 5,
    **kwargs,
) -> SearchWidget:
    """A :class:`SearchWidget` over ``texts`` with their ``(n, hidden)`` ``embeddings``.

    ``embeddings`` must come from ``encode(texts, model, pooling, normalize)`` with the ``pooling``
    and ``normalize`` passed here (defaults: mean pooling, not normalised).
    """
    return SearchWidget(texts, embeddings, model, labels, query=query, measure=measure, k=k, **kwargs)

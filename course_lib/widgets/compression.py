"""A compression widget: choose dimensions and bits, read the cost and the damage (notebook 07).

:func:`compression_widget` returns a :class:`CompressionWidget`: a query box, a dimensions
dropdown, a bits dropdown and a truncate/PCA switch above a readout — bytes per vector, how many
times smaller than float32, the STS Spearman and retrieval nDCG@10 kept — and the top-5 corpus
sentences for the query at that setting next to float32's. Its static fallback,
:func:`compression_static`, prints the same readout for a few settings, for a notebook read
without a live kernel.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import NamedTuple

import ipywidgets as widgets
import torch

from course_lib.widgets._fallback import stale_hint, widget_mimebundle
from course_lib._checks import check_choice, check_int, check_str, check_type
from course_lib.compress import BITS, REDUCTIONS, bytes_per_vector, check_bits
from course_lib.compression_eval import DIMS, CompressionData, Quality, evaluate, kept, top_k
from course_lib.embed import encode
from course_lib.models import LoadedModel

_BITS_LABELS = {32: "32 (float32)", 16: "16 (float16)", 8: "8 (int8)", 1: "1 (binary)"}
DEFAULT_QUERY = "A man is playing a guitar."


class CompressionView(NamedTuple):
    """What the widget shows for one setting."""

    dims: int
    bits: int
    reduction: str
    bytes_per_vector: int
    quality: Quality
    kept: tuple[float, float, float]
    hits: list[str]
    reference_hits: list[str]


def _check_data(data: object) -> CompressionData:
    return check_type("data", data, CompressionData, "CompressionData from course_lib.compression_eval.prepare")


def compression_view(
    data: CompressionData, query_vector: torch.Tensor, dims: int, bits: int, reduction: str, k: int = 5,
    reference: Quality | None = None,
) -> CompressionView:
    """Compute the readout for one setting (the widget's and the static fallback's numbers)."""
    data = _check_data(data)
    dims = check_int("dims", dims, minimum=1, maximum=data.corpus.shape[1])
    bits, reduction = check_bits(bits), check_choice("reduction", reduction, REDUCTIONS)
    reference = reference or evaluate(data)
    quality = evaluate(data, dims, bits, reduction)
    ids, _ = top_k(data, query_vector, dims, bits, reduction, k)
    reference_ids, _ = top_k(data, query_vector, data.corpus.shape[1], 32, "truncate", k)
    corpus = data.task.corpus
    return CompressionView(dims, bits, reduction, bytes_per_vector(dims, bits), quality, kept(quality, reference),
                           [corpus[i] for i in ids.tolist()], [corpus[i] for i in reference_ids.tolist()])


def _summary(view: CompressionView, full_bytes: int) -> str:
    spearman, _, ndcg = view.kept
    return (f"{view.reduction} to {view.dims} dims at {view.bits} bit(s): {view.bytes_per_vector} bytes per vector "
            f"({full_bytes / view.bytes_per_vector:.0f}x smaller than float32); kept: STS Spearman {spearman:.1f} %, "
            f"retrieval nDCG@10 {ndcg:.1f} %")


def _view_html(view: CompressionView, full_bytes: int) -> str:
    shared = set(view.hits) & set(view.reference_hits)
    rows = "".join(
        f"<tr><td>{rank}</td><td style='text-align:left'>{html.escape(ref)}</td>"
        f"<td style='text-align:left{';font-weight:bold' if hit in shared else ''}'>{html.escape(hit)}</td></tr>"
        for rank, (ref, hit) in enumerate(zip(view.reference_hits, view.hits), start=1)
    )
    head = "<tr><th>rank</th><th>float32, 384 dims</th><th>this setting (bold: also in float32's top 5)</th></tr>"
    return f"<p>{html.escape(_summary(view, full_bytes))}</p><table>{head}{rows}</table>"


class CompressionWidget(widgets.VBox):
    """Query box and dims / bits / reduction controls above the readout; ``view`` holds the current numbers.

    Setting any control's ``value`` recomputes ``view`` and the HTML, so the widget can be driven
    from code and tested without a browser.
    """

    def __init__(
        self, data: CompressionData, model: LoadedModel | str | None = None, query: str = DEFAULT_QUERY,
        dims: int = 384, bits: int = 32, reduction: str = "truncate", dims_options: Sequence[int] = DIMS, k: int = 5,
    ) -> None:
        self._data = _check_data(data)
        check_str("query", query)
        options = [check_int("dims_options", d, minimum=1, maximum=data.corpus.shape[1]) for d in dims_options]
        if dims not in options:
            raise ValueError(f"dims: expected one of {options}, got {dims!r}")
        check_bits(bits)
        check_choice("reduction", reduction, REDUCTIONS)
        self._k = check_int("k", k, minimum=1, maximum=len(data.task.corpus))
        self._model = model
        self._query_vectors: dict[str, torch.Tensor] = {}
        self._reference = evaluate(data)
        self._full_bytes = bytes_per_vector(data.corpus.shape[1], 32)
        self.query_box = widgets.Text(value=query, description="query", continuous_update=False,
                                      layout=widgets.Layout(width="60%"))
        self.dims_box = widgets.Dropdown(options=options, value=dims, description="dims")
        self.bits_box = widgets.Dropdown(options=[(_BITS_LABELS[b], b) for b in BITS], value=bits, description="bits")
        self.reduction_box = widgets.ToggleButtons(options=list(REDUCTIONS), value=reduction, description="keep")
        self.readout = widgets.HTML()
        self.view: CompressionView | None = None
        for control in (self.query_box, self.dims_box, self.bits_box, self.reduction_box):
            control.observe(lambda change: self.update(), names="value")
        super().__init__(children=[self.query_box, widgets.HBox([self.dims_box, self.bits_box]), self.reduction_box,
                                   self.readout, stale_hint()])
        self.update()

    def _query_vector(self, text: str) -> torch.Tensor:
        if text not in self._query_vectors:
            self._query_vectors[text] = encode(text, self._model, show_progress=False)[0]
        return self._query_vectors[text]

    def update(self) -> CompressionView | None:
        """Recompute ``view`` and the readout from the controls; an empty query shows a prompt."""
        if not self.query_box.value.strip():
            self.view = None
            self.readout.value = "<i>Type a query and press Enter.</i>"
            return None
        self.view = compression_view(self._data, self._query_vector(self.query_box.value), self.dims_box.value,
                                     self.bits_box.value, self.reduction_box.value, self._k, self._reference)
        self.readout.value = _view_html(self.view, self._full_bytes)
        return self.view

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The live controls, plus a snapshot of the readout for where widgets cannot run."""
        setting = (f"query: <i>{html.escape(self.query_box.value)}</i> · dims {self.dims_box.value} · "
                   f"{self.bits_box.label} · {self.reduction_box.value}")
        return widget_mimebundle(
            super()._repr_mimebundle_(**kwargs), "Compression explorer",
            snapshot_html=f"<p>{setting}</p>{self.readout.value}",
            snapshot_text=_plain(setting) + "\n" + _plain(self.readout.value),
        )


def _plain(fragment: str) -> str:
    """An HTML fragment as one line of text (tags become spaces)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def compression_widget(data: CompressionData, model: LoadedModel | str | None = None, **kwargs) -> CompressionWidget:
    """A :class:`CompressionWidget` over ``data`` (from :func:`course_lib.compression_eval.prepare`)."""
    return CompressionWidget(data, model, **kwargs)


def compression_static(
    data: CompressionData, model: LoadedModel | str | None = None, query: str = DEFAULT_QUERY,
    settings: Sequence[tuple[int, int, str]] = ((384, 32, "truncate"), (128, 8, "pca"), (384, 1, "truncate")),
    k: int = 5,
) -> str:
    """The widget's readout for a few ``(dims, bits, reduction)`` settings, as plain text."""
    data = _check_data(data)
    vector = encode(check_str("query", query), model, show_progress=False)[0]
    reference = evaluate(data)
    full = bytes_per_vector(data.corpus.shape[1], 32)
    lines = [f"What the widget shows for the query {query!r} (a live kernel lets you change the settings):"]
    for dims, bits, reduction in settings:
        view = compression_view(data, vector, dims, bits, reduction, k, reference)
        lines += ["", _summary(view, full)]
        lines += [f"  {rank}. {hit[:90]}{'  (also in float32 top 5)' if hit in view.reference_hits else ''}"
                  for rank, hit in enumerate(view.hits, start=1)]
    return "\n".join(lines)

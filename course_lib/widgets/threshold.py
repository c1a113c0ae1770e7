"""The threshold widget: drag a cosine threshold, read precision, recall and F1 on labelled pairs,
and see which pairs flip (notebook 06).

A pair is called "similar" when its score is >= the threshold. :func:`threshold_metrics` counts
the outcome for one threshold, :func:`threshold_sweep` for many, :func:`flipped_pairs` lists the
pairs whose decision changes between two thresholds. :class:`ThresholdWidget` (an ipywidgets
``VBox``) recomputes ``metrics`` and ``flips`` whenever its slider moves, so it can be driven and
tested without a browser; :func:`threshold_static` prints what the widget shows at a few
thresholds, for a notebook viewed without a live kernel.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch

from course_lib.widgets._fallback import stale_hint, widget_mimebundle
from course_lib._checks import check_array, check_int, check_number, check_same_length, check_texts

__all__ = [
    "ThresholdMetrics",
    "threshold_metrics",
    "threshold_sweep",
    "best_threshold",
    "flipped_pairs",
    "ThresholdWidget",
    "threshold_widget",
    "threshold_static",
]


@dataclass(frozen=True)
class ThresholdMetrics:
    """The outcome of calling every pair with score >= ``threshold`` similar.

    Precision is 0 when nothing is called similar and recall 0 when no pair is similar (never NaN).
    """

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    precision: float
    recall: float
    f1: float

    def line(self) -> str:
        """One printable line: threshold, P, R, F1 and the four counts."""
        return (
            f"threshold {self.threshold:.3f}: precision {self.precision:.3f}, recall {self.recall:.3f}, "
            f"F1 {self.f1:.3f} (TP {self.true_positives}, FP {self.false_positives}, "
            f"FN {self.false_negatives}, TN {self.true_negatives})"
        )


def _scores_and_labels(scores: object, labels: object) -> tuple[np.ndarray, np.ndarray]:
    values = check_array("scores", scores, ndim=1, shape="(pairs,)").astype(np.float64)
    if not np.isfinite(values).all():
        raise ValueError("scores: expected finite values, got NaN or infinite values")
    flags = check_array("labels", labels, ndim=1, shape="(pairs,)")
    check_same_length("labels", flags, "scores", values)
    if not np.isin(flags, (0, 1)).all():
        raise ValueError(f"labels: expected 0/1 or True/False (1 = similar), got values {sorted(set(flags.tolist()))[:5]}")
    return values, flags.astype(bool)


def _metrics(values: np.ndarray, truth: np.ndarray, threshold: float) -> ThresholdMetrics:
    predicted = values >= threshold
    tp = int((predicted & truth).sum())
    fp = int((predicted & ~truth).sum())
    fn = int((~predicted & truth).sum())
    tn = int((~predicted & ~truth).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ThresholdMetrics(float(threshold), tp, fp, fn, tn, precision, recall, f1)


def threshold_metrics(scores, labels, threshold: float) -> ThresholdMetrics:
    """Precision, recall and F1 of "similar iff score >= threshold" on ``(pairs,)`` scores and 0/1 labels."""
    values, truth = _scores_and_labels(scores, labels)
    return _metrics(values, truth, check_number("threshold", threshold, allow_inf=True))


def threshold_sweep(scores, labels, thresholds) -> list[ThresholdMetrics]:
    """:func:`threshold_metrics` at each of ``thresholds`` (a 1-D sequence of numbers)."""
    values, truth = _scores_and_labels(scores, labels)
    cuts = check_array("thresholds", thresholds, ndim=1, shape="(k,)").astype(np.float64)
    return [_metrics(values, truth, check_number("thresholds", float(cut), allow_inf=True)) for cut in cuts]


def best_threshold(scores, labels) -> ThresholdMetrics:
    """The threshold with the highest F1 among the scores themselves (the lowest such one on ties)."""
    values, truth = _scores_and_labels(scores, labels)
    candidates = np.unique(values)
    results = [_metrics(values, truth, cut) for cut in candidates]
    return max(results, key=lambda m: (m.f1, -m.threshold))


def flipped_pairs(scores, old_threshold: float, new_threshold: float) -> list[int]:
    """Indices of the pairs whose decision changes when the threshold moves from old to new, by score."""
    values = check_array("scores", scores, ndim=1, shape="(pairs,)").astype(np.float64)
    old = check_number("old_threshold", old_threshold, allow_inf=True)
    new = check_number("new_threshold", new_threshold, allow_inf=True)
    low, high = min(old, new), max(old, new)
    between = np.flatnonzero((values >= low) & (values < high))
    return [int(i) for i in between[np.argsort(values[between], kind="stable")]]


def _flips_html(
    flips: Sequence[int], values: np.ndarray, truth: np.ndarray, first: Sequence[str], second: Sequence[str],
    old: float, new: float, max_rows: int,
) -> str:
    if not flips:
        return f"<i>No pair has a score in [{min(old, new):.3f}, {max(old, new):.3f}): nothing flips.</i>"
    now_similar = new < old  # lowering the threshold turns pairs into "similar"
    rows = []
    for index in flips[:max_rows]:
        right = bool(truth[index]) == now_similar
        verdict = "fixed" if right else "broken"
        rows.append(
            f"<tr><td style='font-family:monospace'>{values[index]:.3f}</td>"
            f"<td>{'similar' if truth[index] else 'not similar'}</td><td>{verdict}</td>"
            f"<td style='text-align:left'>{html.escape(first[index])}</td>"
            f"<td style='text-align:left'>{html.escape(second[index])}</td></tr>"
        )
    more = f"<br><i>... and {len(flips) - max_rows} more</i>" if len(flips) > max_rows else ""
    head = "<tr><th>score</th><th>gold</th><th>this move</th><th>sentence 1</th><th>sentence 2</th></tr>"
    direction = "now called similar" if now_similar else "no longer called similar"
    return f"<b>{len(flips)} pair(s) {direction}</b> ({old:.3f} → {new:.3f})<table>{head}{''.join(rows)}</table>{more}"


class ThresholdWidget(widgets.VBox):
    """A threshold slider above a metrics readout and the table of pairs that flipped on the last move.

    After every move ``metrics`` (a :class:`ThresholdMetrics`) and ``flips`` (indices of the pairs
    whose decision changed, by score) hold the current state.
    """

    def __init__(
        self,
        scores,
        labels,
        sentences1: Sequence[str],
        sentences2: Sequence[str],
        threshold: float = 0.5,
        low: float | None = None,
        high: float | None = None,
        step: float = 0.01,
        max_rows: int = 8,
    ) -> None:
        self._values, self._truth = _scores_and_labels(scores, labels)
        self._first = check_texts("sentences1", sentences1)
        self._second = check_texts("sentences2", sentences2)
        check_same_length("sentences1", self._first, "scores", self._values)
        check_same_length("sentences2", self._second, "scores", self._values)
        low = float(np.floor(self._values.min() * 100) / 100) if low is None else check_number("low", low)
        high = float(np.ceil(self._values.max() * 100) / 100) if high is None else check_number("high", high)
        if not low < high:
            raise ValueError(f"high: expected a number > low = {low}, got {high}")
        threshold = check_number("threshold", threshold, low, high)
        step = check_number("step", step, 0.0, high - low, low_inclusive=False)
        self._max_rows = check_int("max_rows", max_rows, minimum=1)
        self.slider = widgets.FloatSlider(
            value=threshold, min=low, max=high, step=step, description="threshold",
            readout_format=".3f", continuous_update=False, layout=widgets.Layout(width="60%"),
        )
        self.readout = widgets.HTML()
        self.flip_table = widgets.HTML()
        self.metrics: ThresholdMetrics = _metrics(self._values, self._truth, threshold)
        self.flips: list[int] = []
        self._previous = threshold
        self.slider.observe(self._on_change, names="value")
        super().__init__(children=[self.slider, self.readout, self.flip_table, stale_hint()])
        self._show()
        self.flip_table.value = "<i>Move the slider: the pairs whose decision changes appear here.</i>"

    def update(self, threshold: float | None = None) -> ThresholdMetrics:
        """Recompute for ``threshold`` (default: the slider's value) and return the metrics."""
        if threshold is not None:
            self.slider.value = check_number("threshold", threshold, self.slider.min, self.slider.max)
            return self.metrics  # the observer did the work
        new = float(self.slider.value)
        self.flips = flipped_pairs(self._values, self._previous, new)
        self.flip_table.value = _flips_html(
            self.flips, self._values, self._truth, self._first, self._second, self._previous, new, self._max_rows
        )
        self.metrics = _metrics(self._values, self._truth, new)
        self._previous = new
        self._show()
        return self.metrics

    def _show(self) -> None:
        m = self.metrics
        self.readout.value = (
            f"<b>precision {m.precision:.3f} · recall {m.recall:.3f} · F1 {m.f1:.3f}</b> "
            f"&nbsp; TP {m.true_positives}, FP {m.false_positives}, FN {m.false_negatives}, TN {m.true_negatives}"
        )

    def _on_change(self, change: dict) -> None:
        self.update()

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The live controls, plus a snapshot of the readout for where widgets cannot run."""
        return widget_mimebundle(
            super()._repr_mimebundle_(**kwargs), "Threshold explorer",
            snapshot_html=f"<p>threshold {float(self.slider.value):.3f}</p>{self.readout.value}",
            snapshot_text=f"threshold {float(self.slider.value):.3f}\n" + html.unescape(re.sub(r"<[^>]+>", "", self.readout.value)),
        )


def threshold_widget(scores, labels, sentences1: Sequence[str], sentences2: Sequence[str], threshold: float = 0.5, **kwargs) -> ThresholdWidget:
    """A :class:`ThresholdWidget` over labelled pairs: ``scores`` ``(pairs,)`` (e.g. cosines), 0/1 ``labels``."""
    return ThresholdWidget(scores, labels, sentences1, sentences2, threshold=threshold, **kwargs)


def threshold_static(
    scores, labels, sentences1: Sequence[str], sentences2: Sequence[str], thresholds: Sequence[float], max_rows: int = 3
) -> str:
    """What the widget shows, as text: the metrics at each threshold and the pairs that flip between them.

    Returns the text (print it). For places where widgets do not run: a notebook read on GitHub, a PDF.
    """
    values, truth = _scores_and_labels(scores, labels)
    first, second = check_texts("sentences1", sentences1), check_texts("sentences2", sentences2)
    check_same_length("sentences1", first, "scores", values)
    check_same_length("sentences2", second, "scores", values)
    sweep = threshold_sweep(values, truth, thresholds)
    max_rows = check_int("max_rows", max_rows, minimum=1)
    lines = ["Dragging the slider from left to right shows:"]
    for step, metrics in enumerate(sweep):
        lines.append("  " + metrics.line())
        if step + 1 < len(sweep):
            flips = flipped_pairs(values, metrics.threshold, sweep[step + 1].threshold)
            lost = [i for i in flips if truth[i]]
            if lost:
                lines.append(f"    moving on, {len(flips)} pair(s) stop being called similar; {len(lost)} of them ARE similar, e.g.:")
                for index in lost[:max_rows]:
                    lines.append(f"      {values[index]:.3f}  {first[index]!r} / {second[index]!r}")
            elif flips:
                lines.append(f"    moving on, {len(flips)} pair(s) stop being called similar, none of them similar (free precision)")
    best = best_threshold(values, truth)
    lines.append(f"Best F1 on these pairs: {best.line()}")
    return "\n".join(lines)

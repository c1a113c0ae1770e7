"""What the widgets draw and what they leave behind for readers without a kernel (issue 15):
no broken image for an empty sentence, a bounded explorer picture, a readable search table, and a
static fallback that says to run the cell instead of ipywidgets' ``VBox(children=...)`` repr."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

from course_lib.embed import encode
from course_lib.widgets import pooling_explorer, search_widget
from course_lib.widgets._fallback import RUN_THE_CELL, STALE_HINT

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TEXTS = ["A cat sleeps on the mat.", "Stocks fell sharply today.", "Kittens love to nap.", "The bank raised rates."]
LABELS = ["animals", "finance", "animals", "finance"]


@pytest.fixture(scope="module")
def explorer(model):
    return pooling_explorer(model)


@pytest.fixture(scope="module")
def searcher(model):
    return search_widget(TEXTS, encode(TEXTS, model, show_progress=False), model, labels=LABELS, query="a sleepy kitten", k=3)


def test_an_empty_sentence_hides_the_picture_instead_of_showing_a_broken_image(model):
    explorer = pooling_explorer(model)
    assert explorer.image.layout.display != "none" and bytes(explorer.image.value)
    explorer.sentence_box.value = "   "
    assert explorer.image.layout.display == "none" and bytes(explorer.image.value) == b""
    assert "Type a sentence" in explorer.readout.value
    explorer.sentence_box.value = "Back again."
    assert explorer.image.layout.display != "none" and bytes(explorer.image.value)


@pytest.mark.parametrize("n_tokens", [75, 256])
def test_the_explorer_picture_stays_bounded_so_the_pooled_strip_is_in_view(model, n_tokens):
    explorer = pooling_explorer(model, sentence=" ".join(["word"] * (n_tokens - 2)))
    assert len(explorer.tokens) == n_tokens
    dpi = 90  # what the widget renders at
    width, height = explorer.figure.get_size_inches()
    assert height * dpi <= 560, f"{height * dpi:.0f} px tall at {n_tokens} tokens"
    heatmap, strip = explorer.figure.axes[:2]
    strip_box = strip.get_window_extent()
    assert strip_box.height >= 25, "the pooled strip must stay readable"
    assert strip_box.y0 >= 0 and heatmap.get_window_extent().y0 > strip_box.y1  # strip below heatmap, inside
    assert len(heatmap.get_yticklabels()) <= 24


class _Cells(HTMLParser):
    """Collects (tag, style) of every th/td of the first table."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("th", "td"):
            self.cells.append((tag, dict(attrs).get("style", "")))


def test_search_table_headers_align_with_their_columns_and_columns_are_padded(searcher):
    parser = _Cells()
    parser.feed(searcher.results.value)
    headers = [style for tag, style in parser.cells if tag == "th"]
    first_row = [style for tag, style in parser.cells if tag == "td"][: len(headers)]
    assert len(headers) == 4  # rank, score, label, text
    for header, cell in zip(headers, first_row):
        align = re.search(r"text-align:(\w+)", header).group(1)
        assert f"text-align:{align}" in cell
        assert re.search(r"padding:[^;]*[1-9]", header) and re.search(r"padding:[^;]*[1-9]", cell)
    assert "text-align:left" in headers[3] and "text-align:left" in headers[2]


@pytest.mark.parametrize("which", ["explorer", "searcher"])
def test_the_static_fallback_says_to_run_the_cell_instead_of_a_widget_repr(which, request):
    widget = request.getfixturevalue(which)
    bundle = widget._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == widget.model_id  # live front ends still get the controls
    for mime in ("text/plain", "text/html"):
        assert "Run this cell" in bundle[mime] or RUN_THE_CELL[1:] in bundle[mime]
        assert "children=" not in bundle[mime] and "VBox(" not in bundle[mime]


def test_the_fallbacks_carry_a_snapshot_of_what_the_widget_showed(explorer, searcher):
    html = explorer._repr_mimebundle_()["text/html"]
    png = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", html).group(1))
    assert png == bytes(explorer.image.value)
    assert f"{explorer.similarity:.4f}" in html and f"{explorer.similarity:.4f}" in explorer._repr_mimebundle_()["text/plain"]
    first = searcher.hits[0]
    for mime in ("text/plain", "text/html"):
        assert first.text in searcher._repr_mimebundle_()[mime]


@pytest.mark.parametrize("which", ["explorer", "searcher"])
def test_the_saved_widget_state_carries_a_caption_saying_to_run_the_cell_again(which, request):
    """A reopened notebook redraws widgets from their saved state, where nothing answers the controls."""
    widget = request.getfixturevalue(which)
    captions = [c.value for c in widget.children if hasattr(c, "value") and STALE_HINT in str(c.value)]
    assert len(captions) == 1

"""Slide decks: built from every notebook, offline (no CDN), and they render and advance in Chromium."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _load():
    spec = importlib.util.spec_from_file_location("build_slides", REPO / "teaching" / "build_slides.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


slides = _load()


def _can_build() -> bool:
    vendor_ready = all((slides.VENDOR / "node_modules" / name / "package.json").exists()
                       for name in slides._pinned_packages())
    return vendor_ready or shutil.which("npm") is not None


NO_NPM = "npm is not installed and reveal.js is not vendored yet"
if not _can_build() and os.environ.get("CI") == "true":
    pytest.fail(f"{NO_NPM}: CI must install npm (apt-get install -y npm) to build the slides", pytrace=False)
needs_npm = pytest.mark.skipif(not _can_build(), reason=NO_NPM)


def test_deck_tags_headings_keeps_figures_and_drops_code():
    nb = new_notebook()
    figure = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    nb.cells = [
        new_markdown_cell("# 01 · Title\n\nIntro."),
        new_code_cell("x = 1", outputs=[new_output("stream", name="stdout", text="1\n")]),
        new_markdown_cell("## Section\n\n" + "\n\n".join(f"Paragraph {i} " + "word " * 40 for i in range(10))),
        new_code_cell("plot()", outputs=[figure]),
        new_markdown_cell("### Sub-section"),
        new_markdown_cell("**Takeaway:** short."),
    ]
    deck = slides.deck_notebook(nb, "01_x.ipynb")
    kinds = [c.metadata["slideshow"]["slide_type"] for c in deck.cells]
    section = [c.source for c in deck.cells if c.cell_type == "markdown"][1:-3]
    assert kinds == ["slide", "slide"] + ["subslide"] * (len(section) - 1) + ["subslide", "subslide", "-", "slide"]
    assert len(section) >= 2 and all(len(chunk) <= slides.MAX_MARKDOWN_CHARS for chunk in section)
    assert "\n\n".join(section) == nb.cells[2].source  # split, nothing lost
    assert deck.cells[-4].outputs[0]["data"] == {"image/png": "iVBORw0KGgo="}
    assert "01_x.ipynb" in deck.cells[-1].source
    assert nb.cells[1].source == "x = 1"  # the original is untouched


def test_a_paragraph_stays_with_its_list():
    text = "Title\n\n" + "x" * 880 + "\n\nAfter this you can\n\n- one\n- two"
    assert slides.split_markdown(text) == ["Title\n\n" + "x" * 880, "After this you can\n\n- one\n- two"]


def test_external_resources_are_found_and_reading_links_are_not():
    html = """<script src="https://cdn.example.org/reveal.js"></script>
    <link rel="stylesheet" href="//cdn.example.org/theme.css">
    <script type="module">import mermaid from 'https://cdn.example.org/mermaid.mjs';</script>
    <script src="../.reveal/node_modules/requirejs/require.js"></script>
    <a href="https://arxiv.org/abs/1908.10084">SBERT</a>"""
    assert slides.external_resources(html) == [
        "//cdn.example.org/theme.css", "https://cdn.example.org/mermaid.mjs", "https://cdn.example.org/reveal.js"]


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    if not _can_build():
        pytest.skip(NO_NPM)
    return slides.build(out_dir=tmp_path_factory.mktemp("slides"))


@needs_npm
def test_every_notebook_gets_an_offline_deck(decks):
    notebooks = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
    assert [p.name.removesuffix(".slides.html") for p in decks] == notebooks
    for deck in decks:
        html = deck.read_text()
        assert slides.external_resources(html, deck.parent) == []
        assert html.count("<section") >= 3


def test_unknown_prefix_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="only: no notebook"):
        slides.build(["99_no_such"], out_dir=tmp_path)


def test_style_sheets_that_import_web_fonts_are_caught(tmp_path):
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "simple.css").write_text("@import url(./local.css);\n")
    (tmp_path / "theme" / "local.css").write_text("@import url(https://fonts.example.org/css?family=X);\n")
    html = '<link rel="stylesheet" href="theme/simple.css">'
    assert slides.external_resources(html) == []
    assert slides.external_resources(html, tmp_path) == ["https://fonts.example.org/css?family=X"]

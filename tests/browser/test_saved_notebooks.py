"""A notebook that was run and saved, opened again later (no kernel has run its cells): its widget
outputs must tell the reader to run the cell, never show ipywidgets' ``PoolingExplorer(children=...)``
repr or "Error displaying widget: model not found"."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.sign import NotebookNotary
from browser.test_notebook_widgets import COURSE_WIDGET_ERRORS, NOTEBOOK_STATE, WIDGET_REPR, notebooks_with_widgets

SAVED = """from course_lib.widgets import pooling_explorer, search_widget
from course_lib.embed import encode
texts = ["A cat sleeps on the mat.", "Stocks fell sharply today.", "Kittens love to nap."]
display(pooling_explorer(sentence="The river bank was flooded."))
search_widget(texts, encode(texts, show_progress=False), query="a sleepy kitten", k=2)"""


def output_texts(page) -> list[str]:
    page.wait_for_timeout(3000)  # give the widget manager time to give up on missing models
    return page.locator(".jp-OutputArea-output").all_inner_texts()


def open_saved(page, lab, name: str) -> list[str]:
    page.goto(lab.notebook_url(name), wait_until="domcontentloaded", timeout=180_000)
    # the kernel starting is when JupyterLab's widget manager may drop the saved models
    page.wait_for_function(f"({NOTEBOOK_STATE})()?.kernel === 'idle'", timeout=300_000, polling=500)
    return output_texts(page)


def assert_tells_to_run(texts: list[str], where: str) -> None:
    assert not [t for t in texts if "Error displaying widget" in t], f"{where}: {texts}"
    assert not [t for t in texts if WIDGET_REPR.search(t)], f"{where}: a widget shows as its repr"


@pytest.fixture(scope="module")
def saved_notebook(lab):
    """A small notebook with both widgets, executed and saved as nbconvert --execute would."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SAVED)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(lab.root)}}).execute(env=lab.env)
    assert "widgets" in notebook.metadata  # the widget state nbclient stores
    return notebook


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "trusted"])
def test_a_saved_widget_says_to_run_the_cell(page, lab, artifacts, saved_notebook, trusted):
    name = f"saved_{'trusted' if trusted else 'untrusted'}.ipynb"
    nbformat.write(saved_notebook, lab.root / name)
    if trusted:
        NotebookNotary(data_dir=lab.env["JUPYTER_DATA_DIR"]).sign(saved_notebook)
        nbformat.write(saved_notebook, lab.root / name)
    texts = open_saved(page, lab, name)
    page.screenshot(path=str(artifacts / f"saved-{name}.png"), full_page=True)
    print(name, [t[:200] for t in texts])
    assert_tells_to_run(texts, name)
    assert not page.console.matching(*COURSE_WIDGET_ERRORS), page.console.messages
    if trusted:  # JupyterLab draws the saved widget state: dead controls, with the caption saying why
        assert sum("run this cell again" in t for t in texts) == 2
    else:  # untrusted: the text/html fallback (snapshot + what to do)
        assert sum("run this cell (shift+enter)" in t.lower() for t in texts) == 2


@pytest.mark.parametrize("notebook", notebooks_with_widgets(), ids=lambda p: p.stem)
def test_a_course_notebook_opened_without_running_says_to_run_the_cell(page, lab, artifacts, notebook):
    texts = open_saved(page, lab, notebook.name)
    page.screenshot(path=str(artifacts / f"saved-{notebook.stem}.png"), full_page=True)
    assert_tells_to_run(texts, notebook.name)

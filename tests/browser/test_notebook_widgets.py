"""Every notebook that has widgets, run in JupyterLab in Chromium as a learner would: Run All, wait
for the kernel, then check that no cell shows an error, that every widget renders as controls, and
that using a widget changes what it shows (see widget_scripts.py). Screenshots go to the folder
printed at the start of the session."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from browser.widget_scripts import INTERACTIONS, NOTEBOOK_SCRIPTS

REPO = Path(__file__).resolve().parents[2]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RUN_TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_RUN_TIMEOUT", "1200"))
WIDGET_REPR = re.compile(r"\b[A-Z]\w*\((children|value|layout)=")
COURSE_WIDGET_ERRORS = ("widget", "course_lib", "PoolingExplorer", "SearchWidget", "model not found")


def notebooks_with_widgets() -> list[Path]:
    """Notebooks whose stored outputs include a widget, so new ones are covered when they land."""
    found = []
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        outputs = (o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []))
        if any(WIDGET_VIEW in o.get("data", {}) for o in outputs):
            found.append(path)
    return found


NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.sessionContext || !panel.context.isReady) return null;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  return {
    kernel: panel.sessionContext.kernelDisplayStatus,
    pending: cells.filter(c => c.model.sharedModel.getSource().trim() !== ''
                               && (c.model.executionCount === null || c.model.executionState === 'running')).length,
    errors: cells.flatMap((c, i) => c.model.outputs.toJSON()
                 .filter(o => o.output_type === 'error').map(o => `code cell ${i + 1}: ${o.ename}: ${o.evalue}`)),
    widgetOutputs: cells.flatMap(c => c.model.outputs.toJSON()).filter(o => o.data && o.data['%s']).length,
  };
}""" % WIDGET_VIEW


def open_notebook(page, lab, name: str) -> None:
    page.goto(lab.notebook_url(name), wait_until="domcontentloaded", timeout=180_000)
    page.wait_for_function(f"({NOTEBOOK_STATE})()?.kernel === 'idle'", timeout=300_000, polling=500)


def run_all(page) -> dict:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator("li.lm-Menu-item[data-command='runmenu:run-all'], li.lm-Menu-item[data-command='notebook:run-all-cells']").first.click()
    page.wait_for_function(f"({NOTEBOOK_STATE})().pending > 0 || ({NOTEBOOK_STATE})().kernel === 'busy'",
                           timeout=60_000, polling=200)
    page.wait_for_function(
        f"(() => {{ const s = ({NOTEBOOK_STATE})(); return s.kernel === 'idle' && s.pending === 0; }})()",
        timeout=RUN_TIMEOUT_S * 1000, polling=1000,
    )
    return page.evaluate(NOTEBOOK_STATE)


def rendered_widgets(page) -> list:
    """Output nodes drawn by the widget renderer: its view inside, or the renderer's own error text."""
    return page.locator(".jp-OutputArea-output:has(> .jupyter-widgets), .jp-OutputArea-output.jupyter-widgets").all()


@pytest.mark.parametrize("notebook", notebooks_with_widgets(), ids=lambda p: p.stem)
def test_run_all_then_every_widget_renders_and_responds(page, lab, artifacts, notebook):
    open_notebook(page, lab, notebook.name)
    state = run_all(page)
    assert not state["errors"], f"{notebook.name}: cells show errors: {state['errors']}"
    assert state["widgetOutputs"] > 0, f"{notebook.name}: no widget output after Run All"

    page.wait_for_timeout(1000)  # let the widget views attach
    widgets = rendered_widgets(page)
    assert len(widgets) == state["widgetOutputs"]
    texts = page.locator(".jp-OutputArea-output").all_inner_texts()
    assert not [t for t in texts if "Error displaying widget" in t], "a widget failed to render"
    assert not [t for t in texts if WIDGET_REPR.search(t)], "a widget shows as its text repr"

    report = []
    for index, widget in enumerate(widgets):
        widget.scroll_into_view_if_needed()
        assert widget.locator(".jupyter-widgets").count() > 0, f"widget {index} has no controls"
        controls = widget.locator("input, select, button, .widget-slider, .widget-readout")
        shot = artifacts / f"{notebook.stem}-widget{index}"
        widget.screenshot(path=f"{shot}-before.png")
        interaction = next((i for i in INTERACTIONS if i.matches(widget)), None)
        if interaction is None:
            report.append(f"widget {index}: {controls.count()} controls, no interaction registered")
            continue
        assert controls.count() > 0, f"widget {index} ({interaction.name}) renders no controls"
        report.append(f"widget {index} ({interaction.name}): {interaction.run(page, widget)}")
        widget.screenshot(path=f"{shot}-after.png")
    NOTEBOOK_SCRIPTS.get(notebook.stem, lambda page, widgets: None)(page, widgets)
    print(f"{notebook.name}:", *report, sep="\n  ")

    after = page.evaluate(NOTEBOOK_STATE)
    assert not after["errors"], f"interacting raised: {after['errors']}"
    errors = page.console.matching(*COURSE_WIDGET_ERRORS)
    assert not errors, f"browser console errors from widgets: {errors}"

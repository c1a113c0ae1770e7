"""What a widget shows where it cannot run: a notebook opened without a live kernel, an untrusted
notebook, the course website, GitHub's viewer.

Jupyter front ends pick one representation from a widget's mime bundle. A live JupyterLab uses the
``application/vnd.jupyter.widget-view+json`` entry (the controls); everything else falls back to
``text/html`` or ``text/plain``. ipywidgets puts ``repr(widget)`` (``VBox(children=(...``) there;
:func:`widget_mimebundle` replaces it with a snapshot of what the widget showed and a sentence saying
how to bring it to life.
"""

from __future__ import annotations

import base64
import html
import re

import ipywidgets as widgets

RUN_THE_CELL = "Run this cell (Shift+Enter) in Jupyter with a running kernel to use the controls."
# A reopened notebook draws its widgets from the state saved with it: the controls show but nothing
# answers them until the cell runs again. This caption, part of the widget, says so.
STALE_HINT = "Controls not responding? The notebook was reopened: run this cell again (Shift+Enter)."


def stale_hint() -> widgets.HTML:
    """A small muted caption for the bottom of a widget (see STALE_HINT)."""
    return widgets.HTML(f"<small style='color:#666'>{html.escape(STALE_HINT)}</small>")


def widget_mimebundle(
    bundle: dict, name: str, snapshot_html: str, png: bytes = b"", snapshot_text: str | None = None
) -> dict:
    """``bundle`` (ipywidgets' own ``_repr_mimebundle_``) with readable ``text/plain`` and ``text/html``.

    ``name`` says what the widget is; ``snapshot_html`` (and ``snapshot_text``, by default the same
    without tags) describe its state when the notebook was run; ``png`` is its picture, if any.
    """
    if snapshot_text is None:
        snapshot_text = html.unescape(re.sub(r"<[^>]+>", "", snapshot_html))
    bundle = dict(bundle)
    bundle["text/plain"] = f"{name} (interactive widget; static snapshot below). {RUN_THE_CELL}\n{snapshot_text}"
    picture = (
        f"<img alt='{html.escape(name)}: snapshot' style='max-width:100%' "
        f"src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'/>"
        if png else ""
    )
    bundle["text/html"] = (
        f"<div class='course-widget-fallback'><p><b>{html.escape(name)}</b>: an interactive widget. "
        f"This is a static snapshot of what it showed when the notebook was run; {html.escape(RUN_THE_CELL[0].lower() + RUN_THE_CELL[1:])}</p>"
        f"{snapshot_html}{picture}</div>"
    )
    return bundle

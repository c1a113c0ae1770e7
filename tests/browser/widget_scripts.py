"""How the browser tests interact with each widget, and with particular notebooks.

``INTERACTIONS`` is tried in order on every rendered widget output: the first whose ``matches``
accepts the widget drives it and checks that its output changed. A widget that no entry matches
gets the generic check (pick another option in its first dropdown; the widget's text must change).
``NOTEBOOK_SCRIPTS`` maps a notebook's file stem to extra checks run after the widget interactions
(``script(page, widgets)`` with ``widgets`` the list of widget output locators).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

NUMBER = re.compile(r"-?\d+\.\d+")
WAIT_MS = 120_000  # one recomputation under heavy load


@dataclass(frozen=True)
class Interaction:
    name: str
    matches: Callable[[object], bool]
    run: Callable[[object, object], str]  # (page, widget) -> a one-line description of what changed


def _changed_text(page, locator, before: str) -> str:
    page.wait_for_function(
        "([el, before]) => el.innerText.trim() !== '' && el.innerText !== before",
        arg=[locator.element_handle(), before], timeout=WAIT_MS,
    )
    return locator.inner_text()


def _pooling_explorer(page, widget) -> str:
    dropdown = widget.locator("select").first
    readout = widget.locator(".widget-html-content").first
    before = readout.inner_text()
    method_before, cosine_before = before.split()[0], NUMBER.findall(before)[-1]
    target = next(o for o in dropdown.locator("option").all_inner_texts() if o.strip() != method_before)
    dropdown.select_option(label=target)
    after = _changed_text(page, readout, before)
    method_after, cosine_after = after.split()[0], NUMBER.findall(after)[-1]
    assert method_after == target, f"readout names {method_after!r} after choosing {target!r}: {after!r}"
    assert cosine_after != cosine_before, f"cosine stayed {cosine_before} from {method_before} to {target}"
    return f"{method_before} (cosine {cosine_before}) -> {method_after} (cosine {cosine_after})"


def _first_and_last_hit(widget) -> tuple[str, str]:
    rows = widget.locator("table tr")
    return rows.nth(1).locator("td").last.inner_text(), rows.last.locator("td").last.inner_text()


def _search_widget(page, widget) -> str:
    """Query with the text of the current last hit: a corpus text is its own nearest neighbour."""
    first_before, last_before = _first_and_last_hit(widget)
    assert first_before != last_before, "the widget shows a single hit; use k >= 2 in the notebook"
    box = widget.locator("input[type=text]").first
    table = widget.locator(".widget-html-content").first
    before = table.inner_text()
    box.fill(last_before)
    box.press("Enter")
    _changed_text(page, table, before)
    first_after, _ = _first_and_last_hit(widget)
    assert first_after == last_before, f"query {last_before!r} gave first hit {first_after!r}"
    return f"first hit {first_before!r} -> {first_after!r}"


def _any_dropdown(page, widget) -> str:
    dropdown = widget.locator("select").first
    before = widget.inner_text()
    current = dropdown.input_value()
    values = dropdown.locator("option").evaluate_all("options => options.map(o => o.value)")
    target = next(v for v in values if v != current)
    dropdown.select_option(value=target)
    _changed_text(page, widget, before)
    return f"generic: dropdown {current!r} -> {target!r} changed the widget's text"


INTERACTIONS: list[Interaction] = [
    Interaction("pooling explorer", lambda w: w.locator("option", has_text="mean_sqrt_len").count() > 0, _pooling_explorer),
    Interaction("search widget", lambda w: w.locator("input[placeholder^='Type a query']").count() > 0, _search_widget),
    Interaction("any widget with a dropdown", lambda w: w.locator("select").count() > 0, _any_dropdown),
]



def _explorer_long_and_empty_sentences(page, widgets) -> None:
    """Notebook 02: at 256 tokens the picture stays short enough to keep the pooled strip in view,
    and an empty sentence leaves a message, not a broken-image icon."""
    explorer = next(w for w in widgets if INTERACTIONS[0].matches(w))
    sentence = explorer.locator("input[type=text]").first
    readout = explorer.locator(".widget-html-content").first
    picture = explorer.locator("img").first
    for n_words in (73, 254):  # + [CLS] and [SEP]: 75 and 256 tokens
        before = readout.inner_text()
        sentence.fill(" ".join(["word"] * n_words))
        sentence.press("Enter")
        assert f"{n_words + 2} tokens" in _changed_text(page, readout, before)
        page.wait_for_function("img => img.complete && img.naturalHeight > 0", arg=picture.element_handle())
        height = picture.bounding_box()["height"]
        assert height <= 600, f"the explorer picture is {height:.0f} px tall at {n_words + 2} tokens"
    before = readout.inner_text()
    sentence.fill("")
    sentence.press("Enter")
    assert "Type a sentence" in _changed_text(page, readout, before)
    assert picture.is_hidden(), "an empty sentence must not leave an (empty, broken) image"


NOTEBOOK_SCRIPTS: dict[str, Callable[[object, list], None]] = {
    "02_pooling_methods": _explorer_long_and_empty_sentences,
}

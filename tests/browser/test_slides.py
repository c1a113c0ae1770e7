"""A teacher's slide deck (teaching/build_slides.py) renders offline in Chromium and advances (issue 16).

It runs in the browser suite so that it shares the suite's one Chromium session.
"""

from __future__ import annotations

import pytest
from test_teaching_slides import NO_NPM, _can_build, slides

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pooling_deck(tmp_path_factory):
    if not _can_build():
        pytest.skip(NO_NPM)
    (deck,) = slides.build(only=["02_"], out_dir=tmp_path_factory.mktemp("slides"))
    return deck


def test_deck_renders_and_advances_in_chromium(page, pooling_deck):
    online, errors = [], []
    page.set_viewport_size({"width": 1280, "height": 800})
    page.on("request", lambda r: online.append(r.url) if r.url.startswith(("http:", "https:")) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(pooling_deck.as_uri())
    page.wait_for_selector(".reveal.ready", timeout=30_000)
    first = page.inner_text(".slides > section.present")
    assert "pooling methods" in first.lower()
    page.wait_for_function("() => window.MathJax && window.MathJax.Hub", timeout=30_000)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.hash.startsWith('#/1')", timeout=10_000)
    second = page.inner_text(".slides > section.present")
    assert second and second != first
    assert page.locator(".slides > section").count() >= 5
    assert online == []
    assert errors == []

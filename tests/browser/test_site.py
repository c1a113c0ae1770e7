"""The course website: it builds offline (site/build.py), loads nothing from other hosts, and every
page renders in Chromium: a title, every image loaded, no broken internal link, formulas typeset.
Screenshots of every page go to the folder printed at the start of the session."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from browser.conftest import free_port, stop, wait_for_http

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("course_site_build", REPO / "site" / "build.py")
site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(site)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the site once per session (set COURSE_SITE_PREBUILT=1 to test an existing _build/html)."""
    if os.environ.get("COURSE_SITE_PREBUILT") != "1":
        has_mathjax = (site.MATHJAX_STATIC / "mathjax" / "tex-chtml.js").exists()
        if not has_mathjax and shutil.which("npm") is None:
            reason = "building the site needs npm once, to fetch MathJax (apt-get install -y npm)"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(reason, pytrace=False)
            pytest.skip(reason)
        result = subprocess.run(
            [sys.executable, str(REPO / "site" / "build.py"), "build"], cwd=REPO, capture_output=True, text=True
        )
        assert result.returncode == 0, f"site build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert (site.HTML / "index.html").exists(), "no built site in _build/html"
    return site.HTML


def test_the_toc_lists_every_notebook_present():
    pages = site.toc_pages()
    notebooks = sorted(p.with_suffix("").relative_to(REPO).as_posix() for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert pages[0] == "README" and [p for p in pages if p.startswith("notebooks/")] == notebooks


def test_the_toc_follows_the_files_present(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "ROOT", tmp_path)
    (tmp_path / "notebooks").mkdir()
    for name in ("01_b.ipynb", "00_a.ipynb", "scratch.ipynb"):
        (tmp_path / "notebooks" / name).write_text("{}")
    assert site.toc_pages() == ["README", "notebooks/00_a", "notebooks/01_b"]
    (tmp_path / "teaching").mkdir()
    for name in ("lesson_plan.md", "README.md", "slides.ipynb"):
        (tmp_path / "teaching" / name).write_text("# x")
    assert site.toc_pages()[3:] == ["teaching/README", "teaching/lesson_plan", "teaching/slides"]
    assert "caption: For teachers" in site.toc_yaml()


def test_the_built_site_loads_nothing_from_other_hosts_and_shows_no_widget_repr(built_site):
    problems = site.check(built_site)
    assert not problems, "\n".join(problems)


def test_the_check_catches_external_resources_and_widget_reprs(tmp_path):
    (tmp_path / "index.html").write_text(
        "<script src='https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js'></script>"
        "<link rel='stylesheet' href='//fonts.googleapis.com/css?family=Lato'>"
        "<style>@import url(https://fonts.example.org/a.css);</style><pre>PoolingExplorer(children=(Text(</pre>"
        "<a href='https://example.org/'>a link a reader follows is fine</a>"
    )
    problems = "\n".join(site.check(tmp_path))
    for needle in ("cdn.jsdelivr.net", "fonts.googleapis.com", "fonts.example.org", "text repr"):
        assert needle in problems
    assert "example.org/'" not in problems and "https://example.org/ " not in problems


@pytest.fixture(scope="session")
def site_server(built_site) -> str:
    port = free_port()
    log = built_site.parent / "site-server.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(built_site)],
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_http(url, process, log, timeout=60)
        yield url
    finally:
        stop(process)


def site_pages() -> list[str]:
    return ["index.html"] + [f"{page}.html" for page in site.toc_pages()]


PAGE_STATE = """() => ({
  title: document.title,
  h1: (document.querySelector('main h1, article h1, h1') || {}).textContent || '',
  images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  math: document.querySelectorAll('.math, span.math, div.math').length,
  typeset: document.querySelectorAll('mjx-container').length,
  mathErrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
})"""


def _missing_target(link: str, base: str, html_dir: Path) -> str | None:
    parsed = urlparse(link)
    if not link.startswith(base):
        return None  # another host: a link for the reader, not part of the site
    path = unquote(parsed.path[len(urlparse(base).path):]) or "index.html"
    target = html_dir / path
    if target.is_dir():
        target = target / "index.html"
    if not target.exists():
        return f"{link}: no such file"
    if parsed.fragment and target.suffix == ".html":
        text = target.read_text(encoding="utf-8", errors="replace")
        if f'id="{parsed.fragment}"' not in text and f"id='{parsed.fragment}'" not in text:
            return f"{link}: no anchor #{parsed.fragment}"
    return None


@pytest.mark.parametrize("name", site_pages())
def test_every_page_renders(page, site_server, built_site, artifacts, name):
    page.goto(urljoin(site_server, name), wait_until="load", timeout=120_000)
    if name == "index.html":  # Jupyter Book's redirect to the landing page
        page.wait_for_url(re.compile(r"README\.html"), timeout=30_000)
    state = page.evaluate(PAGE_STATE)
    if state["math"]:
        page.wait_for_function(
            "n => document.querySelectorAll('mjx-container').length >= n", arg=state["math"], timeout=120_000
        )
        state = page.evaluate(PAGE_STATE)
    page.screenshot(path=str(artifacts / f"site-{name.replace('/', '_')}.png"), full_page=True)

    assert "The Art of Pooling Embeddings" in state["title"] and state["h1"].strip(), state["title"]
    broken_images = [image["src"][:120] for image in state["images"] if not image["ok"]]
    assert not broken_images, f"images that did not load: {broken_images}"
    broken_links = sorted({m for link in state["links"] if (m := _missing_target(link, site_server, built_site))})
    assert not broken_links, "broken internal links:\n" + "\n".join(broken_links)
    assert state["typeset"] >= state["math"] and not state["mathErrors"], state
    assert not page.console.messages, page.console.messages


def test_some_page_has_formulas_and_figures(built_site):
    pages = [built_site / p for p in site_pages()]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in pages if p.exists()]
    assert any('class="math' in t for t in texts), "no formula anywhere: is MathJax still wired up?"
    assert sum(t.count("<img") for t in texts) > 5 and sum(t.count("<table") for t in texts) > 3

"""Build one reveal.js slide deck per notebook, fully offline.

    python teaching/build_slides.py            # every notebook -> teaching/slides/_build/*.slides.html
    python teaching/build_slides.py 02 05      # only notebooks whose name starts with 02 or 05

The notebooks themselves are never modified. For each ``notebooks/*.ipynb`` (discovered, so new
chapters get a deck without any change here) the script works on a copy and tags its cells for
``nbconvert``'s slides exporter:

- a markdown cell that opens with ``#`` or ``##`` starts a new slide, ``###`` a sub-slide (down);
  long markdown continues on sub-slides, split at paragraph boundaries;
- every stored figure becomes its own sub-slide, without the code that drew it;
- code, text output and widgets are left out: the decks are for projecting the ideas and the
  figures, the notebook is for running them. Nothing is executed, so a deck builds in a second.

reveal.js, require.js, jQuery and MathJax come from a local copy, installed by ``npm`` from
``teaching/slides/package.json`` into ``teaching/.reveal/`` (git-ignored) the first time. The built
HTML is checked: any script, style sheet, image or frame loaded from http(s) fails the build.
Open a deck with any browser from the file system (arrow keys to move, ``s`` for speaker view).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NOTEBOOKS = REPO / "notebooks"
SLIDES = HERE / "slides"
OUT = SLIDES / "_build"
VENDOR = HERE / ".reveal"
MAX_MARKDOWN_CHARS = 900
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")


# ----------------------------------------------------------------------------------- JavaScript
def _pinned_packages() -> dict[str, str]:
    return json.loads((SLIDES / "package.json").read_text())["dependencies"]


def ensure_vendor(vendor: Path = VENDOR) -> Path:
    """Install the pinned reveal.js, require.js, jQuery and MathJax into ``vendor`` unless present."""
    modules = vendor / "node_modules"
    wanted = _pinned_packages()
    missing = []
    for name, version in wanted.items():
        manifest = modules / name / "package.json"
        if not manifest.exists() or json.loads(manifest.read_text()).get("version") != version:
            missing.append(f"{name}@{version}")
    if missing:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not installed: install Node.js (e.g. `apt-get install -y npm`) to build slides")
        vendor.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(vendor), "--no-save", "--no-audit", "--no-fund", *missing],
                       check=True, capture_output=True, text=True)
    return modules


# ---------------------------------------------------------------------------------- deck cells
def _heading_level(markdown: str) -> int:
    match = re.match(r"\s*(#{1,6})\s", markdown)
    return len(match.group(1)) if match else 0


def split_markdown(text: str, limit: int = MAX_MARKDOWN_CHARS) -> list[str]:
    """Split ``text`` into chunks of about ``limit`` characters at paragraph boundaries.

    A paragraph stays with the list that follows it ("After this notebook you can" + its bullets).
    """
    blocks: list[str] = []
    for paragraph in text.split("\n\n"):
        if blocks and re.match(r"\s*([-*+]|\d+\.)\s", paragraph):
            blocks[-1] += "\n\n" + paragraph
        else:
            blocks.append(paragraph)
    chunks = [blocks[0]]
    for block in blocks[1:]:
        if len(chunks[-1]) + len(block) + 2 > limit:
            chunks.append(block)
        else:
            chunks[-1] += "\n\n" + block
    return chunks


def deck_notebook(nb: nbformat.NotebookNode, source_name: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with only slide-worthy cells, tagged with ``slideshow.slide_type``."""
    deck = copy.deepcopy(nb)
    deck.metadata.pop("widgets", None)
    cells = []
    for cell in deck.cells:
        if cell.cell_type == "markdown":
            level = _heading_level(cell.source)
            slide_type = "slide" if level in (1, 2) or not cells else "subslide" if level == 3 else "-"
            # A cell with attached images stays whole: its attachments belong to it.
            chunks = [cell.source] if cell.get("attachments") else split_markdown(cell.source)
            for n, chunk in enumerate(chunks):
                part = nbformat.v4.new_markdown_cell(chunk)
                if cell.get("attachments"):
                    part["attachments"] = cell.attachments
                part.metadata["slideshow"] = {"slide_type": slide_type if n == 0 else "subslide"}
                cells.append(part)
        elif cell.cell_type == "code":
            figures = [out for out in cell.get("outputs", [])
                       if out.get("output_type") in ("display_data", "execute_result")
                       and any(kind in out.get("data", {}) for kind in IMAGE_TYPES)]
            if not figures:
                continue
            for out in figures:
                out["data"] = {k: v for k, v in out["data"].items() if k in IMAGE_TYPES}
            cell.outputs = figures
            cell.metadata["slideshow"] = {"slide_type": "subslide"}
            cells.append(cell)
    closing = nbformat.v4.new_markdown_cell(
        f"## Now run it\n\nOpen `notebooks/{source_name}` and run every cell: every number and figure "
        "in these slides is computed there."
    )
    closing.metadata["slideshow"] = {"slide_type": "slide"}
    deck.cells = cells + [closing]
    return deck


# ------------------------------------------------------------------------------- offline check
class _ResourceFinder(HTMLParser):
    """Collect every URL the page *loads* (scripts, style sheets, images, frames, modules)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and values.get("src"):
            self.loaded.append(values["src"])
        if tag == "link" and values.get("href"):
            self.loaded.append(values["href"])


_ONLINE = re.compile(r"\s*['\"]?(https?:)?//")


def _css_imports(css_path: Path, seen: set[Path]) -> list[str]:
    """URLs that a local style sheet pulls in through @import or url(...), following local imports."""
    if css_path in seen or not css_path.is_file():
        return []
    seen.add(css_path)
    urls = []
    for url in re.findall(r"""(?:@import\s+(?:url\()?|url\()\s*['"]?([^'")\s;]+)""", css_path.read_text(errors="replace")):
        if _ONLINE.match(url):
            urls.append(url)
        elif url.endswith(".css"):
            urls += _css_imports((css_path.parent / url).resolve(), seen)
    return urls


def external_resources(html: str, base: Path | None = None) -> list[str]:
    """Every http(s) or protocol-relative URL that ``html`` loads (links to read are fine).

    With ``base`` (the folder of the HTML file), local style sheets are read too, so a theme that
    @imports web fonts is caught.
    """
    finder = _ResourceFinder()
    finder.feed(html)
    urls = list(finder.loaded)
    if base is not None:
        seen: set[Path] = set()
        for url in finder.loaded:
            if not _ONLINE.match(url) and url.split("?")[0].endswith(".css"):
                urls += _css_imports((base / url.split("?")[0]).resolve(), seen)
    urls += re.findall(r"""import\s[^;]*?from\s+['"]([^'"]+)['"]""", html)
    urls += re.findall(r"""@import\s+(?:url\()?['"]?([^'")\s]+)""", html)
    urls += re.findall(r"""require\(\s*\{[^}]*\}\s*,\s*\[([^\]]*)\]""", html)
    return sorted({u.strip().strip("'\"") for u in urls if _ONLINE.match(u)})


# ------------------------------------------------------------------------------------- export
def _exporter(out_dir: Path, modules: Path):
    from nbconvert import SlidesExporter

    def rel(path: Path) -> str:
        return Path(os.path.relpath(path, out_dir)).as_posix()

    return SlidesExporter(
        template_name="offline_reveal",
        extra_template_basedirs=[str(SLIDES)],
        reveal_url_prefix=rel(modules / "reveal.js"),
        require_js_url=rel(modules / "requirejs" / "require.js"),
        jquery_url=rel(modules / "jquery" / "dist" / "jquery.min.js"),
        mathjax_url=rel(modules / "mathjax" / "MathJax.js") + "?config=TeX-AMS_CHTML-full,Safe",
        reveal_theme="white",  # its fonts are local; several other themes @import Google Fonts
        reveal_scroll=True,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def build(only: list[str] | None = None, notebooks: Path = NOTEBOOKS, out_dir: Path = OUT,
          vendor: Path = VENDOR) -> list[Path]:
    """Build a deck per notebook; return the HTML files. Fails if a deck would load anything online."""
    paths = sorted(p for p in notebooks.glob("*.ipynb") if not p.name.startswith("."))
    if only:
        paths = [p for p in paths if any(p.name.startswith(prefix) for prefix in only)]
    if not paths:
        raise ValueError(f"only: no notebook in {notebooks} starts with any of {only!r}")
    modules = ensure_vendor(vendor)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = _exporter(out_dir, modules)
    written = []
    for path in paths:
        deck = deck_notebook(nbformat.read(path, as_version=4), path.name)
        html, _ = exporter.from_notebook_node(deck, resources={"metadata": {"name": path.stem}})
        online = external_resources(html, out_dir)
        if online:
            raise RuntimeError(f"{path.name}: the deck would load from the network: {online}")
        target = out_dir / f"{path.stem}.slides.html"
        target.write_text(html, encoding="utf-8")
        slides = sum(1 for c in deck.cells if c.metadata["slideshow"]["slide_type"] in ("slide", "subslide"))
        print(f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}: {slides} slides")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="notebook name prefixes, e.g. 02 05 (default: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    build(args.only, out_dir=args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

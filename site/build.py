"""Build the course website (Jupyter Book 1, fully offline) and check it.

    python site/build.py            # table of contents + MathJax + jupyter-book build + check
    python site/build.py toc        # only write the table of contents
    python site/build.py check      # only check an existing build

The book's root is the repository: the landing page is README.md, one page per notebook found in
notebooks/ (so new notebooks appear without editing anything), and a teachers' part when
teaching/ exists. Notebooks are rendered from their committed outputs, never re-executed.
MathJax 3 is installed from npm into _build/ at build time (never committed) and served locally;
`check` fails when any page loads a script, stylesheet, font or image from another host.
Output: _build/html/index.html.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
BUILD = ROOT / "_build"
HTML = BUILD / "html"
GENERATED = BUILD / "site-config"
MATHJAX_VERSION = "3.2.2"
MATHJAX_NPM = BUILD / "npm"
MATHJAX_STATIC = BUILD / "mathjax-static"  # copied into the site as _static/mathjax/
PAGE_SUFFIXES = (".ipynb", ".md")


def _pages(folder: Path, first: str | None = None) -> list[str]:
    """Page paths (relative to the root, without suffix) in ``folder``, ``first`` first, then by name."""
    found = sorted(p for p in folder.glob("*") if p.suffix in PAGE_SUFFIXES and not p.name.startswith("."))
    found.sort(key=lambda p: (p.stem.lower() != (first or "").lower(), p.name))
    return [p.relative_to(ROOT).with_suffix("").as_posix() for p in found]


def toc_yaml() -> str:
    """The table of contents for the notebooks and teaching material present right now."""
    notebooks = [p for p in _pages(ROOT / "notebooks") if re.match(r"notebooks/\d\d_", p)]
    if not notebooks:
        raise SystemExit("site: no notebooks/NN_*.ipynb found")
    lines = ["format: jb-book", "root: README", "parts:", "  - caption: The course", "    chapters:"]
    lines += [f"      - file: {page}" for page in notebooks]
    teaching = ROOT / "teaching"
    if teaching.is_dir():
        pages = _pages(teaching, first="README")
        if pages:
            lines += ["  - caption: For teachers", "    chapters:"]
            lines += [f"      - file: {page}" for page in pages]
    return "\n".join(lines) + "\n"


def write_toc() -> Path:
    GENERATED.mkdir(parents=True, exist_ok=True)
    path = GENERATED / "_toc.yml"
    path.write_text(toc_yaml())
    return path


def install_mathjax() -> Path:
    """MathJax's es5 bundle from npm (once), staged so Sphinx copies it to _static/mathjax/."""
    target = MATHJAX_STATIC / "mathjax"
    if (target / "tex-chtml.js").exists():
        return target
    package = MATHJAX_NPM / "node_modules" / "mathjax"
    if not (package / "es5" / "tex-chtml.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("site: npm is needed once to fetch MathJax (apt-get install -y npm)")
        MATHJAX_NPM.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(MATHJAX_NPM), f"mathjax@{MATHJAX_VERSION}"],
            check=True,
        )
    shutil.copytree(package / "es5", target, dirs_exist_ok=True)
    return target


def write_config() -> Path:
    """site/_config.yml plus the machine-specific absolute path of the local MathJax copy."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    text = (SITE / "_config.yml").read_text()
    text = text.replace("@MATHJAX_STATIC@", str(MATHJAX_STATIC))
    path = GENERATED / "_config.yml"
    path.write_text(text)
    return path


def build() -> None:
    toc, _ = write_toc(), install_mathjax()
    config = write_config()
    command = [
        sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(ROOT),
        "--config", str(config), "--toc", str(toc), "--path-output", str(ROOT), "--builder", "html",
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    write_index()


def write_index() -> None:
    """Jupyter Book's index.html is a bare redirect to README.html; give it a title and the icon."""
    (HTML / "index.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>The Art of Pooling Embeddings</title>"
        "<link rel='icon' href='_static/favicon.svg'/><meta http-equiv='Refresh' content='0; url=README.html'/>"
        "</head><body><a href='README.html'>The Art of Pooling Embeddings</a></body></html>\n"
    )


# --- check ---------------------------------------------------------------------------------------

class _Resources(HTMLParser):
    """URLs a page loads by itself (scripts, stylesheets, fonts, images, frames), not links a reader follows."""

    LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src", "embed": "src"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.LOADS and attrs.get(self.LOADS[tag]):
            self.urls.append(attrs[self.LOADS[tag]])
        if tag == "link" and attrs.get("href") and attrs.get("rel", "") not in ("canonical", "alternate"):
            self.urls.append(attrs["href"])


def _external(url: str) -> bool:
    parsed = urlparse(url.strip())
    return parsed.scheme in ("http", "https") or url.strip().startswith("//")


CSS_URL = re.compile(r"""(?:@import\s+|url\()\s*['"]?((?:https?:)?//[^'")\s]+)""")


def check(html_dir: Path = HTML) -> list[str]:
    """Problems with a built site: resources from other hosts, pages missing, raw widget reprs."""
    problems = []
    if not (html_dir / "index.html").exists():
        return [f"{html_dir}/index.html missing: build the site first"]
    for page in sorted(html_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        parser = _Resources()
        parser.feed(text)
        name = page.relative_to(html_dir)
        problems += [f"{name}: loads {url} from another host" for url in parser.urls if _external(url)]
        problems += [f"{name}: {m.group(1)} in inline CSS" for m in CSS_URL.finditer(text)]
        if re.search(r"\b[A-Z]\w*\(children=\(", text):
            problems.append(f"{name}: a widget shows as its text repr (re-execute the notebook so its fallback is stored)")
    for sheet in sorted(html_dir.rglob("*.css")):
        problems += [
            f"{sheet.relative_to(html_dir)}: loads {m.group(1)}"
            for m in CSS_URL.finditer(sheet.read_text(encoding="utf-8", errors="replace"))
        ]
    for page in toc_pages():
        if not (html_dir / f"{page}.html").exists():
            problems.append(f"{page}.html missing")
    return problems


def toc_pages() -> list[str]:
    """Every page of the site (root first), as paths relative to the repository without suffix."""
    return [line.split(":", 1)[1].strip() for line in toc_yaml().splitlines() if re.match(r"\s*(- file|root):", line)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", nargs="?", default="all", choices=["all", "toc", "build", "check"])
    step = parser.parse_args(argv).step
    if step == "toc":
        print(write_toc())
        return 0
    if step in ("all", "build"):
        build()
    if step in ("all", "check"):
        problems = check()
        for problem in problems:
            print("site check:", problem, file=sys.stderr)
        if problems:
            return 1
        print(f"site check: {len(list(HTML.rglob('*.html')))} pages, no external resources: {HTML / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

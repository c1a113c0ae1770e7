"""List every exercise in the notebooks and the call that reveals its solution.

    python teaching/exercise_index.py            # rewrites the "exercises" block of teaching/README.md
    python teaching/exercise_index.py --check    # exit 1 if the block is out of date

Notebooks are discovered (``notebooks/*.ipynb``); an exercise is a ``show_solution("name")`` call in
a code cell, titled by the nearest markdown heading above it. Exercise names come from the notebooks
themselves, so the guide never goes stale when they are renamed: re-run the script.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from guide_blocks import read_block, replace_block  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "teaching" / "README.md"
_CALL = re.compile(r"""show_solution\(\s*["']([A-Za-z_][\w]*)["']\s*\)""")


def find_exercises(notebooks: Path) -> list[tuple[str, str, str]]:
    """``(notebook file, exercise heading, solution name)`` for every exercise, in notebook order."""
    found = []
    for path in sorted(notebooks.glob("*.ipynb")):
        heading = ""
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                headings = re.findall(r"^#{1,6}\s+(.+)$", cell.source, flags=re.MULTILINE)
                if headings:
                    heading = headings[-1].strip()
            elif cell.cell_type == "code":
                for name in _CALL.findall(cell.source):
                    if (path.name, name) not in {(f, n) for f, _, n in found}:
                        found.append((path.name, heading, name))
    return found


def render(exercises: list[tuple[str, str, str]]) -> str:
    lines = ["| notebook | exercise | reveal the solution in the notebook |", "| --- | --- | --- |"]
    for notebook, heading, name in exercises:
        lines.append(f"| [`{notebook}`](../notebooks/{notebook}) | {heading} | `show_solution(\"{name}\")` |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks")
    parser.add_argument("--guide", type=Path, default=GUIDE)
    parser.add_argument("--check", action="store_true", help="only check that the guide is up to date")
    args = parser.parse_args(argv)
    block = render(find_exercises(args.notebooks))
    text = args.guide.read_text()
    if args.check:
        if read_block(text, "exercises") != block:
            print(f"{args.guide}: the exercises block is out of date; run python teaching/exercise_index.py")
            return 1
        return 0
    args.guide.write_text(replace_block(text, "exercises", block))
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())

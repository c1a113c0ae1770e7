"""README's "The blog, checked" ledger: every row has a verdict, and every notebook and section it links exists.

A link reads ``[NN · <heading text>](notebooks/NN_name.ipynb)``: the file must exist, its number must be
NN, and one of its markdown cells must have a heading whose text is exactly ``<heading text>``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
VERDICTS = {"holds", "holds, with a nuance", "holds (small sample)", "wrong"}
LINK = re.compile(r"\[(\d\d) · ((?:`[^`]*`|[^\]`])+)\]\((notebooks/[^)]+\.ipynb)\)")  # `[CLS]` may be in a heading


def ledger_rows() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## The blog, checked\n(.*?)(?=^## )", text, flags=re.M | re.S)
    assert match, "README.md has no '## The blog, checked' section"
    lines = [line for line in match.group(1).splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[1:]]  # skip the header
    assert len(rows) >= 10, f"expected the ledger to cover the blog's claims, found {len(rows)} rows"
    return rows


def headings(notebook: Path) -> set[str]:
    cells = nbformat.read(notebook, as_version=4).cells
    return {line.lstrip("#").strip() for c in cells if c.cell_type == "markdown"
            for line in c.source.splitlines() if line.startswith("#")}


def test_every_row_has_a_claim_a_verdict_a_number_and_a_link():
    for row in ledger_rows():
        assert len(row) == 4, row
        claim, verdict, number, where = row
        assert claim and re.search(r"\d", number), row
        assert verdict in VERDICTS, f"unknown verdict {verdict!r} in {row}"
        assert LINK.search(where), f"no notebook link in {where!r}"


LINKS = sorted({m.groups() for row in ledger_rows() for m in LINK.finditer(row[3])})


@pytest.mark.parametrize("number, heading, path", LINKS, ids=[f"{n}:{h[:30]}" for n, h, _ in LINKS])
def test_linked_notebook_and_section_exist(number, heading, path):
    notebook = ROOT / path
    assert notebook.is_file(), f"{path} does not exist"
    assert notebook.name.startswith(number + "_"), f"link text says {number}, file is {notebook.name}"
    assert heading in headings(notebook), f"{notebook.name} has no section headed {heading!r}"

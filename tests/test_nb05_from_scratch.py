"""Notebook 05 builds the six measures from scratch; they must equal course_lib.similarity's."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import torch

from course_lib.similarity import pairwise

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_similarity_measures.ipynb"
MARKER = "# Built from scratch"


@pytest.fixture(scope="module")
def measures_by_hand():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code" and c.source.startswith(MARKER)]
    assert len(cells) == 1, f"expected one code cell starting with {MARKER!r} in {NOTEBOOK.name}"
    namespace: dict = {}
    exec(cells[0].source, namespace)
    return namespace["measures_by_hand"]


def test_the_notebook_defines_all_six(measures_by_hand):
    assert set(measures_by_hand) == {"cosine", "dot", "euclidean", "manhattan", "minkowski", "chebyshev"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_by_hand_equals_course_lib(measures_by_hand, seed):
    generator = torch.Generator().manual_seed(seed)
    a, b = torch.randn(384, generator=generator) * 3, torch.randn(384, generator=generator)
    for name, by_hand in measures_by_hand.items():
        p = 3 if name == "minkowski" else None
        torch.testing.assert_close(by_hand(a, b), pairwise(a, b, name, p=p)[0, 0], rtol=1e-5, atol=1e-5)
    for p in (1, 1.5, 2, 7):
        torch.testing.assert_close(measures_by_hand["minkowski"](a, b, p), pairwise(a, b, "minkowski", p=p)[0, 0])

"""The Otter-Grader assignments build, and grade without Docker: full, partial and zero scores.

For every assignment in teaching/assignments/ (discovered), `otter assign` builds the student and
autograder versions (and checks the solutions pass every test); then a correct submission (the
solutions notebook), a partially correct one (only the first question answered) and an empty one
(the student notebook as handed out) are graded with Otter's non-containerised grader.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("otter", reason="otter-grader is not installed")

REPO = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "teaching" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


assignments = _load("assignments")
NAMES = sorted(assignments.discover_assignments())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return assignments.build(out=tmp_path_factory.mktemp("assignments_build"))


def _question_names(nb) -> list[str]:
    return [cell.source.split('"')[1] for cell in nb.cells
            if cell.cell_type == "code" and cell.source.startswith("grader.check(")]


def _answer_cells(nb) -> list[int]:
    """Indices of the cells that hold a learner's answer (the cell before each grader.check)."""
    return [i - 1 for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and cell.source.startswith("grader.check(")]


def _submissions(target: Path, name: str, folder: Path) -> Path:
    student = nbformat.read(target / "student" / f"{name}.ipynb", as_version=4)
    solutions = nbformat.read(target / "autograder" / f"{name}.ipynb", as_version=4)
    student_answers, solution_answers = _answer_cells(student), _answer_cells(solutions)
    assert len(student_answers) == len(solution_answers) >= 3
    folder.mkdir()
    nbformat.write(solutions, folder / "correct.ipynb")
    nbformat.write(student, folder / "empty.ipynb")
    partial = nbformat.read(target / "student" / f"{name}.ipynb", as_version=4)
    partial.cells[student_answers[0]].source = solutions.cells[solution_answers[0]].source
    nbformat.write(partial, folder / "partial.ipynb")
    return folder


def test_student_version_has_no_solutions_and_no_hidden_tests(built):
    for name in NAMES:
        student = built[name] / "student"
        text = (student / f"{name}.ipynb").read_text()
        assert "SOLUTION" not in text
        public_tests = "".join(p.read_text() for p in (student / "tests").glob("*.py"))
        assert "'hidden': True" not in public_tests
        hidden_tests = "".join(p.read_text() for p in (built[name] / "autograder" / "tests").glob("*.py"))
        assert "'hidden': True" in hidden_tests, f"{name} has no hidden test"
        assert (built[name] / "autograder.zip").stat().st_size > 0


@pytest.mark.parametrize("name", NAMES)
def test_grading_without_docker_gives_full_partial_and_zero(built, name, tmp_path):
    folder = _submissions(built[name], name, tmp_path / "submissions")
    csv_path = tmp_path / "grades.csv"
    rows = {row["submission"]: row for row in
            assignments.grade_folder(built[name] / "autograder.zip", folder, csv_path)}
    questions = _question_names(nbformat.read(built[name] / "student" / f"{name}.ipynb", as_version=4))
    possible = rows["correct.ipynb"]["possible"]
    assert possible > 0
    assert rows["correct.ipynb"]["total"] == possible
    assert rows["empty.ipynb"]["total"] == 0
    first = questions[0]
    assert rows["partial.ipynb"][first] > 0
    assert 0 < rows["partial.ipynb"]["total"] == rows["partial.ipynb"][first] < possible
    with open(csv_path) as handle:
        written = list(csv.DictReader(handle))
    assert [row["submission"] for row in written] == ["correct.ipynb", "empty.ipynb", "partial.ipynb"]
    assert set(questions) <= set(written[0])


def test_hidden_tests_catch_what_public_tests_miss(built, tmp_path):
    """An unmasked mean passes the public shape test but must lose the hidden padded-batch points."""
    name = "a1_pooling_from_scratch"
    student = nbformat.read(built[name] / "student" / f"{name}.ipynb", as_version=4)
    first = _answer_cells(student)[0]
    student.cells[first].source = (
        "def mean_pool(token_embeddings, attention_mask):\n    return token_embeddings.mean(dim=1)"
    )
    folder = tmp_path / "subs"
    folder.mkdir()
    nbformat.write(student, folder / "unmasked.ipynb")
    csv_path = tmp_path / "grades.csv"
    assert assignments.main(["grade", name, str(folder), "-o", str(csv_path), "--build", str(built[name].parent)]) == 0
    with open(csv_path) as handle:
        (row,) = list(csv.DictReader(handle))
    assert 0 < float(row["q1_mean_pool"]) < 3


def test_learners_can_run_otter_check(built, tmp_path):
    """`otter check` on a finished notebook, from the student folder, reports every public test passing."""
    name = NAMES[0]
    work = tmp_path / "learner"
    shutil.copytree(built[name] / "student", work)
    solutions = json.loads((built[name] / "autograder" / f"{name}.ipynb").read_text())
    (work / f"{name}.ipynb").write_text(json.dumps(solutions))
    done = subprocess.run([sys.executable, "-m", "otter", "check", f"{name}.ipynb"],
                          cwd=work, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "All tests passed" in done.stdout or "passed" in done.stdout.lower(), done.stdout[-2000:]


def test_unknown_assignment_is_a_clear_error():
    with pytest.raises(ValueError, match="assignment: expected one of"):
        assignments.build(["no_such_assignment"])

"""Distribution with nbgitpuller never overwrites a learner's work.

Uses nbgitpuller's own pull logic (``nbgitpuller.pull.GitPuller``, what the ``git-pull`` link runs)
against a local git remote standing in for the course repository, and checks the cases that
nbgitpuller documents in "Automatic Merging Behavior"
(https://nbgitpuller.readthedocs.io/en/latest/topic/automatic-merging.html):
the instructor's changes arrive, the learner's edits and files are kept, the learner's version wins
when both changed the same lines, a deleted file comes back, and a learner's file that collides
with a new course file is renamed with a timestamp rather than overwritten.
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

pytest.importorskip("nbgitpuller", reason="nbgitpuller is not installed")
from nbgitpuller.pull import GitPuller  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
GIT_ID = ["-c", "user.name=Course Team", "-c", "user.email=course@example.org"]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *GIT_ID, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _notebook(title: str, code: str) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [new_markdown_cell(f"# {title}"), new_markdown_cell("Intro text."), new_code_cell(code),
                new_markdown_cell("## Exercise"), new_code_cell("answer = ...")]
    return nb


def _publish(course: Path, message: str) -> None:
    _git(course, "add", "-A")
    _git(course, "commit", "-q", "-m", message)


def _pull(course: Path, learner: Path) -> list[str]:
    return list(GitPuller(f"file://{course}", str(learner), branch="main").pull())


@pytest.fixture()
def course_and_learner(tmp_path):
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    _git(course, "init", "-q", "-b", "main")
    nbformat.write(_notebook("01 · Tokens", "x = 1"), course / "notebooks" / "01.ipynb")
    nbformat.write(_notebook("02 · Pooling", "y = 2"), course / "notebooks" / "02.ipynb")
    _publish(course, "course v1")
    learner = tmp_path / "home" / "course"
    _pull(course, learner)
    assert (learner / "notebooks" / "01.ipynb").exists()
    return course, learner


def test_update_arrives_and_learner_work_is_kept(course_and_learner):
    course, learner = course_and_learner
    # The learner answers the exercise in 01 and adds a file of their own.
    mine = nbformat.read(learner / "notebooks" / "01.ipynb", as_version=4)
    mine.cells[4].source = "answer = 42  # my work"
    nbformat.write(mine, learner / "notebooks" / "01.ipynb")
    (learner / "notebooks" / "my_notes.md").write_text("what I learned\n")
    # The course fixes a typo in 01's title (other lines) and publishes a new notebook.
    theirs = nbformat.read(course / "notebooks" / "01.ipynb", as_version=4)
    theirs.cells[0].source = "# 01 · Tokens and ids"
    nbformat.write(theirs, course / "notebooks" / "01.ipynb")
    nbformat.write(_notebook("03 · Why", "z = 3"), course / "notebooks" / "03.ipynb")
    _publish(course, "course v2")

    _pull(course, learner)

    merged = nbformat.read(learner / "notebooks" / "01.ipynb", as_version=4)
    assert merged.cells[4].source == "answer = 42  # my work"      # learner's edit kept
    assert merged.cells[0].source == "# 01 · Tokens and ids"        # course's edit merged in
    assert (learner / "notebooks" / "my_notes.md").read_text() == "what I learned\n"
    assert nbformat.read(learner / "notebooks" / "03.ipynb", as_version=4).cells[0].source == "# 03 · Why"
    nbformat.validate(merged)


def test_same_lines_changed_on_both_sides_keeps_the_learners_version(course_and_learner):
    course, learner = course_and_learner
    mine = nbformat.read(learner / "notebooks" / "02.ipynb", as_version=4)
    mine.cells[4].source = "answer = 'learner'"
    nbformat.write(mine, learner / "notebooks" / "02.ipynb")
    theirs = nbformat.read(course / "notebooks" / "02.ipynb", as_version=4)
    theirs.cells[4].source = "answer = 'instructor'"
    theirs.cells[1].source = "Intro text, revised."
    nbformat.write(theirs, course / "notebooks" / "02.ipynb")
    _publish(course, "course v2")

    _pull(course, learner)

    merged = nbformat.read(learner / "notebooks" / "02.ipynb", as_version=4)
    assert merged.cells[4].source == "answer = 'learner'"           # the learner wins the conflict
    assert merged.cells[1].source == "Intro text, revised."          # the rest of the update arrives
    nbformat.validate(merged)


def test_deleted_file_comes_back_and_colliding_file_is_renamed(course_and_learner):
    course, learner = course_and_learner
    (learner / "notebooks" / "02.ipynb").unlink()                   # "start over" on 02
    (learner / "notebooks" / "03.ipynb").write_text("learner's own 03\n")
    nbformat.write(_notebook("03 · Why", "z = 3"), course / "notebooks" / "03.ipynb")
    _publish(course, "course v2")

    log = _pull(course, learner)

    assert nbformat.read(learner / "notebooks" / "02.ipynb", as_version=4).cells[0].source == "# 02 · Pooling"
    assert nbformat.read(learner / "notebooks" / "03.ipynb", as_version=4).cells[0].source == "# 03 · Why"
    renamed = list((learner / "notebooks").glob("03__*.ipynb"))
    assert len(renamed) == 1 and renamed[0].read_text() == "learner's own 03\n"
    assert any("to avoid conflict with upstream" in line for line in log)


def _link_module():
    spec = importlib.util.spec_from_file_location("nbgitpuller_link", REPO / "teaching" / "nbgitpuller_link.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_link_is_encoded_for_the_hub():
    link = _link_module().nbgitpuller_link("https://hub.example.edu/", "https://github.com/o/art-of-pooling.git")
    assert link == (
        "https://hub.example.edu/hub/user-redirect/git-pull?"
        "repo=https%3A%2F%2Fgithub.com%2Fo%2Fart-of-pooling.git"
        "&urlpath=lab%2Ftree%2Fart-of-pooling%2Fnotebooks%2F00_setup.ipynb&branch=main"
    )


def test_link_rejects_bad_input():
    make = _link_module().nbgitpuller_link
    with pytest.raises(ValueError, match="hub: expected an http"):
        make("hub.example.edu", "https://github.com/o/r")
    with pytest.raises(TypeError, match="repo: expected a string"):
        make("https://hub.example.edu", None)
    with pytest.raises(ValueError, match="interface: expected one of"):
        make("https://hub.example.edu", "https://github.com/o/r", interface="notebook")

"""Binder / repo2docker configuration: the image is built from the course's one tested set of pins."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _requirement_lines(path: Path, seen: tuple[Path, ...] = ()) -> list[str]:
    """Follow ``-r`` includes relative to each file, as pip does; return the requirement lines."""
    assert path.exists(), f"{path} is referenced but missing"
    assert path not in seen, f"{path} includes itself"
    lines = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            lines += _requirement_lines((path.parent / line[3:].strip()).resolve(), seen + (path,))
        elif line:
            lines.append(line)
    return lines


def test_binder_installs_the_pinned_course_requirements():
    binder = _requirement_lines(REPO / "binder" / "requirements.txt")
    assert binder == _requirement_lines(REPO / "requirements.txt")
    assert "torch==2.13.0" in binder and "-e ." in binder
    assert not (REPO / "binder" / "environment.yml").exists()  # would take precedence over requirements.txt


def test_binder_python_matches_environment_yml():
    runtime = (REPO / "binder" / "runtime.txt").read_text().strip()
    conda_python = re.search(r"python=(\d+\.\d+)", (REPO / "environment.yml").read_text()).group(1)
    assert runtime == f"python-{conda_python}"


def test_nothing_in_binder_downloads_at_start():
    # postBuild runs at build time and is allowed; a start script would run at every launch.
    assert not (REPO / "binder" / "start").exists()

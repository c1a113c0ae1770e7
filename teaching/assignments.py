"""Build the Otter-Grader assignments and grade a folder of submissions without Docker.

The master notebooks live in ``teaching/assignments/<name>/<name>.ipynb`` (Otter Assign format:
solutions, public tests and hidden tests in one notebook). Every folder there is discovered, so a
new assignment needs no change here.

    python teaching/assignments.py build                      # all assignments -> teaching/assignments/_build/
    python teaching/assignments.py build a2_similarity_measures
    python teaching/assignments.py grade a1_pooling_from_scratch path/to/submissions/ -o grades.csv

``build`` runs ``otter assign`` (which also runs the tests against the solutions) and writes, per
assignment, ``_build/<name>/student/<name>.ipynb`` (hand this out), ``_build/<name>/autograder/``
(the solutions notebook) and ``_build/<name>/autograder.zip`` (what grading needs). The generated
files are not committed (``.gitignore``).

``grade`` grades every ``*.ipynb`` in a folder with Otter's non-containerised grader
(``otter.api.grade_submission``, what ``otter run`` does), as on a JupyterHub without Docker, in
the current Python environment, and writes one CSV row per submission: a score per question, the
total, the points possible and the percentage.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
from pathlib import Path

from course_lib._checks import check_choice

HERE = Path(__file__).resolve().parent
ASSIGNMENTS = HERE / "assignments"
BUILD = ASSIGNMENTS / "_build"


def discover_assignments(folder: Path = ASSIGNMENTS) -> dict[str, Path]:
    """Map each assignment name to its master notebook ``<folder>/<name>/<name>.ipynb``."""
    found = {
        p.name: p / f"{p.name}.ipynb"
        for p in sorted(folder.iterdir())
        if p.is_dir() and not p.name.startswith(("_", ".")) and (p / f"{p.name}.ipynb").exists()
    }
    if not found:
        raise ValueError(f"no assignments found in {folder} (expected <name>/<name>.ipynb)")
    return found


def _resolve(names: list[str] | None, folder: Path) -> dict[str, Path]:
    available = discover_assignments(folder)
    if not names:
        return available
    for name in names:
        check_choice("assignment", name, sorted(available))
    return {n: available[n] for n in names}


def build(names: list[str] | None = None, out: Path = BUILD, run_tests: bool = True,
          folder: Path = ASSIGNMENTS) -> dict[str, Path]:
    """Run ``otter assign`` on each master notebook; return each assignment's output folder."""
    built = {}
    for name, master in _resolve(names, folder).items():
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        command = [sys.executable, "-m", "otter", "assign", master.name, str(target.resolve())]
        if not run_tests:
            command.append("--no-run-tests")
        done = subprocess.run(command, cwd=master.parent, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"otter assign failed for {name}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        zips = sorted((target / "autograder").glob("*.zip"))
        if len(zips) != 1:
            raise RuntimeError(f"expected one autograder zip in {target / 'autograder'}, found {zips}")
        shutil.copy(zips[0], target / "autograder.zip")
        print(f"{name}: student notebook {target / 'student' / master.name}, autograder {target / 'autograder.zip'}")
        built[name] = target
    return built


def grade_folder(autograder_zip: Path, submissions: Path, csv_path: Path | None = None) -> list[dict[str, object]]:
    """Grade every notebook in ``submissions`` without Docker; return (and optionally write) the rows."""
    from otter.api import grade_submission  # imported here: otter is only needed for grading

    if not Path(autograder_zip).exists():
        raise ValueError(f"autograder_zip: expected an existing file (run `build` first), got {autograder_zip}")
    paths = sorted(Path(submissions).glob("*.ipynb"))
    if not paths:
        raise ValueError(f"submissions: expected a folder with .ipynb files, got {submissions}")
    rows = []
    for path in paths:
        results = grade_submission(str(path), str(autograder_zip), quiet=True)
        row: dict[str, object] = {"submission": path.name}
        for question in sorted(results.test_files):
            row[question] = round(float(results.get_score(question)), 4)
        row.update(total=round(float(results.total), 4), possible=round(float(results.possible), 4),
                   percent=round(100 * float(results.total) / float(results.possible), 1))
        rows.append(row)
        print(f"{path.name}: {row['total']} / {row['possible']}")
    if csv_path is not None:
        fields = list(dict.fromkeys(key for row in rows for key in row))
        with open(csv_path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {csv_path}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="otter assign every (or the named) master notebook")
    b.add_argument("names", nargs="*")
    b.add_argument("--out", type=Path, default=BUILD)
    b.add_argument("--no-run-tests", action="store_true", help="skip checking the solutions against the tests")
    g = sub.add_parser("grade", help="grade a folder of submissions without Docker, write a CSV")
    g.add_argument("name")
    g.add_argument("submissions", type=Path)
    g.add_argument("-o", "--output", type=Path, default=Path("grades.csv"))
    g.add_argument("--build", type=Path, default=BUILD, help="where `build` wrote the assignments")
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.names, args.out, run_tests=not args.no_run_tests)
    else:
        _resolve([args.name], ASSIGNMENTS)
        grade_folder(args.build / args.name / "autograder.zip", args.submissions, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())

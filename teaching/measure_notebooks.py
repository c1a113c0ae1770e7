"""Measure every notebook's runtime and peak memory, and write the table the teacher's guide shows.

Each notebook in ``notebooks/*.ipynb`` (discovered, so new chapters are picked up) runs top to
bottom in a fresh Jupyter kernel, in memory (the files are not modified). For each one we record

- the wall time from starting the kernel to the end of the last cell (what a learner waits for
  after "Restart kernel and run all cells"), and
- the peak resident memory of the kernel process, read from ``/proc/<pid>/status`` (``VmHWM``,
  the kernel's high-water mark of resident memory, so short spikes between samples are not missed).

The table goes to ``teaching/runtimes.md`` and into the marked block of ``teaching/README.md``,
together with the machine, the load average before and after, the thread settings and whether the
real data (``COURSE_DATA_DIR``) was used. Never type these figures by hand: re-run

    python teaching/measure_notebooks.py                 # all notebooks, writes the table
    python teaching/measure_notebooks.py --only 02 05    # a subset, printed, files untouched

on a quiet machine (``uptime`` load average below 1) before quoting them.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from guide_blocks import replace_block  # noqa: E402

from course_lib._checks import check_number  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "teaching" / "README.md"


@dataclass
class Measurement:
    notebook: str
    seconds: float
    peak_rss_mb: float
    ok: bool
    error: str = ""


def discover_notebooks(folder: Path, only: list[str] | None = None) -> list[Path]:
    """Every ``*.ipynb`` in ``folder`` in name order, optionally only those whose name starts with one of ``only``."""
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if only:
        found = [p for p in found if any(p.name.startswith(prefix) for prefix in only)]
    if not found:
        raise ValueError(f"no notebooks found in {folder} (only={only!r})")
    return found


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of resident memory (``VmHWM``) of process ``pid``, in MB (10**6 bytes)."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, flags=re.MULTILINE)
    if match is None:
        raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")
    return int(match.group(1)) * 1024 / 1e6


def measure_notebook(path: Path, timeout: int = 900) -> Measurement:
    """Run ``path`` in a fresh kernel; return its wall time and the kernel's peak RSS."""
    nb = nbformat.read(path, as_version=4)
    state: dict[str, float | int] = {"peak": 0.0}
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )

    def on_start(**_: object) -> None:
        state["pid"] = client.km.provisioner.process.pid

    def on_cell(**_: object) -> None:
        state["peak"] = max(float(state["peak"]), peak_rss_mb(int(state["pid"])))

    client.on_notebook_start = on_start
    client.on_cell_executed = on_cell
    start = time.perf_counter()
    try:
        client.execute()
        ok, error = True, ""
    except CellExecutionError as exc:
        ok, error = False, str(exc).strip().splitlines()[-1][:120]
    seconds = time.perf_counter() - start
    return Measurement(path.name, seconds, float(state["peak"]), ok, error)


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _total_memory_gb() -> float:
    match = re.search(r"^MemTotal:\s+(\d+)\s+kB", Path("/proc/meminfo").read_text(), flags=re.MULTILINE)
    return int(match.group(1)) * 1024 / 1e9 if match else float("nan")


def learners_per_machine(peak_mb: float, machine_gb: float, reserve_gb: float = 2.0) -> int:
    """How many learner kernels at ``peak_mb`` fit on a machine with ``machine_gb``, keeping ``reserve_gb`` free."""
    check_number("peak_mb", peak_mb, low=0, low_inclusive=False)
    check_number("machine_gb", machine_gb, low=0)
    return max(0, int((machine_gb - reserve_gb) * 1000 // peak_mb))


def render_table(results: list[Measurement], load_before: tuple[float, ...], load_after: tuple[float, ...]) -> str:
    """The markdown block: context lines, one row per notebook, a total and a hub-sizing line."""
    data = os.environ.get("COURSE_DATA_DIR")
    threads = os.environ.get("OMP_NUM_THREADS", "unset (torch default)")
    lines = [
        f"Measured {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC at commit `{_git_commit()}` on "
        f"{os.cpu_count()} CPU cores, {_total_memory_gb():.0f} GB RAM, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}; "
        f"real data: {'yes (COURSE_DATA_DIR set)' if data else 'no (bundled data only)'}; "
        f"OMP_NUM_THREADS: {threads}.",
        "",
        f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)}."
        + (
            " **The machine was busy before the run (load ≥ 1): these times are inflated; re-run on a quiet machine.**"
            if load_before[0] >= 1
            else " The machine was quiet before the run (load < 1); the load after includes the notebooks' own work."
        ),
        "",
        "| notebook | wall time (s), fresh kernel, all cells | peak memory of the kernel (MB) | status |",
        "| --- | ---: | ---: | --- |",
    ]
    for r in results:
        status = "ok" if r.ok else f"failed: {r.error}"
        lines.append(f"| `{r.notebook}` | {r.seconds:.1f} | {r.peak_rss_mb:.0f} | {status} |")
    total = sum(r.seconds for r in results)
    heaviest = max(results, key=lambda r: r.peak_rss_mb)
    lines.append(f"| **whole course, one after another** | {total:.1f} | max {heaviest.peak_rss_mb:.0f} | |")
    lines.append("")
    sizes = ", ".join(
        f"{gb} GB → {learners_per_machine(heaviest.peak_rss_mb, gb)}" for gb in (8, 16, 32, 64, 128)
    )
    lines.append(
        f"Hub sizing from the heaviest notebook (`{heaviest.notebook}`, {heaviest.peak_rss_mb:.0f} MB), "
        f"learners per machine with 2 GB kept for the system, if every learner runs it at once: {sizes}. "
        "Each learner's Jupyter server adds its own memory on top; see the guide."
    )
    return "\n".join(lines) + "\n"


def write_outputs(block: str, table_path: Path, guide_path: Path | None) -> None:
    """Write ``block`` to ``table_path`` and into the marked block of ``guide_path`` (if it has one)."""
    table_path.write_text("# Measured runtime and peak memory per notebook\n\n" + block)
    if guide_path is None or not guide_path.exists():
        return
    guide_path.write_text(replace_block(guide_path.read_text(), "runtimes", block))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks", help="folder of notebooks")
    parser.add_argument("--only", nargs="*", help="name prefixes, e.g. 02 05 (prints, writes nothing)")
    parser.add_argument("--output", type=Path, default=REPO / "teaching" / "runtimes.md")
    parser.add_argument("--guide", type=Path, default=GUIDE, help="markdown file with the runtimes block")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args(argv)

    notebooks = discover_notebooks(args.notebooks, args.only)
    load_before = os.getloadavg()
    results = []
    for path in notebooks:
        result = measure_notebook(path, timeout=args.timeout)
        print(f"{result.notebook}: {result.seconds:.1f} s, peak {result.peak_rss_mb:.0f} MB"
              + ("" if result.ok else f", FAILED: {result.error}"), flush=True)
        results.append(result)
    block = render_table(results, load_before, os.getloadavg())
    print()
    print(block)
    if not args.only:
        write_outputs(block, args.output, args.guide)
        print(f"wrote {args.output}" + (f" and the block in {args.guide}" if args.guide.exists() else ""))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

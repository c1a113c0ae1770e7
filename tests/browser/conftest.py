"""Fixtures for the real-browser tests: Debian's Chromium driven by Playwright, and JupyterLab.

Every process a test starts is stopped by a finalizer, also when the test fails. Without
/usr/bin/chromium the tests skip with a reason; with ``CI=true`` a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def require_browser() -> None:
    """Skip (locally) or fail (CI=true) when Chromium or Playwright is missing."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} not found (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("playwright is not installed (pip install -r requirements.txt)")
    if problems:
        reason = "browser tests need Chromium and Playwright: " + "; ".join(problems)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: a missing browser is a failure)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """A fresh folder for screenshots; its path is printed so a failing run can be inspected."""
    folder = Path(tempfile.mkdtemp(prefix="course-browser-"))
    print(f"\nbrowser screenshots: {folder}", file=sys.stderr)
    return folder


@pytest.fixture(scope="session")
def browser(artifacts: Path) -> Iterator[object]:
    """A Chromium BrowserContext with a fresh user-data dir; closed at the end of the session."""
    require_browser()
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="course-chromium-profile-"))
    driver = sync_playwright().start()
    context = None
    try:
        context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
    finally:
        if context is not None:
            context.close()
        driver.stop()
        shutil.rmtree(profile, ignore_errors=True)


class Console:
    """Collects a page's console errors and uncaught exceptions."""

    def __init__(self, page) -> None:
        self.messages: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.messages.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))
        page.on("response", lambda r: r.status >= 400 and self.messages.append(f"HTTP {r.status}: {r.url}"))

    def matching(self, *needles: str) -> list[str]:
        return [m for m in self.messages if any(n.lower() in m.lower() for n in needles)]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.call_failed = report.failed


@pytest.fixture
def page(browser, artifacts: Path, request) -> Iterator[object]:
    """A new tab; on failure a full-page screenshot and the console log land in ``artifacts``."""
    page = browser.new_page()
    page.console = Console(page)
    try:
        yield page
    finally:
        if getattr(request.node, "call_failed", False):
            stem = artifacts / ("FAILED-" + re.sub(r"[^\w.-]+", "_", request.node.name))
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(page.content())
            except Exception as error:  # the page may be gone; the test's own error matters more
                print(f"no failure screenshot: {error}", file=sys.stderr)
            Path(f"{stem}-console.txt").write_text("\n".join(page.console.messages))
            print(f"failure screenshot: {stem}.png", file=sys.stderr)
        page.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """Stop ``process`` and its children (it leads its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


LAB_SETTINGS = {
    # Render every cell (no virtual scrolling), so the test sees all outputs at once.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # Never write to the notebooks under test, and never ask about news or updates (offline).
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


class Lab:
    def __init__(self, url: str, token: str, root: Path, env: dict[str, str]) -> None:
        self.url, self.token, self.root, self.env = url, token, root, env

    def notebook_url(self, name: str) -> str:
        return f"{self.url}lab/tree/{name}?token={self.token}&reset"


@pytest.fixture(scope="session")
def lab(browser) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 (random free port, token, temp config/runtime/settings dirs) serving a
    copy of notebooks/, so that running cells never touches the committed files."""
    home = Path(tempfile.mkdtemp(prefix="course-lab-"))
    root = home / "notebooks"
    shutil.copytree(REPO / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for relative, values in LAB_SETTINGS.items():
        target = home / "settings" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    port, token = free_port(), os.urandom(16).hex()
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_DATA_DIR=str(home / "data"),  # a fresh trust database: stored outputs open untrusted
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
    )
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.open_browser=False",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = home / "server.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_http(f"{url}api/status?token={token}", process, log)
        yield Lab(url, token, root, env)
    finally:
        stop(process)
        shutil.rmtree(home, ignore_errors=True)

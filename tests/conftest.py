"""Shared fixtures. The suite runs offline: hub access is switched off here, and pytest-socket
(``--allow-hosts`` in pyproject.toml) refuses any connection that leaves the machine."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from course_lib import data  # noqa: E402


@pytest.fixture(scope="session")
def model():
    from course_lib.models import load_model

    return load_model()


@pytest.fixture(scope="session")
def st_model():
    """The reference implementation: sentence-transformers on the same bundled weights."""
    from sentence_transformers import SentenceTransformer

    from course_lib.models import default_model_path

    return SentenceTransformer(str(default_model_path()), device="cpu")


def require_real_data(name: str = "stsbenchmark") -> None:
    """Skip the calling test, saying why, when COURSE_DATA_DIR does not hold ``name``."""
    if not data.has_real_data(name):
        pytest.skip(
            f"needs the real data folder {name}/ in COURSE_DATA_DIR (unset or missing here); "
            "`.ci/run` sets it to ../shared/data when that folder exists"
        )


@pytest.fixture
def no_open_figures_and_no_global_style():
    """For plotting tests: a helper must close its figure and leave matplotlib's global style alone."""
    import matplotlib
    import matplotlib.pyplot as plt

    plt.close("all")
    rc_before = matplotlib.rcParams.copy()
    yield
    assert plt.get_fignums() == [], "a helper left a figure open in pyplot"
    assert matplotlib.rcParams == rc_before, "a helper changed the global rcParams"

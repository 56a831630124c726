"""Shared test helpers: repository paths, real data (vendored and opt-in), goldens, running ``specc`` and git.

Environment variables the suite reads (all optional; a fresh clone alone passes without any of them):

* ``SPECDSL_REALDATA``: a folder laid out like ``shared/realdata`` (real files whose licence does not let us
  vendor them). Tests that take the ``realdata`` fixture run only when it is set and skip with the reason
  otherwise. ``pytest -m realdata`` selects just them.
* ``SPECDSL_CHROMIUM``: the chromium executable for the browser tests (default: ``chromium``,
  ``chromium-browser`` or ``google-chrome`` on PATH; the tests skip when there is none).
* ``SPECDSL_ARTIFACTS``: where tests leave files for a person to review (screenshots); default: pytest's
  temporary directory, never the checkout.
* ``SPECDSL_UPDATE_GOLDEN=1``: rewrite golden files instead of comparing with them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from hypothesis import HealthCheck, settings

# The machines that run the suite are shared and noisy (2 cores): a property's examples are judged by what
# they assert, never by how fast they happen to be drawn or run.
settings.register_profile("specdsl", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile("specdsl")

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
# Small real files by others, vendored with their licences; provenance in tests/data/README.md.
DATA = ROOT / "tests" / "data"

REALDATA_VARIABLE = "SPECDSL_REALDATA"
CHROMIUM_VARIABLE = "SPECDSL_CHROMIUM"
ARTIFACTS_VARIABLE = "SPECDSL_ARTIFACTS"
UPDATE_GOLDEN_VARIABLE = "SPECDSL_UPDATE_GOLDEN"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
# Flags for a headless browser in a container: no sandbox (often unavailable as root), nothing fetched.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"realdata: needs the non-vendorable real files named by ${REALDATA_VARIABLE}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that takes the ``realdata`` fixture, so ``-m realdata`` / ``-m 'not realdata'`` work."""
    for item in items:
        if "realdata" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)


# ---- real data ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The opt-in folder of real files that may not be vendored (CVAT urban scene, OpenLane, CULane, ...).

    Unset: the test skips and says how to run it. Set to something that is not a folder: the run fails, since a
    mistyped path would otherwise silently turn the whole opt-in suite into skips.
    """
    value = os.environ.get(REALDATA_VARIABLE, "")
    if not value:
        pytest.skip(f"set {REALDATA_VARIABLE}=/path/to/shared/realdata to run the tests on non-vendorable "
                    "real data")
    folder = Path(value).expanduser()
    if not folder.is_dir():
        pytest.fail(f"{REALDATA_VARIABLE}={value} is not a folder", pytrace=False)
    return folder.resolve()


# ---- goldens --------------------------------------------------------------------------------------------


def updating_goldens() -> bool:
    return os.environ.get(UPDATE_GOLDEN_VARIABLE) == "1"


def golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with a golden file byte for byte; ``SPECDSL_UPDATE_GOLDEN=1`` rewrites it instead."""
    if updating_goldens():
        path.write_bytes(actual.encode("utf-8"))
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing: run with {UPDATE_GOLDEN_VARIABLE}=1 to create it")
    assert actual == path.read_bytes().decode("utf-8"), f"output differs from {path}: diff it, regenerate if intended"


# ---- processes ------------------------------------------------------------------------------------------


def default_signals() -> None:
    """For ``preexec_fn``: a child that a test sends SIGINT acts on it even when pytest was started with SIGINT
    ignored (a background job of a non-interactive shell is), which the child would otherwise inherit."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_specc(*args: str | Path, cwd: Path | None = None, stdin: str | None = None,
              env: dict[str, str] | None = None, stdout: IO[str] | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a fresh process (exit code, stdout and stderr as a user sees them).
    ``stdout``: send the output to this file instead of capturing it (e.g. /dev/full to make writing fail)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "specdsl.cli.main", *map(str, args)], cwd=cwd or ROOT,
                          input=stdin, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=full_env, timeout=300)


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` with a throwaway identity and no signing; return stdout, raise on failure."""
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


# ---- the browser ----------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    """``$SPECDSL_CHROMIUM`` if set, else the first chromium-like browser on PATH."""
    configured = os.environ.get(CHROMIUM_VARIABLE)
    if configured:
        return shutil.which(configured)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """A headless chromium driven by playwright, shared by every HTML test; skips when either is missing."""
    configured = os.environ.get(CHROMIUM_VARIABLE)
    executable = find_chromium()
    if configured and executable is None:
        pytest.fail(f"{CHROMIUM_VARIABLE}={configured} is not an executable", pytrace=False)
    if executable is None:
        pytest.skip(f"no chromium on PATH ({', '.join(CHROMIUM_NAMES)}); install one or set {CHROMIUM_VARIABLE}")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Python playwright (pip install playwright)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests leave files for review: ``$SPECDSL_ARTIFACTS`` or a temporary folder, never the checkout."""
    configured = os.environ.get(ARTIFACTS_VARIABLE)
    if not configured:
        return tmp_path_factory.mktemp("artifacts")
    folder = Path(configured).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return folder

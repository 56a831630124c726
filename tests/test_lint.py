"""The code base stays lint-clean under the project's ruff settings (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

pytest.importorskip("ruff", reason="ruff is a dev dependency: pip install -e '.[dev]'")


def test_ruff_finds_nothing() -> None:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout

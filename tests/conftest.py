"""Shared test helpers: repository paths, the golden-file switch, running ``specc``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
REALDATA = ROOT.parent / "shared" / "realdata"
UPDATE_GOLDEN = bool(os.environ.get("SPECDSL_UPDATE_GOLDEN"))


def run_specc(*args: str, cwd: Path | None = None, stdin: str | None = None,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a fresh process."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "specdsl.cli.main", *args], cwd=cwd or ROOT, input=stdin,
                          capture_output=True, text=True, env=full_env, timeout=300)


def golden(path: Path, actual: str) -> None:
    """Compare with a golden file; ``SPECDSL_UPDATE_GOLDEN=1`` rewrites it instead."""
    if UPDATE_GOLDEN or not path.exists():
        if not UPDATE_GOLDEN:
            pytest.fail(f"golden file {path} is missing: run with SPECDSL_UPDATE_GOLDEN=1 to create it")
        path.write_text(actual, encoding="utf-8")
        return
    assert actual == path.read_text(encoding="utf-8"), f"output differs from {path}"

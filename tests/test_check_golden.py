"""Golden check cases: spec and export in, findings (JSON) out. ``SPECDSL_UPDATE_GOLDEN=1`` regenerates."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import golden, run_specc

CASES = sorted(p for p in (Path(__file__).parent / "golden" / "check").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_golden(case: Path) -> None:
    proc = run_specc("check", "spec.spec", "export.json", "--format", "json", "--progress", "none", cwd=case)
    assert proc.returncode in (0, 1), proc.stderr
    golden(case / "findings.json", proc.stdout)
    text = run_specc("check", "spec.spec", "export.json", "--progress", "none", cwd=case)
    golden(case / "findings.txt", text.stdout)

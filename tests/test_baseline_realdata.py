"""Check names that stay put, on the real CVAT urban-scene export (issue 9): a baseline written today still
hides every known finding after a `require` is inserted before the failing ones, and after the export is
renamed to tomorrow's dated name."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SPECS, run_specc

# Tightened so that the real export fails two constraints (137 cars and 31 signs) and one rule.
TIGHTEN = (("require area >= 100 ", "require area >= 100000 "), ("require area >= 16 ", "require area >= 5000 "))
INSERT = (("class car: mask {\n", "class car: mask {\n  require area >= 1\n"),
          ("class traffic_sign: box {\n", "class traffic_sign: box {\n  require width >= 1\n"))


def _edited(text: str, edits) -> str:
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def _check(work: Path, spec: str, export: str, *extra: str):
    return run_specc("check", spec, export, "--mapping", str(SPECS / "realdata" / "cvat_urban.toml"),
                     "--progress", "none", *extra, cwd=work)


def test_the_baseline_holds_after_an_inserted_require_and_a_renamed_export(realdata: Path, tmp_path: Path) -> None:
    spec = _edited((SPECS / "realdata" / "cvat_urban.spec").read_text(), TIGHTEN)
    (tmp_path / "today.spec").write_text(spec)
    (tmp_path / "inserted.spec").write_text(_edited(spec, INSERT))
    shutil.copy(realdata / "cvat-urban-scene" / "annotations.xml", tmp_path / "project-1-at-2026-11-25.xml")
    written = _check(tmp_path, "today.spec", "project-1-at-2026-11-25.xml", "--write-baseline", "base.json")
    assert written.returncode == 0, written.stderr
    assert "wrote 175 findings to base.json" in written.stderr
    (tmp_path / "project-1-at-2026-11-25.xml").rename(tmp_path / "project-1-at-2026-11-26.xml")
    for spec_name in ("today.spec", "inserted.spec"):
        held = _check(tmp_path, spec_name, "project-1-at-2026-11-26.xml", "--baseline", "base.json")
        assert held.returncode == 0, (spec_name, held.stdout, held.stderr)
        assert "175 known findings hidden by the baseline" in held.stderr
    moved = _check(tmp_path, "inserted.spec", "project-1-at-2026-11-26.xml", "--format", "concise")
    assert "car.require.2" in moved.stdout  # the inserted require did renumber the failing one

"""The grammar ships inside the wheel: a non-editable install runs ``specc`` from any directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT, SPECS


@pytest.mark.slow
def test_wheel_contains_the_grammar_and_runs_from_elsewhere(tmp_path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("specdsl-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "specdsl/grammars/spec.lark" in names
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import specdsl.syntax.parser as p, specdsl.cli.main as m;"
            "assert p.__file__.startswith(sys.argv[1]), p.__file__;"
            "assert 'spec NAME' in p.grammar_text() or 'header' in p.grammar_text();"
            "sys.exit(m.main(['compile', sys.argv[2]]))")
    proc = subprocess.run([sys.executable, "-I", "-c", code, str(unpacked), str(SPECS / "lanes.spec")],
                          cwd=elsewhere, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr

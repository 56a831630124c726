"""Golden compiler cases: spec in, rendered diagnostics (or the IR) out. ``SPECDSL_UPDATE_GOLDEN=1`` regenerates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import golden

from specdsl import ir
from specdsl.compiler import compile_source
from specdsl.diagnostics import render_all
from specdsl.source import Source

CASES = sorted((Path(__file__).parent / "golden" / "compile").glob("*.spec"))


def _output(path: Path) -> str:
    source = Source(f"{path.parent.name}/{path.name}", path.read_text(encoding="utf-8"))
    result = compile_source(source)
    if result.ok:
        return json.dumps(ir.to_json(result.spec), indent=1, sort_keys=True) + "\n"
    return render_all(result.source, result.diagnostics) + "\n"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_compile_golden(case: Path) -> None:
    golden(case.with_suffix(".out"), _output(case))


def test_every_error_is_reported_in_one_run() -> None:
    result = compile_source(Source("t.spec", (CASES[0].parent / "type_errors.spec").read_text()))
    codes = [d.code for d in result.diagnostics]
    assert len(codes) >= 10
    assert {"E0102", "E0104", "E0105", "E0107", "E0108", "E0111", "E0112", "E0113", "E0116", "E0118"} <= set(codes)


def test_diagnostics_carry_location_caret_and_hint() -> None:
    text = _output(CASES[0].parent / "type_errors.spec")
    assert "--> compile/type_errors.spec:14:39" in text
    assert "^^^^^^ not in enum LaneColor" in text
    assert "help: did you mean 'lane_line'?" in text
    assert "help: did you mean 'box'?" in text


def test_syntax_errors_are_all_reported() -> None:
    text = _output(CASES[0].parent / "syntax_errors.spec")
    assert text.count("error[E000") == 3
    assert "did you mean 'require'?" in text
    assert "unterminated string" in text

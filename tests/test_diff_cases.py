"""One case per change ID: tests/diff_cases/<ID>/old.spec, new.spec and the expected diff record.

Every case runs the whole pipeline (compile both versions, diff, impact on the shared labels
in tests/diff_cases/labels.json, or the case's own labels.json) and compares the JSON record of
docs CLI.md. Regenerate after an intended change: SPECDSL_UPDATE_GOLDEN=1 pytest tests/test_diff_cases.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import golden

from specdsl.compiler import compile_source
from specdsl.data import load_export
from specdsl.diff import KINDS, diff_specs
from specdsl.diff.impact import analyze_impact
from specdsl.diff.render import diff_document
from specdsl.source import Source

CASES = Path(__file__).parent / "diff_cases"
CASE_IDS = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def compile_case(case: Path, name: str):
    result = compile_source(Source(name, (case / name).read_text(encoding="utf-8")))
    assert result.spec is not None, [d.message for d in result.diagnostics]
    return result.spec


def case_document(case: Path) -> dict:
    old, new = compile_case(case, "old.spec"), compile_case(case, "new.spec")
    labels = case / "labels.json" if (case / "labels.json").exists() else CASES / "labels.json"
    impact = analyze_impact(load_export(labels), new, {old.version: old, new.version: new}, old.version)
    return diff_document(old, new, diff_specs(old, new), impact)


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_case_matches_expected(case_id: str) -> None:
    case = CASES / case_id
    golden(case / "expected.json", json.dumps(case_document(case), indent=2) + "\n")


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_case_produces_its_change(case_id: str) -> None:
    ids = {c["id"] for c in case_document(CASES / case_id)["changes"]}
    assert case_id in ids


def test_every_change_id_has_a_case() -> None:
    assert sorted(KINDS) == CASE_IDS


def test_every_change_id_is_documented() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "diff.md").read_text(encoding="utf-8")
    assert [i for i in KINDS if f"`{i}`" not in docs] == []

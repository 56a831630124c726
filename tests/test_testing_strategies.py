"""specdsl.testing: for every spec in the repository, drawn valid exports fire nothing (quotas aside) and each
check's drawn violations fire it. The checker judging them is the real one (``specc check``'s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, SPECS, run_specc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specdsl.compiler import compile_file
from specdsl.testing import checks_of, exports, findings_of, violations

SPEC_FILES = [*sorted(SPECS.glob("*.spec")), *sorted((SPECS / "realdata").glob("*.spec")),
              ROOT / "tests/golden/compile/valid_everything.spec"]
# Few examples each: the properties run for every spec and every check, on a shared machine.
FEW = settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
FEWER = settings(max_examples=2, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", SPEC_FILES, ids=_id)
def test_valid_exports_fire_no_check(path: Path) -> None:
    spec = compile_file(path)

    @FEW
    @given(exports(spec))
    def valid(export: dict) -> None:
        assert export["images"]
        assert findings_of(spec, export) == []

    valid()


CASES = [(path, check) for path in SPEC_FILES for check in checks_of(compile_file(path))]


@pytest.mark.parametrize(("path", "check"), CASES, ids=[f"{_id(p)}::{c}" for p, c in CASES])
def test_each_checks_violations_fire_it(path: Path, check: str) -> None:
    spec = compile_file(path)

    @FEWER
    @given(violations(spec, check))
    def fires(export: dict) -> None:
        assert check in {f.check for f in findings_of(spec, export)}

    fires()


def test_the_checks_cover_every_form_of_the_spec() -> None:
    spec = compile_file(ROOT / "tests/golden/compile/valid_everything.spec")
    checks = checks_of(spec)
    assert {str(c.check) for cls in spec.classes for c in cls.constraints} <= set(checks)
    assert {r.name for r in spec.rules} <= set(checks)
    assert {f"{cls.name}.{a.name}" for cls in spec.classes for a in cls.attributes} <= set(checks)
    assert {f"image.{a.name}" for a in spec.image_attributes} <= set(checks)
    assert "schema" in checks


def test_valid_exports_draw_every_class_and_geometry() -> None:
    spec = compile_file(ROOT / "tests/golden/compile/valid_everything.spec")
    seen: set[str] = set()

    @settings(max_examples=40)
    @given(exports(spec, max_objects=8))
    def collect(export: dict) -> None:
        seen.update(o["class"] for image in export["images"] for o in image["objects"])

    collect()
    assert seen == {c.name for c in spec.classes}


def test_a_drawn_export_checks_clean_through_the_command_line(tmp_path: Path) -> None:
    """What the strategy draws is a real native export: ``specc check`` reads it and finds nothing."""
    spec_path = SPECS / "lanes.spec"
    drawn: list[dict] = []

    @settings(max_examples=5)
    @given(exports(spec_path))
    def keep(export: dict) -> None:
        drawn.append(export)

    keep()
    export = tmp_path / "drawn.json"
    export.write_text(json.dumps(drawn[-1]))
    done = run_specc("check", spec_path, export)
    assert done.returncode == 0, done.stdout


def test_invalid_exports_fire_something() -> None:
    spec = compile_file(SPECS / "signs.spec")

    @FEW
    @given(exports(spec, valid=False))
    def broken(export: dict) -> None:
        assert findings_of(spec, export)

    broken()


def test_an_unknown_check_is_named() -> None:
    with pytest.raises(ValueError, match="unknown check 'lane_line.nope'"):
        violations(SPECS / "lanes.spec", "lane_line.nope")


@given(st.data())
@settings(max_examples=3)
def test_strategies_take_a_path_too(data: st.DataObject) -> None:
    export = data.draw(exports(SPECS / "lanes.spec", max_images=1))
    assert len(export["images"]) == 1

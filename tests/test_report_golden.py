"""Golden files for every renderer on one fixed report. Regenerate: SPECDSL_UPDATE_GOLDEN=1 pytest ..."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from conftest import golden

from specdsl.diagnostics import Diagnostic, Label, Severity
from specdsl.report import RENDERERS, RenderContext, github_step_summary, render, render_diagnostics_sarif
from specdsl.report.baseline import write_baseline
from specdsl.report.load import report_from_dict
from specdsl.report.locate import JsonLines
from specdsl.source import Source

GOLDEN = Path(__file__).parent / "golden" / "report"
INPUT = GOLDEN / "input"
EXPORTS = ("exports/batch7.json", "exports/batch8.jsonl")
EXTENSION = {"text": "txt", "concise": "txt", "json": "json", "jsonl": "jsonl", "sarif": "sarif",
             "github": "txt", "junit": "xml", "gitlab": "json"}


def fixture_report():
    return report_from_dict(json.loads((INPUT / "report.json").read_text(encoding="utf-8")))


def fixture_context(**overrides) -> RenderContext:
    """The fixture's findings name exports/…; their lines come from the real files in input/."""
    indexes = {name: JsonLines((INPUT / Path(name).name).read_text(encoding="utf-8")) for name in EXPORTS}
    ctx = RenderContext(spec_path="specs/lanes.spec", spec_text=(INPUT / "lanes.spec").read_text(encoding="utf-8"),
                        exports=EXPORTS, tool_version="0.0.0-test", docs_url="https://example.org/docs/lanes.html",
                        pointer_line=lambda src, pointer: indexes[src].line(pointer) if src in indexes else None)
    return dataclasses.replace(ctx, **overrides)


def check_golden(name: str, actual: str) -> None:
    golden(GOLDEN / name, actual)


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_renderer_matches_golden(name: str) -> None:
    check_golden(f"lanes.{name}.{EXTENSION[name]}", render(name, fixture_report(), fixture_context()))


def test_text_with_colour_matches_golden() -> None:
    check_golden("lanes.text-color.txt", render("text", fixture_report(), fixture_context(color=True)))


def test_junit_with_declared_checks_matches_golden() -> None:
    checks = ("schema", "lane_line.color", "lane_line.require.1", "lane_line.require.2", "orange_overrides_white",
              "dashed_is_one_line", "few_lines", "blinkers_on", "wet_images")
    ctx = fixture_context(checks=checks, fail_on="warning")
    check_golden("lanes.junit-checks.xml", render("junit", fixture_report(), ctx))


def test_step_summary_matches_golden() -> None:
    check_golden("lanes.step-summary.md", github_step_summary(fixture_report()))


def test_baseline_matches_golden(tmp_path: Path) -> None:
    write_baseline(tmp_path / "baseline.json", fixture_report())
    check_golden("lanes.baseline.json", (tmp_path / "baseline.json").read_text(encoding="utf-8"))


def typo_diagnostics() -> tuple[Source, list[Diagnostic]]:
    """The fixture spec with a typo'd class name in a rule, as the compiler would report it."""
    text = (INPUT / "lanes.spec").read_text(encoding="utf-8").replace("for w in lane_line", "for w in lane_lin")
    source = Source("specs/lanes.spec", text)
    start = text.index("lane_lin ")
    rule_start = text.index("rule orange_overrides_white")
    unknown = Diagnostic("E0201", Severity.ERROR, "unknown class 'lane_lin'",
                         Label(source.span(start, start + len("lane_lin")), "not a class of this spec"),
                         (Label(source.span(rule_start, rule_start + 4), "in this rule"),),
                         notes=("classes: lane_line, vehicle",), help="did you mean 'lane_line'?")
    dead = text.index("require false")
    warning = Diagnostic("W0301", Severity.WARNING, "this require can never hold",
                         Label(source.span(dead, dead + len("require false"))))
    return source, [unknown, warning]


def test_diagnostics_sarif_matches_golden() -> None:
    source, diagnostics = typo_diagnostics()
    check_golden("diagnostics.sarif", render_diagnostics_sarif(source, diagnostics, tool_version="0.0.0-test"))


def test_goldens_read_the_way_a_person_expects() -> None:
    """Spot checks that the goldens are right, not only unchanged."""
    text = render("text", fixture_report(), fixture_context())
    assert text.splitlines()[0] == "error[schema] schema: 1 finding"
    assert "  --> specs/lanes.spec:37:1\n  37 | rule orange_overrides_white: error {" in text
    assert "    ... and 4 more" in text
    assert text.rstrip().endswith("29 errors, 2 warnings, 1 info in 5 images (39 objects)")
    assert text.index("error[") < text.index("warning[") < text.index("info[")

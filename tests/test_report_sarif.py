"""SARIF 2.1.0 output, validated against the vendored OASIS schema (no network)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from specdsl.diagnostics import Diagnostic, Label, Severity
from specdsl.report import CheckReport, Finding, RenderContext, Summary, render, render_diagnostics_sarif
from specdsl.report.load import report_from_dict
from specdsl.report.locate import JsonLines
from specdsl.source import Source

TESTS = Path(__file__).parent
INPUT = TESTS / "golden" / "report" / "input"
SCHEMA = json.loads((TESTS / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)


def assert_valid_sarif(text: str) -> dict:
    document = json.loads(text)
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return document


def fixture_report() -> CheckReport:
    return report_from_dict(json.loads((INPUT / "report.json").read_text(encoding="utf-8")))


def export_lines(source: str, pointer: str) -> int | None:
    """Findings name exports/batch7.json; the file with that name is in the golden inputs."""
    return JsonLines((INPUT / Path(source).name).read_text(encoding="utf-8")).line(pointer)


def context(**kwargs) -> RenderContext:
    return RenderContext("specs/lanes.spec", exports=("exports/batch7.json", "exports/batch8.jsonl"), **kwargs)


def test_the_vendored_schema_is_the_oasis_one() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


@pytest.mark.parametrize("lines", [None, export_lines], ids=["no-lines", "with-lines"])
def test_findings_sarif_is_valid(lines) -> None:
    assert_valid_sarif(render("sarif", fixture_report(), context(pointer_line=lines)))


def test_empty_report_is_valid_sarif_with_no_results() -> None:
    document = assert_valid_sarif(render("sarif", CheckReport("lanes", 3, Summary(3, 10)), context()))
    assert document["runs"][0]["results"] == []
    assert document["runs"][0]["tool"]["driver"]["rules"] == []


def test_one_run_one_rule_per_fired_check() -> None:
    report = fixture_report()
    run, = json.loads(render("sarif", report, context(tool_version="9.9.9")))["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("specc", "9.9.9")
    assert [r["id"] for r in driver["rules"]] == sorted({f.check for f in report.findings})
    assert len(run["results"]) == len(report.findings)
    for result, finding in zip(run["results"], report.findings):
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"] == finding.check
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding.severity]
        assert result["message"]["text"].startswith(finding.message)
        assert result["properties"]["pointer"] == finding.pointer


def test_rule_description_and_help_uri() -> None:
    ctx = context(docs_url="https://example.org/lanes.html")
    rules = {r["id"]: r for r in json.loads(render("sarif", fixture_report(), ctx))["runs"][0]["tool"]["driver"]["rules"]}
    rule = rules["orange_overrides_white"]
    assert rule["shortDescription"]["text"].startswith("Where an orange line runs within 8 px")
    assert rule["helpUri"] == "https://example.org/lanes.html#rule-orange_overrides_white"
    assert "helpUri" not in rules["lane_line.require.2"]  # no help anchor on that finding
    no_docs = json.loads(render("sarif", fixture_report(), context()))["runs"][0]["tool"]["driver"]["rules"]
    assert all("helpUri" not in r for r in no_docs)


def test_data_location_points_at_the_export_and_the_spec_line() -> None:
    run = json.loads(render("sarif", fixture_report(), context(pointer_line=export_lines)))["runs"][0]
    result = next(r for r in run["results"] if r["ruleId"] == "orange_overrides_white")
    location, = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "exports/batch7.json"
    assert location["logicalLocations"] == [{"fullyQualifiedName": "/images/0/objects/1", "kind": "object"}]
    line = (INPUT / "batch7.json").read_text(encoding="utf-8").splitlines()[physical["region"]["startLine"] - 1]
    assert line.strip() == "{"  # the object itself opens on that line; the next names it
    next_line = (INPUT / "batch7.json").read_text(encoding="utf-8").splitlines()[physical["region"]["startLine"]]
    assert '"id": "a2"' in next_line
    spec, = result["relatedLocations"]
    assert spec["physicalLocation"]["artifactLocation"]["uri"] == "specs/lanes.spec"
    assert spec["physicalLocation"]["region"] == {"startLine": 37, "startColumn": 1}


def test_unknown_lines_are_the_top_of_the_file_and_quotas_have_no_logical_location() -> None:
    # Code scanning needs region.startLine on every result (sarif-sdk rule GH1003): line 1, no column.
    run = json.loads(render("sarif", fixture_report(), context()))["runs"][0]
    assert all(r["locations"][0]["physicalLocation"]["region"] == {"startLine": 1} for r in run["results"])
    quota = next(r for r in run["results"] if r["ruleId"] == "blinkers_on")
    assert "logicalLocations" not in quota["locations"][0]
    assert quota["properties"]["image"] is None


def test_fingerprints_ignore_positions_in_the_file() -> None:
    run = json.loads(render("sarif", fixture_report(), context()))["runs"][0]
    keys = [r["partialFingerprints"]["specc/v1"] for r in run["results"]]
    assert len(set(keys)) == len(keys)


def test_uris_are_relative_and_escaped_or_file_uris() -> None:
    finding = Finding("schema", "schema", "error", "x.jpg", (), "broken", "my exports/a#1.json", "/images/0",
                      "specs/lanes.spec@HEAD~1:3:5")
    report = CheckReport("lanes", 3, Summary(1, 1, 1), (finding,))
    absolute = CheckReport("lanes", 3, Summary(1, 1, 1), (dataclasses.replace(finding, source="/data/e.json"),))
    result = assert_valid_sarif(render("sarif", report, context()))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20exports/a%231.json"
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "specs/lanes.spec"
    result = assert_valid_sarif(render("sarif", absolute, context()))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///data/e.json"


def spec_with_typo() -> tuple[Source, list[Diagnostic]]:
    text = (INPUT / "lanes.spec").read_text(encoding="utf-8").replace("for w in lane_line", "for w in lane_lin")
    source = Source("specs/lanes.spec", text)
    start = text.index("lane_lin ")
    rule = text.index("rule orange_overrides_white")
    error = Diagnostic("E0201", Severity.ERROR, "unknown class 'lane_lin'",
                       Label(source.span(start, start + 8), "not a class"), (Label(source.span(rule, rule + 4), "here"),),
                       notes=("classes: lane_line, vehicle",), help="did you mean 'lane_line'?")
    note = Diagnostic("N0001", Severity.NOTE, "a note", Label(source.span(0, 4)))
    return source, [error, note]


def test_diagnostics_sarif_is_valid_with_exact_regions() -> None:
    source, diagnostics = spec_with_typo()
    run = assert_valid_sarif(render_diagnostics_sarif(source, diagnostics))["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["E0201", "N0001"]
    error, note = run["results"]
    assert (error["level"], note["level"]) == ("error", "note")
    region = error["locations"][0]["physicalLocation"]["region"]
    line = source.line_text(region["startLine"])
    assert line[region["startColumn"] - 1:region["endColumn"] - 1] == "lane_lin"
    assert region["snippet"]["text"] == "lane_lin"
    assert source.text[region["charOffset"]:][:region["charLength"]] == "lane_lin"
    assert error["message"]["text"].splitlines() == ["unknown class 'lane_lin'", "note: classes: lane_line, vehicle",
                                                     "help: did you mean 'lane_line'?"]
    related, = error["relatedLocations"]
    assert related["message"]["text"] == "here"
    assert related["physicalLocation"]["region"]["snippet"]["text"] == "rule"


def test_diagnostics_sarif_without_diagnostics_is_valid() -> None:
    run = assert_valid_sarif(render_diagnostics_sarif(Source("a.spec", "spec a version 1\n"), []))["runs"][0]
    assert run["results"] == []

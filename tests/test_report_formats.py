"""text, concise, json, jsonl, junit and gitlab: behaviour beyond the goldens."""

from __future__ import annotations

import dataclasses
import io
import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from specdsl.report import RENDERERS, CheckReport, Finding, RenderContext, Summary, render
from specdsl.report.finding import summarize
from specdsl.report.gitlab import gitlab_fingerprint
from specdsl.report.load import report_from_dict

INPUT = Path(__file__).parent / "golden" / "report" / "input"
EXPORTS = ("exports/batch7.json", "exports/batch8.jsonl")
SPEC_TEXT = (INPUT / "lanes.spec").read_text(encoding="utf-8")
FINDING_KEYS = {"check", "kind", "severity", "image", "objects", "message", "source", "pointer", "spec_location"}


def fixture_report() -> CheckReport:
    return report_from_dict(json.loads((INPUT / "report.json").read_text(encoding="utf-8")))


def ctx(**kwargs) -> RenderContext:
    return RenderContext("specs/lanes.spec", spec_text=SPEC_TEXT, exports=EXPORTS, **kwargs)


def report_of(*findings: Finding) -> CheckReport:
    return CheckReport("lanes", 3, summarize(10, 20, findings), tuple(findings))


def finding(check: str = "c", *, severity: str = "error", message: str = "broken", image: str | None = "i.jpg",
            objects: tuple[str, ...] = ("o1",), source: str = "exports/batch7.json", pointer: str = "/images/0",
            help: str | None = None) -> Finding:
    return Finding(check, "rule", severity, image, objects, message, source, pointer, "specs/lanes.spec:37:1", help)


def test_every_format_is_registered_and_unknown_ones_are_refused() -> None:
    assert list(RENDERERS) == ["text", "concise", "json", "jsonl", "sarif", "github", "junit", "gitlab"]
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render("xml", fixture_report(), ctx())


def test_json_is_the_cli_md_document() -> None:
    report = fixture_report()
    document = json.loads(render("json", report, ctx()))
    assert document == report.to_dict()
    assert set(document) == {"spec", "version", "summary", "findings"}
    assert set(document["summary"]) == {"images", "objects", "errors", "warnings", "infos"}
    for record in document["findings"]:
        assert set(record) - {"help"} == FINDING_KEYS
        assert ("help" in record) == (record["check"] in {"orange_overrides_white", "few_lines", "blinkers_on"})


def test_jsonl_is_one_finding_per_line_without_summary() -> None:
    report = fixture_report()
    lines = render("jsonl", report, ctx()).splitlines()
    assert [json.loads(line) for line in lines] == [f.to_dict() for f in report.findings]
    assert render("jsonl", report_of(), ctx()) == ""


def test_json_keeps_unicode_readable() -> None:
    text = render("json", report_of(finding(image="kreuzung/straße_ü.jpg")), ctx())
    assert "straße_ü" in text


def test_text_caps_each_check_and_says_how_many_more() -> None:
    text = render("text", fixture_report(), ctx(max_per_check=5))
    block = text.split("\n\n")[2]
    assert block.startswith("error[constraint] lane_line.require.2: 24 findings")
    assert len([line for line in block.splitlines() if "#/images/" in line or "#/0/" in line]) == 5
    assert block.splitlines()[-1] == "    ... and 19 more"


def test_text_rows_and_spec_line() -> None:
    text = render("text", report_of(finding(objects=("a7", "a9"), pointer="/images/17/objects/3")), ctx())
    assert "  --> specs/lanes.spec:37:1\n  37 | rule orange_overrides_white: error {\n" in text
    assert "    i.jpg  a7,a9  exports/batch7.json#/images/17/objects/3\n" in text
    no_spec = render("text", report_of(finding()), RenderContext("specs/lanes.spec"))
    assert "  --> specs/lanes.spec:37:1\n    i.jpg" in no_spec


def test_text_shows_each_message_when_a_check_has_several() -> None:
    text = render("text", report_of(finding(message="first"), finding(message="second", image="j.jpg")), ctx())
    header, *_ = text.splitlines()
    assert header == "error[rule] c: 2 findings"
    assert "    i.jpg  o1  exports/batch7.json#/images/0  first" in text
    assert "    j.jpg  o1  exports/batch7.json#/images/0  second" in text


def test_text_summary_line() -> None:
    assert render("text", report_of(), ctx()) == "no findings in 10 images (20 objects)\n"
    one = render("text", report_of(finding(severity="warning")), ctx())
    assert one.endswith("\n1 warning in 10 images (20 objects)\n")


def test_plain_text_escapes_control_characters_and_leaves_brackets() -> None:
    text = render("text", report_of(finding(image="evil\x1b[31m.jpg", message="[bold]x[/bold]\nnext")), ctx())
    assert "\x1b" not in text
    assert "evil\\x1b[31m.jpg" in text
    assert "  [bold]x[/bold]\\nnext" in text


def test_colour_text_is_rich_markup_that_prints_data_verbatim() -> None:
    report = report_of(finding(image="[red]img[/red].jpg", message="use [bold] tags"))
    markup = render("text", report, ctx(color=True))
    console = Console(file=io.StringIO(), record=True, width=200, color_system="truecolor", force_terminal=True)
    console.print(markup, end="", highlight=False)
    shown = console.export_text(clear=False)
    assert "[red]img[/red].jpg" in shown
    assert "use [bold] tags" in shown
    assert "error[rule] c: 1 finding" in shown
    assert "\x1b[1;31m" in console.export_text(styles=True)  # the severity is bold red


def test_concise_is_one_line_per_finding() -> None:
    report = fixture_report()
    lines = render("concise", report, ctx()).splitlines()
    assert len(lines) == len(report.findings)
    assert "exports/batch7.json#/images/0/objects/1: orange_overrides_white Where an orange line" in lines[2]
    assert render("concise", report_of(finding(message="a\nb", pointer="")), ctx()) == (
        "exports/batch7.json: c a\\nb\n")


def test_junit_parses_back_with_one_suite_per_export_and_a_case_per_check() -> None:
    root = ET.fromstring(render("junit", fixture_report(), ctx()))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == list(EXPORTS)
    batch7, batch8 = suites
    assert [c.get("name") for c in batch7.findall("testcase")] == sorted(
        {"schema", "lane_line.color", "lane_line.require.2", "orange_overrides_white", "few_lines", "blinkers_on",
         "wet_images"})
    assert [c.get("name") for c in batch8.findall("testcase")] == ["lane_line.require.2"]
    failed = {c.get("name") for c in batch7.findall("testcase") if c.find("failure") is not None}
    assert failed == {"schema", "lane_line.color", "lane_line.require.2", "orange_overrides_white"}
    assert (root.get("tests"), root.get("failures")) == ("8", "5")
    constraint = batch7.find("testcase[@name='lane_line.require.2']/failure")
    assert constraint.get("type") == "error"
    assert constraint.get("message").startswith("error: 23 findings: Lines shorter than 10 px")
    assert constraint.text.count("\n") == 23  # 23 findings and the spec location


def test_junit_passes_declared_checks_and_reports_below_fail_on_as_output() -> None:
    checks = ("orange_overrides_white", "dashed_is_one_line", "few_lines")
    root = ET.fromstring(render("junit", fixture_report(), ctx(checks=checks)))
    batch8 = root.findall("testsuite")[1]
    cases = {c.get("name"): c for c in batch8.findall("testcase")}
    assert set(cases) == {"lane_line.require.2", *checks}
    assert all(list(cases[name]) == [] for name in checks)  # declared, did not fire: passes
    warning = root.find("testsuite/testcase[@name='few_lines']")
    assert warning.find("failure") is None
    assert "More than 12 lane lines" in warning.find("system-out").text
    strict = ET.fromstring(render("junit", fixture_report(), ctx(fail_on="info")))
    assert strict.find("testsuite/testcase[@name='wet_images']/failure") is not None


def test_junit_escapes_markup_and_drops_characters_xml_cannot_hold() -> None:
    text = render("junit", report_of(finding(check="a<b", message='x & "y" <z>\x00\x1b]]>')), ctx())
    failure = ET.fromstring(text.encode("utf-8")).find("testsuite/testcase/failure")
    assert failure.get("message") == 'error: 1 finding: x & "y" <z>\ufffd\ufffd]]>'
    assert ET.fromstring(text).find("testsuite/testcase").get("name") == "a<b"


def test_junit_of_a_clean_run_has_passing_suites() -> None:
    root = ET.fromstring(render("junit", report_of(), ctx(checks=("a", "b"))))
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in root] == [
        ("exports/batch7.json", "2", "0"), ("exports/batch8.jsonl", "2", "0")]


def test_gitlab_code_quality_issues() -> None:
    report = fixture_report()
    issues = json.loads(render("gitlab", report, ctx(pointer_line=lambda source, pointer: 7)))
    assert len(issues) == len(report.findings)
    for issue, f in zip(issues, report.findings):
        assert set(issue) == {"type", "check_name", "description", "fingerprint", "severity", "location"}
        assert issue["check_name"] == f.check
        assert f.message in issue["description"]
        assert issue["severity"] == {"error": "major", "warning": "minor", "info": "info"}[f.severity]
        assert issue["location"] == {"path": f.source, "lines": {"begin": 7}}
    assert json.loads(render("gitlab", report_of(finding()), ctx()))[0]["location"]["lines"]["begin"] == 1
    assert render("gitlab", report_of(), ctx()) == "[]\n"


def fingerprints_by_identity(report: CheckReport) -> dict[str, list[str]]:
    issues = json.loads(render("gitlab", report, ctx()))
    out: dict[str, list[str]] = {}
    for issue, f in zip(issues, report.findings):
        out.setdefault(f"{f.check}|{f.image}|{sorted(f.objects)}|{f.message}", []).append(issue["fingerprint"])
    return out


def test_gitlab_fingerprints_are_unique_and_stable_across_reordering() -> None:
    report = fixture_report()
    issues = json.loads(render("gitlab", report, ctx()))
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    shuffled = list(report.findings)
    random.Random(3).shuffle(shuffled)
    # Pointers change when images move in the file; objects may be listed in another order.
    moved = [dataclasses.replace(f, pointer=f"/images/{i}", objects=tuple(reversed(f.objects)),
                                 source="elsewhere/" + Path(f.source).name) for i, f in enumerate(shuffled)]
    again = dataclasses.replace(report, findings=tuple(moved))
    assert {k: sorted(v) for k, v in fingerprints_by_identity(report).items()} == {
        k: sorted(v) for k, v in fingerprints_by_identity(again).items()}


def test_gitlab_fingerprints_of_exact_duplicates_differ() -> None:
    twin = finding(source="a/batch.json"), finding(source="b/batch.json")
    issues = json.loads(render("gitlab", report_of(*twin), ctx()))
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]
    assert issues[0]["fingerprint"] == gitlab_fingerprint(twin[0])
    assert gitlab_fingerprint(finding(message="x")) != gitlab_fingerprint(finding(message="y"))


def test_empty_report_renders_in_every_format() -> None:
    empty = CheckReport("lanes", 3, Summary())
    for name in RENDERERS:
        assert isinstance(render(name, empty, ctx()), str)

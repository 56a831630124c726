"""GitHub workflow commands: escaping, the per-level cap, and the step summary file."""

from __future__ import annotations

import json
import re
from pathlib import Path

from specdsl.report import (
    CheckReport,
    Finding,
    RenderContext,
    Summary,
    github_step_summary,
    render,
    write_github_step_summary,
)
from specdsl.report.finding import summarize
from specdsl.report.github import escape_data, escape_property
from specdsl.report.load import report_from_dict

INPUT = Path(__file__).parent / "golden" / "report" / "input"
CTX = RenderContext("specs/lanes.spec")
COMMAND = re.compile(r"^::(error|warning|notice)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def fixture_report() -> CheckReport:
    return report_from_dict(json.loads((INPUT / "report.json").read_text(encoding="utf-8")))


def unescape(text: str) -> str:
    return text.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Read a workflow command back the way the runner does: properties split on ',' and the first '='."""
    match = COMMAND.match(line)
    assert match, line
    props = dict(p.split("=", 1) for p in match["props"].split(",")) if match["props"] else {}
    return match[1], {k: unescape(v) for k, v in props.items()}, unescape(match["data"])


def finding(severity: str = "error", *, message: str = "broken", source: str = "exports/a.json", check: str = "c",
            image: str | None = "img.jpg", objects: tuple[str, ...] = ("o1",), pointer: str = "/images/0") -> Finding:
    kind = "rule"
    return Finding(check, kind, severity, image, objects, message, source, pointer, "specs/lanes.spec:3:1")


def report_of(*findings: Finding) -> CheckReport:
    return CheckReport("lanes", 3, summarize(10, 20, findings), tuple(findings))


def test_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert escape_data("a,b:c") == "a,b:c"  # data keeps commas and colons
    assert escape_data("%0A") == "%250A"  # an escape sequence in the data is not mistaken for one


def test_special_characters_survive_the_round_trip() -> None:
    message = "line one\nline two: 50% off, really\r\n::warning::not a command"
    weird = finding(message=message, source="dir, with: colon/100%.json", check="odd:check,name")
    line, = render("github", report_of(weird), CTX).splitlines()
    command, props, data = parse(line)
    assert command == "error"
    assert props["file"] == "dir, with: colon/100%.json"
    assert props["title"] == "odd:check,name (rule error)"
    assert data.startswith(message + "\n")
    assert "required by specs/lanes.spec:3:1" in data


def test_levels_and_line_numbers() -> None:
    findings = [finding("error"), finding("warning"), finding("info")]
    ctx = RenderContext("s.spec", pointer_line=lambda source, pointer: 42)
    lines = render("github", report_of(*findings), ctx).splitlines()
    assert [parse(line)[0] for line in lines] == ["error", "warning", "notice"]
    assert all(parse(line)[1]["line"] == "42" for line in lines)
    assert "line" not in parse(render("github", report_of(finding()), CTX))[1]


def test_at_most_ten_per_level_then_one_closing_notice() -> None:
    lines = render("github", fixture_report(), CTX).splitlines()  # 29 errors, 2 warnings, 1 info
    commands = [parse(line)[0] for line in lines]
    assert commands.count("error") == 10
    assert commands.count("warning") == 2
    assert commands.count("notice") == 2
    assert lines[-1].startswith("::notice title=specc::19 more findings not shown")


def test_the_closing_notice_counts_against_the_notice_limit() -> None:
    lines = render("github", report_of(*[finding("info", image=f"{i}.jpg") for i in range(15)]), CTX).splitlines()
    assert len(lines) == 10  # 9 notices for findings and the one that says 6 more were cut
    assert "6 more findings not shown" in lines[-1]


def test_exactly_ten_findings_need_no_closing_notice() -> None:
    lines = render("github", report_of(*[finding(image=f"{i}.jpg") for i in range(10)]), CTX).splitlines()
    assert len(lines) == 10
    assert all(line.startswith("::error ") for line in lines)
    assert render("github", report_of(), CTX) == ""


def test_step_summary_is_a_markdown_table_of_checks() -> None:
    summary = github_step_summary(fixture_report())
    assert "29 errors, 2 warnings, 1 info in 5 images (39 objects)" in summary
    assert "| check | severity | count |" in summary
    assert "| `lane_line.require.2` | error | 24 |" in summary
    odd = github_step_summary(report_of(finding(check="a|b`c")))
    assert "| `a\\|b'c` | error | 1 |" in odd


def test_step_summary_is_appended_only_when_github_asks(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(target)}
    assert write_github_step_summary(fixture_report(), env) == str(target)
    write_github_step_summary(report_of(), env)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### specc check")
    assert text.count("### specc check") == 2
    assert "no findings in 10 images (20 objects)" in text
    assert write_github_step_summary(fixture_report(), {}) is None


def test_empty_summary_has_no_table() -> None:
    summary = github_step_summary(CheckReport("lanes", 3, Summary(4, 5)))
    assert "no findings in 4 images (5 objects)" in summary
    assert "|" not in summary

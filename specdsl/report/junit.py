"""JUnit XML: one testsuite per export, one testcase per check; findings are the failure's body."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from specdsl.report.common import (
    CheckGroup,
    data_location,
    group_by_check,
    image_label,
    objects_label,
    parse_spec_location,
    plural,
)
from specdsl.report.context import RenderContext
from specdsl.report.finding import SEVERITY_RANK, CheckReport, Finding

# A failure body lists findings; past this many the JSON report is the better place to read them.
MAX_BODY_LINES = 1000
# Characters XML 1.0 cannot carry at all, even escaped; ElementTree would write them unchanged.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render_junit(report: CheckReport, ctx: RenderContext) -> str:
    by_source: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_source.setdefault(finding.source, []).append(finding)
    root = ET.Element("testsuites", name=xml_safe(f"specc {report.spec}"))
    for source in _suite_names(ctx.exports, by_source):
        root.append(_suite(source, group_by_check(by_source.get(source, [])), report.spec, ctx))
    _sum_suites(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite_names(exports: tuple[str, ...], by_source: dict[str, list[Finding]]) -> list[str]:
    # Every export checked gets a suite (a clean one is a passing suite); sources only the
    # findings name (a quota over all exports, say) come after, sorted.
    names = list(dict.fromkeys(exports))
    return names + sorted(s for s in by_source if s not in names)


def _suite(source: str, groups: list[CheckGroup], spec: str, ctx: RenderContext) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_safe(source or "(all exports)"))
    fired = {g.check: g for g in groups}
    for check in sorted(set(fired) | set(ctx.checks)):
        suite.append(_testcase(check, fired.get(check), spec, ctx))
    _count_cases(suite)
    return suite


def _testcase(check: str, group: CheckGroup | None, spec: str, ctx: RenderContext) -> ET.Element:
    classname = f"{spec}.{group.kind}" if group else spec
    case = ET.Element("testcase", classname=xml_safe(classname), name=xml_safe(check))
    if group is None:
        return case
    position = parse_spec_location(group.spec_location)
    case.set("file", xml_safe(position.path))
    if position.line is not None:
        case.set("line", str(position.line))
    fails = SEVERITY_RANK[group.severity] >= SEVERITY_RANK[ctx.fail_on]
    if fails:
        failure = ET.SubElement(case, "failure", message=xml_safe(_headline(group)), type=group.severity)
        failure.text = xml_safe(_body(group, ctx))
    else:  # below --fail-on: the check passes, its findings are still there to read
        ET.SubElement(case, "system-out").text = xml_safe(f"{_headline(group)}\n{_body(group, ctx)}")
    return case


def _headline(group: CheckGroup) -> str:
    count = f"{group.severity}: {plural(len(group.findings), 'finding')}"
    return f"{count}: {group.message}" if group.message is not None else count


def _body(group: CheckGroup, ctx: RenderContext) -> str:
    shown = group.findings[:MAX_BODY_LINES]
    own_message = group.message is None  # messages differ: each line says its own
    lines = [f"{image_label(f)}  {objects_label(f)}  {data_location(f, ctx)}" + (f"  {f.message}" if own_message
                                                                                  else "")
             for f in shown]
    lines.append(f"required by {group.spec_location}")
    help_uri = ctx.help_uri(group.findings[0].help)
    if help_uri:
        lines.append(f"help: {help_uri}")
    if len(group.findings) > len(shown):
        lines.append(f"... and {len(group.findings) - len(shown)} more (see --format json)")
    return "\n".join(lines)


def _count_cases(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    failures = sum(1 for case in cases if case.find("failure") is not None)
    _set_counts(suite, len(cases), failures)


def _sum_suites(root: ET.Element) -> None:
    suites = root.findall("testsuite")
    _set_counts(root, sum(int(s.get("tests", "0")) for s in suites),
                sum(int(s.get("failures", "0")) for s in suites))


def _set_counts(element: ET.Element, tests: int, failures: int) -> None:
    for name, value in (("tests", tests), ("failures", failures), ("errors", 0), ("skipped", 0)):
        element.set(name, str(value))

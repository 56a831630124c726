"""GitHub Actions workflow commands (``::error file=...::message``) and the job's step summary."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping

from specdsl.report.common import data_position, encodable, group_by_check, plural, summary_line, where_parts
from specdsl.report.context import RenderContext
from specdsl.report.finding import SEVERITY_RANK, CheckReport, Finding

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
# GitHub shows at most 10 annotations of each type per step and drops the rest silently.
ANNOTATIONS_PER_LEVEL = 10


def escape_data(text: str) -> str:
    return encodable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: CheckReport, ctx: RenderContext) -> str:
    ordered = sorted(report.findings, key=lambda f: -SEVERITY_RANK[f.severity])
    caps = _caps(Counter(COMMAND[f.severity] for f in ordered))
    used: Counter[str] = Counter()
    lines = []
    for finding in ordered:
        command = COMMAND[finding.severity]
        used[command] += 1
        if used[command] <= caps[command]:
            lines.append(annotation(finding, ctx))
    hidden = len(ordered) - len(lines)
    if hidden:
        lines.append(f"::notice title=specc::{escape_data(_hidden_note(hidden))}")
    return "".join(line + "\n" for line in lines)


def _caps(per_command: Counter[str]) -> dict[str, int]:
    caps = {command: ANNOTATIONS_PER_LEVEL for command in COMMAND.values()}
    if any(n > ANNOTATIONS_PER_LEVEL for n in per_command.values()):
        caps["notice"] -= 1  # keep room among the visible notices for the one that says what was cut
    return caps


def _hidden_note(hidden: int) -> str:
    return (f"{plural(hidden, 'more finding')} not shown as annotations (GitHub shows "
            f"{ANNOTATIONS_PER_LEVEL} per level); see the job summary or run specc check --format text")


def annotation(finding: Finding, ctx: RenderContext) -> str:
    properties = [("file", finding.source)]
    position = data_position(finding, ctx)
    if position.line is not None:
        properties.append(("line", str(position.line)))
        if position.column is not None:
            properties.append(("col", str(position.column)))
    properties.append(("title", f"{finding.check} ({finding.kind} {finding.severity})"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{COMMAND[finding.severity]} {rendered}::{escape_data(_annotation_message(finding, ctx))}"


def _annotation_message(finding: Finding, ctx: RenderContext) -> str:
    where = where_parts(finding, pointer=True)
    where.append(f"required by {finding.spec_location}")
    help_uri = ctx.help_uri(finding.help)
    see = f"\nsee {help_uri}" if help_uri else ""
    return f"{finding.message}\n{'; '.join(where)}{see}"


def github_step_summary(report: CheckReport) -> str:
    """A Markdown table of checks that fired, for ``$GITHUB_STEP_SUMMARY``."""
    lines = [f"### specc check: {_code(report.spec)} version {report.version}", "", summary_line(report), ""]
    groups = group_by_check(report.findings)
    if groups:
        lines += ["| check | severity | count |", "| --- | --- | ---: |"]
        lines += [f"| {_code(g.check)} | {g.severity} | {len(g.findings)} |" for g in groups]
        lines.append("")
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """A name as inline code in a table cell: "|" would end the cell, a backtick the code span."""
    cell = " ".join(encodable(text).splitlines()).replace("`", "'").replace("|", "\\|")
    return f"`{cell}`"


def write_github_step_summary(report: CheckReport, environ: Mapping[str, str] | None = None) -> str | None:
    """Append the summary to ``$GITHUB_STEP_SUMMARY`` when it is set; return the file written."""
    path = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if not path:
        return None
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(github_step_summary(report))
    return path

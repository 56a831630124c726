"""Human formats: ``text`` (grouped by check, with the spec line that demanded it) and ``concise``."""

from __future__ import annotations

from rich.markup import escape

from specdsl.report.common import (
    CheckGroup,
    data_location,
    data_position,
    group_by_check,
    image_label,
    objects_label,
    parse_spec_location,
    plural,
    source_lines,
    summary_line,
    visible,
)
from specdsl.report.context import RenderContext
from specdsl.report.finding import CheckReport, Finding

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}


class _Markup:
    """Wraps text in rich markup when colour is on; plain text is left exactly as it is."""

    def __init__(self, color: bool):
        self.color = color

    def __call__(self, text: str, style: str | None = None) -> str:
        text = visible(text)
        if not self.color:
            return text
        return f"[{style}]{escape(text)}[/]" if style else escape(text)


def render_text(report: CheckReport, ctx: RenderContext) -> str:
    paint = _Markup(ctx.color)
    lines = source_lines(ctx.spec_text)
    blocks = ["\n".join(_group_block(group, ctx, lines, paint)) for group in group_by_check(report.findings)]
    blocks.append(paint(summary_line(report), "bold"))
    return "\n\n".join(blocks) + "\n"


def _group_block(group: CheckGroup, ctx: RenderContext, spec_lines: list[str], paint: _Markup) -> list[str]:
    count = plural(len(group.findings), "finding")
    severity = paint(f"{group.severity}[{group.kind}]", SEVERITY_STYLE[group.severity])
    fixable = " " + paint("[fixable]", "green") if group.findings[0].fix else ""
    out = [f"{severity} {paint(group.check, 'bold')}: {count}{fixable}"]
    if group.message is not None:
        out.append("  " + paint(group.message))
    out += _spec_snippet(group.spec_location, spec_lines, paint)
    help_uri = ctx.help_uri(group.findings[0].help)
    if help_uri:
        out.append(f"  {paint('help:', 'blue')} {paint(help_uri)}")
    out += _finding_rows(group, ctx, paint)
    return out


def _spec_snippet(location: str, spec_lines: list[str], paint: _Markup) -> list[str]:
    """``  --> path:line:col`` and, when the spec text is known, that line with its number."""
    out = [f"  {paint('-->', 'blue')} {paint(location)}"]
    line = parse_spec_location(location).line
    if line is not None and 1 <= line <= len(spec_lines):
        number = str(line)
        out.append(f"  {paint(number + ' |', 'blue')} {paint(spec_lines[line - 1])}")
    return out


def _finding_rows(group: CheckGroup, ctx: RenderContext, paint: _Markup) -> list[str]:
    shown = group.findings[:ctx.max_per_check]
    cells = [(image_label(f), objects_label(f), data_location(f, ctx)) for f in shown]
    widths = [max((len(row[i]) for row in cells), default=0) for i in range(2)]
    with_message = group.message is None  # messages differ: each row says its own
    rows = []
    for finding, (image, objects, where) in zip(shown, cells):
        row = f"    {paint(image.ljust(widths[0]))}  {paint(objects.ljust(widths[1]))}  {paint(where, 'dim')}"
        rows.append(row + ("  " + paint(finding.message) if with_message else ""))
    hidden = len(group.findings) - len(shown)
    if hidden > 0:
        rows.append(paint(f"    ... and {hidden} more", "dim"))
    return rows


def render_concise(report: CheckReport, ctx: RenderContext) -> str:
    """One line per finding, for grep, editors and diffs: ``path:line:column: check message (at /pointer)``
    where the line is known (what editors' problem matchers read), ``path#pointer: check message`` else."""
    return "".join(visible(_concise_line(f, ctx)) + "\n" for f in report.findings)


def _concise_line(finding: Finding, ctx: RenderContext) -> str:
    position = data_position(finding, ctx)
    if position.line is None:
        return f"{data_location(finding)}: {finding.check} {finding.message}"
    at = f" (at {finding.pointer})" if finding.pointer else ""
    return f"{finding.source}{position.suffix()}: {finding.check} {finding.message}{at}"

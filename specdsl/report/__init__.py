"""Findings of ``specc check`` in every output format, plus baselines and progress.

The CLI calls :func:`render` with a format name from :data:`RENDERERS`; every renderer is a pure
function ``(CheckReport, RenderContext) -> str``. Side effects (``$GITHUB_STEP_SUMMARY``, baseline
files, progress on stderr) live in separate functions the CLI calls on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

from specdsl.report.context import LineLookup, RenderContext
from specdsl.report.finding import CheckReport, Finding, Summary, summarize
from specdsl.report.github import github_step_summary, render_github, write_github_step_summary
from specdsl.report.gitlab import render_gitlab
from specdsl.report.jsonfmt import render_json, render_jsonl
from specdsl.report.junit import render_junit
from specdsl.report.sarif import render_diagnostics_sarif, render_sarif
from specdsl.report.text import render_concise, render_text

Renderer = Callable[[CheckReport, RenderContext], str]

# The order is the order of ``--format`` choices in ``specc check --help``.
RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "concise": render_concise,
    "json": render_json,
    "jsonl": render_jsonl,
    "sarif": render_sarif,
    "github": render_github,
    "junit": render_junit,
    "gitlab": render_gitlab,
}


def render(name: str, report: CheckReport, ctx: RenderContext) -> str:
    try:
        renderer = RENDERERS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r} (choose from {', '.join(RENDERERS)})") from None
    return renderer(report, ctx)


__all__ = ["RENDERERS", "CheckReport", "Finding", "LineLookup", "RenderContext", "Renderer", "Summary",
           "github_step_summary", "render", "render_diagnostics_sarif", "summarize", "write_github_step_summary"]

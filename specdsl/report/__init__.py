"""Findings of ``specc check`` in every output format, plus baselines and progress.

The CLI calls :func:`render` with a format name from :data:`RENDERERS`; every renderer is a pure
function ``(CheckReport, RenderContext) -> str``. Side effects (``$GITHUB_STEP_SUMMARY``, baseline
files, progress on stderr) live in separate functions the CLI calls on purpose.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from specdsl.report.context import LineLookup, RenderContext
from specdsl.report.finding import CheckReport, Finding, Summary, summarize

Renderer = Callable[[CheckReport, RenderContext], str]


@dataclass(frozen=True, slots=True)
class LazyRenderer:
    """A renderer named by module and function, imported on first use (start-up time counts in CI)."""

    module: str
    function: str

    def __call__(self, report: CheckReport, ctx: RenderContext) -> str:
        return getattr(importlib.import_module(f"specdsl.report.{self.module}"), self.function)(report, ctx)


# The order is the order of ``--format`` choices in ``specc check --help``.
RENDERERS: dict[str, Renderer] = {
    "text": LazyRenderer("text", "render_text"),
    "concise": LazyRenderer("text", "render_concise"),
    "json": LazyRenderer("jsonfmt", "render_json"),
    "jsonl": LazyRenderer("jsonfmt", "render_jsonl"),
    "sarif": LazyRenderer("sarif", "render_sarif"),
    "github": LazyRenderer("github", "render_github"),
    "junit": LazyRenderer("junit", "render_junit"),
    "gitlab": LazyRenderer("gitlab", "render_gitlab"),
    "html": LazyRenderer("gallery", "render_html"),
}


def render(name: str, report: CheckReport, ctx: RenderContext) -> str:
    try:
        renderer = RENDERERS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r} (choose from {', '.join(RENDERERS)})") from None
    return renderer(report, ctx)


def render_diagnostics_sarif(source, diagnostics, **kwargs) -> str:
    from specdsl.report.sarif import render_diagnostics_sarif as render_sarif_diagnostics

    return render_sarif_diagnostics(source, diagnostics, **kwargs)


def github_step_summary(report: CheckReport) -> str:
    from specdsl.report.github import github_step_summary as summary

    return summary(report)


def write_github_step_summary(report: CheckReport, environ=None) -> str | None:
    from specdsl.report.github import write_github_step_summary as write

    return write(report, environ)


__all__ = ["RENDERERS", "CheckReport", "Finding", "LineLookup", "RenderContext", "Renderer", "Summary",
           "github_step_summary", "render", "render_diagnostics_sarif", "summarize", "write_github_step_summary"]

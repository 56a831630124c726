"""GitLab Code Quality report: a JSON array of issues shown in merge requests."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from specdsl.report.baseline import basename
from specdsl.report.common import data_position, where_parts
from specdsl.report.context import RenderContext
from specdsl.report.finding import CheckReport, Finding
from specdsl.report.jsonfmt import canonical_bytes, dumps

# Code Quality severities are info, minor, major, critical, blocker; specc has three levels.
GITLAB_SEVERITY = {"info": "info", "warning": "minor", "error": "major"}


def _identity(finding: Finding) -> list:
    return [finding.check, finding.image, sorted(finding.objects), basename(finding.source), finding.message]


def gitlab_fingerprint(finding: Finding, occurrence: int = 0) -> str:
    """Stable across runs and reorderings of the export; ``occurrence`` separates exact duplicates.

    GitLab drops issues whose fingerprints repeat, so two findings that agree on every hashed
    field (same basename in two folders, say) get their order among themselves mixed in.
    """
    identity = _identity(finding) + ([occurrence] if occurrence else [])
    return hashlib.sha256(canonical_bytes(identity)).hexdigest()


def render_gitlab(report: CheckReport, ctx: RenderContext) -> str:
    seen: Counter[bytes] = Counter()
    issues = []
    for finding in report.findings:
        key = canonical_bytes(_identity(finding))
        issues.append(_issue(finding, gitlab_fingerprint(finding, seen[key]), ctx))
        seen[key] += 1
    return dumps(issues, indent=True) + "\n"


def _issue(finding: Finding, fingerprint: str, ctx: RenderContext) -> dict[str, Any]:
    # Code Quality requires a line; 1 (the top of the file) when the export gives none (a quota).
    line = data_position(finding, ctx).line or 1
    path = finding.source.removeprefix("./")
    return {"type": "issue", "check_name": finding.check, "description": _description(finding, ctx),
            "fingerprint": fingerprint, "severity": GITLAB_SEVERITY[finding.severity],
            "location": {"path": path, "lines": {"begin": line}}}


def _description(finding: Finding, ctx: RenderContext) -> str:
    where = where_parts(finding, pointer=True)
    help_uri = ctx.help_uri(finding.help)
    if help_uri:
        where.append(f"see {help_uri}")
    suffix = f" ({'; '.join(where)})" if where else ""
    return f"{finding.check}: {finding.message}{suffix}"

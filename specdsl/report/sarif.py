"""SARIF 2.1.0, for GitHub code scanning and IDEs: export findings and spec compile diagnostics."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from specdsl import __version__
from specdsl.diagnostics import Diagnostic, Label
from specdsl.report.baseline import fingerprint
from specdsl.report.common import (
    SARIF_LEVEL,
    data_position,
    group_by_check,
    parse_spec_location,
    path_uri,
    strip_git_rev,
    where_parts,
)
from specdsl.report.context import RenderContext
from specdsl.report.finding import CheckReport, Finding
from specdsl.report.jsonfmt import dumps
from specdsl.source import Source

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "specc/v1"  # bump the suffix if `fingerprint` ever changes meaning


def sarif_log(runs: list[dict[str, Any]]) -> str:
    return dumps({"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": runs}, indent=True) + "\n"


def _driver(version: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"tool": {"driver": {"name": "specc", "version": version, "rules": rules}}}


def render_sarif(report: CheckReport, ctx: RenderContext) -> str:
    groups = sorted(group_by_check(report.findings), key=lambda g: g.check)
    rules = [_rule(g.check, g.kind, g.severity, g.message, g.findings[0].help, ctx) for g in groups]
    index = {g.check: i for i, g in enumerate(groups)}
    run = _driver(ctx.tool_version, rules)
    run["results"] = [_result(f, index[f.check], ctx) for f in report.findings]
    run["columnKind"] = "unicodeCodePoints"
    run["properties"] = {"spec": report.spec, "specVersion": report.version, "summary": report.summary.to_dict()}
    return sarif_log([run])


def _rule(check: str, kind: str, severity: str, message: str | None, help_anchor: str | None,
          ctx: RenderContext) -> dict[str, Any]:
    rule: dict[str, Any] = {"id": check,
                            "shortDescription": {"text": message or f"{kind} check {check}"},
                            "defaultConfiguration": {"level": SARIF_LEVEL[severity]},
                            "properties": {"kind": kind, "tags": [kind]}}
    help_uri = ctx.help_uri(help_anchor)
    if help_uri:
        rule["helpUri"] = help_uri
    return rule


def _result(finding: Finding, rule_index: int, ctx: RenderContext) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.check, "ruleIndex": rule_index, "level": SARIF_LEVEL[finding.severity],
        "message": {"text": _result_message(finding)},
        "locations": [_data_location(finding, ctx)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
        "properties": {"kind": finding.kind, "image": finding.image, "objects": list(finding.objects),
                       "pointer": finding.pointer, "specLocation": finding.spec_location}}
    spec = _spec_location(finding.spec_location)
    if spec is not None:
        result["relatedLocations"] = [spec]
    return result


def _result_message(finding: Finding) -> str:
    where = where_parts(finding, pointer=False)
    return f"{finding.message} ({'; '.join(where)})" if where else finding.message


def _data_location(finding: Finding, ctx: RenderContext) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": path_uri(finding.source)}}
    position = data_position(finding, ctx)
    # Code scanning places an alert by its region: a finding about the whole export (a quota, an
    # export too large to re-read) is placed at the top of the file, as GitLab's must be.
    physical["region"] = {"startLine": position.line or 1}
    if position.column is not None:
        physical["region"]["startColumn"] = position.column
    location: dict[str, Any] = {"physicalLocation": physical}
    if finding.pointer:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.pointer, "kind": "object"}]
    return location


@functools.lru_cache(maxsize=1024)  # shared by every finding of a check; only ever serialised, never changed
def _spec_location(spec_location: str) -> dict[str, Any] | None:
    position = parse_spec_location(spec_location)
    if not position.path:
        return None
    physical: dict[str, Any] = {"artifactLocation": {"uri": path_uri(strip_git_rev(position.path))}}
    if position.line is not None:
        physical["region"] = {"startLine": position.line}
        if position.column is not None:
            physical["region"]["startColumn"] = position.column
    return {"id": 1, "physicalLocation": physical, "message": {"text": "required by the spec here"}}


def render_diagnostics_sarif(source: Source, diagnostics: Iterable[Diagnostic], *,
                             tool_version: str = __version__) -> str:
    """Spec compile diagnostics (``specc compile --format sarif``) with exact regions in the spec."""
    diagnostics = tuple(diagnostics)
    codes = sorted({d.code for d in diagnostics})
    rules = [{"id": code, "shortDescription": {"text": f"{code}: see `specc explain {code}`"}} for code in codes]
    index = {code: i for i, code in enumerate(codes)}
    run = _driver(tool_version, rules)
    uri = path_uri(strip_git_rev(source.name))
    run["results"] = [_diagnostic_result(source, uri, d, index[d.code]) for d in diagnostics]
    run["columnKind"] = "unicodeCodePoints"
    return sarif_log([run])


def _diagnostic_result(source: Source, uri: str, diag: Diagnostic, rule_index: int) -> dict[str, Any]:
    text = "\n".join([diag.message, *(f"note: {n}" for n in diag.notes),
                      *([f"help: {diag.help}"] if diag.help else [])])
    result: dict[str, Any] = {"ruleId": diag.code, "ruleIndex": rule_index, "level": diag.severity.value,
                              "message": {"text": text},
                              "locations": [_span_location(source, uri, diag.primary)]}
    if diag.secondary:
        result["relatedLocations"] = [_span_location(source, uri, label, id_=i)
                                      for i, label in enumerate(diag.secondary, start=1)]
    return result


def _span_location(source: Source, uri: str, label: Label, id_: int | None = None) -> dict[str, Any]:
    span = label.span
    region = {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line,
              "endColumn": span.end_column, "charOffset": span.start, "charLength": span.end - span.start,
              "snippet": {"text": source.text[span.start:span.end]}}
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}
    if id_ is not None:
        location["id"] = id_
    if label.message:
        location["message"] = {"text": label.message}
    return location

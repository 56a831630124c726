"""Helpers every renderer shares: grouping by check, locations, counts in words."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from specdsl.report.context import RenderContext
from specdsl.report.finding import KINDS, SEVERITY_RANK, CheckReport, Finding, Summary

# SARIF and GitHub speak of notes where the spec language says info.
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True, slots=True)
class SpecPosition:
    path: str
    line: int | None
    column: int | None


@dataclass(frozen=True, slots=True)
class CheckGroup:
    check: str
    kind: str
    severity: str
    findings: tuple[Finding, ...]

    @property
    def message(self) -> str | None:
        """The explanation shared by every finding of the check, or None when they differ."""
        first = self.findings[0].message
        return first if all(f.message == first for f in self.findings) else None

    @property
    def spec_location(self) -> str:
        return self.findings[0].spec_location


def group_by_check(findings: tuple[Finding, ...] | list[Finding]) -> list[CheckGroup]:
    """Findings grouped by check: most severe first, then schema before attribute ... before quota
    (a broken record explains the checks after it), then by name; the order of findings is kept."""
    by_check: dict[str, list[Finding]] = {}
    for finding in findings:
        by_check.setdefault(finding.check, []).append(finding)
    groups = []
    for check, items in by_check.items():
        worst = max(items, key=lambda f: SEVERITY_RANK[f.severity])
        groups.append(CheckGroup(check, items[0].kind, worst.severity, tuple(items)))
    return sorted(groups, key=lambda g: (-SEVERITY_RANK[g.severity], _kind_rank(g.kind), g.check))


def _kind_rank(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def parse_spec_location(location: str) -> SpecPosition:
    """``path:line:col`` -> its parts; a location without numbers keeps the whole text as path."""
    parts = location.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return SpecPosition(parts[0], int(parts[1]), int(parts[2]))
    if len(parts) >= 2 and parts[-1].isdigit():
        head, _, line = location.rpartition(":")
        return SpecPosition(head, int(line), None)
    return SpecPosition(location, None, None)


@dataclass(frozen=True, slots=True)
class DataPosition:
    """Where in its export a finding is: 1-based line and column, each None when unknown."""

    line: int | None
    column: int | None

    def suffix(self) -> str:
        """``:line:column`` (or ``:line``, or nothing), to follow a path."""
        if self.line is None:
            return ""
        return f":{self.line}" if self.column is None else f":{self.line}:{self.column}"


def data_position(finding: Finding, ctx: RenderContext | None = None) -> DataPosition:
    """The finding's own line and column; else, for a report read back from JSON, the context's lookup."""
    if finding.line is not None or ctx is None:
        return DataPosition(finding.line, finding.column)
    return DataPosition(ctx.data_line(finding.source, finding.pointer), None)


def data_location(finding: Finding, ctx: RenderContext | None = None) -> str:
    """``source:line:column#pointer``; unknown parts and an empty pointer (the whole record) are left out."""
    where = finding.source + data_position(finding, ctx).suffix()
    return f"{where}#{finding.pointer}" if finding.pointer else where


def image_label(finding: Finding) -> str:
    return finding.image if finding.image is not None else "-"


def objects_label(finding: Finding) -> str:
    return ",".join(finding.objects) if finding.objects else "-"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def counts_phrase(summary: Summary) -> str:
    """``3 errors, 1 warning``: only the severities that occurred; ``no findings`` when none did."""
    parts = [plural(n, noun) for n, noun in ((summary.errors, "error"), (summary.warnings, "warning"),
                                              (summary.infos, "info")) if n]
    return ", ".join(parts) if parts else "no findings"


def summary_line(report: CheckReport) -> str:
    s = report.summary
    return f"{counts_phrase(s)} in {plural(s.images, 'image')} ({plural(s.objects, 'object')})"


@functools.lru_cache(maxsize=256)  # a report names few files, each thousands of times
def strip_git_rev(spec_path: str) -> str:
    """``specs/lanes.spec@HEAD~1`` names a file in git; CI annotations need the working-tree path."""
    head, at, _rev = spec_path.rpartition("@")
    if at and head and not os.path.exists(spec_path):
        return head
    return spec_path


@functools.lru_cache(maxsize=256)
def path_uri(path: str) -> str:
    """A path as a SARIF artifact URI: relative paths stay relative (what code scanning expects)."""
    path = encodable(path)
    from specdsl.data.remote import is_url

    if is_url(path):  # an export read through fsspec (s3://bucket/x.jsonl) is its own URI
        return quote(path, safe="/@+:%")
    if PureWindowsPath(path).drive and PureWindowsPath(path).is_absolute():
        return PureWindowsPath(path).as_uri()
    if path.startswith("/"):
        return PurePosixPath(path).as_uri()
    return quote(path.replace(os.sep, "/"), safe="/@+")


def source_lines(text: str | None) -> list[str]:
    """Lines split exactly as :class:`specdsl.source.Source` counts them (on ``\\n`` only)."""
    return [line.rstrip("\r") for line in text.split("\n")] if text else []


# Control characters in data (an image id with an ANSI escape, a message with a newline) would
# corrupt a terminal or split a line-based record: human formats show them escaped instead. Lone
# surrogates (legal in a JSON string, not in UTF-8) are escaped too, so the output can be written.
_CONTROL_ESCAPES = {c: repr(chr(c))[1:-1] for c in (*range(0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000))}
_SURROGATE = re.compile("[\ud800-\udfff]")


def visible(text: str) -> str:
    return text.translate(_CONTROL_ESCAPES)


def encodable(text: str) -> str:
    """``text`` with lone surrogates replaced, so that it can be written as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


def where_parts(finding: Finding, *, pointer: bool) -> list[str]:
    """``image X``, ``objects a, b`` and optionally ``at /pointer``: what CI messages say after the why."""
    parts = [f"image {finding.image}"] if finding.image is not None else []
    if finding.objects:
        parts.append(f"objects {', '.join(finding.objects)}")
    if pointer and finding.pointer:
        parts.append(f"at {finding.pointer}")
    return parts

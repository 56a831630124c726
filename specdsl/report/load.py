"""Read back what ``--format json`` / ``jsonl`` wrote: the inverse of ``CheckReport.to_dict``."""

from __future__ import annotations

from typing import Any

from specdsl.report.finding import CheckReport, Finding, Summary


def finding_from_dict(record: dict[str, Any]) -> Finding:
    return Finding(check=record["check"], kind=record["kind"], severity=record["severity"],
                   image=record.get("image"), objects=tuple(record.get("objects", ())),
                   message=record.get("message", ""), source=record.get("source", ""),
                   pointer=record.get("pointer", ""), spec_location=record.get("spec_location", ""),
                   help=record.get("help"), action=record.get("action"), line=_position(record.get("line")),
                   column=_position(record.get("column")), fix=record.get("fix"))


def _position(value: Any) -> int | None:
    """A line or column as written by ``to_dict``; anything else (older reports lack them) is unknown."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def report_from_dict(document: dict[str, Any]) -> CheckReport:
    findings = tuple(finding_from_dict(r) for r in document.get("findings", ()))
    summary = Summary(**{k: int(v) for k, v in document.get("summary", {}).items() if k in Summary.__slots__})
    sources = tuple(dict.fromkeys(f.source for f in findings))
    return CheckReport(document["spec"], int(document["version"]), summary, findings, sources)

"""Baselines: adopt ``specc`` on data with known old violations and fail only on new ones.

A finding's fingerprint names *what* is wrong, not *where in the file* it was written: no pointer
(indices move when images are added or reordered), no directory (exports are checked from
different working directories), no message (rewording a rule's explanation must not turn every
known violation into a new one). Identical findings are counted: a baseline that saw a problem
twice absorbs it at most twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from specdsl.report.finding import CheckReport, Finding, summarize
from specdsl.report.jsonfmt import canonical_bytes, dumps

BASELINE_FORMAT = 1


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a specc baseline."""


def fingerprint(finding: Finding) -> str:
    identity = [finding.check, finding.kind, finding.image, sorted(finding.objects), basename(finding.source)]
    return hashlib.sha256(canonical_bytes(identity)).hexdigest()


def basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def baseline_document(report: CheckReport) -> dict:
    counts: Counter[str] = Counter()
    first: dict[str, Finding] = {}
    for finding in report.findings:
        key = fingerprint(finding)
        counts[key] += 1
        first.setdefault(key, finding)
    entries = [_entry(key, first[key], counts[key]) for key in counts]
    entries.sort(key=lambda e: (e["check"], e["source"], e["image"] or "", e["objects"], e["fingerprint"]))
    return {"specc_baseline": BASELINE_FORMAT, "spec": report.spec, "findings": entries}


def _entry(key: str, finding: Finding, count: int) -> dict:
    # The readable fields are for reviewers of the baseline's diff; only fingerprint and count are read.
    return {"fingerprint": key, "count": count, "check": finding.check, "image": finding.image,
            "objects": sorted(finding.objects), "source": basename(finding.source)}


def write_baseline(path: str | Path, report: CheckReport) -> None:
    Path(path).write_text(dumps(baseline_document(report), indent=True) + "\n", encoding="utf-8")


def read_baseline(path: str | Path) -> Counter[str]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("specc_baseline") != BASELINE_FORMAT:
        raise BaselineError(f"{path} is not a specc baseline (format {BASELINE_FORMAT})")
    budget: Counter[str] = Counter()
    try:
        for entry in document["findings"]:
            budget[str(entry["fingerprint"])] += int(entry.get("count", 1))
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"baseline {path} has a malformed entry: {exc!r}") from exc
    return budget


def apply_baseline(report: CheckReport, path: str | Path) -> tuple[CheckReport, int]:
    """The report without the findings the baseline knows, and how many were removed."""
    budget = read_baseline(path)
    kept = []
    for finding in report.findings:
        key = fingerprint(finding)
        if budget[key] > 0:
            budget[key] -= 1
        else:
            kept.append(finding)
    kept_findings = tuple(kept)
    summary = summarize(report.summary.images, report.summary.objects, kept_findings)
    filtered = CheckReport(report.spec, report.version, summary, kept_findings, report.sources)
    return filtered, len(report.findings) - len(kept_findings)

"""Baselines: adopt ``specc`` on data with known old violations and fail only on new ones.

A finding's fingerprint names *what* is wrong, not *where* it was written down: the check by its
stable identity (a named constraint by its name, an unnamed one by its normalised expression, so
inserting or reordering ``require`` lines changes nothing), the image and the objects. Nothing
about the file: no pointer (indices move when images are added or reordered), no path and not even
the export's file name (dated exports such as ``project-1-at-2026-11-25.json`` are renamed every
time), no message (rewording a rule's explanation must not turn every known violation into a new
one). Identical findings are counted: a baseline that saw a problem twice absorbs it at most twice.

Format 1 (written before checks had stable identities) is still read: its entries are matched by
the check's wire name, image and objects, ignoring the file name; ``--write-baseline`` upgrades it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from specdsl.report.finding import CheckReport, Finding, summarize
from specdsl.report.jsonfmt import canonical_bytes, dumps

BASELINE_FORMAT = 2
_LEGACY_FORMAT = 1


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a specc baseline."""


def fingerprint(finding: Finding) -> str:
    identity = [finding.check_key(), finding.kind, finding.image, sorted(finding.objects)]
    return hashlib.sha256(canonical_bytes(identity)).hexdigest()


def _legacy_key(check: str, image: str | None, objects) -> str:
    return hashlib.sha256(canonical_bytes(["v1", check, image, sorted(objects)])).hexdigest()


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
    entries.sort(key=lambda e: (e["check"], e["image"] or "", e["objects"], e["fingerprint"]))
    return {"specc_baseline": BASELINE_FORMAT, "spec": report.spec, "findings": entries}


def _entry(key: str, finding: Finding, count: int) -> dict:
    # The readable fields are for reviewers of the baseline's diff; only fingerprint and count are read.
    return {"fingerprint": key, "count": count, "check": finding.check, "image": finding.image,
            "objects": sorted(finding.objects)}


def write_baseline(path: str | Path, report: CheckReport) -> int:
    """Write the baseline of ``report`` (via a temporary file: never half a baseline); the findings recorded."""
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(dumps(baseline_document(report), indent=True) + "\n", encoding="utf-8")
    partial.replace(target)
    return len(report.findings)


def read_baseline(path: str | Path) -> Counter[str]:
    """How many findings of each key the baseline absorbs (format 1 entries under their legacy keys)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from exc
    version = document.get("specc_baseline") if isinstance(document, dict) else None
    if version not in (BASELINE_FORMAT, _LEGACY_FORMAT):
        raise BaselineError(f"{path} is not a specc baseline (format {BASELINE_FORMAT}); "
                            "write one with 'specc check SPEC EXPORT --write-baseline FILE'")
    budget: Counter[str] = Counter()
    try:
        for entry in document["findings"]:
            key = str(entry["fingerprint"]) if version == BASELINE_FORMAT else \
                _legacy_key(str(entry["check"]), entry.get("image"), entry.get("objects", ()))
            budget[key] += int(entry.get("count", 1))
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"baseline {path} has a malformed entry: {exc!r}") from exc
    return budget


def apply_baseline(report: CheckReport, path: str | Path) -> tuple[CheckReport, int]:
    """The report without the findings the baseline knows, and how many were removed."""
    budget = read_baseline(path)
    kept = []
    for finding in report.findings:
        for key in (fingerprint(finding), _legacy_key(finding.check, finding.image, finding.objects)):
            if budget[key] > 0:
                budget[key] -= 1
                break
        else:
            kept.append(finding)
    kept_findings = tuple(kept)
    summary = summarize(report.summary.images, report.summary.objects, kept_findings)
    filtered = CheckReport(report.spec, report.version, summary, kept_findings, report.sources)
    return filtered, len(report.findings) - len(kept_findings)

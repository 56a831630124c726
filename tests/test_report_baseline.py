"""Baselines: known findings are absorbed (as a multiset), wherever they moved in the file."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest

from specdsl.report import CheckReport, Finding
from specdsl.report.baseline import BaselineError, apply_baseline, fingerprint, write_baseline
from specdsl.report.finding import summarize
from specdsl.report.load import report_from_dict

INPUT = Path(__file__).parent / "golden" / "report" / "input"


def fixture_report() -> CheckReport:
    return report_from_dict(json.loads((INPUT / "report.json").read_text(encoding="utf-8")))


def finding(image: str = "i.jpg", objects: tuple[str, ...] = ("a1", "a2"), pointer: str = "/images/0/objects/1",
            check: str = "orange_overrides_white", source: str = "exports/batch7.json") -> Finding:
    return Finding(check, "rule", "error", image, objects, "why", source, pointer, "specs/lanes.spec:37:1")


def report_of(*findings: Finding) -> CheckReport:
    return CheckReport("lanes", 3, summarize(10, 20, findings), tuple(findings))


def test_a_report_absorbs_itself(tmp_path: Path) -> None:
    report = fixture_report()
    write_baseline(tmp_path / "b.json", report)
    left, removed = apply_baseline(report, tmp_path / "b.json")
    assert (left.findings, removed) == ((), len(report.findings))
    assert (left.summary.errors, left.summary.warnings, left.summary.infos) == (0, 0, 0)
    assert (left.summary.images, left.summary.objects) == (report.summary.images, report.summary.objects)


def test_identical_findings_are_absorbed_at_most_as_often_as_recorded(tmp_path: Path) -> None:
    old = report_of(finding(pointer="/images/0"), finding(pointer="/images/5"))
    write_baseline(tmp_path / "b.json", old)
    new = report_of(*(finding(pointer=f"/images/{i}") for i in range(3)))
    left, removed = apply_baseline(new, tmp_path / "b.json")
    assert removed == 2
    assert len(left.findings) == 1
    assert left.summary.errors == 1


def test_fingerprints_ignore_order_pointer_and_directory_but_not_identity() -> None:
    base = finding()
    assert fingerprint(base) == fingerprint(finding(objects=("a2", "a1"), pointer="/images/99/objects/0",
                                                    source="/ci/checkout/exports/batch7.json"))
    assert fingerprint(base) == fingerprint(dataclasses.replace(base, message="reworded explanation"))
    for changed in (finding(image="j.jpg"), finding(objects=("a1", "a3")), finding(check="other"),
                    finding(source="exports/batch8.json")):
        assert fingerprint(changed) != fingerprint(base)


def test_reordered_exports_stay_absorbed_and_new_findings_stay(tmp_path: Path) -> None:
    report = fixture_report()
    write_baseline(tmp_path / "b.json", report)
    shuffled = list(report.findings)
    random.Random(5).shuffle(shuffled)
    moved = [dataclasses.replace(f, pointer=f"/images/{i}/objects/0", objects=tuple(reversed(f.objects)))
             for i, f in enumerate(shuffled)]
    fresh = finding(image="new.jpg")
    left, removed = apply_baseline(report_of(*moved, fresh), tmp_path / "b.json")
    assert removed == len(report.findings)
    assert left.findings == (fresh,)


def test_baseline_file_is_deterministic_and_sorted(tmp_path: Path) -> None:
    report = fixture_report()
    shuffled = list(report.findings)
    random.Random(9).shuffle(shuffled)
    write_baseline(tmp_path / "a.json", report)
    write_baseline(tmp_path / "b.json", dataclasses.replace(report, findings=tuple(shuffled)))
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    document = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert sum(e["count"] for e in document["findings"]) == len(report.findings)
    checks = [e["check"] for e in document["findings"]]
    assert checks == sorted(checks)
    assert "timestamp" not in (tmp_path / "a.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("content, message", [
    (None, "cannot read baseline"),
    ("{not json", "not valid JSON"),
    ('{"findings": []}', "not a specc baseline"),
    ('{"specc_baseline": 1, "findings": [{"count": 2}]}', "malformed entry"),
])
def test_unreadable_baselines_raise_a_clear_error(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=message):
        apply_baseline(fixture_report(), path)

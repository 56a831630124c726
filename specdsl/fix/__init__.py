"""``specc fix``: apply the fixes a spec declares (``fix ACTION`` after a require) to a native export.

The export is checked, each finding of a check with a fix becomes an edit (:mod:`specdsl.fix.plan`),
the edits are applied to the export's text (:mod:`specdsl.fix.apply`; objects no fix touches keep
their bytes), and the result is checked again: ``N fixed, M remaining``. The input is never
overwritten; the output is written to a temporary file and renamed into place, as ``specc migrate``
does. Native JSON and JSON Lines are written; other formats are refused with a clear error, since
their writers would not keep untouched objects as they were.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from specdsl import ir
from specdsl.atomic import same_file, write_atomically
from specdsl.fix.apply import ImageChange, apply_plan
from specdsl.fix.plan import plan_fixes
from specdsl.fix.rawjson import RawJsonError
from specdsl.report.finding import Finding

__all__ = ["FixError", "FixReport", "fix_export", "finding_fixes", "render_diff"]


class FixError(ValueError):
    """The export cannot be fixed (not a native export, output equal to input ...)."""


@dataclass(frozen=True)
class FixReport:
    source: Path
    fixed: int  # findings whose fix changed the export
    remaining: tuple[Finding, ...]  # findings of the re-check of the repaired export
    skipped_unsafe: int  # findings whose fix is unsafe, left for --unsafe-fixes
    unresolved: tuple[tuple[Finding, str], ...]
    changes: tuple[ImageChange, ...]
    text: str  # the repaired export

    def to_dict(self) -> dict:
        return {"source": str(self.source), "fixed": self.fixed, "remaining": len(self.remaining),
                "unsafe_skipped": self.skipped_unsafe, "images_changed": len(self.changes)}


def finding_fixes(spec: ir.Spec, findings) -> list[Finding]:
    """``findings`` with ``fix`` set on those whose check declares one (for ``specc check``)."""
    from dataclasses import replace

    fixes = spec.fixes()
    if not fixes:
        return list(findings)
    return [replace(f, fix=fixes[f.check_id].text) if f.check_id in fixes else f for f in findings]


def fix_export(spec: ir.Spec, source: Path, out: Path | None, unsafe: bool = False) -> FixReport:
    """Repair ``source`` with the spec's fixes; written to ``out`` unless it is None (``--diff``)."""
    from specdsl.validate import run_checks

    if out is not None and same_file(source, out):
        raise FixError(f"refusing to write over the input {source}: give another -o")
    export = _read(source)
    findings = sorted(run_checks(spec, export.dataset), key=lambda f: f.sort_key())
    plan = plan_fixes(spec, findings, export.images, unsafe)
    try:
        fixed_text, changes = apply_plan(spec, export.text, export.lines, export.images, plan)
    except RawJsonError as exc:  # the reader accepted what the walker does not: say so, write nothing
        raise FixError(f"{source}: cannot locate the objects in the text ({exc})") from None
    touched = {change.position: change.touched for change in changes}
    fixed = [p for p in plan.applied if touched.get(p.image, frozenset()).intersection(p.positions)]
    idle = [(p.finding, _idle_reason(spec, p.finding)) for p in plan.applied
            if not touched.get(p.image, frozenset()).intersection(p.positions)]
    remaining = _recheck(spec, export.images, changes, str(out or source))
    if out is not None:
        write_atomically(out, fixed_text.encode("utf-8"), mode=source.stat().st_mode & 0o777)
    return FixReport(source, len(fixed), tuple(remaining), plan.skipped_unsafe, (*plan.unresolved, *idle),
                     tuple(changes), fixed_text)


@dataclass(frozen=True)
class _Export:
    dataset: Any  # what the checker reads
    text: str  # what the fixes edit
    lines: bool  # JSON Lines rather than one document
    images: list[Any]  # the decoded images, in export order


def _read(source: Path) -> _Export:
    """The export, read by the native reader (its errors located) and as text; other formats refused."""
    from specdsl.data import load_export
    from specdsl.data.readers import ReaderError
    from specdsl.data.readers.detect import detect_format
    from specdsl.data.readers.native import is_json_lines

    try:
        fmt = detect_format(source)
    except ReaderError:
        raise FixError(f"{source}: not a native JSON or JSON Lines export (nor any format specc reads)") from None
    if fmt != "native":
        raise FixError(f"{source}: specc fix writes native JSON and JSON Lines exports, and this one is {fmt}; "
                       "a writer for it would not keep untouched objects as they are (convert it to native first)")
    try:
        dataset = load_export(source, "native")
    except ReaderError as exc:
        raise FixError(f"{exc.location()}: {exc.message}") from None
    data = source.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FixError(f"{source}: not UTF-8 at byte {exc.start}") from None
    lines = is_json_lines(source, data)
    return _Export(dataset, text, lines, _images(text, lines, source))


_IDLE = {"set": "the attribute already has that value", "clip": "nothing to clip to: the image has no width and "
         "height, or the object no geometry of its class", "join": "the objects have no points to join",
         "delete": "the object is already gone"}


def _idle_reason(spec: ir.Spec, finding: Finding) -> str:
    fix = spec.fixes().get(finding.check_id)
    return "the fix changes nothing here: " + _IDLE.get(fix.action if fix else "", "no change")


def _images(text: str, lines: bool, source: Path) -> list[Any]:
    """The decoded images, in export order (the reader has already accepted the export)."""
    try:
        if lines:  # one parse of all lines, as the reader does: far fewer calls than a parse per line
            return orjson.loads("[" + ",".join(line for line in text.split("\n") if line.strip()) + "]")
        document = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise FixError(f"{source}: not JSON ({exc.msg})") from None
    if not isinstance(document, dict) or not isinstance(document.get("images"), list):
        raise FixError(f"{source}: not a native export (a JSON object with an 'images' array, or JSON Lines)")
    return document["images"]


def _recheck(spec: ir.Spec, images: list[Any], changes: list[ImageChange], source: str) -> list[Finding]:
    """The findings of the repaired export: its images are the input's with the changed ones replaced."""
    from specdsl.data.build import build_dataset
    from specdsl.data.records import ImageRecord
    from specdsl.validate import run_checks

    fixed = {change.position: change.image for change in changes}
    records = [ImageRecord(fixed.get(k, image), source, f"/images/{k}") for k, image in enumerate(images)]
    return sorted(run_checks(spec, build_dataset(records, source)), key=lambda f: f.sort_key())


def render_diff(report: FixReport, out: Path | None) -> str:
    """A unified diff of the objects of each changed image (one hunk per image)."""
    parts = []
    for change in report.changes:
        before = [line for text in change.before for line in text.splitlines()]
        after = [line for text in change.after for line in text.splitlines()]
        where = f"/images/{change.position} ({change.image_id})"
        parts += difflib.unified_diff(before, after, f"{report.source}#{where}", f"{out or 'fixed'}#{where}",
                                      lineterm="", n=1)
    return "".join(line + "\n" for line in parts)

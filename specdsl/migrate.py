"""``specc migrate``: the mechanical part of moving labels to a new spec version.

An image is rewritten only when everything its version change asks for is mechanical:
declared renames of attributes and enum values, values of removed attributes dropped,
old defaults written out where a default changed, and the new version's defaults filled
in. It is then checked against the new version; only if it passes without an error is it
stamped with the new ``spec_version``. Images that need a person (relabel, fill, review,
delete, or an error under the new version) are copied unchanged, so the next
``specc diff --labels`` still finds them. The input is never overwritten; the output is
written to a temporary file and renamed into place.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from specdsl import ir
from specdsl.data.build import build_dataset
from specdsl.data.dataset import Dataset
from specdsl.data.records import ImageRecord
from specdsl.diff import payloads as p
from specdsl.diff.impact import Impact, analyze_impact, version_groups
from specdsl.diff.model import Change
from specdsl.diff.payloads import IMAGE
from specdsl.validate import run_checks


class MigrationError(ValueError):
    """The export cannot be migrated (not a native export, output equal to input ...)."""


@dataclass(frozen=True)
class HeldImage:
    """An image left unchanged because a person must look, and the real reason: change, objects, why."""

    image: str
    reason: str


@dataclass(frozen=True)
class MigrationReport:
    images: int
    migrated: int  # stamped with the new version (rewritten or not)
    rewritten: int  # of those, images whose labels changed
    current: int  # already at the new version (or newer)
    needs_work: int  # left unchanged: a person must look
    unknown_version: int  # no spec_version and no labeled_under: left unchanged
    notes: tuple[str, ...] = ()
    held: tuple[HeldImage, ...] = ()  # why each of the needs_work images needs a person

    def to_dict(self) -> dict:
        return {"images": self.images, "migrated": self.migrated, "rewritten": self.rewritten,
                "current": self.current, "needs_work": self.needs_work, "unknown_version": self.unknown_version}


# ---- the native document ----------------------------------------------------------------------------


@dataclass
class NativeDocument:
    lines: bool  # JSON Lines (one image per line) rather than one document
    header: dict[str, Any]  # the document without its images
    images: list[Any]

    def dumps(self) -> bytes:
        if self.lines:
            return b"".join(orjson.dumps(image) + b"\n" for image in self.images)
        return orjson.dumps({**self.header, "images": self.images}) + b"\n"


def read_native(path: Path) -> NativeDocument:
    data = path.read_bytes()
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return NativeDocument(True, {}, [_line(path, n, line) for n, line in enumerate(data.splitlines(), 1)
                                         if line.strip()])
    if isinstance(document, dict) and isinstance(document.get("images"), list):
        header = {k: v for k, v in document.items() if k != "images"}
        return NativeDocument(False, header, document["images"])
    if isinstance(document, dict) and "objects" in document:  # JSON Lines holding one image
        return NativeDocument(True, {}, [document])
    raise MigrationError(f"{path}: not a native export (a JSON object with an 'images' array, or JSON Lines)")


def _line(path: Path, number: int, line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise MigrationError(f"{path}:{number}: not JSON ({exc.msg})") from None


def write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename: readers never see a half-written file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---- what to write, per attribute owner ---------------------------------------------------------------


@dataclass
class Rewrite:
    """The mechanical edits of one version step; keys are (owner, attribute) with owner a class or ``image``."""

    value_renames: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # old attribute names
    drops: set[tuple[str, str]] = field(default_factory=set)  # old attribute names
    renames: dict[tuple[str, str], str] = field(default_factory=dict)
    old_defaults: dict[tuple[str, str], Any] = field(default_factory=dict)  # new attribute names
    new_defaults: dict[tuple[str, str], Any] = field(default_factory=dict)

    def apply(self, owner: str, attributes: dict[str, Any]) -> bool:
        before = dict(attributes)
        for name, value in list(attributes.items()):
            mapping = self.value_renames.get((owner, name), {})
            if isinstance(value, str) and value in mapping:
                attributes[name] = mapping[value]
            if (owner, name) in self.drops:
                del attributes[name]
        for name in [n for n in attributes if (owner, n) in self.renames]:
            new_name = self.renames[(owner, name)]
            if new_name not in attributes:
                attributes[new_name] = attributes.pop(name)
        for defaults in (self.old_defaults, self.new_defaults):
            for (key_owner, name), value in defaults.items():
                if key_owner == owner and name not in attributes:
                    attributes[name] = value
        return attributes != before


def rewrite_for(changes: list[Change], spec: ir.Spec) -> Rewrite:
    rewrite = Rewrite(new_defaults=_defaults(spec))
    for change in changes:
        fact = change.payload
        if isinstance(fact, p.AttributeRenamed):
            rewrite.renames[(fact.owner, fact.old)] = fact.new
        elif isinstance(fact, p.AttributeRemoved):
            rewrite.drops.add((fact.owner, fact.attribute))
        elif isinstance(fact, p.EnumValueRenamed):
            for use in fact.uses:
                rewrite.value_renames.setdefault(use, {})[fact.old] = fact.new
    for change in changes:
        fact = change.payload
        if isinstance(fact, p.DefaultChanged) and fact.action == "migrate":
            name = rewrite.renames.get((fact.owner, fact.attribute), fact.attribute)
            rewrite.old_defaults[(fact.owner, name)] = fact.old_default
    return rewrite


def _defaults(spec: ir.Spec) -> dict[tuple[str, str], Any]:
    owners = [(IMAGE, spec.image_attributes)] + [(c.name, c.attributes) for c in spec.classes]
    return {(owner, a.name): a.default for owner, attrs in owners for a in attrs if a.default is not None}


def rewrite_image(image: dict, rewrite: Rewrite) -> bool:
    changed = _rewrite_attributes(image, IMAGE, rewrite)
    for obj in image.get("objects") or ():
        if isinstance(obj, dict) and isinstance(obj.get("class"), str):
            changed |= _rewrite_attributes(obj, obj["class"], rewrite)
    return changed


def _rewrite_attributes(record: dict, owner: str, rewrite: Rewrite) -> bool:
    attributes = record.get("attributes")
    if attributes is not None and not isinstance(attributes, dict):
        return False  # malformed: the checker reports it, the image is not migrated
    edited = dict(attributes or {})
    if not rewrite.apply(owner, edited):
        return False
    record["attributes"] = edited
    return True


# ---- deciding image by image --------------------------------------------------------------------------


def migrate_document(spec: ir.Spec, document: NativeDocument, dataset: Dataset,
                     known: Mapping[int, ir.Spec] | None = None,
                     labeled_under: int | None = None) -> tuple[NativeDocument, MigrationReport]:
    """The migrated document (a new one; ``document`` is left as it was) and what happened."""
    known = {**(known or {}), spec.version: spec}
    notes: list[str] = []
    # Images without a version are left alone unless labeled_under says what they are.
    default = spec.version if labeled_under is None else labeled_under
    impact = analyze_impact(dataset, spec, known, default, labeled_under)
    notes += impact.notes
    needs_person = _impact_reasons(impact)
    versions = dataset.images.spec_version.copy()
    versions[np.isnan(versions)] = np.inf if labeled_under is None else labeled_under
    candidates: dict[int, tuple[dict, bool]] = {}
    for group in version_groups(versions, spec, known, []):
        rewrite = rewrite_for(group.changes, spec)
        for row in np.flatnonzero(group.images):
            if dataset.images.ids[row] not in needs_person:
                candidates[_position(dataset, int(row))] = _candidate(document.images, _position(dataset, int(row)),
                                                                       rewrite, spec.version)
    failing = _failing(spec, candidates, dataset.source)
    passed = sorted(p for p in candidates if p not in failing)
    images = list(document.images)
    for position in passed:
        images[position] = candidates[position][0]
    held = [HeldImage(image, reason) for image, reason in needs_person.items()]
    held += [HeldImage(candidates[position][0].get("id", f"/images/{position}"), reason)
             for position, reason in sorted(failing.items())]
    report = MigrationReport(
        images=len(document.images), migrated=len(passed), rewritten=sum(candidates[p][1] for p in passed),
        current=int(np.sum(dataset.images.spec_version >= spec.version)),
        needs_work=int(np.sum(versions < spec.version)) - len(passed) + len(document.images) - len(versions),
        unknown_version=int(np.sum(np.isinf(versions))), notes=tuple(dict.fromkeys(notes)), held=tuple(held))
    return NativeDocument(document.lines, document.header, images), report


def _impact_reasons(impact: Impact) -> dict[str, str]:
    """Per image that needs a person: each thing asked of it, with the objects and the change that asks."""
    messages: dict[str, list[str]] = {}
    for change in impact.changes:
        if change.severity != "migratable":  # mechanical changes an item also lists are not why a person looks
            messages.setdefault(change.id, []).append(change.message)
    reasons: dict[str, list[str]] = {}
    for item in impact.items:
        if item.action == "migrate":
            continue
        what = f"{item.action} {', '.join(item.objects)}" if item.objects else f"{item.action} the whole image"
        why = "; ".join(f"{cid}: {' / '.join(messages[cid])}" for cid in item.changes if cid in messages)
        reasons.setdefault(item.image, []).append(f"{what} ({why})" if why else what)
    return {image: "; ".join(parts) for image, parts in reasons.items()}


def _position(dataset: Dataset, row: int) -> int:
    """The image's index in the document, from its pointer ``/images/K``."""
    return int(dataset.images.pointers[row].rsplit("/", 1)[1])


def _candidate(images: list, position: int, rewrite: Rewrite, version: int) -> tuple[dict, bool]:
    image = copy.deepcopy(images[position])
    changed = rewrite_image(image, rewrite)
    image["spec_version"] = version
    return image, changed


def _failing(spec: ir.Spec, candidates: dict[int, tuple[dict, bool]], source: str) -> dict[int, str]:
    """Positions of migrated images the new version rejects with an error (quotas aside), and the first error."""
    records = [ImageRecord(image, source, f"/images/{position}") for position, (image, _) in candidates.items()]
    failing: dict[int, str] = {}
    for finding in sorted(run_checks(spec, build_dataset(records, source)), key=lambda f: f.sort_key()):
        if finding.severity == "error" and finding.kind != "quota" and finding.pointer.startswith("/images/"):
            on = f" on {', '.join(finding.objects)}" if finding.objects else ""
            failing.setdefault(_pointer_position(finding.pointer),
                               f"after the mechanical edits, {finding.check} fails{on}: {finding.message}")
    return failing


def _pointer_position(pointer: str) -> int:
    """The image's index in the document, from a JSON pointer ``/images/K/...``."""
    return int(pointer.split("/")[2])


def migrate_file(spec: ir.Spec, source: Path, out: Path, known: Mapping[int, ir.Spec] | None = None,
                 labeled_under: int | None = None) -> MigrationReport:
    if _same_file(source, out):
        raise MigrationError(f"refusing to write over the input {source}: give another -o")
    from specdsl.data import load_export

    document = read_native(source)
    dataset = load_export(source, "native")
    migrated, report = migrate_document(spec, document, dataset, known, labeled_under)
    write_atomically(out, migrated.dumps())
    return report


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    return b.exists() and os.path.samefile(a, b)

"""From findings to edits: which object each declared fix acts on, image by image.

A finding of a check with a fix names its objects: a constraint's finding points at its object
(``/images/K/objects/J``), a rule's lists the ids of the objects bound to its variables, in the order of
its ``for`` lines. A fix whose object cannot be told apart (two objects of the image share the id) is
not applied; the finding is counted as remaining.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specdsl import ir
from specdsl.report.finding import Finding


@dataclass
class ObjectEdit:
    sets: dict[str, Any] = field(default_factory=dict)
    clip: bool = False
    delete: bool = False


@dataclass
class ImagePlan:
    edits: dict[int, ObjectEdit] = field(default_factory=dict)  # by the object's position in the image
    joins: list[tuple[int, int]] = field(default_factory=list)

    def edit(self, position: int) -> ObjectEdit:
        return self.edits.setdefault(position, ObjectEdit())


@dataclass(frozen=True)
class PlannedFix:
    """A finding whose fix is planned, and the objects (image, positions) the fix acts on."""

    finding: Finding
    image: int
    positions: tuple[int, ...]


@dataclass
class FixPlan:
    images: dict[int, ImagePlan] = field(default_factory=dict)  # by the image's position in the export
    applied: list[PlannedFix] = field(default_factory=list)
    skipped_unsafe: int = 0  # findings whose fix is unsafe, without --unsafe-fixes
    unresolved: list[tuple[Finding, str]] = field(default_factory=list)  # findings whose objects are ambiguous

    def image(self, position: int) -> ImagePlan:
        return self.images.setdefault(position, ImagePlan())


def plan_fixes(spec: ir.Spec, findings: list[Finding], images: list[Any], unsafe: bool) -> FixPlan:
    """The edits the declared fixes ask for; ``images`` are the export's decoded images, in order."""
    fixes = spec.fixes()
    rules = {rule.check: rule for rule in spec.rules}
    plan = FixPlan()
    resolvers: dict[int, _Ids] = {}
    for finding in findings:
        fix = fixes.get(finding.check_id) if finding.check_id is not None else None
        if fix is None:
            continue
        if fix.unsafe and not unsafe:
            plan.skipped_unsafe += 1
            continue
        image = _image_position(finding.pointer)
        if image is None or image >= len(images):
            plan.unresolved.append((finding, "not located in the export"))
            continue
        ids = resolvers.setdefault(image, _Ids(images[image]))
        targets = _targets(finding, fix, rules.get(finding.check_id), ids)
        if isinstance(targets, str):
            plan.unresolved.append((finding, targets))
            continue
        _add(plan.image(image), fix, targets)
        plan.applied.append(PlannedFix(finding, image, tuple(targets)))
    return plan


def _add(image: ImagePlan, fix: ir.Fix, targets: list[int]) -> None:
    if fix.action == "set":
        image.edit(targets[0]).sets[fix.attribute] = fix.value
    elif fix.action == "clip":
        image.edit(targets[0]).clip = True
    elif fix.action == "delete":
        image.edit(targets[0]).delete = True
    else:
        image.joins.append((targets[0], targets[1]))


def _targets(finding: Finding, fix: ir.Fix, rule: ir.Rule | None, ids: _Ids) -> list[int] | str:
    """The positions of the objects the fix acts on, or why they cannot be told."""
    if rule is None:  # a class constraint: the object the finding points at
        position = _object_position(finding.pointer)
        return [position] if position is not None else "the finding points at no object"
    variables = [binding.var for binding in rule.bindings]
    positions = []
    for var in fix.targets:
        object_id = finding.objects[variables.index(var)]
        position = ids.position(object_id)
        if position is None:
            return f"two objects of image {finding.image} have the id {object_id}"
        positions.append(position)
    return positions


class _Ids:
    """An image's object ids -> positions (objects without an id are ``#J`` by position, as the checker says)."""

    def __init__(self, image: Any):
        objects = image.get("objects") if isinstance(image, dict) else None
        self.positions: dict[str, list[int]] = {}
        for j, obj in enumerate(objects if isinstance(objects, list) else ()):
            object_id = obj.get("id") if isinstance(obj, dict) else None
            self.positions.setdefault(object_id if isinstance(object_id, str) else f"#{j}", []).append(j)

    def position(self, object_id: str) -> int | None:
        found = self.positions.get(object_id, [])
        return found[0] if len(found) == 1 else None


def _image_position(pointer: str) -> int | None:
    parts = pointer.split("/")
    return int(parts[2]) if len(parts) > 2 and parts[1] == "images" and parts[2].isdigit() else None


def _object_position(pointer: str) -> int | None:
    parts = pointer.split("/")
    return int(parts[4]) if len(parts) > 4 and parts[3] == "objects" and parts[4].isdigit() else None


__all__ = ["FixPlan", "ImagePlan", "ObjectEdit", "PlannedFix", "plan_fixes"]

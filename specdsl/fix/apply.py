"""Applying a :class:`FixPlan` to the text of a native export (JSON document or JSON Lines).

Per touched image, in this order: ``set`` values are written, ``clip`` cuts geometry to the image (an
object with nothing left inside is deleted), ``join`` merges each chain of paired polylines into its
first object in export order (connected components of the pairs: chains of any length; the first
object keeps its id and attributes, the others are removed), then ``delete`` removes objects. A
deleted object is not joined. Every other byte of the export is copied as it was.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import orjson

from specdsl import ir
from specdsl.fix.geometry import clip_box, clip_points, join_chain
from specdsl.fix.plan import FixPlan, ImagePlan
from specdsl.fix.rawjson import image_extents, objects_array, rebuild_objects


@dataclass(frozen=True)
class ImageChange:
    """One touched image: its position, id, and the text of its objects before and after."""

    position: int
    image_id: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    touched: frozenset[int]  # positions of the objects changed or removed
    image: dict  # the image after the fixes


def apply_plan(spec: ir.Spec, text: str, lines: bool, images: list[Any],
               plan: FixPlan) -> tuple[str, list[ImageChange]]:
    """The repaired export text and what changed, image by image."""
    extents = image_extents(text, lines)
    out, cursor, changes = [], 0, []
    for position in sorted(plan.images):
        extent = extents[position]
        image_text = text[extent.start:extent.end]
        image = images[position]
        survivors = fixed_objects(spec, image, plan.images[position])
        touched = set(range(len(image["objects"]))) - {p for p, obj in survivors if obj == image["objects"][p]}
        if not touched:
            continue
        found = objects_array(image_text)
        texts = found.texts(image_text)
        pieces = [texts[p] if p not in touched else orjson.dumps(obj).decode() for p, obj in survivors]
        out += [text[cursor:extent.start], rebuild_objects(image_text, found, pieces)]
        cursor = extent.end
        image_id = image.get("id")
        changes.append(ImageChange(position, str(image_id if image_id is not None else f"/images/{position}"),
                                   tuple(texts), tuple(pieces), frozenset(touched),
                                   {**image, "objects": [obj for _, obj in survivors]}))
    out.append(text[cursor:])
    return "".join(out), changes


def fixed_objects(spec: ir.Spec, image: dict, plan: ImagePlan) -> list[tuple[int, Any]]:
    """The objects of ``image`` that remain after the fixes, each with its position in the input."""
    objects: list[Any] = image["objects"]
    fixed = {position: copy.deepcopy(objects[position]) for position in plan.edits}
    fixed.update({p: copy.deepcopy(objects[p]) for pair in plan.joins for p in pair if p not in fixed})
    deleted = {p for p, edit in plan.edits.items() if edit.delete}
    for position, edit in plan.edits.items():
        _set_values(fixed[position], edit.sets)
        if edit.clip and not _clip(spec, fixed[position], image):
            deleted.add(position)
    for chain in _chains(plan.joins, deleted):
        first, *rest = chain
        lines = [fixed[p].get("points") for p in chain]
        if all(_is_line(line) for line in lines):
            fixed[first]["points"] = join_chain(lines)
            deleted.update(rest)
    return [(p, fixed.get(p, obj)) for p, obj in enumerate(objects) if p not in deleted]


def _set_values(obj: Any, values: dict[str, Any]) -> None:
    if not values or not isinstance(obj, dict):
        return
    attributes = obj.get("attributes")
    if attributes is None:
        attributes = obj["attributes"] = {}
    if isinstance(attributes, dict):  # malformed attributes are the schema check's, not a fix's
        attributes.update(values)


def _clip(spec: ir.Spec, obj: Any, image: dict) -> bool:
    """Clip ``obj`` to the image in place; False when nothing of it is inside (it is then deleted)."""
    cls = spec.cls(obj.get("class")) if isinstance(obj, dict) else None
    width, height = image.get("width"), image.get("height")
    if cls is None or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (width, height)):
        return True  # without the image's size there is nothing to clip to: left as it is
    if cls.geometry == "box" and _is_box(obj.get("box")):
        clipped = clip_box(obj["box"], width, height)
        obj["box"] = clipped if clipped is not None else obj["box"]
        return clipped is not None
    if cls.geometry in ("polygon", "polyline") and _is_line(obj.get("points")):
        clipped = clip_points(obj["points"], cls.geometry, width, height)
        obj["points"] = clipped if clipped is not None else obj["points"]
        return clipped is not None
    return True


def _is_box(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 4 and all(_is_number(v) for v in value)


def _is_line(value: Any) -> bool:
    return isinstance(value, list) and len(value) >= 1 and all(
        isinstance(p, list) and len(p) == 2 and all(_is_number(v) for v in p) for p in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _chains(pairs: list[tuple[int, int]], deleted: set[int]) -> list[list[int]]:
    """Connected components of the pair graph (union-find), each in export order, deleted objects left out."""
    parent: dict[int, int] = {}

    def root(p: int) -> int:
        parent.setdefault(p, p)
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for a, b in pairs:
        if a not in deleted and b not in deleted:
            ra, rb = root(a), root(b)
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for p in sorted(parent):
        groups.setdefault(root(p), []).append(p)
    return [g for g in groups.values() if len(g) > 1]

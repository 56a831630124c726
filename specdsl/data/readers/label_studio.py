"""Label Studio JSON export: a list of tasks, each with annotations holding ``result`` lists.

One record per annotation (``ls_annotation="all"``, the default; cancelled ones are
skipped) or only the task's latest annotation (``"latest"``: greatest ``updated_at``,
then ``created_at``, then ``id``). The image id is ``data.image`` (else the task id),
so several annotations of one task share it; ``annotation`` and ``labeler`` tell them apart.

Results with the same ``id`` describe one region: the geometry result makes the object,
the others (choices, textarea, number, rating, taxonomy, ...) become its attributes,
named by ``from_name`` (a ``CLASS.ATTR`` name on a region of CLASS is its attribute ATTR).
The values chosen in the ``tags`` control are tag objects of those classes; a ``TAG.ATTR``
result is an attribute of the chosen tag TAG. Other results that belong to no region become
image attributes. Percent coordinates become pixels with ``original_width``/``original_height``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from specdsl.data.readers.base import (
    Issues,
    Item,
    ReadOptions,
    image_size,
    load_json,
    new_image,
    number,
    numbers,
)
from specdsl.data.readers.declared import TOOL_SHAPE
from specdsl.data.records import ImageRecord

_REGION_TYPES = {"rectangle", "polygon", "keypoint", "vector"}
_UNSUPPORTED = {"brush", "ellipse", "labels", "hypertextlabels", "paragraphlabels", "timeserieslabels",
                "videorectangle", "polyline", "bitmask"}
TAGS_CONTROL = "tags"  # the Choices control whose values are tag classes (specc export-config writes it)


def read_label_studio(path: Path, options: ReadOptions) -> Iterator[Item]:
    tasks = load_json(path)
    issues = Issues(str(path))
    if isinstance(tasks, dict) and ("data" in tasks or "annotations" in tasks):  # one task on its own
        tasks = [tasks]
    if not isinstance(tasks, list):
        issues.add("", "expected a list of Label Studio tasks")
        yield from issues.drain()
        return
    for t, task in enumerate(tasks):
        if not isinstance(task, dict) or not isinstance(task.get("annotations", []), list):
            issues.add(f"/{t}", "a task must be an object with an 'annotations' list")
        else:
            for a in _chosen(task.get("annotations", []), options):
                yield _record(task, t, a, task["annotations"][a], options, issues)
        yield from issues.drain()


def _chosen(annotations: list, options: ReadOptions) -> list[int]:
    live = [a for a, ann in enumerate(annotations) if isinstance(ann, dict) and not ann.get("was_cancelled")]
    if options.ls_annotation != "latest" or not live:
        return live
    return [max(live, key=lambda a: _recency(annotations[a]))]


def _recency(annotation: dict) -> tuple:
    ann_id = annotation.get("id")
    return (str(annotation.get("updated_at") or ""), str(annotation.get("created_at") or ""),
            ann_id if isinstance(ann_id, int) else -1)


def _image_id(task: dict, t: int) -> str:
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    if isinstance(data.get("image"), str) and data["image"]:
        return data["image"]
    return str(task.get("id", t))


def _record(task: dict, t: int, a: int, annotation: dict, options: ReadOptions,
            issues: Issues) -> ImageRecord:
    pointer = f"/{t}/annotations/{a}"
    image_id = _image_id(task, t)
    results = annotation.get("result")
    if not isinstance(results, list):
        issues.add(pointer, "an annotation needs a 'result' list", image_id)
        results = []
    width, height = _size(results, options)
    data = new_image(image_id, width, height, options)
    data["annotation"] = str(annotation.get("id", a))
    labeler = _labeler(annotation.get("completed_by"))
    if labeler:
        data["labeler"] = labeler  # who made this annotation set, even when it holds no region (specc agree)
    relations, pointers = [], []
    regions: dict[str, dict] = {}
    for r, result in enumerate(results):
        where = f"{pointer}/result/{r}"
        if not isinstance(result, dict) or not isinstance(result.get("type"), str):
            issues.add(where, "a result must be an object with a 'type'", image_id)
        elif result["type"] == "relation":
            relations.append(_relation(result))
        elif _base_type(result["type"]) in _REGION_TYPES:
            obj = _region(result, r, (width, height), issues, where, image_id)
            if obj is not None:
                if labeler:
                    obj["labeler"] = labeler
                data["objects"].append(obj)
                pointers.append(where)
                regions.setdefault(obj["id"], obj)
    for where, tag in _tags(results, pointer):
        if labeler:
            tag["labeler"] = labeler
        data["objects"].append(tag)
        pointers.append(where)
        regions.setdefault(tag["id"], tag)
    _attach_attributes(results, regions, data, issues, pointer, image_id)
    if relations:
        data["relations"] = relations
    return ImageRecord(data, issues.source, pointer, pointers)


def _base_type(result_type: str) -> str:
    return result_type.removesuffix("labels")


def _size(results: list, options: ReadOptions) -> tuple[Any, Any]:
    for result in results:
        if isinstance(result, dict) and number(result.get("original_width")) is not None:
            return result["original_width"], result.get("original_height")
    return image_size(options, None)


def _labeler(completed_by: Any) -> str | None:
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("id")
    return None if completed_by is None else str(completed_by)


def _relation(result: dict) -> dict:
    relation = {"from": result.get("from_id"), "to": result.get("to_id")}
    if result.get("direction") is not None:
        relation["direction"] = result["direction"]
    if isinstance(result.get("labels"), list) and result["labels"]:
        relation["labels"] = result["labels"]
    return relation


def _region(result: dict, r: int, size: tuple[Any, Any], issues: Issues, where: str,
            image_id: str) -> dict | None:
    value = result.get("value") if isinstance(result.get("value"), dict) else {}
    obj_id = str(result["id"]) if result.get("id") is not None else str(r)
    scale = _scale(result, size)
    if scale is None:
        issues.add(where, "percent coordinates need 'original_width' and 'original_height'", image_id,
                   (obj_id,))
        return None
    obj: dict = {"id": obj_id, "class": _class(result, value), TOOL_SHAPE: _base_type(result["type"])}
    labels = value.get(result["type"]) if result["type"].endswith("labels") else None
    if isinstance(labels, list) and len(labels) > 1:
        obj["labels"] = labels
    problem = _GEOMETRY[_base_type(result["type"])](value, scale, obj)
    if problem:
        issues.add(where, problem, image_id, (obj_id,))
        return None
    obj["attributes"] = {}
    for key, extra in (("score", "score"), ("parentID", "parent")):
        if result.get(key) is not None:
            obj[extra] = result[key]
    return obj


def _scale(result: dict, size: tuple[Any, Any]) -> tuple[float, float] | None:
    width = number(result.get("original_width"))
    height = number(result.get("original_height"))
    width = width if width is not None else number(size[0])
    height = height if height is not None else number(size[1])
    return None if width is None or height is None else (width / 100.0, height / 100.0)


def _class(result: dict, value: dict) -> str:
    labels = value.get(result["type"])
    if isinstance(labels, list) and labels and isinstance(labels[0], str):
        return labels[0]
    return str(result.get("from_name", result["type"]))


def _rectangle(value: dict, scale: tuple[float, float], obj: dict) -> str | None:
    x, y, w, h = (number(value.get(k)) for k in ("x", "y", "width", "height"))
    if None in (x, y, w, h):
        return "a rectangle needs numeric x, y, width and height"
    sx, sy = scale
    rotation = number(value.get("rotation")) or 0
    obj["box"] = centred_box([x * sx, y * sy, w * sx, h * sy], rotation)
    obj["rotation"] = rotation
    return None


def centred_box(box: list[float], degrees: float) -> list[float]:
    """Label Studio turns a box ``degrees`` clockwise about its top-left corner (x, y); the native model turns
    it about its centre (as CVAT does): the same drawn box, with x, y moved to where the centre stays put."""
    x, y, w, h = box
    if not degrees:
        return box
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    cx, cy = x + (w / 2) * c - (h / 2) * s, y + (w / 2) * s + (h / 2) * c
    return [cx - w / 2, cy - h / 2, w, h]


def _polygon(value: dict, scale: tuple[float, float], obj: dict) -> str | None:
    points = value.get("points")
    parsed = [numbers(p, 2) for p in points] if isinstance(points, list) else [None]
    if any(p is None for p in parsed):
        return "polygon 'points' must be a list of [x, y] percent pairs"
    obj["points"] = [[p[0] * scale[0], p[1] * scale[1]] for p in parsed]
    return None


def _keypoint(value: dict, scale: tuple[float, float], obj: dict) -> str | None:
    x, y = number(value.get("x")), number(value.get("y"))
    if x is None or y is None:
        return "a keypoint needs numeric x and y"
    obj["point"] = [x * scale[0], y * scale[1]]
    return None


def _vector(value: dict, scale: tuple[float, float], obj: dict) -> str | None:
    """A ``VectorLabels`` path: its vertices in order (Bezier control points are not followed)."""
    vertices = value.get("vertices")
    if not isinstance(vertices, list) or not all(isinstance(v, dict) for v in vertices):
        return "a vector needs a 'vertices' list of {x, y} objects"
    parsed = [(number(v.get("x")), number(v.get("y"))) for v in vertices]
    if any(x is None or y is None for x, y in parsed):
        return "vector vertices need numeric x and y"
    obj["points"] = [[x * scale[0], y * scale[1]] for x, y in parsed]
    if value.get("closed") is True:
        obj["closed"] = True
    return None


_GEOMETRY = {"rectangle": _rectangle, "polygon": _polygon, "keypoint": _keypoint, "vector": _vector}


def _tags(results: list, pointer: str) -> list[tuple[str, dict]]:
    """Tag objects: one per value chosen in the ``tags`` control."""
    found = []
    for r, result in enumerate(results):
        if not isinstance(result, dict) or result.get("from_name") != TAGS_CONTROL or result.get("type") != "choices":
            continue
        value = result.get("value") if isinstance(result.get("value"), dict) else {}
        chosen = value.get("choices") if isinstance(value.get("choices"), list) else []
        for name in chosen:
            if isinstance(name, str):
                found.append((f"{pointer}/result/{r}", {"id": f"{TAGS_CONTROL}/{name}", "class": name,
                                                        TOOL_SHAPE: "choices", "attributes": {}}))
    return found


def _attach_attributes(results: list, regions: dict[str, dict], data: dict, issues: Issues, pointer: str,
                       image_id: str) -> None:
    """Non-geometry results: attributes of the region with the same id, else of the image."""
    for r, result in enumerate(results):
        if not isinstance(result, dict) or not isinstance(result.get("type"), str):
            continue
        kind = result["type"]
        if kind == "relation" or _base_type(kind) in _REGION_TYPES or result.get("from_name") == TAGS_CONTROL:
            continue
        if _base_type(kind) in _UNSUPPORTED or kind in _UNSUPPORTED:
            issues.add(f"{pointer}/result/{r}",
                       f"Label Studio result type {kind!r} is not supported; skipped", image_id)
            continue
        name = str(result.get("from_name", kind))
        owner, attribute = _owner(name, regions.get(str(result.get("id"))), regions)
        target = owner["attributes"] if owner is not None else data["attributes"]
        target[attribute] = _attribute_value(kind, result.get("value"))


def _owner(name: str, region: dict | None, regions: dict[str, dict]) -> tuple[dict | None, str]:
    """The object a control's result belongs to and the attribute it sets: ``CLASS.ATTR`` controls are named
    after the class of their region (or the chosen tag) so that each class shows its own attribute docs."""
    prefix, dot, rest = name.partition(".")
    if region is not None:
        return region, rest if dot and prefix == region["class"] else name
    tag = regions.get(f"{TAGS_CONTROL}/{prefix}") if dot else None
    return (tag, rest) if tag is not None else (None, name)


def _attribute_value(kind: str, value: Any) -> Any:
    """The payload of a control's result: one choice as a string, several as a list."""
    if not isinstance(value, dict):
        return value
    payload = value.get(kind, value.get("text", value))
    if kind == "taxonomy" and isinstance(payload, list):
        payload = ["/".join(map(str, path)) if isinstance(path, list) else path for path in payload]
    if isinstance(payload, list) and len(payload) == 1:
        return payload[0]
    return payload

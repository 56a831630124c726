"""COCO instances / keypoints JSON.

One document, so it is parsed whole (orjson). Annotations are grouped by ``image_id``
and each image is yielded with ``object_pointers`` into ``/annotations/K``. An
object keeps ``box`` from ``bbox`` and adds ``points`` (polygon; several parts also in
``polygons``) or ``mask`` (RLE), ``keypoints``, ``iscrowd`` and the non-standard
``attributes`` dict that CVAT and Datumaro write.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from specdsl.data.mask import mask_problem
from specdsl.data.readers.base import (
    Issues,
    Item,
    ReadOptions,
    id_text,
    load_json,
    new_image,
    number,
    numbers,
    pairs,
    put_parts,
)
from specdsl.data.records import ImageRecord

_CROWD_TEXT = {"0": False, "1": True, "false": False, "true": True}


def read_coco(path: Path, options: ReadOptions) -> Iterator[Item]:
    doc = load_json(path)
    issues = Issues(str(path))
    if not isinstance(doc, dict) or not isinstance(doc.get("images"), list):
        issues.add("", "expected a COCO object with an 'images' list")
        yield from issues.drain()
        return
    categories = _categories(doc.get("categories"), issues)
    by_image = _annotations_by_image(doc.get("annotations"), issues)
    yield from issues.drain()
    seen: set = set()
    for i, image in enumerate(doc["images"]):
        record = _image(image, i, categories, by_image, options, issues)
        if record is not None:
            seen.add(_key(image.get("id")))
            yield record
        yield from issues.drain()
    yield from _orphans(by_image, seen, issues)


def _key(value: Any) -> Any:
    return value if isinstance(value, int | str) and not isinstance(value, bool) else repr(value)


def _categories(raw: Any, issues: Issues) -> dict:
    """category id -> (name, keypoint names)."""
    if not isinstance(raw, list):
        issues.add("/categories", "expected a list of categories")
        return {}
    found = {}
    for i, cat in enumerate(raw):
        if not isinstance(cat, dict) or "id" not in cat or not isinstance(cat.get("name"), str):
            issues.add(f"/categories/{i}", "a category needs an 'id' and a string 'name'")
            continue
        names = cat.get("keypoints") if isinstance(cat.get("keypoints"), list) else []
        found[_key(cat["id"])] = (cat["name"], [str(n) for n in names])
    return found


def _annotations_by_image(raw: Any, issues: Issues) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        issues.add("/annotations", "expected a list of annotations")
        return {}
    grouped: dict = {}
    for k, ann in enumerate(raw):
        if not isinstance(ann, dict) or "image_id" not in ann:
            issues.add(f"/annotations/{k}", "an annotation needs an 'image_id'")
            continue
        grouped.setdefault(_key(ann["image_id"]), []).append((k, ann))
    return grouped


def _image(image: Any, i: int, categories: dict, by_image: dict, options: ReadOptions,
           issues: Issues) -> ImageRecord | None:
    if not isinstance(image, dict) or "id" not in image:
        issues.add(f"/images/{i}", "an image needs an 'id'")
        return None
    name = image.get("file_name")
    image_id = name if isinstance(name, str) and name else id_text(image["id"], i)
    width, height = image.get("width"), image.get("height")
    if number(width) is None or number(height) is None:
        issues.add(f"/images/{i}", "image 'width' and 'height' must be numbers", image_id)
    data = new_image(image_id, width, height, options)
    pointers = []
    for k, ann in by_image.get(_key(image["id"]), []):
        for obj in _objects(ann, k, categories, image_id, options, issues):
            data["objects"].append(obj)
            pointers.append(f"/annotations/{k}/keypoints" if "parent" in obj else f"/annotations/{k}")
    return ImageRecord(data, issues.source, f"/images/{i}", pointers)


def _objects(ann: dict, k: int, categories: dict, image_id: str, options: ReadOptions,
             issues: Issues) -> list[dict]:
    pointer = f"/annotations/{k}"
    obj_id = id_text(ann.get("id"), k)
    category = categories.get(_key(ann.get("category_id")))
    if category is None:
        issues.add(pointer, f"unknown category_id {ann.get('category_id')!r}", image_id, (obj_id,))
        return []
    obj: dict = {"id": obj_id, "class": category[0]}
    problem = _geometry(ann, obj)
    if problem:
        issues.add(pointer, problem, image_id, (obj_id,))
        return []
    attributes = ann.get("attributes", {})
    if not isinstance(attributes, dict):
        issues.add(pointer + "/attributes", "'attributes' must be an object", image_id, (obj_id,))
        attributes = {}
    obj["attributes"] = dict(attributes)
    if "iscrowd" in ann:
        obj["iscrowd"] = _iscrowd(ann["iscrowd"])
    return _with_keypoints(ann, obj, category[1], options, issues, pointer, image_id)


def _iscrowd(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str) and str(value).lower() in _CROWD_TEXT:
        return _CROWD_TEXT[str(value).lower()]
    return value  # left as written: the checker reports a wrong type


def _geometry(ann: dict, obj: dict) -> str | None:
    """Put ``box`` and the segmentation on ``obj``; a message when either is malformed."""
    if ann.get("bbox") is not None:
        box = numbers(ann["bbox"], 4)
        if box is None:
            return "'bbox' must be 4 finite numbers [x, y, w, h]"
        obj["box"] = box
    segmentation = ann.get("segmentation")
    if isinstance(segmentation, dict):
        problem = mask_problem(segmentation)
        if problem:
            return f"segmentation: {problem}"
        obj["mask"] = {"size": list(segmentation["size"]), "counts": segmentation["counts"]}
    elif isinstance(segmentation, list):
        parts = [numbers(part) for part in segmentation]
        if any(p is None or len(p) % 2 for p in parts):
            return "segmentation polygons must be flat lists of x, y numbers"
        put_parts(obj, [pairs(p) for p in parts if p])
    elif segmentation is not None:
        return "segmentation must be a list of polygons or an RLE object"
    return None


def _with_keypoints(ann: dict, obj: dict, names: list[str], options: ReadOptions, issues: Issues,
                    pointer: str, image_id: str) -> list[dict]:
    if ann.get("keypoints") is None:
        return [obj]
    flat = numbers(ann["keypoints"])
    if flat is None or len(flat) % 3:
        issues.add(pointer + "/keypoints", "keypoints must be a flat list of x, y, v numbers", image_id,
                   (obj["id"],))
        return [obj]
    names = names if len(names) * 3 == len(flat) else [f"kp{j}" for j in range(len(flat) // 3)]
    keypoints = [{"name": names[j // 3], "point": [flat[j], flat[j + 1]], "visibility": flat[j + 2]}
                 for j in range(0, len(flat), 3)]
    if options.coco_keypoints != "points":
        obj["keypoints"] = keypoints
        return [obj]
    return [obj] + [{"id": f"{obj['id']}/{kp['name']}", "class": kp["name"], "point": kp["point"],
                     "attributes": {"visibility": kp["visibility"]}, "parent": obj["id"]}
                    for kp in keypoints if kp["visibility"] > 0]


def _orphans(by_image: dict, seen: set, issues: Issues) -> Iterator[Item]:
    for image_key, anns in by_image.items():
        if image_key not in seen:
            for k, ann in anns:
                issues.add(f"/annotations/{k}", f"image_id {ann['image_id']!r} names no image in 'images'")
    yield from issues.drain()

"""BDD100K / Scalabel frames: a list of frames, ``{"frames": [...]}``, or one frame.

A label becomes an object with ``box`` (from ``box2d``; Scalabel's corners are
inclusive, so ``w = x2 - x1 + 1`` as Scalabel's own COCO converter does), ``points``
(from ``poly2d``: the vertices as written, Bezier control vertices ``C`` included,
with ``closed`` and ``vertex_types`` kept; several polygons also in ``polygons``),
``mask`` (``rle``) and ``keypoints`` (``graph`` nodes). ``labels: null`` is an
unlabeled frame. Attribute keys stay as written (a mapping fixes their case); a list
attribute written as an ``[index, "value"]`` pair becomes ``"value"``.
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
    image_size,
    load_json,
    new_image,
    number,
    numbers,
    put_parts,
)
from specdsl.data.records import ImageRecord

BDD_SIZE = (1280, 720)


def read_scalabel(path: Path, options: ReadOptions) -> Iterator[Item]:
    doc = load_json(path)
    issues = Issues(str(path))
    frames, prefix, default_size = _frames(doc)
    if frames is None:
        issues.add("", "expected a list of frames or an object with 'frames'")
    for i, frame in enumerate(frames or []):
        record = _frame(frame, f"{prefix}/{i}", i, default_size, options, issues)
        if record is not None:
            yield record
        yield from issues.drain()
    yield from issues.drain()


def _frames(doc: Any) -> tuple[list | None, str, tuple[int, int]]:
    """The frame list, its JSON pointer prefix and the dataset's image size."""
    if isinstance(doc, list):
        return doc, "", BDD_SIZE
    if isinstance(doc, dict) and isinstance(doc.get("frames"), list):
        config = doc.get("config") if isinstance(doc.get("config"), dict) else {}
        size = config.get("imageSize") if isinstance(config.get("imageSize"), dict) else {}
        if number(size.get("width")) and number(size.get("height")):
            return doc["frames"], "/frames", (size["width"], size["height"])
        return doc["frames"], "/frames", BDD_SIZE
    if isinstance(doc, dict) and "name" in doc:
        return [doc], "", BDD_SIZE
    return None, "", BDD_SIZE


def _frame(frame: Any, pointer: str, i: int, default_size: tuple[int, int], options: ReadOptions,
           issues: Issues) -> ImageRecord | None:
    if not isinstance(frame, dict):
        issues.add(pointer, "a frame must be an object")
        return None
    image_id = id_text(frame.get("name"), i)
    size = frame.get("size") if isinstance(frame.get("size"), dict) else {}
    width, height = image_size(options, default_size)
    if options.image_size is None and number(size.get("width")) and number(size.get("height")):
        width, height = size["width"], size["height"]
    data = new_image(image_id, width, height, options)
    data["attributes"] = _attributes(frame.get("attributes"))
    for key, extra in (("videoName", "video"), ("frameIndex", "frame_index")):
        if frame.get(key) not in (None, ""):
            data[extra] = frame[key]
    labels, label_key = _labels(frame)
    if labels is None:
        issues.add(f"{pointer}/labels", "'labels' must be a list or null", image_id)
        labels = []
    pointers = []
    for k, label in enumerate(labels):
        obj = _object(label, k, issues, f"{pointer}/{label_key}/{k}", image_id)
        if obj is not None:
            data["objects"].append(obj)
            pointers.append(f"{pointer}/{label_key}/{k}")
    return ImageRecord(data, issues.source, pointer, pointers)


def _labels(frame: dict) -> tuple[list | None, str]:
    """Scalabel ``labels``, or the objects of BDD's older per-image ``frames[0].objects``."""
    if "labels" in frame:
        labels = frame["labels"]
        return ([] if labels is None else labels if isinstance(labels, list) else None), "labels"
    inner = frame.get("frames")
    if isinstance(inner, list) and inner and isinstance(inner[0], dict) and "objects" in inner[0]:
        objects = inner[0]["objects"]
        return (objects if isinstance(objects, list) else None), "frames/0/objects"
    return [], "labels"


def _attributes(raw: Any) -> dict:
    if not isinstance(raw, dict):
        return {}
    return {key: _attribute_value(value) for key, value in raw.items()}


def _attribute_value(value: Any) -> Any:
    is_pair = isinstance(value, list) and len(value) == 2
    if is_pair and isinstance(value[0], int) and isinstance(value[1], str):
        return value[1]
    return value


def _object(label: Any, k: int, issues: Issues, pointer: str, image_id: str) -> dict | None:
    if not isinstance(label, dict):
        issues.add(pointer, "a label must be an object", image_id)
        return None
    obj_id = id_text(label.get("id"), k)
    obj: dict = {"id": obj_id, "class": label.get("category")}
    for key, convert in _GEOMETRY:
        if label.get(key) is not None:
            problem = convert(label[key], obj)
            if problem:
                issues.add(f"{pointer}/{key}", problem, image_id, (obj_id,))
                return None
    obj["attributes"] = _attributes(label.get("attributes"))
    if label.get("score") is not None:
        obj["score"] = label["score"]
    return obj


def _box2d(raw: Any, obj: dict) -> str | None:
    corners = [number(raw.get(k)) for k in ("x1", "y1", "x2", "y2")] if isinstance(raw, dict) else [None]
    if None in corners:
        return "box2d needs numeric x1, y1, x2, y2"
    x1, y1, x2, y2 = corners
    obj["box"] = [x1, y1, x2 - x1 + 1, y2 - y1 + 1]
    return None


def _poly2d(raw: Any, obj: dict) -> str | None:
    if not isinstance(raw, list):
        return "poly2d must be a list of polygons"
    polys = raw
    if polys and all(isinstance(v, list) and len(v) == 3 and isinstance(v[2], str) for v in polys):
        polys = [{"vertices": [v[:2] for v in polys], "types": "".join(v[2] for v in polys), "closed": False}]
    parts, types, closed = [], [], []
    for poly in polys:
        vertices = poly.get("vertices") if isinstance(poly, dict) else None
        parsed = [numbers(v, 2) for v in vertices] if isinstance(vertices, list) else [None]
        if any(p is None for p in parsed):
            return "poly2d needs 'vertices' as a list of [x, y]"
        parts.append(parsed)
        types.append(str(poly.get("types", "L" * len(parsed))))
        closed.append(bool(poly.get("closed", False)))
    if parts:
        put_parts(obj, parts)
        main = parts.index(obj["points"])
        obj["closed"], obj["vertex_types"] = closed[main], types[main]
    return None


def _rle(raw: Any, obj: dict) -> str | None:
    problem = mask_problem(raw) if isinstance(raw, dict) else "rle must be an object"
    if problem:
        return problem
    obj["mask"] = {"size": list(raw["size"]), "counts": raw["counts"]}
    return None


def _graph(raw: Any, obj: dict) -> str | None:
    nodes = raw.get("nodes") if isinstance(raw, dict) else None
    if not isinstance(nodes, list):
        return "graph needs a 'nodes' list"
    keypoints = []
    for node in nodes:
        location = numbers(node.get("location"), 2) if isinstance(node, dict) else None
        if location is None:
            return "graph nodes need a numeric [x, y] 'location'"
        keypoints.append({"name": node.get("category"), "point": location,
                          "visibility": node.get("visibility")})
    obj["keypoints"] = keypoints
    return None


_GEOMETRY = (("box2d", _box2d), ("poly2d", _poly2d), ("rle", _rle), ("graph", _graph))

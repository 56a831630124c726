"""CVAT for images 1.1 and CVAT for video 1.1 XML, streamed with ``iterparse``.

Each ``<image>`` becomes a record as soon as it is parsed. Video tracks are collected
(they run across the whole file) and yielded last, one record per frame, skipping the
``outside="1"`` shapes (a frame where every shape is outside is an image without objects).
Shape flags become object keys (``occluded``, ``z_order``, ``source``, ``group_id``,
``rotation``: degrees clockwise about the box centre); ``<attribute>`` children become
``attributes``, typed by the ``<labels>`` declarations, so an ``occluded`` attribute and the
``occluded`` flag stay apart and rules can compare them. An attribute left at CVAT's
``__undefined__`` entry or at an empty text is missing. Each object records the element it
was drawn with (``tool_shape``), checked against the class geometry when the spec is known.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from specdsl.data.mask import cvat_rle_to_native
from specdsl.data.readers.base import Issues, Item, ReadOptions, new_image
from specdsl.data.readers.cvat_labels import CvatMeta, is_unset, iterparse_xml, parse_meta, typed_value
from specdsl.data.readers.declared import TOOL_SHAPE
from specdsl.data.records import ImageRecord

Size = tuple[int | None, int | None]  # (width, height)


def read_cvat(path: Path, options: ReadOptions) -> Iterator[Item]:
    issues = Issues(str(path))
    meta = CvatMeta({}, (), None)
    frames: dict[int, list[tuple[dict, str]]] = {}
    counts = {"image": 0, "track": 0}
    depth, root = 0, None
    for event, elem in iterparse_xml(path):
        if event == "start":
            root = elem if depth == 0 else root
            depth += 1
            continue
        depth -= 1
        if depth != 1:
            continue
        if elem.tag == "meta":
            meta = parse_meta(elem)
        elif elem.tag in counts:
            counts[elem.tag] += 1
            if elem.tag == "image":
                yield _image(elem, counts["image"], meta, options, issues)
            else:
                _collect_track(elem, counts["track"], meta, options, frames, issues)
            yield from issues.drain()
        root.clear()  # everything parsed so far has been used: keep memory flat
    yield from _frame_records(frames, meta, options, issues.source)


def _image(elem: ET.Element, index: int, meta: CvatMeta, options: ReadOptions, issues: Issues) -> ImageRecord:
    pointer = f"/annotations/image[{index}]"
    image_id = elem.get("name") or elem.get("id") or str(index - 1)
    subset = elem.get("subset")
    if subset and len(meta.subsets) > 1:  # project exports repeat names and ids across subsets
        image_id = f"{subset}/{image_id}"
    size = (_int_attr(elem, "width"), _int_attr(elem, "height"))
    if None in size:
        issues.add(pointer, "image 'width' and 'height' must be integers", image_id)
    data = new_image(image_id, size[0], size[1], options)
    if subset:
        data["subset"] = subset
    pointers: list[str] = []
    seen: dict[str, int] = {}
    for k, shape in enumerate(elem):
        seen[shape.tag] = seen.get(shape.tag, 0) + 1
        shape_pointer = f"{pointer}/{shape.tag}[{seen[shape.tag]}]"
        obj = _object(shape, shape.get("id") or str(k), shape.get("label", ""), meta, size)
        if isinstance(obj, str):
            issues.add(shape_pointer, obj, image_id, (shape.get("id") or str(k),))
            continue
        data["objects"].append(obj)
        pointers.append(shape_pointer)
    return ImageRecord(data, issues.source, pointer, pointers)


def _int_attr(elem: ET.Element, name: str) -> int | None:
    try:
        return int(elem.get(name, ""))
    except ValueError:
        return None


def _object(shape: ET.Element, obj_id: str, label: str, meta: CvatMeta, size: Size) -> dict | str:
    """The native object of one shape, or why it cannot be read."""
    convert = _GEOMETRY.get(shape.tag)
    if convert is None:
        return f"CVAT shape <{shape.tag}> is not supported; skipped"
    obj: dict = {"id": obj_id, "class": label, TOOL_SHAPE: shape.tag}
    try:
        obj.update(convert(shape, size))
        declared = meta.labels.get(label)
        specs = declared.attributes if declared else {}
        obj["attributes"] = {a.get("name", ""): typed_value(a.text, specs.get(a.get("name", "")))
                             for a in shape.iterfind("attribute") if not is_unset(a.text)}
        _flags(shape, obj)
    except ValueError as exc:
        return f"<{shape.tag}>: {exc}"
    return obj


def _flags(shape: ET.Element, obj: dict) -> None:
    if shape.get("occluded") is not None:
        obj["occluded"] = shape.get("occluded") == "1"
    for name in ("z_order", "group_id"):
        if shape.get(name) is not None:
            obj[name] = _float(shape, name, as_int=True)
    if shape.get("source") is not None:
        obj["source"] = shape.get("source")


def _float(shape: ET.Element, name: str, as_int: bool = False) -> float | int:
    text = shape.get(name)
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"attribute {name!r} must be a number, not {text!r}")
    return int(value) if as_int and value.is_integer() else value


def _points(shape: ET.Element, size: Size) -> dict:
    text = shape.get("points", "")
    try:
        points = [[float(x), float(y)] for x, y in (p.split(",") for p in text.split(";") if p.strip())]
    except ValueError:
        raise ValueError(f"'points' must be 'x,y;x,y;...', not {text[:60]!r}") from None
    if not all(math.isfinite(v) for p in points for v in p):
        raise ValueError("'points' holds a non-finite coordinate")
    return {"points": points}


def _points_shape(shape: ET.Element, size: Size) -> dict:
    """A ``<points>`` shape; a single point is also given as ``point``."""
    geometry = _points(shape, size)
    if len(geometry["points"]) == 1:
        geometry["point"] = geometry["points"][0]
    return geometry


def _box(shape: ET.Element, size: Size) -> dict:
    xtl, ytl, xbr, ybr = (_float(shape, k) for k in ("xtl", "ytl", "xbr", "ybr"))
    geometry: dict = {"box": [xtl, ytl, xbr - xtl, ybr - ytl]}
    if shape.get("rotation") is not None:
        geometry["rotation"] = _float(shape, "rotation")
    return geometry


def _ellipse(shape: ET.Element, size: Size) -> dict:
    cx, cy, rx, ry = (_float(shape, k) for k in ("cx", "cy", "rx", "ry"))
    geometry: dict = {"box": [cx - rx, cy - ry, 2 * rx, 2 * ry], "ellipse": [cx, cy, rx, ry]}
    if shape.get("rotation") is not None:
        geometry["rotation"] = _float(shape, "rotation")
    return geometry


def _mask(shape: ET.Element, size: Size) -> dict:
    width, height = size
    if width is None or height is None:
        raise ValueError("a mask needs the image width and height")
    left, top, w, h = (_float(shape, k, as_int=True) for k in ("left", "top", "width", "height"))
    try:
        runs = [int(v) for v in shape.get("rle", "").split(",") if v.strip()]
    except ValueError:
        raise ValueError("'rle' must be comma-separated integers") from None
    return {"mask": cvat_rle_to_native(runs, int(left), int(top), int(w), int(h), height, width)}


_GEOMETRY = {
    "box": _box,
    "polygon": _points,
    "polyline": _points,
    "points": _points_shape,
    "mask": _mask,
    "ellipse": _ellipse,
    "tag": lambda shape, size: {},
}


def _collect_track(elem: ET.Element, index: int, meta: CvatMeta, options: ReadOptions,
                   frames: dict[int, list[tuple[dict, str]]], issues: Issues) -> None:
    """Per-frame shapes of one video track, filed under their frame number."""
    pointer = f"/annotations/track[{index}]"
    track_id = elem.get("id") or str(index - 1)
    size = meta.original_size or options.image_size or (None, None)
    seen: dict[str, int] = {}
    for shape in elem:
        seen[shape.tag] = seen.get(shape.tag, 0) + 1
        shape_pointer = f"{pointer}/{shape.tag}[{seen[shape.tag]}]"
        frame = _int_attr(shape, "frame")
        if frame is None:
            issues.add(shape_pointer, "a track shape needs an integer 'frame'", None, (track_id,))
            continue
        shapes = frames.setdefault(frame, [])  # a frame whose shapes are all outside is still an image
        if shape.get("outside") == "1":
            continue
        obj = _object(shape, track_id, elem.get("label", ""), meta, size)
        if isinstance(obj, str):
            issues.add(shape_pointer, obj, None, (track_id,))
            continue
        shapes.append((obj, shape_pointer))


def _frame_records(frames: dict[int, list[tuple[dict, str]]], meta: CvatMeta, options: ReadOptions,
                   source: str) -> Iterator[ImageRecord]:
    width, height = meta.original_size or options.image_size or (None, None)
    for frame in sorted(frames):
        data = new_image(f"frame_{frame:06d}", width, height, options)
        data["frame"] = frame
        data["objects"] = [obj for obj, _ in frames[frame]]
        yield ImageRecord(data, source, f"/annotations/track/*[@frame='{frame}']",
                          [p for _, p in frames[frame]])

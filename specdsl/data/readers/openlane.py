"""OpenLane: one JSON per frame, 2D/3D lanes (``lane_lines``) or CIPO boxes (``results``).

Given a directory, every ``*.json`` below it is read in sorted path order. A lane's
``uv`` is ``[[u...], [v...]]`` (column-major) and becomes ``points``; ``category`` and
``attribute`` become attributes (a mapping turns the codes into colour/style), and
``track_id`` (``trackid`` in lane2d) an object key. 3D ``xyz`` is not read. A CIPO box
``{x, y, width, height, id, type}`` becomes ``box`` with attribute ``type`` and
``track_id`` = its ``id``. Object ids are the position in the file's list.
"""

from __future__ import annotations

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
from specdsl.data.records import ImageRecord

OPENLANE_SIZE = (1920, 1280)  # Waymo front camera


def read_openlane(path: Path, options: ReadOptions) -> Iterator[Item]:
    files = sorted(p for p in path.rglob("*.json") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        yield from _read_file(file, path if path.is_dir() else file.parent, options)


def _read_file(file: Path, root: Path, options: ReadOptions) -> Iterator[Item]:
    doc = load_json(file)
    issues = Issues(str(file))
    if isinstance(doc, dict) and isinstance(doc.get("lane_lines"), list):
        record = _lanes(doc, file, root, options, issues)
    elif isinstance(doc, dict) and isinstance(doc.get("results"), list):
        record = _cipo(doc, file, root, options, issues)
    else:
        record = None
        issues.add("", "expected an OpenLane frame with 'lane_lines' or CIPO 'results'")
    if record is not None:
        yield record
    yield from issues.drain()


def _image_id(doc: dict, key: str, file: Path, root: Path) -> str:
    if isinstance(doc.get(key), str) and doc[key]:
        return doc[key]
    return file.relative_to(root).as_posix() if file.is_relative_to(root) else file.name


def _lanes(doc: dict, file: Path, root: Path, options: ReadOptions, issues: Issues) -> ImageRecord:
    image_id = _image_id(doc, "file_path", file, root)
    data = new_image(image_id, *image_size(options, OPENLANE_SIZE), options)
    pointers = []
    for k, lane in enumerate(doc["lane_lines"]):
        pointer = f"/lane_lines/{k}"
        obj = _lane(lane, k, options)
        if isinstance(obj, str):
            issues.add(pointer, obj, image_id, (str(k),))
            continue
        data["objects"].append(obj)
        pointers.append(pointer)
    return ImageRecord(data, issues.source, "", pointers)


def _lane(lane: Any, k: int, options: ReadOptions) -> dict | str:
    if not isinstance(lane, dict):
        return "a lane must be an object"
    points = _uv_points(lane.get("uv", []))
    if points is None:
        return "'uv' must be [[u, ...], [v, ...]] with as many u as v"
    obj: dict = {"id": str(k), "class": options.lane_class, "points": points,
                 "attributes": {key: lane[key] for key in ("category", "attribute") if key in lane}}
    track = lane.get("track_id", lane.get("trackid"))
    if track is not None:
        obj["track_id"] = track
    return obj


def _uv_points(uv: Any) -> list[list[float | int]] | None:
    if uv == []:  # predictions of 3D lanes carry no 2D points
        return []
    if not isinstance(uv, list) or len(uv) != 2:
        return None
    us, vs = numbers(uv[0]), numbers(uv[1])
    if us is None or vs is None or len(us) != len(vs):
        return None
    return [[u, v] for u, v in zip(us, vs, strict=True)]


def _cipo(doc: dict, file: Path, root: Path, options: ReadOptions, issues: Issues) -> ImageRecord:
    image_id = _image_id(doc, "raw_file_path", file, root)
    data = new_image(image_id, *image_size(options, OPENLANE_SIZE), options)
    pointers = []
    for k, result in enumerate(doc["results"]):
        pointer = f"/results/{k}"
        box = [number(result.get(key)) for key in ("x", "y", "width", "height")] if isinstance(result, dict) \
            else [None]
        if None in box:
            issues.add(pointer, "a CIPO result needs numeric x, y, width and height", image_id, (str(k),))
            continue
        obj = {"id": str(k), "class": options.cipo_class, "box": box,
               "attributes": {"type": result["type"]} if "type" in result else {}}
        if result.get("id") is not None:
            obj["track_id"] = result["id"]
        data["objects"].append(obj)
        pointers.append(pointer)
    return ImageRecord(data, issues.source, "", pointers)

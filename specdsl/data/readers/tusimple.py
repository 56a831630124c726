"""TuSimple lane JSON lines, streamed line by line, with an optional per-lane class file.

Each line ``{"lanes": [[x, ...], ...], "h_samples": [y, ...], "raw_file": ...}`` is one
image (id ``raw_file``). Lane ``k`` keeps the points whose x is not ``-2`` (TuSimple's
"no marking on this row"); a lane with no point is skipped but still numbered, so
object ids and pointers are the lane's index in ``lanes``. A class file (one line per
frame, one int per lane, aligned line by line) adds the attribute ``class_id``.
Pointers are ``FILE:LINE`` for the frame and ``FILE:LINE#/lanes/K`` for a lane.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from specdsl.data.readers.base import Issues, Item, ReadOptions, image_size, iter_lines, new_image, numbers
from specdsl.data.records import ImageRecord

TUSIMPLE_SIZE = (1280, 720)
MISSING_X = -2


def read_tusimple(path: Path, options: ReadOptions) -> Iterator[Item]:
    issues = Issues(str(path))
    classes = _class_lines(options.class_file)
    for line_no, line in iter_lines(path):
        class_line = next(classes, None)
        if not line.strip():
            continue
        record = _frame(line, line_no, class_line, options, issues)
        if record is not None:
            yield record
        yield from issues.drain()


def _class_lines(class_file: Path | None) -> Iterator[tuple[int, bytes] | None]:
    if class_file is None:
        while True:
            yield None
    yield from iter_lines(Path(class_file))


def _frame(line: bytes, line_no: int, class_line: tuple[int, bytes] | None, options: ReadOptions,
           issues: Issues) -> ImageRecord | None:
    pointer = f"{issues.source}:{line_no}"
    try:
        frame = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        issues.add(pointer, f"invalid JSON at column {exc.colno}: {exc.msg}")
        return None
    if not isinstance(frame, dict):
        issues.add(pointer, "a TuSimple line must be a JSON object")
        return None
    raw_file = frame.get("raw_file")
    image_id = raw_file if isinstance(raw_file, str) else f"{Path(issues.source).name}:{line_no}"
    h_samples = numbers(frame.get("h_samples"))
    if h_samples is None or not isinstance(frame.get("lanes"), list):
        issues.add(pointer, "a TuSimple frame needs 'lanes' and numeric 'h_samples' lists", image_id)
        return None
    width, height = image_size(options, TUSIMPLE_SIZE)
    data = new_image(image_id, width, height, options)
    class_ids = _class_ids(class_line, options, len(frame["lanes"]), pointer, image_id, issues)
    pointers = []
    for k, lane in enumerate(frame["lanes"]):
        obj = _lane(lane, k, h_samples, options, pointer, image_id, issues)
        if obj is None:
            continue
        if class_ids is not None:
            obj["attributes"]["class_id"] = class_ids[k]
        data["objects"].append(obj)
        pointers.append(f"{pointer}#/lanes/{k}")
    return ImageRecord(data, issues.source, pointer, pointers)


def _lane(lane: Any, k: int, h_samples: list, options: ReadOptions, pointer: str, image_id: str,
          issues: Issues) -> dict | None:
    xs = numbers(lane)
    if xs is None or len(xs) != len(h_samples):
        issues.add(f"{pointer}#/lanes/{k}", f"lane {k} must be {len(h_samples)} numbers, one per h_sample",
                   image_id, (str(k),))
        return None
    points = [[x, y] for x, y in zip(xs, h_samples, strict=True) if x != MISSING_X]
    if not points:
        return None
    return {"id": str(k), "class": options.lane_class, "points": points, "attributes": {}}


def _class_ids(class_line: tuple[int, bytes] | None, options: ReadOptions, n_lanes: int, pointer: str,
               image_id: str, issues: Issues) -> list[int] | None:
    if options.class_file is None:
        return None
    where = f"{options.class_file}:{class_line[0]}" if class_line else str(options.class_file)
    if class_line is None:
        issues.add(pointer, f"the class file {options.class_file} has no line for this frame", image_id)
        return None
    try:
        ids = [int(v) for v in class_line[1].split()]
    except ValueError:
        issues.add(pointer, f"{where}: class ids must be integers", image_id)
        return None
    if len(ids) != n_lanes:
        issues.add(pointer, f"{where} has {len(ids)} class ids for {n_lanes} lanes", image_id)
        return None
    return ids

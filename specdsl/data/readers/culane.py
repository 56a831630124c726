"""CULane ``*.lines.txt``: one lane per line, ``x1 y1 x2 y2 ...`` (trailing space allowed).

Given a directory, every ``*.lines.txt`` below it is read in sorted path order and the
image id is the path relative to that directory with ``.lines.txt`` -> ``.jpg``
(``driver_23_30frame/05151649_0422.MP4/00000.jpg``); given one file, the path as
passed with the same replacement. Lanes are numbered by non-blank line. A lane is located by its
line in the file (the pointer is empty: the line is the whole lane), the image at line 1. Points
outside the image are kept: CULane extrapolates lanes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

from specdsl.data.readers.base import Issues, Item, ReadOptions, image_size, iter_lines, new_image, pairs
from specdsl.data.records import ImageRecord, TextPosition

CULANE_SIZE = (1640, 590)
SUFFIX = ".lines.txt"


def read_culane(path: Path, options: ReadOptions) -> Iterator[Item]:
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*" + SUFFIX) if p.is_file()):
            yield from _read_file(file, file.relative_to(path).as_posix(), options)
    else:
        yield from _read_file(path, str(path), options)


def image_id_of(name: str) -> str:
    return (name[: -len(SUFFIX)] if name.endswith(SUFFIX) else name.rsplit(".", 1)[0]) + ".jpg"


def _read_file(file: Path, name: str, options: ReadOptions) -> Iterator[Item]:
    issues = Issues(str(file))
    image_id = image_id_of(name)
    data = new_image(image_id, *image_size(options, CULANE_SIZE), options)
    positions = []
    lane = 0
    for line_no, line in iter_lines(file):
        if not line.strip():
            continue
        where = TextPosition(line_no, 1)
        points = _points(line)
        if points is None:
            issues.add("", "a CULane line must be an even number of numbers: x1 y1 x2 y2 ...",
                       image_id, (str(lane),), where)
        else:
            data["objects"].append({"id": str(lane), "class": options.lane_class, "points": points,
                                    "attributes": {}})
            positions.append(where)
        lane += 1
    yield ImageRecord(data, issues.source, "", [""] * len(positions), TextPosition(1, 1), positions)
    yield from issues.drain()


def _points(line: bytes) -> list[list[float]] | None:
    try:
        values = [float(v) for v in line.split()]
    except ValueError:
        return None
    if len(values) % 2 or not all(math.isfinite(v) for v in values):
        return None
    return pairs(values)

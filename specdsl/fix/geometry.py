"""The geometry of fixes: clipping an object to its image, joining dashes of a polyline into one line.

Clipping (shapely): a box stays a box (its ``[x, y, w, h]`` is cut to the image); a polygon keeps its
largest piece inside the image and a polyline its longest (a line leaving and re-entering the image
becomes several pieces: the longest is the marking, the others are usually slivers). An object with
nothing inside the image clips to nothing, and ``specc fix`` then deletes it.
"""

from __future__ import annotations

import math

from shapely.geometry import LineString, Polygon, box
from shapely.geometry.base import BaseGeometry

Points = list[list[float]]


def _number(value: float) -> float | int:
    """Whole numbers written as ints (an export's ``1080`` stays ``1080``, not ``1080.0``)."""
    return int(value) if float(value).is_integer() else float(value)


def clip_box(xywh: list[float], width: float, height: float) -> list[float] | None:
    x, y, w, h = xywh
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    if x1 <= x0 or y1 <= y0:
        return None
    return [_number(x0), _number(y0), _number(x1 - x0), _number(y1 - y0)]


def clip_points(points: Points, geometry: str, width: float, height: float) -> Points | None:
    frame = box(0, 0, width, height)
    if geometry == "polygon":
        if len(points) < 3:
            return None
        shape = Polygon(points)
        if not shape.is_valid:
            shape = shape.buffer(0)  # a self-intersecting outline: its area, made valid
        pieces = [p for p in _parts(shape.intersection(frame)) if p.geom_type == "Polygon" and p.area > 0]
        if not pieces:
            return None
        largest = max(pieces, key=lambda p: p.area)
        return [[_number(x), _number(y)] for x, y in list(largest.exterior.coords)[:-1]]
    if len(points) < 2:
        return None
    pieces = [p for p in _parts(LineString(points).intersection(frame)) if p.geom_type == "LineString"
              and p.length > 0]
    if not pieces:
        return None
    longest = max(pieces, key=lambda p: p.length)
    return [[_number(x), _number(y)] for x, y in longest.coords]


def _parts(shape: BaseGeometry) -> list[BaseGeometry]:
    return list(shape.geoms) if hasattr(shape, "geoms") else [shape]


def join_chain(lines: list[Points]) -> Points:
    """One polyline through every line of a chain, in the order the chain runs.

    Starting from the first line, the line whose nearer end is closest to either end of what is built so
    far is added there (reversed if its far end is the closer one), bridging the gap with a straight
    segment; so dashes given in any order and any direction become one line along the lane.
    """
    joined = [list(p) for p in lines[0]]
    remaining = [[list(p) for p in line] for line in lines[1:]]
    while remaining:
        k = min(range(len(remaining)), key=lambda i: _gap(joined, remaining[i])[0])
        _, at_end, reverse = _gap(joined, remaining[k])
        line = remaining.pop(k)
        if reverse:
            line.reverse()
        if at_end:  # a vertex the two share is written once
            joined = joined + (line[1:] if line[0] == joined[-1] else line)
        else:
            joined = (line[:-1] if line[-1] == joined[0] else line) + joined
    return joined


def _gap(joined: Points, line: Points) -> tuple[float, bool, bool]:
    """The smallest distance between an end of ``joined`` and an end of ``line``, whether it is at
    ``joined``'s end (else its start), and whether ``line`` must be reversed to continue it there."""
    head, tail = joined[0], joined[-1]
    first, last = line[0], line[-1]
    options = [(math.dist(tail, first), True, False), (math.dist(tail, last), True, True),
               (math.dist(head, last), False, False), (math.dist(head, first), False, True)]
    return min(options, key=lambda option: option[0])

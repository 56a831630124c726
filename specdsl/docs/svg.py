"""Examples drawn as inline SVG: the image frame at its size, each object in its geometry.

The view box is the image plus every object, so a shape that leaves the image (the point of
an ``inside_image`` example) stays visible outside the frame. Strokes do not scale with the
image (``vector-effect``), so a 200 px and a 1920 px example look alike on the page.
Colours are presentation attributes, not ``style``: they survive a policy that forbids inline styles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from specdsl.docs.palette import FLAG_COLOR
from specdsl.docs.templating import environment

Point = tuple[float, float]
DRAWN = ("polyline", "polygon", "box", "point")


@dataclass(frozen=True)
class Shape:
    object_id: str
    class_name: str
    kind: str  # polyline | polygon | box | point
    points: tuple[Point, ...]  # a box is its four corners; a point is one
    color: str
    flagged: bool


@dataclass(frozen=True)
class Figure:
    figure_id: str
    title: str
    width: float
    height: float
    shapes: tuple[Shape, ...]
    frame_flagged: bool  # an image-level finding: no object to point at, so the frame is marked


def _turned(corners: tuple[Point, ...], degrees) -> tuple[Point, ...]:
    """A box's corners turned ``degrees`` clockwise about its centre (the ``rotation`` of a native box)."""
    if not isinstance(degrees, (int, float)) or isinstance(degrees, bool) or not math.isfinite(degrees) or not degrees:
        return corners
    cx, cy = (corners[0][0] + corners[2][0]) / 2, (corners[0][1] + corners[2][1]) / 2
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return tuple((cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in corners)


def geometry(obj: Mapping, declared: str | None = None) -> tuple[str, tuple[Point, ...]] | None:
    """The drawable geometry of a native object, or None (tag, mask, or broken on purpose).

    ``declared`` is the class's geometry: ``points`` are a polygon's corners or a polyline's vertices.
    """
    if "box" in obj:
        box = _numbers(obj["box"], 4)
        if box is None:
            return None
        x, y, w, h = box
        return "box", _turned(((x, y), (x + w, y), (x + w, y + h), (x, y + h)), obj.get("rotation"))
    if "point" in obj:
        point = _numbers(obj["point"], 2)
        return None if point is None else ("point", ((point[0], point[1]),))
    if "points" in obj and isinstance(obj["points"], list) and obj["points"]:
        points = [_numbers(p, 2) for p in obj["points"]]
        if any(p is None for p in points):
            return None
        kind = "polygon" if declared == "polygon" else "polyline"
        return kind, tuple((p[0], p[1]) for p in points)
    return None


def _numbers(value: object, n: int) -> tuple[float, ...] | None:
    if not isinstance(value, (list, tuple)) or len(value) != n:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        return None
    return tuple(float(v) for v in value)


def shapes_of(objects: Iterable[Mapping], geometries: Mapping[str, str], colors: Mapping[str, str],
              flagged: frozenset[str]) -> tuple[Shape, ...]:
    """One shape per object that has a drawable geometry, in the example's order."""
    shapes = []
    for obj in objects:
        class_name = str(obj.get("class", ""))
        found = geometry(obj, geometries.get(class_name))
        if found is not None:
            shapes.append(Shape(str(obj.get("id", "")), class_name, found[0], found[1],
                                colors.get(class_name, "#CFD8DC"), str(obj.get("id", "")) in flagged))
    return tuple(shapes)


def render_figure(figure: Figure) -> Markup:
    return Markup(environment().get_template("figure.svg.j2").render(figure=figure, view=_view(figure)))


@dataclass(frozen=True)
class _View:
    """Numbers of the drawing, formatted once so that the output is byte-stable."""

    box: str
    outer: tuple[str, str, str, str]  # x, y, width, height of the view box
    font: str
    stroke_halo: str
    radius: str
    vertex_radius: str
    grid: str
    flag_color: str
    shapes: tuple[dict, ...]


def _view(figure: Figure) -> _View:
    x0, y0, x1, y1 = _bounds(figure)
    span = max(x1 - x0, y1 - y0)
    font = span * 0.034
    outer = (fmt(x0), fmt(y0), fmt(x1 - x0), fmt(y1 - y0))
    any_flagged = any(s.flagged for s in figure.shapes)  # then the others are dimmed, to point the eye
    labels = place_labels(figure.shapes, font, (x0, y0, x1, y1))
    return _View(
        box=" ".join(outer), outer=outer, font=fmt(font), stroke_halo=fmt(font * 0.28),
        radius=fmt(span * 0.016), vertex_radius=fmt(span * 0.01), grid=_grid(figure.width, figure.height),
        flag_color=FLAG_COLOR,
        shapes=tuple(_shape_view(s, at, any_flagged) for s, at in zip(figure.shapes, labels)))


def _bounds(figure: Figure) -> tuple[float, float, float, float]:
    xs = [0.0, float(figure.width)] + [p[0] for s in figure.shapes for p in s.points]
    ys = [0.0, float(figure.height)] + [p[1] for s in figure.shapes for p in s.points]
    pad = max(max(xs) - min(xs), max(ys) - min(ys)) * 0.04
    return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad


def _grid(width: float, height: float) -> str:
    """A faint grid at a round step, so that sizes and distances can be read off the figure."""
    step = _round_step(max(width, height) / 8)
    lines = [f"M{fmt(x)} 0V{fmt(height)}" for x in _ticks(step, width)]
    lines += [f"M0 {fmt(y)}H{fmt(width)}" for y in _ticks(step, height)]
    return "".join(lines)


def _round_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _ticks(step: float, limit: float) -> list[float]:
    return [k * step for k in range(1, int(limit // step) + 1) if k * step < limit]


def _shape_view(shape: Shape, label_at: Point, dim: bool) -> dict:
    return {"shape": shape, "dim": dim and not shape.flagged,
            "points": " ".join(f"{fmt(x)},{fmt(y)}" for x, y in shape.points),
            "vertices": tuple((fmt(x), fmt(y)) for x, y in shape.points),
            "x": fmt(min(p[0] for p in shape.points)), "y": fmt(min(p[1] for p in shape.points)),
            "w": fmt(_extent(shape, 0)), "h": fmt(_extent(shape, 1)),
            "cx": fmt(shape.points[0][0]), "cy": fmt(shape.points[0][1]),
            "label": shape.object_id, "lx": fmt(label_at[0]), "ly": fmt(label_at[1])}


def _extent(shape: Shape, axis: int) -> float:
    values = [p[axis] for p in shape.points]
    return max(values) - min(values)


Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def place_labels(shapes: tuple[Shape, ...], font: float, bounds: Rect) -> list[Point]:
    """Baseline positions of the object-id labels: next to the object, not on top of an earlier label."""
    placed: list[Rect] = []
    positions = []
    for shape in shapes:
        width = len(shape.object_id) * font * 0.62
        candidates = [_clamp(c, width, font, bounds) for c in _candidates(shape, width, font)]
        choice = next((c for c in candidates if not any(_overlaps(_rect(c, width, font), r) for r in placed)),
                      candidates[0])
        placed.append(_rect(choice, width, font))
        positions.append(choice)
    return positions


def _anchors(shape: Shape) -> list[Point]:
    points = list(shape.points)
    if shape.kind == "box":
        return [points[0], points[3], points[1]]
    if shape.kind == "polyline":
        return [points[0], points[-1], points[len(points) // 2]]
    if shape.kind == "polygon":
        return [min(points, key=lambda p: (p[1], p[0]))] + points
    return points


def _candidates(shape: Shape, width: float, font: float) -> list[Point]:
    offsets = ((font * 0.5, -font * 0.5), (font * 0.5, font * 1.3), (-width - font * 0.5, -font * 0.5),
               (-width - font * 0.5, font * 1.3))
    return [(x + dx, y + dy) for x, y in _anchors(shape) for dx, dy in offsets]


def _clamp(point: Point, width: float, font: float, bounds: Rect) -> Point:
    x0, y0, x1, y1 = bounds
    x = min(max(point[0], x0 + font * 0.2), x1 - width - font * 0.2)
    return x, min(max(point[1], y0 + font * 1.1), y1 - font * 0.3)


def _rect(point: Point, width: float, font: float) -> Rect:
    return point[0], point[1] - font, point[0] + width, point[1] + font * 0.25


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text

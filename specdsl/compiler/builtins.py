"""The language's built-ins: value types, geometry properties, functions, units.

This table is the single source for the type checker, the checker's evaluators and
``docs/language.md``; keep them in step by adding here first.
"""

from __future__ import annotations

from dataclasses import dataclass

from specdsl.compiler.types import BOOL, NUM, POINT, STR, T

SCALAR_TYPES = ("bool", "int", "float", "string")


@dataclass(frozen=True)
class Property:
    name: str
    type: T
    doc: str


def _num(unit: str | None) -> T:
    return T(NUM, unit=unit)


_INSIDE = Property("inside_image", BOOL, "the geometry lies fully inside the image bounds")
_FLAGS = (
    Property("occluded", BOOL, "the labeling tool's occlusion flag (CVAT); false when absent"),
    Property("z_order", _num(None), "the labeling tool's drawing order (CVAT); 0 when absent"),
)

COMMON = (
    Property("id", STR, "the object's id in the export"),
    Property("class", STR, "the object's class name"),
)

PROPERTIES: dict[str, tuple[Property, ...]] = {
    "polyline": (
        Property("points", _num("count"), "number of vertices"),
        Property("length", _num("px"), "length along the line"),
        Property("start", POINT, "first vertex (.x, .y)"),
        Property("end", POINT, "last vertex (.x, .y)"),
        _INSIDE,
    ),
    "polygon": (
        Property("points", _num("count"), "number of vertices"),
        Property("area", _num("px2"), "enclosed area"),
        Property("perimeter", _num("px"), "length of the boundary"),
        Property("valid", BOOL, "simple: the boundary does not cross itself"),
        _INSIDE,
    ),
    "box": (
        Property("width", _num("px"), "box width"),
        Property("height", _num("px"), "box height"),
        Property("area", _num("px2"), "width times height"),
        Property("aspect", _num(None), "width divided by height"),
        _INSIDE,
    ),
    "point": (
        Property("x", _num("px"), "x coordinate"),
        Property("y", _num("px"), "y coordinate"),
        _INSIDE,
    ),
    "mask": (
        Property("area", _num("px2"), "number of mask pixels"),
        Property("width", _num("px"), "width of the mask's bounding box"),
        Property("height", _num("px"), "height of the mask's bounding box"),
        _INSIDE,
    ),
    "tag": (),
}


def properties_of(geometry: str) -> dict[str, Property]:
    props = {p.name: p for p in COMMON + _FLAGS}
    props.update({p.name: p for p in PROPERTIES.get(geometry, ())})
    return props


def geometries_with(prop: str) -> list[str]:
    return [g for g, props in PROPERTIES.items() if any(p.name == prop for p in props)]


@dataclass(frozen=True)
class PairFunction:
    name: str
    result: T
    geometries: tuple[str, ...]  # geometries both arguments may have
    doc: str
    symmetric: bool = True  # f(a, b) == f(b, a): a rule reading only such functions may report pairs once


_SHAPES = ("box", "polygon", "polyline", "point", "mask")

PAIR_FUNCTIONS: dict[str, PairFunction] = {f.name: f for f in (
    PairFunction("distance", _num("px"), _SHAPES, "smallest distance between the two geometries"),
    PairFunction("intersects", BOOL, _SHAPES, "the geometries share at least one point"),
    PairFunction("iou", _num("ratio"), ("box", "polygon", "mask"), "intersection over union of the areas"),
    PairFunction("contains", BOOL, _SHAPES, "the first geometry contains the second",
                 symmetric=False),
    PairFunction("endpoint_gap", _num("px"), ("polyline",), "smallest distance between an end of a and an end of b"),
    PairFunction("angle", _num("deg"), ("polyline",), "degrees (0..90) between the overall directions of two lines"),
)}

AGGREGATES = {
    "count": "number of objects of a class in the image, optionally filtered",
    "exists": "whether the image has an object of the class, optionally filtered",
    "share": "fraction of all objects of a class (or of all images) in the export that pass a filter (quotas)",
}

IMAGE_PROPERTIES = {"width": _num("px"), "height": _num("px"), "id": STR}

UNITS = {"px": "px", "deg": "deg", "%": "ratio"}

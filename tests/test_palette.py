"""One palette: the docs figures and the HTML galleries draw an object in the colour its attribute names,
by the same rule (an enum named colour, or one whose values are mostly colours), else in its class colour."""

from __future__ import annotations

import orjson

from specdsl.compiler import compile_text
from specdsl.data import load_export
from specdsl.docs.paint import Painter
from specdsl.palette import FALLBACK_COLOR, NAMED_COLORS, class_colors, object_color
from specdsl.report.gallery.collect import collect_by_image

SPEC = """spec paint version 1
class marking: polyline {
  paint: enum { white, light_blue, zebra }
}
class sign: box {
  kind: enum { stop, yield }
}
"""


def test_the_gallery_and_the_docs_paint_objects_alike(tmp_path) -> None:
    spec = compile_text(SPEC, "paint.spec")
    objects = [{"id": "m1", "class": "marking", "points": [[1, 1], [9, 9]], "attributes": {"paint": "white"}},
               {"id": "m2", "class": "marking", "points": [[1, 1], [9, 9]], "attributes": {"paint": "light_blue"}},
               {"id": "m3", "class": "marking", "points": [[1, 1], [9, 9]], "attributes": {"paint": "zebra"}},
               {"id": "s1", "class": "sign", "box": [1, 1, 5, 5], "attributes": {"kind": "stop"}}]
    path = tmp_path / "labels.json"
    path.write_bytes(orjson.dumps({"images": [{"id": "a.jpg", "width": 10, "height": 10, "objects": objects}]}))
    colors = class_colors(spec)
    drawn = collect_by_image([load_export(path)], {"a.jpg"}, {c.name: c for c in spec.classes})["a.jpg"].objects
    gallery = {o.object_id: object_color(o.class_name, o.color_value, colors) for o in drawn}
    docs = {o["id"]: Painter.for_spec(spec, colors).color(o) for o in objects}
    assert gallery == docs
    assert gallery == {"m1": NAMED_COLORS["white"], "m2": NAMED_COLORS["blue"], "m3": colors["marking"],
                       "s1": colors["sign"]}


def test_a_class_the_spec_does_not_know_is_drawn_in_the_fallback_colour() -> None:
    assert object_color("ghost", None, {}) == FALLBACK_COLOR
    assert object_color("ghost", "Orange", {}) == NAMED_COLORS["orange"]

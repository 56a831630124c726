"""The colour each object is drawn in: its own colour when the spec says it has one, else its class's.

Lane markings are told apart by their paint: an orange line over a white one is the whole point of a
construction-zone rule, and two lines in the class colour look the same. A class is painted by an
attribute when that attribute is an enum named ``color``/``colour``, or an enum whose values are
mostly colour names (``white``, ``yellow``, ...). A value that names no colour keeps the class colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from specdsl import ir

FALLBACK_COLOR = "#CFD8DC"
# Tuned to read on the figures' dark frame (#232A36): "black" is drawn dark grey with the same idea.
NAMED_COLORS = {
    "white": "#F5F7FA", "yellow": "#FFD600", "orange": "#FF8A00", "red": "#E53935", "blue": "#2F80ED",
    "green": "#43A047", "black": "#4A4F57", "gray": "#9AA0A6", "grey": "#9AA0A6", "purple": "#9C27B0",
    "violet": "#8E44AD", "pink": "#F06292", "brown": "#8D6E63", "cyan": "#00BCD4", "magenta": "#E040FB",
    "amber": "#FFBF00", "gold": "#D4AF37", "silver": "#C0C0C0", "beige": "#D8C8A8", "lime": "#C0CA33",
    "teal": "#009688", "navy": "#3F51B5",
}
_COLOR_NAMES = ("color", "colour")


def color_attribute(cls: ir.Class) -> ir.Attribute | None:
    """The enum attribute that gives the objects of ``cls`` their colour, if the spec has one."""
    enums = [a for a in cls.attributes if a.type.kind == "enum" and a.type.values]
    named = [a for a in enums if a.name.lower() in _COLOR_NAMES or a.name.lower().endswith(("_color", "_colour"))]
    if named:
        return named[0]
    for attribute in enums:
        known = sum(_css_color(v) is not None for v in attribute.type.values)
        if known >= 2 and known * 2 >= len(attribute.type.values):
            return attribute
    return None


def _css_color(value: object) -> str | None:
    return NAMED_COLORS.get(str(value).lower().replace("-", "_").split("_")[-1]) if value is not None else None


@dataclass(frozen=True)
class Painter:
    """Colours of one spec's objects: ``color(obj)`` for a native object of an example."""

    class_colors: Mapping[str, str]
    color_attributes: Mapping[str, ir.Attribute] = field(default_factory=dict)

    @classmethod
    def for_spec(cls, spec: ir.Spec, class_colors: Mapping[str, str]) -> Painter:
        found = {c.name: color_attribute(c) for c in spec.classes}
        return cls(class_colors, {name: a for name, a in found.items() if a is not None})

    def color_value(self, obj: Mapping) -> str | None:
        """The attribute value that paints ``obj`` (its default when unset), or None: class colour."""
        attribute = self.color_attributes.get(str(obj.get("class", "")))
        if attribute is None:
            return None
        value = (obj.get("attributes") or {}).get(attribute.name, attribute.default)
        return str(value) if _css_color(value) is not None else None

    def color(self, obj: Mapping) -> str:
        value = self.color_value(obj)
        if value is not None:
            return _css_color(value) or FALLBACK_COLOR
        return self.class_colors.get(str(obj.get("class", "")), FALLBACK_COLOR)

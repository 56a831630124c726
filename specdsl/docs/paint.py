"""The colour each object of a spec's examples is drawn in (the rules and palette: :mod:`specdsl.palette`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from specdsl import ir
from specdsl.palette import color_attribute, named_color, object_color


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
        return str(value) if named_color(value) is not None else None

    def color(self, obj: Mapping) -> str:
        return object_color(str(obj.get("class", "")), self.color_value(obj), self.class_colors)

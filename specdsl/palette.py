"""The colours objects are drawn in, shared by the docs figures, the HTML galleries and the labeling-tool
configs, so every page shows a class (and a yellow line) alike.

Bright tones that read on the dark image frame of the figures; pure red is left out on purpose,
because red marks the objects that break a rule. An object is drawn in its own colour when the spec
says it has one: lane markings are told apart by their paint (an orange line over a white one is the
whole point of a construction-zone rule). A class is painted by an attribute when that attribute is an
enum named ``color``/``colour`` (or ``*_color``), or an enum whose values are mostly colour names. A
value that names no colour keeps the class colour.
"""

from __future__ import annotations

from specdsl import ir

CLASS_COLORS = ("#4FC3F7", "#FFB74D", "#81C784", "#BA68C8", "#FFF176", "#4DB6AC", "#9FA8DA", "#A1887F",
                "#E6EE9C", "#90A4AE", "#F48FB1", "#80DEEA")
FLAG_COLOR = "#FF3B5C"
FALLBACK_COLOR = "#CFD8DC"
# Tuned to read on the dark frame (#232A36): "black" is drawn dark grey, "red" softer than FLAG_COLOR.
NAMED_COLORS = {
    "white": "#F5F7FA", "yellow": "#FFD600", "orange": "#FF8A00", "red": "#E57373", "blue": "#2F80ED",
    "green": "#43A047", "black": "#4A4F57", "gray": "#9AA0A6", "grey": "#9AA0A6", "purple": "#9C27B0",
    "violet": "#8E44AD", "pink": "#F06292", "brown": "#8D6E63", "cyan": "#00BCD4", "magenta": "#E040FB",
    "amber": "#FFBF00", "gold": "#D4AF37", "silver": "#C0C0C0", "beige": "#D8C8A8", "lime": "#C0CA33",
    "teal": "#009688", "navy": "#3F51B5",
}
_COLOR_NAMES = ("color", "colour")


def class_colors(spec: ir.Spec) -> dict[str, str]:
    """Colour of each class by its position in the spec: stable for a given spec."""
    return {c.name: CLASS_COLORS[k % len(CLASS_COLORS)] for k, c in enumerate(spec.classes)}


def color_attribute(cls: ir.Class) -> ir.Attribute | None:
    """The enum attribute that gives the objects of ``cls`` their colour, if the spec has one."""
    enums = [a for a in cls.attributes if a.type.kind == "enum" and a.type.values]
    named = [a for a in enums if a.name.lower() in _COLOR_NAMES or a.name.lower().endswith(("_color", "_colour"))]
    if named:
        return named[0]
    for attribute in enums:
        known = sum(named_color(v) is not None for v in attribute.type.values)
        if known >= 2 and known * 2 >= len(attribute.type.values):
            return attribute
    return None


def named_color(value: object) -> str | None:
    """The drawing colour a value names (``light_blue``: its colour word, blue), or None."""
    return NAMED_COLORS.get(str(value).lower().replace("-", "_").split("_")[-1]) if value is not None else None


def object_color(class_name: str, color_value: object, colors_of_classes: dict[str, str]) -> str:
    """An object's colour: the colour its colour attribute's value names, else its class's."""
    return named_color(color_value) or colors_of_classes.get(class_name, FALLBACK_COLOR)

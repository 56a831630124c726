"""CVAT's label constructor JSON ("Raw" tab of a project or task): one label per class.

Attribute mapping: enums -> ``radio`` (up to 4 values, one click each) or ``select``;
bool -> ``checkbox``; numbers with a range -> ``number`` (``values`` = min, max, step);
other numbers and strings -> ``text``. CVAT needs a default for every attribute; a
required enum without one gets its first value, as CVAT itself would choose.
"""

from __future__ import annotations

import json
import math

from specdsl import ir
from specdsl.configs import ToolConfig
from specdsl.palette import class_colors

CVAT_TYPES = {"box": "rectangle", "polygon": "polygon", "polyline": "polyline", "point": "points",
              "mask": "mask", "tag": "tag"}
RADIO_MAX_VALUES = 4


def cvat_config(spec: ir.Spec) -> ToolConfig:
    colors = class_colors(spec)
    labels = [cvat_label(cls, colors[cls.name]) for cls in spec.classes]
    warnings = []
    if spec.image_attributes:
        names = ", ".join(a.name for a in spec.image_attributes)
        warnings.append(f"CVAT has no image-level attributes: image attributes {names} are not in the config "
                        "(label them as attributes of a tag class, or in another tool)")
    text = json.dumps(labels, indent=2, ensure_ascii=False) + "\n"
    return ToolConfig("cvat", text, tuple(warnings))


def cvat_label(cls: ir.Class, color: str) -> dict:
    return {"name": cls.name, "type": CVAT_TYPES.get(cls.geometry, "any"), "color": color,
            "attributes": [cvat_attribute(a) for a in cls.attributes]}


def cvat_attribute(attr: ir.Attribute) -> dict:
    input_type, values = _input(attr.type)
    default = _default(attr, input_type, values)
    return {"name": attr.name, "input_type": input_type, "mutable": True, "values": values,
            "default_value": default}


def _input(attr_type: ir.AttrType) -> tuple[str, list[str]]:
    if attr_type.kind == "enum":
        return ("radio" if len(attr_type.values) <= RADIO_MAX_VALUES else "select"), list(attr_type.values)
    if attr_type.kind == "bool":
        return "checkbox", ["false"]
    if attr_type.kind in ("int", "float") and attr_type.low is not None and attr_type.high is not None:
        step = 1 if attr_type.kind == "int" else _step(attr_type.low, attr_type.high)
        return "number", [_text(attr_type.low), _text(attr_type.high), _text(step)]
    return "text", [""]


def _step(low: float, high: float) -> float:
    """About a hundred steps across the range, at a round decimal."""
    span = high - low
    return 10 ** math.floor(math.log10(span / 100)) if span > 0 else 1


def _default(attr: ir.Attribute, input_type: str, values: list[str]) -> str:
    """The spec's default; else the first value (CVAT requires one: an enum's first value, a range's minimum)."""
    return _text(attr.default) if attr.default is not None else values[0]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def cvat_meta_xml(labels: list[dict]) -> str:
    """The ``<labels>`` block a CVAT XML export carries for these labels (for round-trip tests and tools)."""
    from xml.etree import ElementTree as ET

    root = ET.Element("labels")
    for label in labels:
        node = ET.SubElement(root, "label")
        ET.SubElement(node, "name").text = label["name"]
        ET.SubElement(node, "type").text = label["type"]
        attributes = ET.SubElement(node, "attributes")
        for attr in label["attributes"]:
            item = ET.SubElement(attributes, "attribute")
            for key in ("name", "mutable", "input_type", "default_value"):
                value = attr[key]
                ET.SubElement(item, key).text = ("True" if value else "False") if isinstance(value, bool) else value
            ET.SubElement(item, "values").text = "\n".join(attr["values"])
    ET.indent(root)
    return ET.tostring(root, encoding="unicode")

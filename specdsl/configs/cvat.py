"""CVAT's label constructor JSON ("Raw" tab of a project or task): one label per class.

CVAT gives every attribute a value from the start, so an attribute the spec gives no default
must start at a value that reads back as "not answered":

- enums -> ``radio`` (up to 4 values) or ``select``; without a spec default the list starts with
  CVAT's own blank entry ``__undefined__``, its default, which specc's reader reads as missing;
- bool with a default -> ``checkbox``; without one -> a ``radio`` of ``__undefined__``, true, false
  (a checkbox cannot be left unanswered);
- int with a range and a default -> ``number`` (``values`` = min, max, step 1);
- other numbers and strings -> ``text``, empty by default (read as missing). CVAT numbers are
  whole numbers, so a float is typed as text; specc reads the text back as a number.

Each choice CVAT cannot make as the spec says is reported in :attr:`ToolConfig.warnings`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from specdsl import ir
from specdsl.configs import ToolConfig
from specdsl.data.readers.cvat_labels import UNSET_VALUE
from specdsl.docs.palette import class_colors

CVAT_TYPES = {"box": "rectangle", "polygon": "polygon", "polyline": "polyline", "point": "points",
              "mask": "mask", "tag": "tag"}
RADIO_MAX_VALUES = 4


@dataclass(frozen=True)
class _Input:
    """How one attribute is asked for in CVAT, and which warning (if any) that choice falls under."""

    input_type: str
    values: list[str]
    default: str
    note: str | None = None  # a key of _NOTES


def cvat_config(spec: ir.Spec) -> ToolConfig:
    colors = class_colors(spec)
    noted: dict[str, list[str]] = {}
    labels = [cvat_label(cls, colors[cls.name], noted) for cls in spec.classes]
    warnings = [_NOTES[note](names) for note, names in noted.items()]
    if spec.image_attributes:
        names = ", ".join(a.name for a in spec.image_attributes)
        warnings.append(f"CVAT has no image-level attributes: image attributes {names} are not in the config "
                        "(label them as attributes of a tag class, or in another tool)")
    text = json.dumps(labels, indent=2, ensure_ascii=False) + "\n"
    return ToolConfig("cvat", text, tuple(warnings))


def cvat_label(cls: ir.Class, color: str, noted: dict[str, list[str]] | None = None) -> dict:
    attributes = []
    for attr in cls.attributes:
        asked = cvat_input(attr)
        if asked.note is not None and noted is not None:
            noted.setdefault(asked.note, []).append(f"{cls.name}.{attr.name}")
        attributes.append({"name": attr.name, "input_type": asked.input_type, "mutable": True,
                           "values": asked.values, "default_value": asked.default})
    return {"name": cls.name, "type": CVAT_TYPES.get(cls.geometry, "any"), "color": color,
            "attributes": attributes}


def cvat_input(attr: ir.Attribute) -> _Input:
    kind, default = attr.type.kind, attr.default
    if kind == "enum":
        input_type = "radio" if len(attr.type.values) + (default is None) <= RADIO_MAX_VALUES else "select"
        if default is None:
            return _Input(input_type, [UNSET_VALUE, *attr.type.values], UNSET_VALUE, "unset")
        return _Input(input_type, list(attr.type.values), _text(default))
    if kind == "bool":
        if default is None:
            return _Input("radio", [UNSET_VALUE, "true", "false"], UNSET_VALUE, "unset_bool")
        return _Input("checkbox", [_text(default)], _text(default))
    if kind == "int" and _whole_range(attr.type) and default is not None:
        return _Input("number", [_text(attr.type.low), _text(attr.type.high), "1"], _text(default))
    text = _text(default) if default is not None else ""
    if kind == "float":
        return _Input("text", [text], text, "float")
    return _Input("text", [text], text, "unset_number" if kind == "int" and _whole_range(attr.type) else None)


def _whole_range(attr_type: ir.AttrType) -> bool:
    low, high = attr_type.low, attr_type.high
    return low is not None and high is not None and float(low).is_integer() and float(high).is_integer()


def _listing(names: list[str]) -> str:
    return ", ".join(names)


_NOTES: dict[str, Callable[[list[str]], str]] = {
    "unset": lambda names: (
        f"CVAT starts every attribute at a value: {_listing(names)} (no default in the spec) start at CVAT's "
        f"blank entry '{UNSET_VALUE}', which specc reads as missing"),
    "unset_bool": lambda names: (
        f"CVAT checkboxes cannot be left unanswered: {_listing(names)} (bool, no default in the spec) are radio "
        f"buttons '{UNSET_VALUE}', true, false; '{UNSET_VALUE}' reads as missing"),
    "unset_number": lambda names: (
        f"CVAT number inputs always hold a value: {_listing(names)} (no default in the spec) are text inputs, "
        "empty until answered; specc reads the text as a whole number and checks the range"),
    "float": lambda names: (
        f"CVAT number inputs take whole numbers only: {_listing(names)} (float) are text inputs; specc reads the "
        "text as a number and checks the range"),
}


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

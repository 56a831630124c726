"""Label Studio labeling config XML: one labels control per geometry, attribute controls per class.

Polylines are drawn with ``VectorLabels`` (open paths). Region attributes are per-region
controls shown only while a region of their class is selected (``visibleWhen="region-selected"``
+ ``whenLabelValue``). A control is named after the attribute, which is the name specc's Label
Studio reader gives the value back, when every class that declares it declares it alike (type,
default, docs); otherwise each class gets its own control ``CLASS.ATTR`` (showing its own docs),
which the reader gives back as the attribute ATTR of a CLASS region. Tag classes are the values of
one ``tags`` choice control; the reader turns each chosen value into a tag object and a
``TAG.ATTR`` control into an attribute of it. Bools are ``true``/``false`` choices, which
``specc check`` reads back as bools.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from specdsl import ir
from specdsl.configs import ToolConfig
from specdsl.data.readers.label_studio import TAGS_CONTROL
from specdsl.palette import class_colors
from specdsl.queue.label_studio import AttributeControl

IMAGE = "image"
LABEL_TAGS = {"box": ("RectangleLabels", "box_labels"), "polygon": ("PolygonLabels", "polygon_labels"),
              "polyline": ("VectorLabels", "polyline_labels"), "point": ("KeyPointLabels", "point_labels"),
              "mask": ("BrushLabels", "mask_labels")}


@dataclass(frozen=True)
class _Control:
    """One attribute control and the classes it is shown for."""

    name: str
    attribute: ir.Attribute
    classes: tuple[str, ...]


def label_studio_config(spec: ir.Spec) -> ToolConfig:
    warnings: list[str] = []
    drawable = [c for c in spec.classes if c.geometry in LABEL_TAGS]
    for cls in spec.classes:
        if cls.geometry == "mask":
            warnings.append(f"class {cls.name} is a mask: Label Studio brush results are not read by specc's "
                            "Label Studio reader")
    root = ET.Element("View")
    ET.SubElement(root, "Image", name=IMAGE, value="$image", zoom="true", zoomControl="true")
    colors = class_colors(spec)
    _labels(root, drawable, colors)
    tags = [c for c in spec.classes if c.geometry == "tag"]
    _tag_choices(root, tags)
    _image_attributes(root, spec.image_attributes)
    for control in _region_controls(drawable, {a.name for a in spec.image_attributes}):
        _region_control(root, control)
    ET.indent(root)
    return ToolConfig("label-studio", ET.tostring(root, encoding="unicode") + "\n", tuple(warnings))


def attribute_controls(spec: ir.Spec) -> dict[tuple[str, str], AttributeControl]:
    """(class, attribute) -> the per-region control :func:`label_studio_config` makes for it, so that the
    queue's Label Studio tasks carry existing attribute values in the controls of this config."""
    drawable = [c for c in spec.classes if c.geometry in LABEL_TAGS]
    out = {}
    for control in _region_controls(drawable, {a.name for a in spec.image_attributes}):
        attr, kind = control.attribute, control.attribute.type.kind
        if kind in ("enum", "bool"):
            made = AttributeControl(control.name, "choices", ("true", "false") if kind == "bool" else attr.type.values)
        elif kind in ("int", "float"):
            made = AttributeControl(control.name, "number", low=attr.type.low, high=attr.type.high)
        else:
            made = AttributeControl(control.name, "textarea")
        out.update({(cls, attr.name): made for cls in control.classes})
    return out


def _labels(root: ET.Element, classes: list[ir.Class], colors: dict[str, str]) -> None:
    for geometry, (tag, name) in LABEL_TAGS.items():
        members = [c for c in classes if c.geometry == geometry]
        if members:
            control = ET.SubElement(root, tag, name=name, toName=IMAGE)
            for cls in members:
                ET.SubElement(control, "Label", value=cls.name, background=colors[cls.name])


def _tag_choices(root: ET.Element, tags: list[ir.Class]) -> None:
    """Tag classes label the whole image: one multiple-choice control; their attributes follow each choice."""
    if not tags:
        return
    ET.SubElement(root, "Header", value="Image tags")
    choices = ET.SubElement(root, "Choices", name=TAGS_CONTROL, toName=IMAGE, choice="multiple")
    for cls in tags:
        ET.SubElement(choices, "Choice", value=cls.name)
    for cls in tags:
        for attr in cls.attributes:
            view = ET.SubElement(root, "View", visibleWhen="choice-selected", whenTagName=TAGS_CONTROL,
                                 whenChoiceValue=cls.name)
            _control(view, f"{cls.name}.{attr.name}", attr, {}, f"{cls.name}: {attr.name}")


def _image_attributes(root: ET.Element, attributes: Iterable[ir.Attribute]) -> None:
    for attr in attributes:
        _control(ET.SubElement(root, "View"), attr.name, attr, {}, f"Image: {attr.name}")


def _region_controls(classes: list[ir.Class], taken: set[str]) -> list[_Control]:
    """One control per attribute name; one per class (``CLASS.ATTR``) where classes declare it differently."""
    by_name: dict[str, list[tuple[ir.Class, ir.Attribute]]] = {}
    for cls in classes:
        for attr in cls.attributes:
            by_name.setdefault(attr.name, []).append((cls, attr))
    controls = []
    for name, owners in by_name.items():
        if name not in taken and len({_shown(a) for _, a in owners}) == 1:
            controls.append(_Control(name, owners[0][1], tuple(c.name for c, _ in owners)))
        else:
            controls += [_Control(f"{cls.name}.{name}", attr, (cls.name,)) for cls, attr in owners]
    return controls


def _shown(attr: ir.Attribute) -> tuple:
    """What a labeler sees of an attribute: one shared control only if this is the same for every class."""
    return attr.type, attr.optional, attr.default, attr.doc, tuple((v.name, v.doc) for v in attr.value_docs)


def _region_control(root: ET.Element, control: _Control) -> None:
    shown_for = ",".join(control.classes)
    when = {"visibleWhen": "region-selected", "whenLabelValue": shown_for}
    view = ET.SubElement(root, "View", **when)
    _control(view, control.name, control.attribute, {"perRegion": "true", **when},
             f"{shown_for.replace(',', ', ')}: {control.attribute.name}")


def _control(parent: ET.Element, name: str, attr: ir.Attribute, extra: dict[str, str], title: str) -> None:
    header = title + (f" ({attr.doc})" if attr.doc else "")
    ET.SubElement(parent, "Header", value=header, size="6")
    required = {"required": "true"} if attr.required else {}
    kind = attr.type.kind
    if kind in ("enum", "bool"):
        node = ET.SubElement(parent, "Choices", name=name, toName=IMAGE, choice="single", showInline="true",
                             **extra, **required)
        _choices(node, attr)
    elif kind in ("int", "float"):
        bounds = {k: _text(v) for k, v in (("min", attr.type.low), ("max", attr.type.high)) if v is not None}
        step = {"step": "1"} if kind == "int" else {"step": "any"}
        ET.SubElement(parent, "Number", name=name, toName=IMAGE, **bounds, **step, **extra, **required)
    else:
        ET.SubElement(parent, "TextArea", name=name, toName=IMAGE, maxSubmissions="1", editable="true",
                      **extra, **required)


def _choices(node: ET.Element, attr: ir.Attribute) -> None:
    values = ("true", "false") if attr.type.kind == "bool" else attr.type.values
    docs = {v.name: v.doc for v in attr.value_docs if v.doc}
    default = _text(attr.default) if attr.default is not None else None
    for value in values:
        options = {"hint": docs[value]} if value in docs else {}
        if value == default:
            options["selected"] = "true"
        ET.SubElement(node, "Choice", value=value, **options)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

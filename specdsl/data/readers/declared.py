"""Fitting a labeling tool's export to the spec it was labeled for (Label Studio, CVAT).

Labeling tools store what the spec types as text: a Label Studio ``Choices`` gives ``"true"``,
a CVAT text input ``"0.35"``, and CVAT draws any shape for a label of type ``any``. A
:class:`Declared` value carries what these readers need to know of the spec (each class's
geometry and attribute kinds), built by the command line from the IR so that the data layer
stays free of it. :func:`conform` runs after the mapping (so it sees the spec's names): it turns
the text of a bool or number attribute into a bool or number, and reports an object whose tool
shape (the ``tool_shape`` key the readers set) does not draw its class's geometry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from specdsl.data.records import ImageRecord, ReadIssue

# The tool shapes that draw each spec geometry: CVAT element names and Label Studio result types.
SHAPES_OF_GEOMETRY = {
    "box": frozenset({"box", "rectangle"}),
    "polygon": frozenset({"polygon"}),
    "polyline": frozenset({"polyline", "vector"}),
    "point": frozenset({"points", "keypoint"}),
    "mask": frozenset({"mask", "brush"}),
    "tag": frozenset({"tag", "choices"}),
}
TOOL_SHAPE = "tool_shape"  # object key: the shape the tool drew (CVAT element, Label Studio result type)


@dataclass(frozen=True, slots=True)
class Declared:
    """Per class its geometry and attribute kinds (bool, int, float, string, enum); image attribute kinds."""

    geometry: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    image_kinds: Mapping[str, str] = field(default_factory=dict)


def declared_from_spec(spec: Any) -> Declared:
    """The :class:`Declared` of a compiled spec (``specdsl.ir.Spec``)."""
    return Declared(
        geometry={c.name: c.geometry for c in spec.classes},
        kinds={c.name: {a.name: a.type.kind for a in c.attributes} for c in spec.classes},
        image_kinds={a.name: a.type.kind for a in spec.image_attributes})


def typed_text(text: str, kind: str | None) -> Any:
    """``text`` as a value of ``kind`` when it spells one ("true" for bool, "3" for int); else unchanged."""
    stripped = text.strip()
    if kind == "bool" and stripped in ("true", "false"):
        return stripped == "true"
    if kind in ("int", "float"):
        number = _number(stripped)
        if number is not None and (kind == "float" or float(number).is_integer()):
            return int(number) if kind == "int" else number
    return text


def _number(text: str) -> int | float | None:
    for parse in (int, float):
        try:
            value = parse(text)
        except ValueError:
            continue
        return value if value == value and abs(value) != float("inf") else None
    return None


def conform(record: ImageRecord, declared: Declared) -> tuple[ImageRecord, list[ReadIssue]]:
    """``record`` with text values typed by the spec, and objects drawn with the wrong shape reported and left out."""
    data = dict(record.data)
    issues: list[ReadIssue] = []
    if isinstance(data.get("attributes"), dict):
        data["attributes"] = _typed(data["attributes"], declared.image_kinds)
    objects, pointers = [], []
    for k, obj in enumerate(data.get("objects") or []):
        if isinstance(obj, dict):
            problem = _shape_problem(obj, declared)
            if problem:
                oid = obj.get("id")
                issues.append(ReadIssue(record.source, record.object_pointer(k), problem, _image_id(data),
                                        (oid,) if isinstance(oid, str) else ()))
                continue
            obj = _typed_object(obj, declared)
        objects.append(obj)
        pointers.append(record.object_pointer(k))
    data["objects"] = objects
    return replace(record, data=data, object_pointers=pointers), issues


def _image_id(data: dict) -> str | None:
    return data["id"] if isinstance(data.get("id"), str) else None


def _shape_problem(obj: dict, declared: Declared) -> str | None:
    shape, geometry = obj.get(TOOL_SHAPE), declared.geometry.get(obj.get("class"))
    if shape is None or geometry is None or shape in SHAPES_OF_GEOMETRY[geometry]:
        return None
    return f"{obj['class']} is a {geometry}, but it was drawn as a {shape}"


def _typed_object(obj: dict, declared: Declared) -> dict:
    kinds = declared.kinds.get(obj.get("class"))
    if not kinds or not isinstance(obj.get("attributes"), dict):
        return obj
    return {**obj, "attributes": _typed(obj["attributes"], kinds)}


def _typed(attributes: dict, kinds: Mapping[str, str]) -> dict:
    return {key: typed_text(value, kinds.get(key)) if isinstance(value, str) else value
            for key, value in attributes.items()}

"""Configs that declare classes: a Label Studio labeling config, CVAT labels (JSON or an XML export's meta).

Label Studio (what ``specc export-config --target label-studio`` writes, and the usual hand-written
configs): ``RectangleLabels`` -> box, ``PolygonLabels`` -> polygon, ``KeyPointLabels`` -> point,
``VectorLabels`` -> polyline (``closed="true"``: polygon), ``BrushLabels`` -> mask; the values of the
``Choices`` named ``tags`` -> tag classes; a ``Choices``/``Number``/``TextArea`` shown for regions
(``perRegion`` or ``whenLabelValue``) -> an attribute of those classes (a ``CLASS.ATTR`` name: of CLASS),
any other such control -> an image attribute. CVAT: label ``type`` -> geometry, ``input_type`` -> type.
"""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import orjson

from specdsl.data.readers.base import ReaderError
from specdsl.data.readers.cvat_labels import UNSET_VALUE, CvatAttribute, cvat_labels, split_values
from specdsl.data.readers.label_studio import TAGS_CONTROL
from specdsl.init.draft import AttributeFacts, Declared, Draft

LS_GEOMETRY = {"RectangleLabels": "box", "PolygonLabels": "polygon", "KeyPointLabels": "point",
               "VectorLabels": "polyline", "BrushLabels": "mask", "BitmaskLabels": "mask"}
CVAT_GEOMETRY = {"rectangle": "box", "polygon": "polygon", "polyline": "polyline", "points": "point",
                 "mask": "mask", "tag": "tag", "ellipse": "polygon", "cuboid": "polygon", "skeleton": "point"}
_ATTRIBUTE_CONTROLS = {"Choices", "Number", "TextArea", "Rating"}


def read_config(draft: Draft, path: Path) -> bool:
    """Add the classes a config declares; False when ``path`` is no config (then it is read as an export)."""
    if path.is_dir():
        return False  # a folder export (OpenLane)
    if path.suffix.lower() == ".toml":
        _scalabel_config(draft, path)
        return True
    head = _head(path)
    if head.startswith(b"<"):
        if b"<View" in head:
            _label_studio(draft, _xml(path))
            return True
        if b"<annotations" in head:  # a CVAT export: its meta declares the labels, the body is read as data
            _cvat(draft, [(label.name, label.type, list(label.attributes.values()))
                          for label in cvat_labels(path).values()])
        return False
    if head[:1] == b"[" and not _is_export(path):
        labels = _cvat_json(path)
        if labels is not None:
            _cvat(draft, labels)
            return True
    return False


def _is_export(path: Path) -> bool:
    from specdsl.data.readers import detect_format

    try:
        detect_format(path)
    except ReaderError:
        return False
    return True


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise ReaderError(path, None, None, exc.strerror or str(exc)) from exc


def _xml(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, col = exc.position
        raise ReaderError(path, line, col + 1, f"invalid XML: {exc}") from exc


# ---- Label Studio -----------------------------------------------------------------------------------


def _label_studio(draft: Draft, root: ET.Element) -> None:
    for control in root.iter():
        geometry = LS_GEOMETRY.get(control.tag)
        if geometry is None:
            continue
        if control.tag == "VectorLabels" and control.get("closed", "").lower() == "true":
            geometry = "polygon"
        for label in control.iter("Label"):
            if label.get("value"):
                draft.declare_class(label.get("value"), geometry)
    tags = next((c for c in root.iter("Choices") if c.get("name") == TAGS_CONTROL), None)
    if tags is not None:
        for choice in tags.iter("Choice"):
            if choice.get("value"):
                draft.declare_class(choice.get("value"), "tag")
    for control, shown_for in _attribute_controls(root):
        _ls_attribute(draft, control, shown_for)


def _attribute_controls(root: ET.Element, shown_for: tuple[str, ...] = ()):
    """Attribute controls with the labels they are shown for (an enclosing View's ``whenLabelValue``)."""
    for child in root:
        when = child.get("whenLabelValue") or child.get("whenChoiceValue")
        labels = tuple(v.strip() for v in when.split(",")) if when else shown_for
        if child.tag in _ATTRIBUTE_CONTROLS and child.get("name") not in (None, TAGS_CONTROL):
            yield child, labels
        else:
            yield from _attribute_controls(child, labels)


def _ls_attribute(draft: Draft, control: ET.Element, shown_for: tuple[str, ...]) -> None:
    name = control.get("name")
    declared = _ls_declared(control)
    owner, _, attr = name.partition(".")
    if attr and owner in draft.classes:
        draft.classes[owner].attribute(attr).declared = declared
        return
    per_region = control.get("perRegion", "").lower() == "true" or control.get("whenLabelValue")
    targets = [draft.classes[c] for c in shown_for if c in draft.classes]
    if per_region and not targets:
        targets = [c for c in draft.classes.values() if c.geometry != "tag"]
    if targets:
        for cls in targets:
            cls.attribute(name).declared = declared
    else:
        draft.image.setdefault(name, AttributeFacts()).declared = declared


def _ls_declared(control: ET.Element) -> Declared:
    required = control.get("required", "").lower() == "true"
    if control.tag == "Choices":
        values = tuple(c.get("value") for c in control.iter("Choice") if c.get("value"))
        if control.get("choice", "single") != "single":
            return Declared("string", (), required)  # several values at once: no one enum value
        default = next((c.get("value") for c in control.iter("Choice") if c.get("selected") == "true"), None)
        kind = "bool" if set(values) == {"true", "false"} else "enum"
        return Declared(kind, () if kind == "bool" else values, required, default)
    if control.tag in ("Number", "Rating"):
        step = control.get("step", "1")
        return Declared("int" if control.tag == "Rating" or step == "1" else "float", (), required)
    return Declared("string", (), required)


# ---- Scalabel / BDD100K ------------------------------------------------------------------------------


def _scalabel_config(draft: Draft, path: Path) -> None:
    """A Scalabel config TOML (``[[categories]]``, optionally under ``[scalabel]``, as BDD100K's configs):
    the leaf categories are the classes (exports name objects by them); the config gives no geometry."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReaderError(path, None, None, f"not a Scalabel config: {exc}") from exc
    categories = raw.get("scalabel", raw).get("categories")
    if not isinstance(categories, list):
        raise ReaderError(path, None, None, "a Scalabel config needs [[categories]]")
    for name in _leaves(categories):
        draft.declare_class(name, None)


def _leaves(categories: list) -> list[str]:
    out = []
    for category in categories:
        if not isinstance(category, dict) or not isinstance(category.get("name"), str):
            continue
        children = category.get("subcategories")
        out += _leaves(children) if isinstance(children, list) and children else [category["name"]]
    return out


# ---- CVAT -------------------------------------------------------------------------------------------


def _cvat_json(path: Path) -> list | None:
    """CVAT's label constructor JSON (``[{"name", "type", "attributes": [...]}, ...]``), else None."""
    try:
        raw = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not (isinstance(raw, list) and raw and all(isinstance(x, dict) and "name" in x for x in raw)):
        return None
    if any("annotations" in x or "data" in x for x in raw):
        return None  # Label Studio tasks
    labels = []
    for label in raw:
        attributes = [CvatAttribute(str(a.get("name")), str(a.get("input_type", "text")),
                                    tuple(str(v) for v in a.get("values") or ()) if isinstance(a.get("values"), list)
                                    else split_values(a.get("values")),
                                    a.get("default_value"), a.get("mutable"))
                      for a in label.get("attributes") or () if isinstance(a, dict) and a.get("name")]
        labels.append((str(label["name"]), label.get("type"), attributes))
    return labels


def _cvat(draft: Draft, labels: list) -> None:
    for name, label_type, attributes in labels:
        cls = draft.declare_class(name, CVAT_GEOMETRY.get(label_type or ""))
        for attr in attributes:
            cls.attribute(attr.name).declared = _cvat_declared(attr)


def _cvat_declared(attr: CvatAttribute) -> Declared:
    values = tuple(v for v in attr.values if v != UNSET_VALUE)
    answered = UNSET_VALUE not in attr.values  # CVAT gives every attribute a value unless it offers blank
    default = attr.default if attr.default not in (None, "", UNSET_VALUE) else None
    if attr.input_type == "checkbox":
        return Declared("bool", (), True, (default or "false").lower())
    if attr.input_type in ("radio", "select"):
        if set(values) == {"true", "false"}:
            return Declared("bool", (), answered, default)
        return Declared("enum", values, answered, default)
    if attr.input_type == "number":
        whole = all(_is_int(v) for v in values)
        return Declared("int" if whole else "float", (), bool(attr.default))
    return Declared("string", (), False)


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True

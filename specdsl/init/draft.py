"""What the sources say about a data set: declared classes and attributes, and what the exports hold.

A :class:`Draft` is filled by configs (:mod:`specdsl.init.sources`) and by exports
(:func:`observe_export`), then resolved into a spec by :mod:`specdsl.init.render`.
Names here are the sources' own spellings; identifiers are chosen only when rendering.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specdsl.data.readers import detect_format, read_export
from specdsl.data.readers.declared import SHAPES_OF_GEOMETRY, TOOL_SHAPE
from specdsl.data.records import ImageRecord, ReadIssue
from specdsl.init.names import fold

# Distinct values kept per attribute: enough to tell an enum (see render.ENUM_MAX_VALUES) from free text.
KEPT_VALUES = 64
# Formats whose unclosed ``points`` are lines (lane data sets); elsewhere ``points`` without a tool shape
# (COCO segmentation, Scalabel closed poly2d) are polygons.
LANE_FORMATS = frozenset({"tusimple", "openlane", "culane"})
GEOMETRY_OF_SHAPE = {shape: geometry for geometry, shapes in SHAPES_OF_GEOMETRY.items() for shape in shapes}
# Tool formats store attribute values as text that ``specc check`` types by the spec (readers/declared.py).
TEXT_FORMATS = frozenset({"label-studio", "cvat"})


@dataclass
class Declared:
    """An attribute as a config declares it."""

    kind: str  # bool | int | float | string | enum
    values: tuple[str, ...] = ()
    required: bool = False
    default: str | None = None  # as the config spells it ("true", "solid")


@dataclass
class AttributeFacts:
    declared: Declared | None = None
    present: int = 0  # objects (or images) that have a value
    values: dict[Any, Any] = field(default_factory=dict)  # hashable key -> value, at most KEPT_VALUES
    overflow: bool = False  # more distinct values than were kept
    textual: bool = False  # seen in a tool format: text that the checker types by the spec

    def absorb(self, other: AttributeFacts) -> None:
        self.declared = self.declared or other.declared
        self.present += other.present
        self.textual |= other.textual
        self.overflow |= other.overflow
        for key, value in other.values.items():
            if key not in self.values:
                self.values[key] = value

    def see(self, value: Any, textual: bool) -> None:
        if value is None:
            return
        self.present += 1
        self.textual |= textual
        key = _key(value)
        if key not in self.values:
            if len(self.values) >= KEPT_VALUES:
                self.overflow = True
            else:
                self.values[key] = value


def _key(value: Any) -> Any:
    if isinstance(value, list | dict):
        return ("json", repr(value))
    return (type(value).__name__, value)


@dataclass
class ClassFacts:
    source: str
    geometry: str | None = None  # declared by a config
    objects: int = 0
    shapes: Counter = field(default_factory=Counter)  # geometry -> objects drawn so
    several_points: int = 0  # point objects holding several points (CVAT <points>): no spec geometry fits
    attributes: dict[str, AttributeFacts] = field(default_factory=dict)

    def attribute(self, name: str) -> AttributeFacts:
        return self.attributes.setdefault(name, AttributeFacts())


@dataclass
class Draft:
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    image: dict[str, AttributeFacts] = field(default_factory=dict)
    images: int = 0
    sources: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # export label -> config label it folds onto
    issues: list[ReadIssue] = field(default_factory=list)
    configured: bool = False  # a config declared the classes

    def declare_class(self, name: str, geometry: str | None) -> ClassFacts:
        self.configured = True
        facts = self.classes.setdefault(name, ClassFacts(name))
        facts.geometry = facts.geometry or geometry
        return facts

    def class_of(self, label: str) -> ClassFacts:
        """The class an export's label belongs to: the config's label it folds onto, else its own."""
        if label not in self.classes and self.configured:
            folded = {fold(name): name for name in self.classes}
            target = folded.get(fold(label))
            if target is not None:
                self.aliases[label] = target
                return self.classes[target]
        return self.classes.setdefault(label, ClassFacts(label))

    def merge_variants(self) -> None:
        """Without a config, labels that differ only in case or separators (``Butterfly``, ``butterfly``)
        become one class under the spelling most objects use; the others are aliases of it."""
        groups: dict[str, list[ClassFacts]] = {}
        for facts in self.classes.values():
            groups.setdefault(fold(facts.source), []).append(facts)
        for members in groups.values():
            if len(members) < 2:
                continue
            main = max(members, key=lambda f: (f.geometry is not None, f.objects))
            for other in members:
                if other is not main:
                    _absorb_class(main, other)
                    self.aliases[other.source] = main.source
                    del self.classes[other.source]


def _absorb_class(main: ClassFacts, other: ClassFacts) -> None:
    main.objects += other.objects
    main.shapes.update(other.shapes)
    main.several_points += other.several_points
    main.geometry = main.geometry or other.geometry
    for name, facts in other.attributes.items():
        main.attribute(name).absorb(facts)


def observe_export(draft: Draft, path: Path, fmt: str | None = None) -> None:
    """Add one export's images to ``draft`` (read with the registry's reader; format detected by default)."""
    fmt = fmt or detect_format(path)
    textual = fmt in TEXT_FORMATS
    draft.sources.append(str(path))
    for item in read_export(path, fmt):
        if isinstance(item, ReadIssue):
            draft.issues.append(item)
        elif isinstance(item, ImageRecord):
            _observe_image(draft, item.data, fmt, textual)


def _observe_image(draft: Draft, image: dict, fmt: str, textual: bool) -> None:
    draft.images += 1
    for name, value in (image.get("attributes") or {}).items():
        draft.image.setdefault(name, AttributeFacts()).see(value, textual)
    for obj in image.get("objects") or ():
        if not isinstance(obj, dict) or not isinstance(obj.get("class"), str):
            continue  # the reader reported it; nothing to learn
        facts = draft.class_of(obj["class"])
        facts.objects += 1
        geometry = object_geometry(obj, fmt)
        facts.shapes[geometry] += 1
        if geometry == "point" and obj.get("point") is None:
            facts.several_points += 1
        for name, value in (obj.get("attributes") or {}).items():
            facts.attribute(name).see(value, textual)


def object_geometry(obj: dict, fmt: str) -> str:
    """The geometry an object is drawn with: the tool's shape when the reader kept it, else its keys."""
    shape = obj.get(TOOL_SHAPE)
    if isinstance(shape, str) and shape in GEOMETRY_OF_SHAPE:
        return GEOMETRY_OF_SHAPE[shape]
    for key, geometry in (("box", "box"), ("point", "point"), ("mask", "mask")):
        if obj.get(key) is not None:
            return geometry
    if obj.get("points") is not None:
        closed = obj.get("closed")
        return "polyline" if fmt in LANE_FORMATS or closed is False else "polygon"
    return "tag"

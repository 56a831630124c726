"""The existing labels of queued images, read from an export, for exporters that hand them to a tool.

Only what an exporter needs is kept per image: its size and its objects in the native shape
(``{"id", "class", "box" | "points" | "point" | ..., "attributes"}``, see specdsl.data.records).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ImageLabels:
    width: float | None
    height: float | None
    objects: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What an exporter may use besides the items; every field is optional."""

    labels: Mapping[str, ImageLabels] = field(default_factory=dict)  # image id -> its labels
    geometry: Mapping[str, str] = field(default_factory=dict)  # class -> box | polygon | polyline | point ...
    image_url_prefix: str | None = None
    # (class, attribute) -> its Label Studio control (specdsl.queue.label_studio.AttributeControl)
    attribute_controls: Mapping[tuple[str, str], Any] = field(default_factory=dict)


def read_labels(paths: Iterable[str | Path], fmt: str | None, options: Any,
                images: Collection[str] | None = None) -> dict[str, ImageLabels]:
    """Labels of ``images`` (all images when None) in the exports at ``paths``; an image met twice keeps
    its first record's size and gathers the objects of every record (Label Studio: one per annotation)."""
    from specdsl.data.readers import read_export
    from specdsl.data.records import ImageRecord

    found: dict[str, ImageLabels] = {}
    for path in paths:
        for record in read_export(path, fmt, options):
            if not isinstance(record, ImageRecord):
                continue
            image = str(record.data.get("id"))
            if images is not None and image not in images:
                continue
            objects = tuple(o for o in record.data.get("objects") or () if isinstance(o, Mapping))
            previous = found.get(image)
            if previous is None:
                found[image] = ImageLabels(_number(record.data.get("width")), _number(record.data.get("height")),
                                           objects)
            else:
                found[image] = ImageLabels(previous.width, previous.height, previous.objects + objects)
    return found


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else None

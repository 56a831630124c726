"""Exporters: queue items -> a file for a labeling tool. One function per format, listed in EXPORTERS.

An exporter takes the items and a binary stream. To add a format, write one function here and add a
row to EXPORTERS; `specc queue export --format` offers every key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import BinaryIO

import orjson

from specdsl.queue.item import Item

Exporter = Callable[[Sequence[Item], BinaryIO], None]


def export_jsonl(items: Sequence[Item], stream: BinaryIO) -> None:
    """One item per line, the JSON form of CLI.md (``Item.to_dict``), sorted by id."""
    stream.writelines(orjson.dumps(item.to_dict()) + b"\n" for item in sorted(items, key=lambda i: i.id))


def export_label_studio(items: Sequence[Item], stream: BinaryIO) -> None:
    """A Label Studio task list (import it into a project): one task per item, the image as ``data.image``,
    what to do and why in ``data`` (shown by ``$`` variables in a labeling config) and ``meta``."""
    tasks = [{"data": {"image": item.image, "action": item.action, "reasons": ", ".join(item.reasons),
                       "objects": ", ".join(item.objects)},
              "meta": {"specdsl_item": item.id, "priority": item.priority, "objects": list(item.objects),
                       "reasons": list(item.reasons)}}
             for item in sorted(items, key=lambda i: (-i.priority, i.id))]
    stream.write(orjson.dumps(tasks, option=orjson.OPT_INDENT_2))


def export_cvat(items: Sequence[Item], stream: BinaryIO) -> None:
    """A CVAT dataset manifest (``manifest.jsonl``): the images to put in a relabel task, best first."""
    by_image: dict[str, list[int]] = {}
    for item in sorted(items, key=lambda i: (-i.priority, i.id)):
        by_image.setdefault(item.image, []).append(item.id)
    stream.write(orjson.dumps({"version": "1.1"}) + b"\n" + orjson.dumps({"type": "images"}) + b"\n")
    for image, ids in by_image.items():
        stem, dot, extension = image.rpartition(".")
        name, extension = (stem, f".{extension}") if dot else (image, "")
        stream.write(orjson.dumps({"name": name, "extension": extension, "meta": {"specdsl_items": ids}}) + b"\n")


EXPORTERS: dict[str, Exporter] = {
    "jsonl": export_jsonl,
    "label-studio": export_label_studio,
    "cvat": export_cvat,
}

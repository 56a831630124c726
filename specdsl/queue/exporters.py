"""Exporters: queue items -> a file for a labeling tool. One function per format, listed in EXPORTERS.

An exporter takes the items, a binary stream and :class:`ExportOptions` (the existing labels of the
images, the spec's geometry per class, an image URL prefix), and returns notes for stderr (what it
could not do). To add a format, write one function here and add a row to EXPORTERS; `specc queue
export --format` offers every key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import BinaryIO
from urllib.parse import quote

import orjson

from specdsl.queue.item import Item
from specdsl.queue.labels import ExportOptions

Exporter = Callable[[Sequence[Item], BinaryIO, ExportOptions], list[str]]
NO_OPTIONS = ExportOptions()


def export_jsonl(items: Sequence[Item], stream: BinaryIO, options: ExportOptions = NO_OPTIONS) -> list[str]:
    """One item per line, the JSON form of CLI.md (``Item.to_dict``), sorted by id."""
    stream.writelines(orjson.dumps(item.to_dict()) + b"\n" for item in sorted(items, key=lambda i: i.id))
    return []


def export_label_studio(items: Sequence[Item], stream: BinaryIO,
                        options: ExportOptions = NO_OPTIONS) -> list[str]:
    """A Label Studio task list (import it into a project): one task per item, best first. ``data`` holds
    the image (its URL with ``image_url_prefix``) and what to do and why (for ``$`` variables of a labeling
    config); with the export's labels, the image's objects come as ``predictions`` to correct."""
    from specdsl.queue.label_studio import regions

    tasks, skipped, unsized = [], 0, 0
    for item in sorted(items, key=lambda i: (-i.priority, i.id)):
        task = {"data": {"image": _image_url(item.image, options.image_url_prefix), "action": item.action,
                         "reasons": ", ".join(item.reasons), "objects": ", ".join(item.objects)},
                "meta": {"specdsl_item": item.id, "image": item.image, "priority": item.priority,
                         "objects": list(item.objects), "reasons": list(item.reasons),
                         "object_reasons": item.work.object_reasons()}}
        labels = options.labels.get(item.image)
        if labels is not None:
            reasons = item.work.object_reasons()
            notes = {o: f"{action}: {', '.join(reasons[o])}" for o, action in item.work.object_actions().items()}
            result, missed = regions(labels, options.geometry, notes, options.attribute_controls)
            skipped += missed
            unsized += not (labels.width and labels.height)
            task["predictions"] = [{"model_version": "specdsl-queue", "result": result}]
        tasks.append(task)
    stream.write(orjson.dumps(tasks, option=orjson.OPT_INDENT_2))
    notes = []
    if unsized:
        notes.append(f"{unsized} image(s) have no width/height in the labels: their objects are not predictions")
    if skipped:
        notes.append(f"{skipped} object(s) could not be drawn as Label Studio regions (masks, no geometry, "
                     "no image size)")
    return notes


def export_cvat(items: Sequence[Item], stream: BinaryIO, options: ExportOptions = NO_OPTIONS) -> list[str]:
    """A CVAT dataset manifest (``manifest.jsonl``) of the images to put in a relabel task, best first;
    each image line has its ``width`` and ``height`` (from the export's labels, else from the item)."""
    by_image: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: (-i.priority, i.id)):
        by_image.setdefault(item.image, []).append(item)
    stream.write(orjson.dumps({"version": "1.1"}) + b"\n" + orjson.dumps({"type": "images"}) + b"\n")
    unsized = 0
    for image, group in by_image.items():
        stem, dot, extension = image.rpartition(".")
        name, extension = (stem, f".{extension}") if dot and "/" not in extension else (image, "")
        line: dict = {"name": name, "extension": extension}
        width, height = _size(image, group, options)
        if width and height:
            line.update(width=int(width), height=int(height))
        else:
            unsized += 1
        line["meta"] = {"specdsl_items": [i.id for i in group]}
        stream.write(orjson.dumps(line) + b"\n")
    if unsized:
        return [f"{unsized} image(s) without width/height (CVAT needs them): pass --labels EXPORT"]
    return []


def _size(image: str, items: Sequence[Item], options: ExportOptions) -> tuple[float | None, float | None]:
    labels = options.labels.get(image)
    if labels is not None and labels.width and labels.height:
        return labels.width, labels.height
    sized = [i for i in items if i.width and i.height]
    return (sized[0].width, sized[0].height) if sized else (None, None)


def _image_url(image: str, prefix: str | None) -> str:
    """The prefix as given, then the image path percent-encoded (a space or '#' would break the URL)."""
    return image if prefix is None else prefix + quote(image, safe="/")


EXPORTERS: dict[str, Exporter] = {
    "jsonl": export_jsonl,
    "label-studio": export_label_studio,
    "cvat": export_cvat,
}

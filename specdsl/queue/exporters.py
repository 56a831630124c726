"""Exporters: queue items -> a file for a labeling tool. One function per format, listed in EXPORTERS.

An exporter takes the items (sorted by id) and a binary stream. To add a format (label-studio, cvat),
write one function here and add a row to EXPORTERS; `specc queue export --format` offers every key.
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


EXPORTERS: dict[str, Exporter] = {
    "jsonl": export_jsonl,
}

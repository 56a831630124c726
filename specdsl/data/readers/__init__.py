"""Readers of annotation exports into the native model, listed in one explicit registry.

Every reader is ``reader(path, options) -> Iterator[ImageRecord | ReadIssue]``; records
have the native export's shape (see :mod:`specdsl.data.records`). Readers are imported
on first use, so listing them costs nothing. The formats and their conversions are
documented in ``docs/formats.md``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from specdsl.data.readers.base import Item, Reader, ReaderError, ReadOptions
from specdsl.data.readers.detect import detect_format
from specdsl.data.records import ImageRecord, ReadIssue

__all__ = ["READERS", "ReadOptions", "Reader", "ReaderError", "detect_format", "read_export", "split_items"]


@dataclass(frozen=True, slots=True)
class LazyReader:
    """A reader named by ``module:function``, imported when first called."""

    module: str
    function: str

    def load(self) -> Reader:
        return getattr(importlib.import_module(self.module), self.function)

    def __call__(self, path: Path, options: ReadOptions) -> Iterator[Item]:
        return self.load()(path, options)


READERS: dict[str, Reader] = {
    "native": LazyReader("specdsl.data.readers.native", "read_native"),
    "coco": LazyReader("specdsl.data.readers.coco", "read_coco"),
    "cvat": LazyReader("specdsl.data.readers.cvat", "read_cvat"),
    "label-studio": LazyReader("specdsl.data.readers.label_studio", "read_label_studio"),
    "scalabel": LazyReader("specdsl.data.readers.scalabel", "read_scalabel"),
    "tusimple": LazyReader("specdsl.data.readers.tusimple", "read_tusimple"),
    "openlane": LazyReader("specdsl.data.readers.openlane", "read_openlane"),
    "culane": LazyReader("specdsl.data.readers.culane", "read_culane"),
}


DEFAULT_OPTIONS = ReadOptions()
# Tools that store attribute values as text and may draw any shape for a label: fitted to the spec's
# declarations (options.declared) after the mapping, see readers/declared.py.
TOOL_FORMATS = frozenset({"label-studio", "cvat"})


def read_export(path: str | Path, fmt: str | None = None,
                options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[Item]:
    """Records and read issues of one export; ``fmt`` None = :func:`detect_format`. Mapping applied last."""
    path = Path(path)
    name = fmt or detect_format(path)
    if name not in READERS:
        raise ValueError(f"unknown export format {name!r}; known: {', '.join(READERS)}")
    mapping = options.mapping
    if mapping is not None:
        from specdsl.data.mapping import apply_mapping
    declared = options.declared if name in TOOL_FORMATS else None
    if declared is not None:
        from specdsl.data.readers.declared import conform
    for item in READERS[name](path, options):
        if mapping is not None and isinstance(item, ImageRecord):
            item = apply_mapping(item, mapping)
        if declared is not None and isinstance(item, ImageRecord):
            item, issues = conform(item, declared)
            yield from issues
        yield item


def split_items(items: Iterator[Item]) -> tuple[list[ImageRecord], list[ReadIssue]]:
    """All records and all issues of a reader's output (for tests and small exports)."""
    records: list[ImageRecord] = []
    issues: list[ReadIssue] = []
    for item in items:
        (records if isinstance(item, ImageRecord) else issues).append(item)
    return records, issues

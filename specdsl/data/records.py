"""What a reader yields: images in the native shape, and located read problems.

Every export format (native, COCO, CVAT, Label Studio, lane datasets) is read into
:class:`ImageRecord` values whose ``data`` has the native export's shape::

    {"id": str, "width": num, "height": num, "spec_version": int | None,
     "attributes": {...},
     "objects": [{"id": str, "class": str, "points" | "box" | "point" | "mask": ...,
                  "attributes": {...}, <extra properties such as "occluded", "z_order">}]}

so that one columnar builder and one checker serve every format. Problems a reader
finds in its own format become :class:`ReadIssue` values, later ``schema`` findings.

Where a reader knows the text position of a record or object for free (XML with expat, line
oriented formats), it says so with a :class:`TextPosition`; positions in JSON documents are found
after checking, only for the records that have findings (:mod:`specdsl.report.locate`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TextPosition:
    """1-based line and column in the source file, as far as the reader knows them.

    ``column`` None on a line of a line-oriented format (a TuSimple frame) means: the pointer names
    a value inside the JSON record on ``line``; the report finds its column if a finding needs it.
    """

    line: int
    column: int | None = None


@dataclass(slots=True)
class ImageRecord:
    data: dict
    source: str
    pointer: str
    object_pointers: list[str] | None = None  # None: native layout, f"{pointer}/objects/{k}"
    position: TextPosition | None = None  # None: found from the pointer when needed
    object_positions: list[TextPosition | None] | None = None  # parallel to object_pointers

    def object_pointer(self, k: int) -> str:
        if self.object_pointers is not None and k < len(self.object_pointers):
            return self.object_pointers[k]
        return f"{self.pointer}/objects/{k}"

    def object_position(self, k: int) -> TextPosition | None:
        if self.object_positions is not None and k < len(self.object_positions):
            return self.object_positions[k]
        return None


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """Malformed input found while reading; reported as a ``schema`` finding, reading goes on."""

    source: str
    pointer: str
    message: str
    image: str | None = None
    objects: tuple[str, ...] = ()
    position: TextPosition | None = None

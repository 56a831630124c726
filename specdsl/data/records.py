"""What a reader yields: images in the native shape, and located read problems.

Every export format (native, COCO, CVAT, Label Studio, lane datasets) is read into
:class:`ImageRecord` values whose ``data`` has the native export's shape::

    {"id": str, "width": num, "height": num, "spec_version": int | None,
     "attributes": {...},
     "objects": [{"id": str, "class": str, "points" | "box" | "point" | "mask": ...,
                  "attributes": {...}, <extra properties such as "occluded", "z_order">}]}

so that one columnar builder and one checker serve every format. Problems a reader
finds in its own format become :class:`ReadIssue` values, later ``schema`` findings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class ImageRecord:
    data: dict
    source: str
    pointer: str
    object_pointers: list[str] | None = None  # None: native layout, f"{pointer}/objects/{k}"

    def object_pointer(self, k: int) -> str:
        if self.object_pointers is not None and k < len(self.object_pointers):
            return self.object_pointers[k]
        return f"{self.pointer}/objects/{k}"


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """Malformed input found while reading; reported as a ``schema`` finding, reading goes on."""

    source: str
    pointer: str
    message: str
    image: str | None = None
    objects: tuple[str, ...] = ()

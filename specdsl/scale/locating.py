"""Lines and columns of the findings of a chunk of a native JSON document, found in the worker.

The worker holds the document's bytes and the raw slices of its images (scale/plan.py splits the
document once per process), so a finding under ``/images/K`` is followed from image K's slice: the
parent locates nothing, and no container above an image is ever split again. The positions equal
those report/locate.py finds in the whole file; a finding this cannot place is left to it.
"""

from __future__ import annotations

from dataclasses import replace

from specdsl.data.readers.native import address, offset_of
from specdsl.report.finding import Finding
from specdsl.report.locate import JsonLines


def image_pointer(pointer: str) -> tuple[int, str] | None:
    """``/images/K/rest`` as (K, ``/rest``); None for a pointer that names no image of the export."""
    tokens = pointer.split("/")
    if len(tokens) < 3 or tokens[:2] != ["", "images"] or not (tokens[2].isascii() and tokens[2].isdigit()):
        return None
    return int(tokens[2]), pointer[len("/images/") + len(tokens[2]):]


class DocumentImages:
    """One native JSON document: its bytes and the raw slices of its images, in order."""

    def __init__(self, path: str, data: bytes, images: list) -> None:
        self.path, self.data, self.images = path, data, images
        self.text = JsonLines(data)
        self._base = address(data)

    def locate(self, finding: Finding) -> Finding:
        if finding.line is not None or finding.source != self.path:
            return finding
        place = image_pointer(finding.pointer)
        if place is None or place[0] >= len(self.images):
            return finding
        image, rest = place
        raw = self.images[image]
        position = self.text.position_from((offset_of(self.data, raw, self._base), len(raw)), rest)
        if position is None:
            return finding
        return replace(finding, line=position[0], column=position[1])

    def first_record(self) -> tuple[int, int] | None:
        """Where the document's empty pointer is (quota findings name the export only)."""
        return self.text.position("")

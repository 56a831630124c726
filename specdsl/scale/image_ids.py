"""Duplicate image ids over one export argument: within a file, across its chunks and across its shards.

A chunk task cannot see the other chunks, so it returns the keys of its images in order (:class:`ImageKeys`)
and the parent, which takes the results in source order, keeps the first occurrence of every key
(:class:`FirstImages`). A later image with a key seen before is a ``schema`` finding on that image, naming
where the first one is; the image is still checked otherwise (its labels are labels all the same).

Memory: the parent holds one dict entry per distinct id (SCALE.md lets the id sets grow with the export)
and one small segment per chunk. Pointers of native chunks are ``/images/K`` and are computed, not kept;
only a whole-file chunk of another format (whose pointers are the reader's own) hands its places back.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from specdsl.data.native_batch import NativeBatch
from specdsl.data.records import ImageRecord, ReadIssue, TextPosition
from specdsl.report.finding import Finding
from specdsl.scale.plan import Chunk, ChunkKind

# A key is the image id, or (id, annotation) for a reader that yields several annotations of one image as
# records of their own (Label Studio: they are told apart by ``annotation``, and are not duplicates).
Key = str | tuple[str, str]


class ImageKeys:
    """The keys of the image records read by a chunk task, in the order the dataset numbers its images."""

    def __init__(self) -> None:
        self.keys: list[Key | None] = []  # None: the image has no string id (already a schema finding)

    def watch(self, items: Iterable) -> Iterator:
        for item in items:
            if isinstance(item, ImageRecord):
                self.keys.append(_key(item))
            elif isinstance(item, NativeBatch):  # its images all have string ids and no annotation
                self.keys += item.ids
            yield item


def _key(record: ImageRecord) -> Key | None:
    data = record.data if isinstance(record.data, dict) else {}
    image_id = data.get("id")
    if not isinstance(image_id, str):
        return None
    annotation = data.get("annotation")
    return image_id if annotation is None else (image_id, str(annotation))


@dataclass(frozen=True, slots=True)
class ImagePlaces:
    """Where each image of a whole-file chunk is: the reader's file, pointer and text position."""

    sources: list[str]
    pointers: list[str]
    positions: list[TextPosition | None]

    def of(self, k: int) -> tuple[str, str, TextPosition | None]:
        return self.sources[k], self.pointers[k], self.positions[k]


def chunk_places(chunk: Chunk, images) -> ImagePlaces | None:
    """The places a parent cannot compute: those of a whole-file chunk (None for native chunks)."""
    if chunk.kind is not ChunkKind.WHOLE:
        return None
    return ImagePlaces(images.sources, images.pointers, images.positions)


@dataclass(frozen=True, slots=True)
class _Segment:
    start: int  # ordinal of the chunk's first image in the export argument
    chunk: Chunk
    places: ImagePlaces | None

    def place(self, k: int) -> tuple[str, str, TextPosition | None]:
        """Source, pointer and reader position of the chunk's ``k``-th image."""
        if self.places is not None:
            return self.places.of(k)
        return self.chunk.path, f"/images/{self.chunk.first_image + k}", None


class FirstImages:
    """The first occurrence of every image key over one export argument; makes the duplicates' findings."""

    def __init__(self, spec) -> None:
        from specdsl.validate.findings import FindingFactory

        self.make = FindingFactory(spec, None)  # only its read_issue is used, which needs the spec alone
        self.first: dict[Key, int] = {}  # key -> ordinal of its first image
        self.segments: list[_Segment] = []
        self.starts: list[int] = []  # the segments' starts, for bisect
        self.seen = 0

    def duplicates(self, result) -> list[Finding]:
        """The findings on the images of ``result`` (a chunk's, taken in source order) seen before."""
        segment = _Segment(self.seen, result.chunk, result.places)
        self.segments.append(segment)
        self.starts.append(self.seen)
        later: list[tuple[int, Key, int]] = []
        for k, key in enumerate(result.image_keys):
            if key is None:
                continue
            first = self.first.setdefault(key, self.seen + k)
            if first != self.seen + k:
                later.append((k, key, first))
        self.seen += len(result.image_keys)
        findings = [self._finding(segment, k, key, first) for k, key, first in later]
        return _located(result.chunk, findings) if findings and result.chunk.locate else findings

    def _finding(self, segment: _Segment, k: int, key: Key, first: int) -> Finding:
        image_id, annotation = (key, None) if isinstance(key, str) else key
        source, pointer, position = segment.place(k)
        first_source, first_pointer, _ = self._place(first)
        what = f"duplicate image id '{image_id}'" + (f" annotation '{annotation}'" if annotation else "")
        message = f"{what} (first at {' '.join(filter(None, (first_source, first_pointer)))})"
        issue = ReadIssue(source, pointer, message, image_id, (), position)
        return self.make.read_issue(issue)

    def _place(self, ordinal: int) -> tuple[str, str, TextPosition | None]:
        index = bisect.bisect_right(self.starts, ordinal) - 1
        segment = self.segments[index]
        return segment.place(ordinal - segment.start)


def _located(chunk: Chunk, findings: list[Finding]) -> list[Finding]:
    """Lines and columns as the chunk task gives its own findings (a JSON Lines chunk is read again, a
    document's images are split again where this process has not: only chunks holding a duplicate pay)."""
    from specdsl.scale.task import chunk_bytes, locator

    located = locator(chunk, chunk_bytes(chunk))
    return [located.locate(finding) for finding in findings]

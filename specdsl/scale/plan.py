"""Cutting an export into chunks of images that are checked independently.

A chunk is a small picklable descriptor, not data: a worker reads its chunk itself. JSON Lines are cut
at line ends by a scan of the file in blocks (the file is never held whole); a native JSON document is
split into raw image slices by msgspec once per process (:func:`document_slices`), and its chunks are
ranges of image indices. Every chunk keeps the file's ``/images/K`` indices and line numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from specdsl.data.remote import as_path, file_size, is_url, native_kind, open_binary

LINES_SUFFIXES = (".jsonl", ".ndjson")
DEFAULT_CHUNK_BYTES = 32 << 20  # about 64 MB of columns and findings per chunk on lane-style exports
SCAN_BLOCK = 8 << 20


class ChunkKind(Enum):
    LINES = "lines"  # bytes [start, stop) of a JSON Lines file
    DOCUMENT = "document"  # images [start, stop) of a native JSON document
    WHOLE = "whole"  # the whole export, read by its format's reader


@dataclass(frozen=True, slots=True)
class Chunk:
    path: str
    fmt: str | None  # the --input-format given, None: detected
    kind: ChunkKind
    index: int  # position of the chunk in its export
    start: int = 0
    stop: int = 0
    first_image: int = 0  # index of the chunk's first image in the export
    first_line: int = 1  # line of ``start`` in the file (JSON Lines)
    images: int | None = None  # how many images the chunk holds; None: unknown until read (WHOLE)
    # JSON Lines of 2+ records, or a document report/locate.py would read: the task finds its findings'
    # lines and columns
    locate: bool = False

    def describe(self) -> str:
        if self.kind is ChunkKind.WHOLE:
            return f"{self.path}"
        if self.kind is ChunkKind.LINES:
            return f"chunk {self.index} of {self.path} (from line {self.first_line}, /images/{self.first_image})"
        return f"chunk {self.index} of {self.path} (/images/{self.start} to /images/{self.stop - 1})"


@dataclass(frozen=True, slots=True)
class ChunkSize:
    images: int | None = None  # --chunk-images; None: by bytes
    bytes: int = DEFAULT_CHUNK_BYTES
    workers: int = 1  # the processes that share the chunks: byte chunks are evened out between them

    def evened(self, total: int) -> ChunkSize:
        """Byte chunks of equal size for ``total`` bytes, none above ``bytes``, their number a multiple of
        ``workers`` when there are several: five chunks on two workers would leave one worker a chunk
        behind the other at the end."""
        count = -(-total // self.bytes)
        if self.images is not None or count <= 1:
            return self
        count = -(-count // self.workers) * self.workers
        return dataclasses.replace(self, bytes=-(-total // count))

    def full(self, images: int, size: int) -> bool:
        if self.images is not None:
            return images >= self.images
        return size >= self.bytes


def plan_chunks(path: str, fmt: str | None, size: ChunkSize) -> list[Chunk]:
    """The chunks of one export, in source order (empty for an empty file)."""
    kind = ChunkKind(native_kind(path, fmt)) if is_url(path) else _kind(Path(path), fmt)
    if kind is ChunkKind.LINES:
        chunks = list(_line_chunks(path, fmt, size.evened(file_size(path))))
        # as report/locate.py reads a whole file: records are located when there are two or more
        located = sum(chunk.images for chunk in chunks) >= 2
        return [dataclasses.replace(chunk, locate=located) for chunk in chunks]
    if kind is ChunkKind.DOCUMENT:
        slices = document_slices(path)
        if slices is not None:
            return _document_chunks(path, fmt, slices, size)
    return [Chunk(path, fmt, ChunkKind.WHOLE, 0)]


def _kind(path: Path, fmt: str | None) -> ChunkKind:
    from specdsl.data.readers import detect_format
    from specdsl.data.readers.native import is_json_lines

    if path.is_dir() or (fmt or detect_format(path)) != "native":
        return ChunkKind.WHOLE
    suffix = path.suffix.lower()
    if suffix in LINES_SUFFIXES:
        return ChunkKind.LINES
    if suffix == ".json":
        return ChunkKind.DOCUMENT
    return ChunkKind.LINES if is_json_lines(path, path.read_bytes()) else ChunkKind.DOCUMENT


def _line_chunks(path: str, fmt: str | None, size: ChunkSize) -> Iterator[Chunk]:
    """Cut at line ends; a chunk counts its non-blank lines (records), as the reader numbers them."""
    start = offset = 0
    line = first_line = 1
    images = first_image = 0
    index = 0
    with open_binary(path) as file:  # a URL's byte ranges through fsspec
        rest = b""
        while block := file.read(SCAN_BLOCK):
            block, rest = rest + block, b""
            end = block.rfind(b"\n") + 1
            block, rest = block[:end], block[end:]
            for text in block.split(b"\n")[:-1]:
                offset += len(text) + 1
                line += 1
                images += bool(text.strip())
                if size.full(images - first_image, offset - start):
                    yield Chunk(path, fmt, ChunkKind.LINES, index, start, offset, first_image, first_line,
                                images - first_image)
                    index, start, first_line, first_image = index + 1, offset, line, images
        if rest.strip():  # a last line without a newline
            offset += len(rest)
            images += 1
    if images > first_image:
        yield Chunk(path, fmt, ChunkKind.LINES, index, start, offset, first_image, first_line, images - first_image)


_DOCUMENTS: dict[str, tuple] = {}  # path -> (bytes, raw image slices): shared with forked workers


def document_slices(path: str):
    """The raw image slices of a well-formed native document, split once per process (forked workers
    inherit them); None for a malformed document, which the one-pass reader reads and reports."""
    from specdsl.data.readers.native import split_document

    if path not in _DOCUMENTS:
        split = split_document(as_path(path))
        if split is None:
            return None
        _DOCUMENTS[path] = split
    return _DOCUMENTS[path]


_LOCATORS: dict[str, object] = {}  # path -> scale.locating.DocumentImages, built once per process


def document_images(path: str):
    """The :class:`~specdsl.scale.locating.DocumentImages` of a split document (None if it does not split)."""
    from specdsl.scale.locating import DocumentImages

    if path not in _LOCATORS:
        slices = document_slices(path)
        if slices is None:
            return None
        _LOCATORS[path] = DocumentImages(path, *slices)
    return _LOCATORS[path]


def forget_document(path: str) -> None:
    _DOCUMENTS.pop(path, None)
    _LOCATORS.pop(path, None)


def _document_chunks(path: str, fmt: str | None, slices, size: ChunkSize) -> list[Chunk]:
    from specdsl.report.locate import MAX_EXPORT_BYTES

    data, images = slices
    located = len(data) <= MAX_EXPORT_BYTES  # as report/locate.py reads a whole file
    lengths = np.fromiter(map(len, images), dtype=np.int64, count=len(images))
    ends = _chunk_ends(np.cumsum(lengths), size.evened(int(lengths.sum())))
    starts = [0, *ends[:-1]][:len(ends)]  # no images: no chunks
    return [Chunk(path, fmt, ChunkKind.DOCUMENT, index, start, stop, start, 1, stop - start, located)
            for index, (start, stop) in enumerate(zip(starts, ends, strict=True))]


def _chunk_ends(through: np.ndarray, size: ChunkSize) -> list[int]:
    """Where each chunk of images stops: after ``size.images`` images, or after the image at which the chunk's
    bytes reach ``size.bytes`` (``through[k]``: bytes of images 0..k); the last chunk takes the rest."""
    n = len(through)
    if size.images is not None:
        return [*range(size.images, n, size.images), n] if n else []
    ends, start = [], 0
    while start < n:
        before = int(through[start - 1]) if start else 0
        stop = min(int(np.searchsorted(through, before + size.bytes, side="left")) + 1, n)
        ends.append(stop)
        start = stop
    return ends

"""One chunk task: read a chunk of an export, check every image of it, return findings and counters.

The task is a plain function of picklable values so that it runs the same in this process, in a worker
process and on a Dask worker. A chunk that cannot be read returns the reader's error as data (the
caller raises the first one in source order, as the one-pass reader would).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from specdsl import ir
from specdsl.data.remote import as_path, open_binary, read_items
from specdsl.report.finding import Finding
from specdsl.scale.image_ids import ImageKeys, ImagePlaces, chunk_places
from specdsl.scale.locating import image_pointer
from specdsl.scale.plan import Chunk, ChunkKind, document_slices


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """A :class:`~specdsl.data.readers.ReaderError` as plain data (it does not pickle by itself)."""

    path: str
    line: int | None
    col: int | None
    message: str

    def error(self):
        from specdsl.data.readers import ReaderError

        return ReaderError(self.path, self.line, self.col, self.message)


@dataclass(frozen=True, slots=True)
class ChunkResult:
    chunk: Chunk
    findings: list[Finding]
    images: int
    objects: int
    shares: np.ndarray  # (qualifying, population) per quota share term, see scale/quotas.py
    failure: ReadFailure | OSError | ValueError | None = None
    first_record: tuple[int, int] | None = None  # (line, column) of the export's first record (chunk 0)
    image_keys: list = field(default_factory=list)  # per image, its id (see scale/image_ids.py)
    places: ImagePlaces | None = None  # where a whole-file chunk's images are (native chunks: computed)


@dataclass(frozen=True, slots=True)
class CheckTask:
    """Check one chunk against ``spec``: the task :func:`~specdsl.scale.run.run_chunks` sends to workers."""

    spec: ir.Spec
    options: object  # ReadOptions

    def __call__(self, chunk: Chunk) -> ChunkResult:
        return check_chunk(self.spec, chunk, self.options)


def check_chunk(spec: ir.Spec, chunk: Chunk, options) -> ChunkResult:
    from specdsl.data.readers.native import gc_paused
    from specdsl.scale.quotas import count_shares, share_terms
    from specdsl.validate import Checker

    terms = share_terms(spec)
    read = read_chunk(chunk, options)
    if read.failure is not None:
        return _failed(chunk, len(terms), read.failure)
    with gc_paused():
        checker = Checker(spec, read.dataset)
        findings = checker.run_per_image()
        shares = count_shares(checker, terms)
    first = None
    located = locator(chunk, read.data) if chunk.locate else None
    if located is not None:
        findings = [located.locate(finding) for finding in findings]
        first = located.first_record() if chunk.index == 0 else None
    return ChunkResult(chunk, findings, len(read.dataset.images), read.dataset.n_objects, shares,
                       first_record=first, image_keys=read.image_keys, places=chunk_places(chunk, read.dataset.images))


@dataclass(frozen=True, slots=True)
class ChunkRead:
    """A chunk's dataset and, for JSON Lines, its bytes (to locate findings); or why it cannot be read."""

    dataset: object = None  # Dataset
    data: bytes | None = None
    image_keys: list = field(default_factory=list)  # per image record read, its id (see scale/image_ids.py)
    failure: ReadFailure | OSError | ValueError | None = None


def read_chunk(chunk: Chunk, options) -> ChunkRead:
    """The images of one chunk as a dataset; a reader error is returned as data, for the caller to raise
    in source order."""
    from specdsl.data.readers import ReaderError
    from specdsl.data.readers.native import gc_paused

    try:
        with gc_paused():
            data = chunk_bytes(chunk)
            keys = ImageKeys()
            return ChunkRead(_read(chunk, options, data, keys), data, keys.keys)
    except ReaderError as exc:
        return ChunkRead(failure=ReadFailure(exc.path, exc.line, exc.col, exc.message))
    except (OSError, ValueError) as exc:
        return ChunkRead(failure=exc)


class JsonLinesChunk:
    """Lines and columns of findings in a chunk of JSON Lines, as report/locate.py finds them in the whole
    file (located here, the file is never held whole; ``/images/K`` is the K-th record of the file)."""

    def __init__(self, chunk: Chunk, data: bytes):
        from specdsl.report.locate import JsonLines

        self.chunk, self.lines = chunk, JsonLines(data)

    def locate(self, finding: Finding) -> Finding:
        if finding.line is not None or finding.source != self.chunk.path:
            return finding
        place = image_pointer(finding.pointer)
        if place is None:
            return finding
        image, rest = place
        position = self.lines.record_position(image - self.chunk.first_image, rest)
        if position is None:
            return finding
        return replace(finding, line=position[0] + self.chunk.first_line - 1, column=position[1])

    def first_record(self) -> tuple[int, int] | None:
        position = self.lines.record_position(0, "")
        return None if position is None else (position[0] + self.chunk.first_line - 1, position[1])


def raise_failure(failure: ReadFailure | OSError | ValueError | None) -> None:
    """Raise a chunk's read failure as the reader raised it (the first one in source order is raised)."""
    if failure is None:
        return
    raise failure.error() if isinstance(failure, ReadFailure) else failure


def locator(chunk: Chunk, data: bytes | None):
    """What finds the chunk's findings in its file: the JSON Lines chunk, or the whole split document."""
    if chunk.kind is ChunkKind.DOCUMENT:
        from specdsl.scale.plan import document_images

        return document_images(chunk.path)
    return JsonLinesChunk(chunk, data)


def _failed(chunk: Chunk, terms: int, failure) -> ChunkResult:
    return ChunkResult(chunk, [], 0, 0, np.zeros((terms, 2), dtype=np.int64), failure)


def chunk_bytes(chunk: Chunk) -> bytes | None:
    if chunk.kind is not ChunkKind.LINES:
        return None
    with open_binary(chunk.path) as file:  # a URL reads its byte range only
        file.seek(chunk.start)
        return file.read(chunk.stop - chunk.start)


def _read(chunk: Chunk, options, data: bytes | None, keys: ImageKeys):
    from specdsl.data.build import build_dataset

    if chunk.kind is ChunkKind.WHOLE:
        return build_dataset(keys.watch(read_items(chunk.path, chunk.fmt, options)), chunk.path)
    records = chunk_records(chunk, options, data, columns=options.mapping is None)
    return build_dataset(keys.watch(_mapped(records, options)), chunk.path, first_image=chunk.first_image)


def chunk_records(chunk: Chunk, options, data: bytes | None, columns: bool = False):
    """The image records of one chunk, as the one-pass reader yields them (pointers and lines of the file).
    ``columns``: well-formed batches come as :class:`~specdsl.data.native_batch.NativeBatch` columns, which
    only the dataset builder takes."""
    from specdsl.data.readers import native

    if chunk.kind is ChunkKind.LINES:
        return native.read_lines_of(as_path(chunk.path), data, options, chunk.first_image, chunk.first_line,
                                    columns)
    data, images = document_slices(chunk.path)
    return native.records_of(images[chunk.start:chunk.stop], chunk.start, chunk.path, options, data, columns)


def _mapped(records, options):
    if options.mapping is None:
        return records
    from specdsl.data.mapping import apply_mapping

    return (apply_mapping(record, options.mapping) for record in records)

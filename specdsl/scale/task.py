"""One chunk task: read a chunk of an export, check every image of it, return findings and counters.

The task is a plain function of picklable values so that it runs the same in this process, in a worker
process and on a Dask worker. A chunk that cannot be read returns the reader's error as data (the
caller raises the first one in source order, as the one-pass reader would).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from specdsl import ir
from specdsl.report.finding import Finding
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


def check_chunk(spec: ir.Spec, chunk: Chunk, options) -> ChunkResult:
    from specdsl.data.readers import ReaderError
    from specdsl.data.readers.native import gc_paused
    from specdsl.scale.quotas import count_shares, share_terms
    from specdsl.validate import Checker

    terms = share_terms(spec)
    try:
        with gc_paused():
            data = _chunk_bytes(chunk)
            dataset = _read(chunk, options, data)
            checker = Checker(spec, dataset)
            findings = checker.run_per_image()
            shares = count_shares(checker, terms)
    except ReaderError as exc:
        return _failed(chunk, len(terms), ReadFailure(exc.path, exc.line, exc.col, exc.message))
    except (OSError, ValueError) as exc:
        return _failed(chunk, len(terms), exc)
    first = None
    located = _locator(chunk, data) if chunk.locate else None
    if located is not None:
        findings = [located.locate(finding) for finding in findings]
        first = located.first_record() if chunk.index == 0 else None
    return ChunkResult(chunk, findings, len(dataset.images), dataset.n_objects, shares, first_record=first)


class JsonLinesChunk:
    """Lines and columns of findings in a chunk of JSON Lines, as report/locate.py finds them in the whole
    file (located here, the file is never held whole; ``/images/K`` is the K-th record of the file)."""

    def __init__(self, chunk: Chunk, data: bytes):
        from specdsl.report.locate import JsonLines

        self.chunk, self.lines = chunk, JsonLines(data)

    def locate(self, finding: Finding) -> Finding:
        if finding.line is not None or finding.source != self.chunk.path:
            return finding
        tokens = finding.pointer.split("/")
        if len(tokens) < 3 or tokens[:2] != ["", "images"] or not tokens[2].isdigit():
            return finding
        rest = finding.pointer[len("/images/") + len(tokens[2]):]
        position = self.lines.record_position(int(tokens[2]) - self.chunk.first_image, rest)
        if position is None:
            return finding
        return replace(finding, line=position[0] + self.chunk.first_line - 1, column=position[1])

    def first_record(self) -> tuple[int, int] | None:
        position = self.lines.record_position(0, "")
        return None if position is None else (position[0] + self.chunk.first_line - 1, position[1])


def _locator(chunk: Chunk, data: bytes | None):
    """What finds the chunk's findings in its file: the JSON Lines chunk, or the whole split document."""
    if chunk.kind is ChunkKind.DOCUMENT:
        from specdsl.scale.plan import document_images

        return document_images(chunk.path)
    return JsonLinesChunk(chunk, data)


def _failed(chunk: Chunk, terms: int, failure) -> ChunkResult:
    return ChunkResult(chunk, [], 0, 0, np.zeros((terms, 2), dtype=np.int64), failure)


def _chunk_bytes(chunk: Chunk) -> bytes | None:
    if chunk.kind is not ChunkKind.LINES:
        return None
    with open(chunk.path, "rb") as file:
        file.seek(chunk.start)
        return file.read(chunk.stop - chunk.start)


def _read(chunk: Chunk, options, data: bytes | None):
    from specdsl.data.build import build_dataset

    if chunk.kind is ChunkKind.WHOLE:
        from specdsl.data.readers import read_export

        return build_dataset(read_export(chunk.path, chunk.fmt, options), chunk.path)
    records = _records(chunk, options, data)
    return build_dataset(_mapped(records, options), chunk.path, first_image=chunk.first_image)


def _records(chunk: Chunk, options, data: bytes | None):
    from specdsl.data.readers import native

    if chunk.kind is ChunkKind.LINES:
        return native.read_lines_of(Path(chunk.path), data, options, chunk.first_image, chunk.first_line)
    data, images = document_slices(chunk.path)
    return native.records_of(images[chunk.start:chunk.stop], chunk.start, chunk.path, options, data)


def _mapped(records, options):
    if options.mapping is None:
        return records
    from specdsl.data.mapping import apply_mapping

    return (apply_mapping(record, options.mapping) for record in records)

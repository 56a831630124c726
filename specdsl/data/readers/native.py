"""The native export: one JSON document ``{"spec": ..., "images": [...]}`` or JSON Lines (one image per line).

A plain ``json.loads`` of a fleet export builds millions of Python objects at once
and spends most of its time in the garbage collector. Here the document is split
into raw byte slices of images by msgspec (validating the JSON without building
objects), and images are decoded by orjson a few hundred at a time; the builder
turns each batch into columns and drops it. Peak memory is the file plus the columns.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec
import numpy as np
import orjson

from specdsl.data.native_batch import NativeBatch, decode_batch
from specdsl.data.readers.base import Item, ReaderError, ReadOptions, read_bytes
from specdsl.data.records import ImageRecord, ReadIssue

DECODE_BATCH = 500


class _Document(msgspec.Struct):
    images: list[msgspec.Raw] = []
    spec: str | None = None


def read_native(path: Path, options: ReadOptions | None = None, columns: bool = False) -> Iterator[Item]:
    """``columns``: well-formed batches come as :class:`NativeBatch` columns, which only the dataset builder
    takes (see :func:`records_of`)."""
    options = options or ReadOptions()
    data = read_bytes(path)
    with gc_paused():
        if _is_jsonl(path, data):
            yield from read_lines_of(path, data, options, columns=columns)
        else:
            yield from _read_document(path, data, options, columns)


@contextmanager
def gc_paused():
    """Decoding allocates many containers that all stay alive: collecting them mid-way is wasted work."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def is_json_lines(path: Path, data: bytes) -> bool:
    """Whether ``data`` is read as native JSON Lines (by extension, else by content)."""
    return _is_jsonl(path, data)


def _is_jsonl(path: Path, data: bytes) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return True
    if path.suffix.lower() == ".json":
        return False
    head = data.lstrip()[:1]
    return head == b"{" and b"\n{" in data.strip()


def _read_document(path: Path, data: bytes, options: ReadOptions, columns: bool = False) -> Iterator[Item]:
    source = str(path)
    if not data.strip():
        return
    try:
        document = msgspec.json.decode(data, type=_Document)
    except msgspec.ValidationError as exc:
        yield from _shape_problem(path, data, exc)
        return
    except (msgspec.DecodeError, RecursionError) as exc:  # RecursionError: nested deeper than msgspec goes
        raise _located(path, data, exc) from None
    yield from records_of(document.images, 0, source, options, data, columns)


def split_document(path: Path) -> tuple[bytes, list[msgspec.Raw]] | None:
    """The bytes of a well-formed native JSON document and the raw slices of its images; None for anything
    else (JSON Lines, malformed documents), which the one-pass reader handles and reports."""
    data = read_bytes(path)
    if _is_jsonl(path, data) or not data.strip():
        return None
    try:
        return data, msgspec.json.decode(data, type=_Document).images
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None


def records_of(images: list[msgspec.Raw], first: int, source: str, options: ReadOptions,
               data: bytes, columns: bool = False) -> Iterator[ImageRecord | NativeBatch]:
    """Decode raw images a batch at a time; ``first`` is the index of ``images[0]`` in the document, whose
    bytes ``data`` are where an image that orjson refuses (``1e400``, too deep) is located. ``columns``:
    yield a :class:`NativeBatch` for each batch the fast path takes (for the dataset builder only)."""
    for start in range(0, len(images), DECODE_BATCH):
        chunk = images[start:start + DECODE_BATCH]
        batch = decode_batch(chunk, first + start, options.spec_version) if columns else None
        if batch is not None:
            yield batch
            continue
        try:
            decoded = orjson.loads(b"[" + b",".join(chunk) + b"]")
        except orjson.JSONDecodeError:  # the joined buffer is ours, not the file: find the image and its place
            decoded = [_decode_image(source, data, raw) for raw in chunk]
        for k, image in enumerate(decoded):
            yield _record(image, source, f"/images/{first + start + k}", options)


def _decode_image(source: str, data: bytes, raw: msgspec.Raw):
    try:
        return orjson.loads(memoryview(raw))
    except orjson.JSONDecodeError as exc:
        line, col = _place_in_file(data, offset_of(data, raw), raw, exc)
        raise ReaderError(source, line, col, exc.msg) from None


def offset_of(data: bytes, raw: msgspec.Raw, base: int | None = None) -> int:
    """Where ``raw`` starts in ``data`` (whose :func:`address` is ``base``, when known): msgspec decodes ``Raw``
    as zero-copy views of the input."""
    start = address(raw) - (address(data) if base is None else base)
    if 0 <= start <= len(data) - len(raw) and data.startswith(raw, start):
        return start
    return data.find(bytes(raw))  # not a view (a copied buffer): its first occurrence


def address(buffer) -> int:
    """The memory address of a buffer's first byte: msgspec's raw values are views of what it decodes, so
    addresses say where they lie."""
    return np.frombuffer(buffer, dtype=np.uint8).__array_interface__["data"][0]


def _place_in_file(data: bytes, start: int, raw: msgspec.Raw, exc: orjson.JSONDecodeError) -> tuple[int, int]:
    """The file's line and column (in characters, as orjson counts) of an error at ``exc`` inside ``raw``."""
    line = data.count(b"\n", 0, start) + 1 + exc.lineno - 1
    if exc.lineno > 1:
        return line, exc.colno
    line_start = data.rfind(b"\n", 0, start) + 1
    return line, len(data[line_start:start].decode("utf-8", "replace")) + exc.colno


def _record(image, source: str, pointer: str, options: ReadOptions) -> ImageRecord:
    if options.spec_version is not None and isinstance(image, dict) and image.get("spec_version") is None:
        image["spec_version"] = options.spec_version
    return ImageRecord(image, source, pointer)


def _shape_problem(path: Path, data: bytes, exc: msgspec.ValidationError) -> Iterator[Item]:
    """The document is JSON but not an export: say where, then read whatever images can be read."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise ReaderError(path, error.lineno, error.colno, error.msg) from None
    if not isinstance(document, dict):
        yield ReadIssue(str(path), "", "an export must be a JSON object with an 'images' array")
        return
    images = document.get("images")
    if not isinstance(images, list):
        yield ReadIssue(str(path), "/images", "'images' must be an array of images")
        return
    for k, image in enumerate(images):
        yield _record(image, str(path), f"/images/{k}", ReadOptions())


def read_lines_of(path: Path, data: bytes, options: ReadOptions, first_image: int = 0,
                  first_line: int = 1, columns: bool = False) -> Iterator[Item | NativeBatch]:
    """The records of a run of whole JSON Lines ``data`` that starts at record ``first_image`` on line
    ``first_line`` of ``path`` (a chunk of a larger file keeps the file's pointers and line numbers).
    Pointers are ``/images/K`` for the K-th record (blank lines do not count), as in a document.
    ``columns``: as for :func:`records_of`."""
    source = str(path)
    lines = numbered_lines(data, first_line)
    for start in range(0, len(lines), DECODE_BATCH):
        chunk = lines[start:start + DECODE_BATCH]
        raws = [line for _, line in chunk]
        batch = decode_batch(raws, first_image + start, options.spec_version) if columns else None
        if batch is not None:
            yield batch
            continue
        try:
            decoded = orjson.loads(b"[" + b",".join(raws) + b"]")
        except orjson.JSONDecodeError:
            decoded = None
        if decoded is None or len(decoded) != len(chunk):  # a line holding two values is an error of its own
            decoded = [_decode_line(path, number, line) for number, line in chunk]
        for k, image in enumerate(decoded):
            yield _record(image, source, f"/images/{first_image + start + k}", options)


def numbered_lines(data: bytes, first_line: int = 1) -> list[tuple[int, bytes]]:
    """The non-blank lines of ``data`` with their numbers (``data`` starts on line ``first_line``)."""
    return [(number, line) for number, line in enumerate(data.split(b"\n"), start=first_line) if line.strip()]


def _decode_line(path: Path, number: int, line: bytes):
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ReaderError(path, number, exc.colno, exc.msg) from None


def _located(path: Path, data: bytes, exc: Exception) -> ReaderError:
    """msgspec names a byte offset; orjson names line and column: ask orjson for the location."""
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as error:
        return ReaderError(path, error.lineno, error.colno, error.msg)
    return ReaderError(path, None, None, str(exc))

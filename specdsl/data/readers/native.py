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
import orjson

from specdsl.data.readers.base import Item, ReaderError, ReadOptions, read_bytes
from specdsl.data.records import ImageRecord, ReadIssue

DECODE_BATCH = 500


class _Document(msgspec.Struct):
    images: list[msgspec.Raw] = []
    spec: str | None = None


def read_native(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    options = options or ReadOptions()
    data = read_bytes(path)
    with gc_paused():
        if _is_jsonl(path, data):
            yield from _read_lines(path, data, options)
        else:
            yield from _read_document(path, data, options)


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


def _read_document(path: Path, data: bytes, options: ReadOptions) -> Iterator[Item]:
    source = str(path)
    if not data.strip():
        return
    try:
        document = msgspec.json.decode(data, type=_Document)
    except msgspec.ValidationError as exc:
        yield from _shape_problem(path, data, exc)
        return
    except msgspec.DecodeError as exc:
        raise _located(path, data, exc) from None
    yield from records_of(document.images, 0, source, options)


def split_document(path: Path) -> list[msgspec.Raw] | None:
    """The raw byte slices of a well-formed native JSON document's images; None for anything else
    (JSON Lines, malformed documents), which the one-pass reader handles and reports."""
    data = read_bytes(path)
    if _is_jsonl(path, data) or not data.strip():
        return None
    try:
        return msgspec.json.decode(data, type=_Document).images
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


def records_of(images: list[msgspec.Raw], first: int, source: str, options: ReadOptions) -> Iterator[ImageRecord]:
    """Decode raw images a batch at a time; ``first`` is the index of ``images[0]`` in the document."""
    for start in range(0, len(images), DECODE_BATCH):
        chunk = images[start:start + DECODE_BATCH]
        decoded = orjson.loads(b"[" + b",".join(chunk) + b"]")
        for k, image in enumerate(decoded):
            yield _record(image, source, f"/images/{first + start + k}", options)


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


def _read_lines(path: Path, data: bytes, options: ReadOptions) -> Iterator[Item]:
    """Pointers are ``/images/K`` for the K-th record (blank lines do not count), as in a document."""
    source = str(path)
    lines = [(number, line) for number, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
    for start in range(0, len(lines), DECODE_BATCH):
        chunk = lines[start:start + DECODE_BATCH]
        try:
            decoded = orjson.loads(b"[" + b",".join(line for _, line in chunk) + b"]")
        except orjson.JSONDecodeError:
            decoded = [_decode_line(path, number, line) for number, line in chunk]
        for k, image in enumerate(decoded):
            yield _record(image, source, f"/images/{start + k}", options)


def _decode_line(path: Path, number: int, line: bytes):
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ReaderError(path, number, exc.colno, exc.msg) from None


def _located(path: Path, data: bytes, exc: msgspec.DecodeError) -> ReaderError:
    """msgspec names a byte offset; orjson names line and column: ask orjson for the location."""
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as error:
        return ReaderError(path, error.lineno, error.colno, error.msg)
    return ReaderError(path, None, None, str(exc))

"""Tell an export's format from its content: the first kilobytes, not only the extension."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from specdsl.data.readers.base import ReaderError

SNIFF_BYTES = 64 * 1024
_KEY = re.compile(rb'"([A-Za-z_][A-Za-z0-9_]*)"\s*:')
_NUMBER = re.compile(rb"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def detect_format(path: str | Path) -> str:
    """The reader name for ``path``; :class:`ReaderError` when nothing fits (pass the format explicitly)."""
    path = Path(path)
    if path.is_dir():
        return _detect_directory(path)
    head = _head(path)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        if xml_root_name(path) == "annotations":
            return "cvat"
        raise ReaderError(path, None, None, "XML that is not a CVAT <annotations> export")
    if path.name.endswith(".lines.txt") or _looks_like_culane(stripped.split(b"\n", 1)[0]):
        return "culane"
    found = detect_json_format(stripped)
    if found:
        return found
    raise ReaderError(path, None, None, "cannot tell the export format from its content; name it explicitly")


def detect_json_format(stripped: bytes) -> str | None:
    """The JSON format whose keys the first bytes of an export hold (leading whitespace stripped); None
    when they are not JSON or fit no format."""
    if stripped[:1] not in (b"{", b"["):
        return None
    top, nested = _first_line_keys(stripped)
    if not top:
        top = nested = set(_KEY.findall(stripped))
    return _classify(top, nested)


class _RootFound(Exception):
    def __init__(self, name: str):
        self.name = name


def xml_root_name(path: Path) -> str | None:
    """The name of the first element of an XML file, found by parsing only as far as that element.

    The prolog before it (declaration, comments, a DOCTYPE whose internal subset may be of any size) is
    parsed by expat rather than searched for bytes, so a large DTD cannot hide ``<annotations``. Nothing
    is loaded from outside the file and no entity is expanded before the root element.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()

    def found(name: str, _attributes) -> None:
        raise _RootFound(name)

    parser.StartElementHandler = found
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(SNIFF_BYTES):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _RootFound as root:
        return root.name
    except expat.ExpatError as exc:
        raise ReaderError(path, exc.lineno, exc.offset + 1, f"invalid XML: {expat.ErrorString(exc.code)}") from exc
    except LookupError as exc:  # the XML declaration names an encoding Python does not know
        raise ReaderError(path, 1, None, f"cannot read XML: {exc}") from exc
    except OSError as exc:
        raise ReaderError(path, None, None, exc.strerror or str(exc)) from exc
    return None


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ReaderError(path, None, None, exc.strerror or str(exc)) from exc


def _looks_like_culane(line: bytes) -> bool:
    """``x y x y ...`` with fractional x: even, at least two points (YOLO has 5 values, class files ints)."""
    values = line.split()
    return (len(values) >= 4 and len(values) % 2 == 0 and all(_NUMBER.match(v) for v in values)
            and any(b"." in v for v in values[0::2]))


def _first_line_keys(stripped: bytes) -> tuple[set[bytes], set[bytes]]:
    """Top-level keys and keys one level down when the first line is a whole JSON value (JSON Lines,
    a one-line document); two empty sets otherwise."""
    try:
        value = orjson.loads(stripped.split(b"\n", 1)[0])
    except orjson.JSONDecodeError:
        return set(), set()
    if isinstance(value, list) and value and isinstance(value[0], dict):
        value = value[0]
    if not isinstance(value, dict):
        return set(), set()
    nested = set()
    for items in value.values():
        if isinstance(items, list) and items and isinstance(items[0], dict):
            nested.update(items[0])
    return {k.encode() for k in value}, {k.encode() for k in nested}


def _classify(top: set[bytes], nested: set[bytes]) -> str | None:
    keys = top | nested
    if (b"objects" in top and b"id" in top) or (b"images" in top and b"objects" in nested):
        return "native"
    if b"h_samples" in keys:
        return "tusimple"
    if b"lane_lines" in keys or b"raw_file_path" in keys:
        return "openlane"
    if b"images" in keys and keys & {b"categories", b"image_id", b"category_id", b"file_name"}:
        return "coco"
    if keys & {b"from_name", b"to_name", b"completed_by"} or (b"data" in keys and keys & {b"annotations",
                                                                                       b"predictions"}):
        return "label-studio"
    if keys & {b"category", b"box2d", b"poly2d", b"box3d", b"videoName"}:
        return "scalabel"
    if b"images" in top:
        return "native"  # e.g. an empty native export: {"spec": ..., "images": []}
    return None


def _detect_directory(path: Path) -> str:
    if next(path.rglob("*.lines.txt"), None) is not None:
        return "culane"
    first_json = next(iter(sorted(path.rglob("*.json"))), None)
    if first_json is not None and detect_format(first_json) == "openlane":
        return "openlane"
    raise ReaderError(path, None, None, "a directory must hold OpenLane *.json or CULane *.lines.txt files")

"""What every reader shares: options, the unreadable-file error, JSON loading, value checks."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from specdsl.data.records import ImageRecord, ReadIssue

if TYPE_CHECKING:
    from specdsl.data.mapping import Mapping
    from specdsl.data.readers.declared import Declared

Item = ImageRecord | ReadIssue
Reader = Callable[[Path, "ReadOptions"], Iterator[Item]]


class ReaderError(Exception):
    """The file cannot be read at all (missing, not JSON/XML): ``specc`` exits 2 naming the place."""

    def __init__(self, path: str | Path, line: int | None, col: int | None, message: str) -> None:
        self.path, self.line, self.col, self.message = str(path), line, col, message
        super().__init__(self.location() + ": " + message)

    def location(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Knobs of the readers; each reader uses the ones that concern its format."""

    image_size: tuple[int, int] | None = None  # (width, height); overrides a format's default size
    class_file: Path | None = None  # TuSimple: per-lane class ids, one line per frame
    mapping: Mapping | None = None  # applied to every record by read_export
    spec_version: int | None = None  # stamped on images of formats that do not record it
    ls_annotation: str = "all"  # Label Studio: "all" annotations of a task, or the "latest" one
    coco_keypoints: str = "list"  # COCO: "list" on the object, or one "points" object per keypoint
    lane_class: str = "lane"  # class of lanes in TuSimple, CULane and OpenLane
    cipo_class: str = "cipo"  # class of OpenLane CIPO boxes
    declared: Declared | None = None  # the spec's geometries and attribute kinds, for Label Studio and CVAT


def image_size(options: ReadOptions, default: tuple[int, int] | None) -> tuple[int | None, int | None]:
    size = options.image_size or default
    return (size[0], size[1]) if size else (None, None)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReaderError(path, None, None, exc.strerror or str(exc)) from exc


def parse_json(data: bytes, path: Path, first_line: int = 1) -> Any:
    """Parse one JSON document; invalid JSON raises :class:`ReaderError` at its line and column."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ReaderError(path, exc.lineno + first_line - 1, exc.colno, exc.msg) from exc


def load_json(path: Path) -> Any:
    return parse_json(read_bytes(path), path)


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """1-based line numbers and raw lines, streamed."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ReaderError(path, None, None, exc.strerror or str(exc)) from exc
    with handle:
        yield from enumerate(handle, start=1)


def number(value: Any) -> float | int | None:
    """``value`` if it is a finite JSON number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def numbers(values: Any, length: int | None = None) -> list[float | int] | None:
    """A list of finite numbers (of ``length`` if given), else None."""
    if not isinstance(values, list) or (length is not None and len(values) != length):
        return None
    out = [number(v) for v in values]
    return None if any(v is None for v in out) else out


def pairs(flat: list[float | int]) -> list[list[float | int]]:
    return [[flat[i], flat[i + 1]] for i in range(0, len(flat) - 1, 2)]


def polygon_area(points: list[list[float | int]]) -> float:
    """Absolute shoelace area; used to pick the main part of a multi-part polygon."""
    if len(points) < 3:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    twice = sum(xs[i] * ys[i - 1] - xs[i - 1] * ys[i] for i in range(len(points)))
    return abs(twice) / 2.0


def put_parts(obj: dict, parts: list[list[list[float | int]]]) -> None:
    """``points`` = the largest part; with several parts all of them also go to ``polygons``."""
    if not parts:
        return
    obj["points"] = max(parts, key=polygon_area)
    if len(parts) > 1:
        obj["polygons"] = parts


def id_text(value: Any, fallback: int) -> str:
    """An object or image id as text; the position when the format gives none."""
    if value is None or isinstance(value, dict | list) or value == "":
        return str(fallback)
    return str(value)


def new_image(image_id: str, width: Any, height: Any, options: ReadOptions) -> dict:
    return {"id": image_id, "width": width, "height": height, "spec_version": options.spec_version,
            "attributes": {}, "objects": []}


class Issues:
    """Collects the :class:`ReadIssue` values of one file, all with the same ``source``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: list[ReadIssue] = []

    def add(self, pointer: str, message: str, image: str | None = None,
            objects: tuple[str, ...] = ()) -> None:
        self.found.append(ReadIssue(self.source, pointer, message, image, objects))

    def drain(self) -> list[ReadIssue]:
        found, self.found = self.found, []
        return found

"""The fast path of the native reader: a batch of images decoded by msgspec into typed structs and arrays.

A well-formed native image has a handful of known keys with known JSON types. msgspec decodes a batch of
them into structs (no dict per object, vertices as tuples of floats) about twice as fast as orjson
decodes dicts, and the coordinates of the whole batch become one array in one pass. Objects' attributes stay
JSON text, and each distinct attribute object of the batch is decoded once. Anything the fast
path does not take exactly as the dict path would (an unknown key, a value of another type, a mask, a
coordinate out of the plane, a number orjson reads differently) makes :func:`decode_batch` return None,
and the reader decodes that batch with orjson into records, whose builder names every problem. So a
:class:`NativeBatch` only ever holds images that have no read problem at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

import msgspec
import numpy as np
import orjson

from specdsl.data.columns import MISSING
from specdsl.data.float_records import FloatRecords
from specdsl.data.geometry_parse import all_in_plane, present_values
from specdsl.limits import MAX_EXTENT

Scalar = str | bool | int | float | None  # a flag or image attribute value the fast path takes
_NO_ATTRIBUTES = msgspec.Raw(b"")


class NativeObject(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    id: str
    class_name: str = msgspec.field(name="class")
    points: list[tuple[float, float]] | None = None
    box: tuple[float, float, float, float] | None = None
    point: tuple[float, float] | None = None
    # kept as JSON text: a fleet's objects repeat a few dozen attribute objects, decoded once each (see
    # :func:`_attribute_rows`)
    attributes: msgspec.Raw = _NO_ATTRIBUTES
    # tool flags (build.FLAG_KEYS); MISSING when absent, as the dict path's columns have it
    occluded: Scalar = MISSING
    z_order: Scalar = MISSING
    rotation: Scalar = MISSING
    # no ``polygons`` (multi-part polygons) or ``mask``: an object with either is an unknown field here, so
    # its batch takes the dict path


class NativeImage(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    id: str
    width: float | None = None
    height: float | None = None
    spec_version: int | None = None
    attributes: dict[str, Scalar] | None = None
    objects: list[NativeObject] | None = None


_DECODER = msgspec.json.Decoder(list[NativeImage])
# orjson reads an integer beyond 64 bits as a float, msgspec as an int: a batch with an integer of 19 digits
# or more takes the dict path (runs of digits found as runs of zeros once every digit is a zero: a regex is
# ten times slower)
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"0" * 9)
_LONG_RUN = b"0" * 19
_NOT_AN_INTEGER = frozenset(b".eE")  # a run of digits before or after these is part of a float


class StructGeometry(NamedTuple):
    """The ``points``, ``box`` and ``point`` of decoded objects as arrays."""

    point_counts: np.ndarray
    coords: np.ndarray  # (N, 2) vertices of every object with points, in object order
    has_points: np.ndarray
    box: np.ndarray  # (n, 4), nan where absent
    has_box: np.ndarray
    point: np.ndarray  # (n, 2), nan where absent
    has_point: np.ndarray


@dataclass(slots=True)
class NativeBatch:
    """Images ``first .. first + len(ids) - 1`` of a native export as columns; objects flattened in order."""

    first: int
    ids: list[str]
    width: np.ndarray
    height: np.ndarray
    spec_version: np.ndarray
    image_attributes: list[dict]
    object_counts: np.ndarray
    objects: list[NativeObject]
    attribute_rows: list[dict]  # the distinct attribute objects of the batch, decoded
    attribute_index: np.ndarray  # per object, its attribute object in ``attribute_rows``
    image_index: np.ndarray  # per object, the index of its image in the batch
    position: np.ndarray  # per object, its index in its image's list
    geometry: StructGeometry

    def __len__(self) -> int:
        return len(self.ids)


def decode_batch(raws: list, first: int, spec_version: int | None = None) -> NativeBatch | None:
    """The images of ``raws`` (the JSON text of one image each) as a :class:`NativeBatch`, or None when
    the batch needs the dict path. ``spec_version`` is stamped on images that do not say theirs."""
    text = b"[" + b",".join(raws) + b"]"
    if _has_long_integer(text.translate(_DIGITS_AS_ZEROS)):
        return None
    try:
        images = _DECODER.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    if len(images) != len(raws):  # a line holding two images: the dict path names it
        return None
    return _columns(images, first, spec_version)


def object_places(counts: np.ndarray, base: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """For objects listed image after image (``counts[k]`` of image ``base + k``): each one's image and its
    position in that image's list."""
    image_index = np.repeat(np.arange(base, base + len(counts), dtype=np.int64), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    position = (np.arange(int(counts.sum()), dtype=np.int64) - starts).astype(np.int32)
    return image_index, position


def _has_long_integer(zeros: bytes) -> bool:
    """Whether a run of 19 digits or more in ``zeros`` (digits turned to zeros) is an integer, not the
    fraction of a float (``0.00012345678901234568``) or its exponent."""
    found = zeros.find(_LONG_RUN)
    while found >= 0:
        start, stop = found, found + len(_LONG_RUN)
        while start > 0 and zeros[start - 1] == 0x30:
            start -= 1
        while stop < len(zeros) and zeros[stop] == 0x30:
            stop += 1
        if zeros[start - 1] not in _NOT_AN_INTEGER and (stop == len(zeros) or zeros[stop] not in _NOT_AN_INTEGER):
            return True
        found = zeros.find(_LONG_RUN, stop)
    return False


def _columns(images: list[NativeImage], first: int, spec_version: int | None) -> NativeBatch | None:
    width, height = _dimension(images, "width"), _dimension(images, "height")
    versions = _versions(images, spec_version)
    if width is None or height is None or versions is None:
        return None
    per_image = [image.objects or () for image in images]
    counts = np.fromiter(map(len, per_image), dtype=np.int64, count=len(per_image))
    objects = list(chain.from_iterable(per_image))
    geometry = geometry_columns(objects)
    attributes = _attribute_rows(objects)
    if geometry is None or attributes is None:
        return None
    image_index, position = object_places(counts)
    return NativeBatch(first, list(map(attrgetter("id"), images)), width, height, versions,
                       [image.attributes or {} for image in images], counts, objects, *attributes, image_index,
                       position, geometry)


def _attribute_rows(objects: list[NativeObject]) -> tuple[list[dict], np.ndarray] | None:
    """The distinct attribute objects of a batch, decoded by orjson as the dict path decodes them, and each
    object's row among them; None when one is not a JSON object (the dict path names it)."""
    texts = list(map(bytes, map(attrgetter("attributes"), objects)))  # b"": no attributes
    numbers = {text: k for k, text in enumerate(dict.fromkeys(texts))}
    index = np.fromiter(map(numbers.__getitem__, texts), dtype=np.int64, count=len(texts))
    try:
        rows = orjson.loads(b"[" + b",".join(text or b"null" for text in numbers) + b"]")
    except orjson.JSONDecodeError:  # nested deeper than orjson reads
        return None
    if not all(row is None or row.__class__ is dict for row in rows):
        return None
    return [{} if row is None else row for row in rows], index


def _dimension(images: list[NativeImage], key: str) -> np.ndarray | None:
    """Widths or heights, nan where absent; None when one is not a positive size in the plane."""
    values = np.array([_nan_if_none(v) for v in map(attrgetter(key), images)], dtype=np.float64)
    sizes = values[~np.isnan(values)]
    return values if bool(((sizes > 0) & (sizes <= MAX_EXTENT)).all()) else None


def _nan_if_none(value):
    return np.nan if value is None else value


def _versions(images: list[NativeImage], stamp: int | None) -> np.ndarray | None:
    values = [stamp if v is None else v for v in map(attrgetter("spec_version"), images)]
    if any(v is not None and v < 1 for v in values):
        return None
    return np.array([_nan_if_none(v) for v in values], dtype=np.float64)


def geometry_columns(objects: list) -> StructGeometry | None:
    """Points, box and point of msgspec-decoded objects (vertices as tuples of floats: a native export's or a
    predictions file's) as arrays; None when a coordinate is out of the plane or a box has a negative size,
    which the general readers report."""
    has_points, listed = present_values(list(map(attrgetter("points"), objects)))
    point_counts = np.zeros(len(objects), dtype=np.int64)
    point_counts[has_points] = np.fromiter(map(len, listed), dtype=np.int64, count=len(listed))
    coords = _PAIRS.rows(list(chain.from_iterable(listed)))
    box, has_box = _fixed(list(map(attrgetter("box"), objects)), _BOXES)
    point, has_point = _fixed(list(map(attrgetter("point"), objects)), _PAIRS)
    if coords is None or box is None or point is None:
        return None
    if not (all_in_plane(coords) and all_in_plane(box[has_box]) and all_in_plane(point[has_point])):
        return None
    if bool((box[has_box, 2:] < 0).any()):
        return None
    return StructGeometry(point_counts, coords, has_points, box, has_box, point, has_point)


_PAIRS, _BOXES = FloatRecords.of_tuple(2), FloatRecords.of_tuple(4)  # vertices and points; boxes


def _fixed(values: list, records: FloatRecords) -> tuple[np.ndarray | None, np.ndarray]:
    """Tuples of floats or None as rows (NaN where None), and where they are given."""
    present, listed = present_values(values)
    arr = np.full((len(values), records.width), np.nan)
    if listed:
        rows = records.rows(listed)
        if rows is None:
            return None, present
        arr[present] = rows
    return arr, present


def flag_column(objects: list[NativeObject], key: str) -> list | None:
    """The values of a tool flag, MISSING where absent; None when no object has it."""
    if key not in NativeObject.__struct_fields__:
        return None
    values = list(map(attrgetter(key), objects))
    return None if values.count(MISSING) == len(values) else values

"""Geometry keys of objects -> flat float arrays, with a fast path for well-formed batches.

The fast path converts a whole batch with ``np.fromiter`` over chained vertex lists
and checks types and finiteness with array operations; if anything is off, the slow
path converts object by object and names the first problem of each bad record.
"""

from __future__ import annotations

import math
import reprlib
from itertools import chain, compress, repeat
from operator import is_not

import numpy as np

from specdsl.data.dataset import Geometry, Ragged
from specdsl.limits import MAX_EXTENT

_NUMBER = (int, float)



def _is_number(value) -> bool:
    return value.__class__ in _NUMBER


def _in_plane(value) -> bool:
    """Finite and within the checker's plane (NaN fails every comparison; a huge int is never converted)."""
    return -MAX_EXTENT <= value <= MAX_EXTENT


def _is_finite(value) -> bool:
    return value.__class__ is not float or math.isfinite(value)


def all_in_plane(block: np.ndarray) -> bool:
    return bool((np.abs(block) <= MAX_EXTENT).all())


def _floats(flat, count: int) -> np.ndarray | None:
    """The numbers as float64, or None when one is an int too large for a float (the slow path names it)."""
    try:
        return np.fromiter(flat, dtype=np.float64, count=count)
    except OverflowError:
        return None


class GeometryBuilder:
    def __init__(self) -> None:
        self.counts: list[np.ndarray] = []
        self.coords: list[np.ndarray] = []
        self.has_points: list[np.ndarray] = []
        self.box: list[np.ndarray] = []
        self.has_box: list[np.ndarray] = []
        self.point: list[np.ndarray] = []
        self.has_point: list[np.ndarray] = []
        self.masks: list = []
        self.has_mask: list[np.ndarray] = []

    def add(self, objs: list[dict], keys: set[str]) -> list[tuple[int, str]]:
        """Convert the geometry keys of a batch; ``keys`` are the keys any of its objects has."""
        problems: list[tuple[int, str]] = []
        none = [None] * len(objs)

        def values(key: str) -> list:
            return column(objs, key) if key in keys else none

        self._add_points(values("points"), problems)
        self._add_fixed(values("box"), 4, "box", self.box, self.has_box, problems)
        self._add_fixed(values("point"), 2, "point", self.point, self.has_point, problems)
        masks = values("mask")
        self.masks.extend(masks)
        has_mask = [_mask_ok(m, k, problems) for k, m in enumerate(masks)] if "mask" in keys else [False] * len(objs)
        self.has_mask.append(np.asarray(has_mask, dtype=bool))
        return problems

    def add_native(self, geometry, rows: np.ndarray) -> None:
        """``rows`` of a fast-path batch's geometry (:class:`~specdsl.data.native_batch.StructGeometry`),
        whose arrays were converted and checked for the whole batch at once."""
        offsets = np.zeros(len(geometry.point_counts) + 1, dtype=np.int64)
        np.cumsum(geometry.point_counts, out=offsets[1:])
        points = Ragged(offsets, geometry.coords).take(rows)
        self.counts.append(points.counts())
        self.coords.append(points.coords)
        self.has_points.append(geometry.has_points[rows])
        self.box.append(geometry.box[rows])
        self.has_box.append(geometry.has_box[rows])
        self.point.append(geometry.point[rows])
        self.has_point.append(geometry.has_point[rows])
        self.masks.extend([None] * len(rows))
        self.has_mask.append(np.zeros(len(rows), dtype=bool))

    def _add_points(self, values: list, problems: list) -> None:
        n = len(values)
        fast = _points_fast(values)
        if fast is None:
            fast = _points_slow(values, problems)
        counts, coords, present = fast
        self.counts.append(counts)
        self.coords.append(coords)
        self.has_points.append(present)
        assert len(counts) == n

    def _add_fixed(self, values, width, key, out, has, problems) -> None:
        n = len(values)
        fast = _fixed_fast(values, width)
        if fast is not None:
            arr, present = fast
            values = ()  # every record is well formed: nothing to look at one by one
        else:
            arr, present = np.full((n, width), np.nan), np.zeros(n, dtype=bool)
        for k, value in enumerate(values):
            if value is None:
                continue
            problem = _fixed_problem(value, width, key)
            if problem:
                problems.append((k, problem))
                continue
            arr[k] = value
            present[k] = True
        if key == "box":
            bad = present & ((arr[:, 2] < 0) | (arr[:, 3] < 0))
            for k in np.flatnonzero(bad):
                problems.append((int(k), "box width and height must not be negative"))
            present &= ~bad
        out.append(arr)
        has.append(present)

    def build(self) -> Geometry:
        counts = np.concatenate(self.counts) if self.counts else np.empty(0, dtype=np.int64)
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        coords = np.concatenate(self.coords) if self.coords else np.empty((0, 2))
        cat = lambda parts, shape: np.concatenate(parts) if parts else np.empty(shape)  # noqa: E731
        masks = self.masks if self.masks.count(None) != len(self.masks) else None
        return Geometry(
            points=Ragged(offsets, coords.reshape(-1, 2)), has_points=cat(self.has_points, 0).astype(bool),
            box=cat(self.box, (0, 4)), has_box=cat(self.has_box, 0).astype(bool),
            point=cat(self.point, (0, 2)), has_point=cat(self.has_point, 0).astype(bool),
            masks=masks, has_mask=cat(self.has_mask, 0).astype(bool))


def column(rows: list[dict], key: str, default=None) -> list:
    """``[row.get(key, default) for row in rows]`` in one C-level pass (every row is a dict)."""
    return list(map(dict.get, rows, repeat(key), repeat(default)))


def types_of(values) -> set:
    """The set of Python types in a list: one C-level pass, the fast path's shape check."""
    return set(map(type, values))


def _points_fast(values: list):
    """Counts, (N, 2) coordinates and presence for a batch, or None when any record needs a closer look."""
    present, listed = present_values(values)
    if listed and types_of(listed) != {list}:
        return None
    vertices = list(chain.from_iterable(listed))
    if vertices and (types_of(vertices) != {list} or set(map(len, vertices)) != {2}):
        return None
    if not types_of(chain.from_iterable(vertices)) <= _NUMBER_TYPES:
        return None
    coords = _floats(chain.from_iterable(vertices), 2 * len(vertices))
    if coords is None or not all_in_plane(coords):
        return None
    coords = coords.reshape(-1, 2)
    counts = np.zeros(len(values), dtype=np.int64)
    counts[present] = np.fromiter(map(len, listed), dtype=np.int64, count=len(listed))
    return counts, coords, present


def _shown(value) -> str:
    """A value in a message: short and shallow whatever the data (reprlib cuts long and deep values)."""
    return reprlib.repr(value)


def present_values(values: list) -> tuple[np.ndarray, list]:
    """Which values are not None, and those values, in C-level passes (counting Nones compares pointers
    only: a key no object has costs next to nothing)."""
    if not values or (values[0] is None and values.count(None) == len(values)):
        return np.zeros(len(values), bool), []
    flags = bytes(map(is_not, values, repeat(None)))
    return np.frombuffer(flags, bool).copy(), list(compress(values, flags))


_NUMBER_TYPES = {int, float}


def _fixed_fast(values: list, width: int):
    present, listed = present_values(values)
    arr = np.full((len(values), width), np.nan)
    if not listed:
        return arr, present
    if types_of(listed) != {list} or set(map(len, listed)) != {width}:
        return None
    flat = list(chain.from_iterable(listed))
    if not types_of(flat) <= _NUMBER_TYPES:
        return None
    block = _floats(flat, len(flat))
    if block is None or not all_in_plane(block):
        return None
    block = block.reshape(-1, width)
    arr[present] = block
    return arr, present


def _points_slow(values: list, problems: list):
    counts = np.zeros(len(values), dtype=np.int64)
    present = np.zeros(len(values), dtype=bool)
    parts = []
    for k, value in enumerate(values):
        if value is None:
            continue
        problem = _points_problem(value)
        if problem:
            problems.append((k, problem))
            continue
        counts[k] = len(value)
        present[k] = True
        parts.append(np.asarray(value, dtype=np.float64).reshape(-1, 2))
    coords = np.concatenate(parts) if parts else np.empty((0, 2))
    return counts, coords, present


_RANGE = f" (at most {MAX_EXTENT:,} px from 0)"


def _points_problem(value) -> str | None:
    if value.__class__ is not list:
        return "'points' must be an array of [x, y] pairs"
    for i, p in enumerate(value):
        if p.__class__ is not list or len(p) != 2 or not all(_is_number(c) for c in p):
            return f"'points' vertex {i} must be a pair of numbers [x, y], not {_shown(p)}"
        if not all(_is_finite(c) for c in p):
            return f"'points' vertex {i} has a non-finite coordinate"
        if not all(_in_plane(c) for c in p):
            return f"'points' vertex {i} has a coordinate out of range{_RANGE}"
    return None


def _fixed_problem(value, width: int, key: str) -> str | None:
    shape = "[x, y, w, h]" if width == 4 else "[x, y]"
    if value.__class__ is not list or len(value) != width or not all(_is_number(c) for c in value):
        return f"'{key}' must be {shape} numbers, not {_shown(value)}"
    if not all(_is_finite(c) for c in value):
        return f"'{key}' has a non-finite coordinate"
    if not all(_in_plane(c) for c in value):
        return f"'{key}' has a coordinate out of range{_RANGE}"
    return None


def _mask_ok(mask, k: int, problems: list) -> bool:
    if mask is None:
        return False
    if mask.__class__ is not dict or "counts" not in mask or "size" not in mask:
        problems.append((k, "'mask' must be an object with 'size' [h, w] and 'counts' (RLE)"))
        return False
    size = mask["size"]
    if size.__class__ is not list or len(size) != 2 or not all(_is_number(s) and s >= 0 for s in size):
        problems.append((k, "'mask' 'size' must be [height, width]"))
        return False
    if not all(s <= MAX_EXTENT for s in size):
        problems.append((k, f"'mask' 'size' out of range{_RANGE}"))
        return False
    return True

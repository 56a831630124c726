"""Geometry properties and pair functions over whole columns (numpy and shapely 2, no per-object loops)."""

from __future__ import annotations

import numpy as np
import shapely

from specdsl.data.dataset import ObjectTable, Ragged


def _segment_sums(ragged: Ragged, values: np.ndarray) -> np.ndarray:
    """Per-object sums of per-segment ``values`` (segment j joins vertex j and j+1 of the same object)."""
    counts = ragged.counts()
    seg_counts = np.maximum(counts - 1, 0)
    out = np.zeros(len(counts))
    if values.size == 0:
        return out
    owner = np.repeat(np.arange(len(counts)), seg_counts)
    first_vertex = np.repeat(ragged.offsets[:-1], seg_counts)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(seg_counts) - seg_counts, seg_counts)
    np.add.at(out, owner, values[first_vertex + within])
    return out


def _segments(ragged: Ragged, closed: bool) -> np.ndarray:
    """Per-vertex vector to the next vertex (wrapping to the first for closed rings)."""
    coords = ragged.coords
    if len(coords) == 0:
        return np.zeros((0, 2))
    nxt = np.arange(1, len(coords) + 1)
    if closed:
        last = ragged.offsets[1:] - 1
        has = ragged.counts() > 0
        nxt[last[has]] = ragged.offsets[:-1][has]
    nxt = np.minimum(nxt, len(coords) - 1)
    return coords[nxt] - coords


def polyline_length(ragged: Ragged) -> np.ndarray:
    vec = _segments(ragged, closed=False)
    return _segment_sums(ragged, np.hypot(vec[:, 0], vec[:, 1]))


def polygon_perimeter(ragged: Ragged) -> np.ndarray:
    counts = ragged.counts()
    vec = _segments(ragged, closed=True)
    lengths = np.hypot(vec[:, 0], vec[:, 1]) if len(vec) else np.zeros(0)
    return _ring_sums(ragged, lengths) * (counts >= 2)


def polygon_area(ragged: Ragged) -> np.ndarray:
    coords = ragged.coords
    if len(coords) == 0:
        return np.zeros(len(ragged.counts()))
    vec = _segments(ragged, closed=True)
    nxt = coords + vec
    cross = coords[:, 0] * nxt[:, 1] - nxt[:, 0] * coords[:, 1]
    return np.abs(_ring_sums(ragged, cross)) / 2.0


def _ring_sums(ragged: Ragged, per_vertex: np.ndarray) -> np.ndarray:
    counts = ragged.counts()
    out = np.zeros(len(counts))
    if per_vertex.size:
        owner = np.repeat(np.arange(len(counts)), counts)
        np.add.at(out, owner, per_vertex)
    return out


def endpoints(ragged: Ragged) -> tuple[np.ndarray, np.ndarray]:
    counts = ragged.counts()
    start = np.full((len(counts), 2), np.nan)
    end = np.full((len(counts), 2), np.nan)
    has = counts > 0
    start[has] = ragged.coords[ragged.offsets[:-1][has]]
    end[has] = ragged.coords[ragged.offsets[1:][has] - 1]
    return start, end


def vertex_bounds(ragged: Ragged) -> np.ndarray:
    """(n, 4) min x, min y, max x, max y of each object's vertices (nan when it has none)."""
    counts = ragged.counts()
    out = np.full((len(counts), 4), np.nan)
    has = counts > 0
    if has.any():
        starts = ragged.offsets[:-1][has]
        xs, ys = ragged.coords[:, 0], ragged.coords[:, 1]
        out[has, 0] = np.minimum.reduceat(xs, starts)
        out[has, 1] = np.minimum.reduceat(ys, starts)
        out[has, 2] = np.maximum.reduceat(xs, starts)
        out[has, 3] = np.maximum.reduceat(ys, starts)
    return out


def box_rotation(table: ObjectTable) -> np.ndarray:
    """Degrees clockwise about the centre of each box (the ``rotation`` flag; 0 where absent or not a number)."""
    column = table.flags.get("rotation")
    if column is None:
        return np.zeros(len(table))
    number = lambda v: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0  # noqa: E731
    rotation = column.map_categories(number, 0.0, float)
    return np.where(np.isfinite(rotation), rotation, 0.0)


def box_corners(box: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    """(n, 4, 2) corners of [x, y, w, h] boxes turned ``degrees`` clockwise on screen (y down) about their centres."""
    half = box[:, 2:4] / 2.0
    centre = box[:, 0:2] + half
    signs = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    offsets = signs[None, :, :] * half[:, None, :]
    radians = np.radians(degrees)[:, None]
    cos, sin = np.cos(radians), np.sin(radians)
    x = centre[:, 0:1] + offsets[:, :, 0] * cos - offsets[:, :, 1] * sin
    y = centre[:, 1:2] + offsets[:, :, 0] * sin + offsets[:, :, 1] * cos
    return np.stack([x, y], axis=2)


def box_bounds(table: ObjectTable) -> np.ndarray:
    """(n, 4) min x, min y, max x, max y of each box as drawn, rotated ones included."""
    b = table.geometry.box
    bounds = np.column_stack([b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]])
    rotation = box_rotation(table)
    turned = np.flatnonzero(rotation != 0)
    if len(turned):
        corners = box_corners(b[turned], rotation[turned])
        bounds[turned] = np.column_stack([corners.min(axis=1), corners.max(axis=1)])
    return bounds


def shapes(table: ObjectTable, geometry: str, shift: np.ndarray) -> np.ndarray:
    """A shapely geometry per object (None where missing or degenerate), moved right by ``shift``.

    Every image gets its own stretch of the x axis (see :func:`image_stride`), so one
    STRtree over the whole export never pairs objects of two images, and measures
    between objects of one image are unchanged.
    """
    g = table.geometry
    out = np.full(len(table), None, dtype=object)
    if geometry in ("box", "mask"):
        boxes, ok = _boxes(table, geometry)
        b, dx = boxes[ok], shift[ok]
        out[ok] = shapely.box(b[:, 0] + dx, b[:, 1], b[:, 0] + dx + b[:, 2], b[:, 1] + b[:, 3])
        if geometry == "box":
            _rotated_boxes(table, ok, shift, out)
    elif geometry == "point":
        ok = g.has_point
        out[ok] = shapely.points(g.point[ok] + np.column_stack([shift[ok], np.zeros(int(ok.sum()))]))
    elif geometry in ("polyline", "polygon"):
        _vertex_shapes(g.points, g.has_points, geometry, out, shift)
        if geometry == "polygon":
            _multipart_shapes(table, shift, out)
    return out


def _multipart_shapes(table: ObjectTable, shift: np.ndarray, out: np.ndarray) -> None:
    """Objects with several polygon parts are the union of their parts (validate/parts.py)."""
    from specdsl.validate.parts import Parts

    parts = Parts(table)
    if parts:
        drawn = table.geometry.has_points[parts.rows]  # a broken 'points' stays a schema finding, not a shape
        out[parts.rows[drawn]] = parts.shapes(shift[parts.rows])[drawn]


def _rotated_boxes(table: ObjectTable, ok: np.ndarray, shift: np.ndarray, out: np.ndarray) -> None:
    """Rotated boxes become the polygon of their corners (LS and CVAT draw boxes turned)."""
    rotation = box_rotation(table)
    turned = np.flatnonzero(ok & (rotation != 0))
    if len(turned):
        corners = box_corners(table.geometry.box[turned], rotation[turned])
        corners[:, :, 0] += shift[turned][:, None]
        out[turned] = shapely.polygons(corners)


def _boxes(table: ObjectTable, geometry: str):
    if geometry == "box":
        return table.geometry.box, table.geometry.has_box
    from specdsl.validate.masks import mask_boxes

    return mask_boxes(table)


def image_stride(dataset) -> float:
    """Width of each image's stretch of the x axis: wider than any image plus any join distance we allow."""
    cached = getattr(dataset, "_stride", None)
    if cached is None:
        lows, highs = [0.0], [float(np.nanmax(dataset.images.width, initial=0.0))]
        for table in dataset.tables.values():
            xs = [table.geometry.points.coords[:, 0], table.geometry.box[:, 0],
                  table.geometry.box[:, 0] + table.geometry.box[:, 2], table.geometry.point[:, 0]]
            xs = np.concatenate([x[np.isfinite(x)] for x in xs])
            if xs.size:
                lows.append(float(xs.min()))
                highs.append(float(xs.max()))
        extent = max(highs) - min(lows)
        cached = dataset._stride = 4.0 * extent + 1024.0
    return cached


def _vertex_shapes(ragged: Ragged, present: np.ndarray, geometry: str, out: np.ndarray, shift: np.ndarray) -> None:
    minimum = 2 if geometry == "polyline" else 3
    ok = present & (ragged.counts() >= minimum)
    if not ok.any():
        return
    index = np.flatnonzero(ok)
    sub = ragged.take(index)
    ids = np.repeat(np.arange(len(index)), sub.counts())
    coords = sub.coords.copy()
    coords[:, 0] += shift[index][ids]
    if geometry == "polyline":
        out[index] = shapely.linestrings(coords, indices=ids)
    else:
        out[index] = shapely.polygons(shapely.linearrings(coords, indices=ids))


def angle_between(a_start, a_end, b_start, b_end) -> np.ndarray:
    """Degrees (0..90) between the overall directions of two lines, direction ignored."""
    va, vb = a_end - a_start, b_end - b_start
    dot = np.abs(np.einsum("ij,ij->i", va, vb))
    norm = np.hypot(va[:, 0], va[:, 1]) * np.hypot(vb[:, 0], vb[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.clip(dot / norm, 0.0, 1.0)
    return np.degrees(np.arccos(cos))


def endpoint_gap(a_ends: tuple[np.ndarray, np.ndarray], b_ends: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    gaps = [np.hypot(*(p - q).T) for p in a_ends for q in b_ends]
    return np.min(np.stack(gaps), axis=0)


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        inter, union = _overlay_areas(a, b)
    except shapely.errors.GEOSException:  # a self-intersecting polygon: overlay needs valid inputs
        inter, union = _overlay_areas(_repaired(a), _repaired(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def _overlay_areas(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return shapely.area(shapely.intersection(a, b)), shapely.area(shapely.union(a, b))


def _repaired(shapes: np.ndarray) -> np.ndarray:
    """Invalid geometries made valid (a bowtie becomes its two triangles); others kept as they are."""
    bad = shapely.is_geometry(shapes) & ~shapely.is_valid(shapes)
    out = shapes.copy()
    out[bad] = shapely.make_valid(shapes[bad])
    return out

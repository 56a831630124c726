"""The Hausdorff distance of polyline pairs in numpy, equal to the last bit to shapely's ``hausdorff_distance``.

Matching polylines (``match hausdorff``) needs one distance per candidate pair. shapely wants a GEOS
line per object first, and building those costs more than the distances themselves; here the vertex
lists are read straight from the export's columns.

GEOS (``DiscreteHausdorffDistance``, 3.14) computes, both ways, the largest over one line's vertices of
the smallest squared distance to the other line's segments, and returns the square root of the larger
of the two. The distance of a vertex to a segment goes through the segment's closest point
(``LineSegment::closestPoint``): its projection when the projection factor is strictly between 0 and 1,
otherwise the segment end whose (rooted) distance is smaller, the second end on a tie. GEOS walks a
line's segments with the ends alternating (segment j runs from vertex j+1 to vertex j when j is odd),
which changes the rounding of the projection; it is done the same way here. The arithmetic is the same
sequence of float64 operations, so every value is the one shapely gives (tests/test_hausdorff.py
compares them on random lines, repeated vertices and ties included).

Pairs are grouped by padded vertex counts and computed as dense (pairs, vertices, segments) blocks;
a shorter line is padded by repeating its last vertex and its last segment, which changes neither a
largest nor a smallest value.
"""

from __future__ import annotations

import numpy as np

from specdsl.data.dataset import Ragged

# Values computed at once per block (pairs x vertices x vertices): arrays that stay in the CPU's cache.
BLOCK_VALUES = 1 << 16
# What the vertex-for-vertex bound keeps in reserve for the rounding of a measured distance, relative to the
# lines' extent.
ROUNDING = 1e-9
# Pairs bounded at once by :func:`within_bound` (a few vertices each).
BOUND_PAIRS = 1 << 13
# Lines of up to this many vertices are grouped by their exact counts; longer ones by padded widths.
EXACT = 8
# Inputs within this size keep every square finite; anything else is left to shapely.
SAFE_EXTENT = 1e100


def computable(lines: Ragged, present: np.ndarray) -> np.ndarray:
    """Objects this module measures: a line of at least 2 vertices, all finite and of moderate size."""
    counts = lines.counts()
    ok = present & (counts >= 2)
    coords = lines.coords
    if not len(coords) or (coords.min() >= -SAFE_EXTENT and coords.max() <= SAFE_EXTENT):  # NaN fails both
        return ok
    fine = (np.abs(coords) <= SAFE_EXTENT).all(axis=1)
    owner = np.repeat(np.arange(len(counts)), counts)
    ok &= np.bincount(owner[~fine], minlength=len(counts)) == 0
    return ok


def hausdorff(a: Ragged, ia: np.ndarray, b: Ragged, ib: np.ndarray) -> np.ndarray:
    """The Hausdorff distance of line ``ia[k]`` of ``a`` and line ``ib[k]`` of ``b``, for each k (every line
    must be :func:`computable`)."""
    out = np.empty(len(ia))
    if not len(ia):
        return out
    count_a, count_b = a.counts()[ia], b.counts()[ib]
    width_a, width_b = block_width(count_a), block_width(count_b)
    key = width_a * (int(width_b.max()) + 1) + width_b
    order = np.argsort(key, kind="stable")
    for group in np.split(order, np.flatnonzero(np.diff(key[order])) + 1):
        wa, wb = int(width_a[group[0]]), int(width_b[group[0]])
        step = max(1, BLOCK_VALUES // (wa * wb))
        for start in range(0, len(group), step):
            chunk = group[start:start + step]
            out[chunk] = _block(_Lines(a, ia[chunk], count_a[chunk], wa), _Lines(b, ib[chunk], count_b[chunk], wb))
    return out


def within_vertex_for_vertex(a: Ragged, ia: np.ndarray, b: Ragged, ib: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Pairs whose distance :func:`hausdorff` certainly finds within ``limit[k]``, told without measuring it:
    two lines of as many vertices whose k-th vertices all lie within the limit of each other. Every vertex of
    either line then has a point of the other that near, so the largest of those gaps bounds the distance
    from above; ROUNDING of the lines' extent is kept in reserve for the rounding of a measured distance.
    A few operations a vertex: tried before :func:`within_bound`, which takes ten times as many."""
    out = np.zeros(len(ia), bool)
    counts = a.counts()[ia]
    same = np.flatnonzero((counts == b.counts()[ib]) & (counts > 0))
    if not len(same):
        return out
    taken = a.take(ia[same])  # the pairs' lines one after another: the k-th vertices of both line up
    va, vb = taken.coords, b.take(ib[same]).coords
    extent = max(va.max(), -va.min(), vb.max(), -vb.min())
    gap = np.subtract(va, vb, out=va)
    np.square(gap, out=gap)
    largest = np.maximum.reduceat(gap[:, 0] + gap[:, 1], taken.offsets[:-1])
    room = limit[same] - ROUNDING * (1.0 + extent)
    out[same] = (room > 0) & (largest <= room * room)
    return out


def within_bound(a: Ragged, ia: np.ndarray, b: Ragged, ib: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Pairs whose distance :func:`hausdorff` certainly finds within ``limit[k]``, told without measuring it
    all: each vertex of either line is measured against one segment of the other, the one as far along that
    line in segments as the vertex is along its own in vertices. A line sampled at its label's rows, or at a
    few more, has its vertices on those segments (as lane models give them). Each such distance is one of the
    terms GEOS takes the smallest of, made by the same float operations (:func:`_segment_squares`), so the
    largest of them is never below the distance: a pair whose bound is within the limit is within it."""
    out = np.zeros(len(ia), bool)
    for start in range(0, len(ia), BOUND_PAIRS):  # a block's arrays stay in the CPU's cache
        block = slice(start, start + BOUND_PAIRS)
        ab = _bound_one_way(a, ia[block], b, ib[block])
        ba = _bound_one_way(b, ib[block], a, ia[block])
        out[block] = np.sqrt(np.maximum(ab, ba)) <= limit[block]
    return out


def _bound_one_way(p: Ragged, ip: np.ndarray, q: Ragged, iq: np.ndarray) -> np.ndarray:
    """Per pair, the largest over the vertices of line ``ip[k]`` of the squared distance to its segment of
    line ``iq[k]`` (every line of at least 2 vertices)."""
    points = p.take(ip)
    starts = points.offsets
    if not starts[-1]:
        return np.zeros(len(ip))
    count_p, count_q = np.diff(starts), q.offsets[iq + 1] - q.offsets[iq]
    vertex = np.arange(starts[-1]) - np.repeat(starts[:-1], count_p)  # each vertex's index in its line
    segments = np.repeat(count_q - 1, count_p)
    j = np.minimum(vertex * segments // np.repeat(count_p - 1, count_p), segments - 1)
    lower = np.repeat(q.offsets[iq], count_p) + j  # the segment's vertices: j and j + 1
    ends = q.coords[np.stack([lower, lower + 1], axis=1)]  # (vertices, 2 ends, x y)
    squares = _segment_squares(points.coords[:, 0], points.coords[:, 1], ends[:, 0, 0], ends[:, 0, 1],
                               ends[:, 1, 0], ends[:, 1, 1], j % 2 == 1)
    return np.maximum.reduceat(squares, starts[:-1])


def _segment_squares(px, py, lower_x, lower_y, upper_x, upper_y, odd) -> np.ndarray:
    """The squared distance of points to segments (vertices ``lower`` then ``upper``; ``odd``: segments GEOS
    walks from ``upper``), as :func:`_oriented` makes each of its terms: the same operations in the same order,
    so the same values to the last bit."""
    lx, ly = lower_x - px, lower_y - py  # vertex minus point, as _vertex_distances
    ux, uy = upper_x - px, upper_y - py
    lower_sq, upper_sq = lx * lx + ly * ly, ux * ux + uy * uy
    lower_root, upper_root = np.sqrt(lower_sq), np.sqrt(upper_sq)
    take_lower = lower_root < upper_root
    take_lower |= odd & (lower_root == upper_root)
    nearer = np.where(take_lower, lower_sq, upper_sq)
    x0, y0 = np.where(odd, upper_x, lower_x), np.where(odd, upper_y, lower_y)
    dx, dy = np.where(odd, lower_x, upper_x) - x0, np.where(odd, lower_y, upper_y) - y0
    _project(nearer, px, py, x0, y0, dx, dy)
    return nearer


def _project(nearer: np.ndarray, px, py, x0, y0, dx, dy) -> None:
    """Where a point projects strictly inside its segment (from (x0, y0), along (dx, dy)), its squared distance
    to the projection replaces the nearer end's in ``nearer`` (LineSegment::closestPoint): every term of the
    distance and of its bound goes through these operations, in this order."""
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):  # a segment of length 0: its ends decide
        factor = px - x0
        factor *= dx
        along_y = py - y0
        along_y *= dy
        factor += along_y
        factor /= length2
        inside = factor > 0
        inside &= factor < 1
        ex = factor * dx
        ex += x0
        ex -= px
        ey = factor * dy
        ey += y0
        ey -= py
    ex *= ex
    ey *= ey
    ex += ey
    np.copyto(nearer, ex, where=inside)


def block_width(count: np.ndarray) -> np.ndarray:
    """Counts as block widths: exact up to EXACT, then a few padded widths (12, 16, 24, 32, ...): few
    groups, little padding."""
    wide = np.maximum(count, EXACT + 1)
    power = 2 ** np.floor(np.log2(wide - 1)).astype(np.int64)  # the largest power of two below
    padded = np.where(wide <= power + power // 2, power + power // 2, 2 * power)
    return np.where(count <= EXACT, count, padded)


class _Lines:
    """One side of a block: (rows, width, 2) vertices (a shorter line repeats its last vertex) and, per
    segment, its ends as GEOS walks them (swapped on odd segments); ``real`` marks the segments of the
    line itself (None when no line of the block is padded)."""

    def __init__(self, lines: Ragged, rows: np.ndarray, counts: np.ndarray, width: int):
        j = np.arange(width - 1)
        self.odd = (j % 2) == 1
        self.first, self.second = np.where(self.odd, j + 1, j), np.where(self.odd, j, j + 1)
        if (counts == width).all():
            self.vertices = lines.coords[lines.offsets[rows][:, None] + np.arange(width)]
            self.real = None
        else:
            within = np.minimum(np.arange(width)[None, :], (counts - 1)[:, None])
            self.vertices = lines.coords[lines.offsets[rows][:, None] + within]
            self.real = j[None, :] < (counts - 1)[:, None]


def _block(a: _Lines, b: _Lines) -> np.ndarray:
    pa, pb = a.vertices, b.vertices
    if pa.shape[1] * pb.shape[1] > BLOCK_VALUES:  # long lines (then one pair): vertices a slice at a time
        return np.sqrt(np.maximum(_oriented_in_slices(pa, pb, b), _oriented_in_slices(pb, pa, a)))
    squared, rooted = _vertex_distances(pa, pb)
    ab = _oriented(pa, pb, b, squared, rooted)
    ba = _oriented(pb, pa, a, squared.transpose(0, 2, 1), rooted.transpose(0, 2, 1))
    return np.sqrt(np.maximum(ab, ba))


def _vertex_distances(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared and rooted distances of every vertex of ``p`` to every vertex of ``q``: (m, p's, q's)."""
    vx = q[:, None, :, 0] - p[:, :, None, 0]
    vy = q[:, None, :, 1] - p[:, :, None, 1]
    squared = vx * vx + vy * vy
    return squared, np.sqrt(squared)


def _oriented_in_slices(p: np.ndarray, q: np.ndarray, line: _Lines) -> np.ndarray:
    """:func:`_oriented` over slices of ``p``'s vertices (the largest of the slices' largest)."""
    across = max(1, BLOCK_VALUES // q.shape[1])
    out = None
    for first in range(0, p.shape[1], across):
        some = p[:, first:first + across]
        value = _oriented(some, q, line, *_vertex_distances(some, q))
        out = value if out is None else np.maximum(out, value)
    return out


def _oriented(p: np.ndarray, q: np.ndarray, line: _Lines, squared: np.ndarray, rooted: np.ndarray) -> np.ndarray:
    """Per row, the largest over the vertices ``p`` of the smallest squared distance to a segment of ``q``
    (``squared``/``rooted``: vertex-to-vertex distances, rows of ``p`` by columns of ``q``)."""
    # a segment's nearer end by rooted distance, its second end on a tie (LineSegment::closestPoint); the
    # second end of segment j is vertex j + 1 when j is even, vertex j when j is odd
    lower, upper = rooted[:, :, :-1], rooted[:, :, 1:]
    take_lower = lower < upper
    take_lower |= line.odd & (lower == upper)
    nearer = np.where(take_lower, squared[:, :, :-1], squared[:, :, 1:])
    first, second = line.first, line.second
    x0, y0 = q[:, None, first, 0], q[:, None, first, 1]  # (m, 1, segments)
    dx, dy = q[:, None, second, 0] - x0, q[:, None, second, 1] - y0
    _project(nearer, p[:, :, None, 0], p[:, :, None, 1], x0, y0, dx, dy)  # points (m, vertices, 1)
    if line.real is not None:
        nearer[~np.broadcast_to(line.real[:, None, :], nearer.shape)] = np.inf
    return _largest(_smallest(nearer))


def _smallest(values: np.ndarray) -> np.ndarray:
    """The minimum over the last axis; a few columns are folded pairwise (faster than a reduction over a
    short axis, and the same values)."""
    if values.shape[2] > EXACT:
        return values.min(axis=2)
    out = values[:, :, 0].copy()
    for j in range(1, values.shape[2]):
        np.minimum(out, values[:, :, j], out=out)
    return out


def _largest(values: np.ndarray) -> np.ndarray:
    """The maximum over the last axis, as :func:`_smallest`."""
    if values.shape[1] > EXACT:
        return values.max(axis=1)
    out = values[:, 0].copy()
    for j in range(1, values.shape[1]):
        np.maximum(out, values[:, j], out=out)
    return out

"""Spatial joins for pair rules: which (row, object) pairs can be within a distance, without a loop.

Both joins use one uniform grid over points whose x is moved to the image's own stretch of
the axis (see :func:`specdsl.validate.geometry.image_stride`), so pairs from different images
are rare; the caller still keeps only pairs of the same image. Neither builds a shapely geometry:
the exact test that follows builds shapes for the candidate pairs only.
"""

from __future__ import annotations

import numpy as np

from specdsl.validate.view import ClassView

EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def close_points(a: np.ndarray, b: np.ndarray, radius: float, count_only: bool = False):
    """Index pairs (i, j) with |a[i] - b[j]| <= radius, by a uniform grid of cells ``radius`` wide.

    Each point of ``a`` looks in its cell and the eight around it: a sorted array of ``b``'s
    cell keys and ``searchsorted`` give every candidate range at once, expanded with ``repeat``.
    The queries are sorted too (a neighbour cell's key is the cell's key plus a constant, so one sort
    serves all nine): binary searches for ascending keys stay in cache, four times faster on a fleet
    chunk. Pairs come in the order of the unsorted queries all the same: by neighbour, then by ``i``.
    ``count_only``: just the number of candidates in those cells, from the ranges, in O(len(a)) memory.
    """
    if len(a) == 0 or len(b) == 0:
        return 0 if count_only else EMPTY
    size = max(float(radius), 1e-9)
    origin = np.minimum(a.min(axis=0), b.min(axis=0)) - size
    a_cell = np.floor((a - origin) / size).astype(np.int64)
    b_cell = np.floor((b - origin) / size).astype(np.int64)
    height = int(max(a_cell[:, 1].max(), b_cell[:, 1].max())) + 3
    b_keys = b_cell[:, 0] * height + b_cell[:, 1]
    order = np.argsort(b_keys, kind="stable")
    sorted_keys = b_keys[order]
    a_keys = a_cell[:, 0] * height + a_cell[:, 1]
    a_order = np.argsort(a_keys, kind="stable")
    a_sorted = a_keys[a_order]
    parts_i, parts_j = [], []
    total = 0
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            keys = a_sorted + (dx * height + dy)
            starts, stops = np.searchsorted(sorted_keys, keys, "left"), np.searchsorted(sorted_keys, keys, "right")
            if count_only:
                total += int((stops - starts).sum())
                continue
            i, j = _expand(starts, stops)
            i = a_order[i]
            by_query = np.argsort(i, kind="stable")  # back to the order of a (stable: j ascending per query)
            parts_i.append(i[by_query])
            parts_j.append(order[j[by_query]])
    if count_only:
        return total
    i, j = np.concatenate(parts_i), np.concatenate(parts_j)
    close = np.hypot(*(a[i] - b[j]).T) <= radius
    return i[close], j[close]


def _expand(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (row, position) pairs for the ranges [starts[row], stops[row])."""
    counts = stops - starts
    rows = np.repeat(np.arange(len(starts)), counts)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, np.repeat(starts, counts) + within


def _unique_pairs(rows: np.ndarray, objects: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    key = np.unique(rows * (int(objects.max(initial=0)) + 1) + objects)
    width = int(objects.max(initial=0)) + 1
    return key // width, key % width


def _shifted(view: ClassView, index: np.ndarray, xy: np.ndarray) -> np.ndarray:
    out = xy.copy()
    out[:, 0] += view.table.image_index[index] * view.stride
    return out


def endpoint_pairs(query: ClassView, rows: np.ndarray, view: ClassView, candidates: np.ndarray, distance: float,
                   count_only: bool = False):
    """Pairs whose nearest ends are within ``distance``: exact for ``endpoint_gap(a, b) < d``.
    ``count_only``: how many candidates the grid meets (an upper bound of the pairs), without building them."""
    q_start, q_end = query.ends
    t_start, t_end = view.ends
    q_xy = np.concatenate([_shifted(query, rows, q_start[rows]), _shifted(query, rows, q_end[rows])])
    t_xy = np.concatenate([_shifted(view, candidates, t_start[candidates]),
                           _shifted(view, candidates, t_end[candidates])])
    q_owner, t_owner = np.tile(np.arange(len(rows)), 2), np.tile(np.arange(len(candidates)), 2)
    q_ok, t_ok = np.isfinite(q_xy).all(axis=1), np.isfinite(t_xy).all(axis=1)
    if count_only:
        return close_points(q_xy[q_ok], t_xy[t_ok], distance, count_only=True)
    i, j = close_points(q_xy[q_ok], t_xy[t_ok], distance)
    if len(i) == 0:
        return EMPTY
    return _unique_pairs(q_owner[q_ok][i], t_owner[t_ok][j])


def box_pairs(query: ClassView, rows: np.ndarray, view: ClassView, candidates: np.ndarray, distance: float,
              count_only: bool = False):
    """Pairs whose bounding boxes come within ``distance``: a superset of ``distance(a, b) < d`` pairs.
    ``count_only``: how many candidates the grid meets, without building them."""
    qb, tb = query.bounds_cached[rows], view.bounds_cached[candidates]
    q_ok = np.flatnonzero(np.isfinite(qb).all(axis=1))
    t_ok = np.flatnonzero(np.isfinite(tb).all(axis=1))
    if len(q_ok) == 0 or len(t_ok) == 0:
        return 0 if count_only else EMPTY
    qb, tb = qb[q_ok], tb[t_ok]
    q_center = _shifted(query, rows[q_ok], (qb[:, :2] + qb[:, 2:]) / 2)
    t_center = _shifted(view, candidates[t_ok], (tb[:, :2] + tb[:, 2:]) / 2)
    half = lambda b: np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) / 2  # noqa: E731
    radius = distance + half(qb).max() + half(tb).max()
    if count_only:
        return close_points(q_center, t_center, radius, count_only=True)
    i, j = close_points(q_center, t_center, radius)
    gap_x = np.maximum(qb[i, 0] - tb[j, 2], tb[j, 0] - qb[i, 2])
    gap_y = np.maximum(qb[i, 1] - tb[j, 3], tb[j, 1] - qb[i, 3])
    near = np.hypot(np.maximum(gap_x, 0), np.maximum(gap_y, 0)) <= distance
    return q_ok[i[near]], t_ok[j[near]]

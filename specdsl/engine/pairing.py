"""Pairing the objects of two annotation sets of the same images (ENGINE.md, "Matching objects").

Per geometry, candidates are pairs of one image whose bounding boxes come within reach of each other,
found with a vectorised per-image join (no Python loop over pairs). A candidate must pass the ``match``
of both objects' classes. Within an image the pairing is one maximum-weight assignment
(``scipy.optimize.linear_sum_assignment``, see :mod:`specdsl.engine.solver`; weight = iou, or -distance)
that first maximises the number of pairs: non-candidates cost more than any set of candidates can save.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from specdsl import ir
from specdsl.data.dataset import Ragged
from specdsl.data.subset import take_table
from specdsl.engine.polylines import Lines, hausdorff_distance
from specdsl.validate import geometry as geo
from specdsl.validate.view import ClassView

PAIRS_PER_BLOCK = 1 << 18  # object pairs compared at once while joining


@dataclass
class Side:
    """One annotation set's comparable objects of one geometry, flattened over the spec's classes."""

    image: np.ndarray  # int64: common image number
    cls: np.ndarray  # int64: index into ``classes``
    row: np.ndarray  # int64: row in that class's view
    bounds: np.ndarray  # (n, 4) x0, y0, x1, y1
    geometry: np.ndarray | Lines  # (n, 4) boxes, (n, 2) points, polylines, or shapely objects

    def __len__(self) -> int:
        return len(self.image)


@dataclass
class Pairs:
    """Matched objects: ``a[i]`` of one side with ``b[i]`` of the other, and their match score."""

    a: np.ndarray
    b: np.ndarray
    score: np.ndarray | None  # None where the caller has no use for it (`specc suspect`)


def build_side(views: list[ClassView], rows: list[np.ndarray], image_keys: list[np.ndarray], geometry: str) -> Side:
    """The flattened objects of ``views`` (one per class of ``geometry``) at ``rows``."""
    parts = []
    for number, (view, index, keys) in enumerate(zip(views, rows, image_keys)):
        parts.append((keys, np.full(len(index), number), index, _bounds(view, index, geometry)))
    if not parts:
        return Side(*(np.zeros(0, np.int64),) * 3, np.zeros((0, 4)), np.zeros(0, object))
    if geometry == "polyline":  # vertex lists; shapely lines only if a score needs them
        shapes = Lines.of(views, rows)
    else:
        shapes = np.concatenate([_geometry(view, index, geometry) for view, index in zip(views, rows)])
    return Side(*(np.concatenate([p[k] for p in parts]) for k in range(4)), shapes)


def _bounds(view: ClassView, index: np.ndarray, geometry: str) -> np.ndarray:
    """The bounding boxes of some objects of a view: of those rows only, for vertex lists not measured yet
    (each process of a split pairing needs half of them)."""
    if geometry == "tag":
        return np.zeros((len(index), 4))
    if geometry == "polyline" and "bounds_cached" not in view.__dict__ and len(index) < view.n:
        return geo.vertex_bounds(_read_only(view.table.geometry.points, index))
    return view.bounds_cached[index]


def _read_only(lines: Ragged, index: np.ndarray) -> Ragged:
    """The vertex lists of some objects, not to be written to: those of consecutive objects (half of the images,
    in file order) are a slice of the view's, not a copy."""
    if not len(index) or not (np.diff(index) == 1).all():
        return lines.take(index)
    first, last = int(index[0]), int(index[-1]) + 1
    start = lines.offsets[first]
    return Ragged(lines.offsets[first:last + 1] - start, lines.coords[start:lines.offsets[last]])


def _geometry(view: ClassView, index: np.ndarray, geometry: str) -> np.ndarray:
    g = view.table.geometry
    if geometry == "box":
        return g.box[index]
    if geometry == "point":
        return g.point[index]
    if geometry == "tag":
        return np.zeros((len(index), 4))
    return geo.shapes(take_table(view.table, index), geometry, np.zeros(len(index)))


def pair(a: Side, b: Side, matches: list[ir.Match | None], geometry: str) -> Pairs:
    """The one-to-one pairing of ``a`` and ``b`` (``matches[k]`` is class k's rule; None for tags)."""
    if geometry == "tag":
        return _pair_tags(a, b)
    reach = max((m.threshold for m in matches if m is not None and m.score != "iou"), default=0.0)
    ia, ib = candidate_pairs(a, b, reach)
    ia, ib, score_a = _passing(a, b, ia, ib, matches, geometry)
    weight = np.array([1.0 if matches[c].score == "iou" else -1.0 for c in a.cls[ia]]) * score_a
    chosen = assign(a.image[ia], ia, ib, weight)
    return Pairs(ia[chosen], ib[chosen], score_a[chosen])


def candidate_pairs(a: Side, b: Side, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of one image whose bounding boxes are within ``reach`` of each other, in (a, b) order.

    Images are grouped by how many objects of either side they hold (counts rounded up to a few widths),
    and each group is one dense (images, a objects, b objects) comparison; a row padding an image's objects
    has NaN bounds, which are within no reach."""
    from specdsl.engine.hausdorff import block_width

    n_images = int(max(a.image.max(initial=-1), b.image.max(initial=-1))) + 1
    a_members, b_members = _Members(a, n_images), _Members(b, n_images)
    images = np.flatnonzero((a_members.count > 0) & (b_members.count > 0))
    width_a, width_b = block_width(a_members.count[images]), block_width(b_members.count[images])
    key = width_a * (int(width_b.max(initial=0)) + 1) + width_b
    order = np.argsort(key, kind="stable")
    found_a, found_b = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for group in np.split(order, np.flatnonzero(np.diff(key[order])) + 1) if len(order) else ():
        wa, wb = int(width_a[group[0]]), int(width_b[group[0]])
        step = max(1, PAIRS_PER_BLOCK // (wa * wb))
        across = max(1, PAIRS_PER_BLOCK // wb)  # a crowded image: its a objects a slice at a time
        for start in range(0, len(group), step):
            chosen = images[group[start:start + step]]
            rows_a, rows_b = a_members.rows(chosen, wa), b_members.rows(chosen, wb)
            for first in range(0, wa, across):
                some_a = rows_a[:, first:first + across]
                image, i, j = _near(a_members.bounds[some_a], b_members.bounds[rows_b], reach)
                found_a.append(some_a[image, i])
                found_b.append(rows_b[image, j])
    ia, ib = np.concatenate(found_a), np.concatenate(found_b)
    order = np.lexsort((ib, ia))  # a's objects in order; an a's candidates, all of its image, in b's order
    return ia[order], ib[order]


class _Members:
    """The objects of each image of one side, in index order; row ``len(side)`` stands for no object."""

    def __init__(self, side: Side, n_images: int):
        self.order = np.append(np.argsort(side.image, kind="stable"), len(side))
        self.count = np.bincount(side.image, minlength=n_images)
        self.start = np.cumsum(self.count) - self.count
        self.bounds = np.vstack([side.bounds, np.full((1, 4), np.nan)])

    def rows(self, images: np.ndarray, width: int) -> np.ndarray:
        """(images, width) object indices, past an image's own objects the no-object row."""
        within = np.arange(width)[None, :]
        index = self.start[images][:, None] + within
        return np.where(within < self.count[images][:, None], self.order[np.minimum(index, len(self.order) - 1)],
                        len(self.order) - 1)


def _near(p: np.ndarray, q: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image, p, q) indices of the pairs of each image whose bounding boxes come within ``reach`` (:func:`_gap`):
    p (images, n, 4), q (images, k, 4). The gaps along x and y screen the grid; the distance is taken of the
    few pairs left."""
    p0, p1, p2, p3 = (p[:, :, k, None] for k in range(4))
    q0, q1, q2, q3 = (q[:, None, :, k] for k in range(4))
    dx = np.maximum(p0 - q2, q0 - p2)
    dy = np.maximum(p1 - q3, q1 - p3)
    screened = dx <= reach
    screened &= dy <= reach
    image, i, j = np.nonzero(screened)
    near = np.hypot(np.maximum(0.0, dx[image, i, j]), np.maximum(0.0, dy[image, i, j])) <= reach
    return image[near], i[near], j[near]


def _gap(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The distance between two bounding boxes (0 where they touch or overlap)."""
    dx = np.maximum(0.0, np.maximum(p[:, 0] - q[:, 2], q[:, 0] - p[:, 2]))
    dy = np.maximum(0.0, np.maximum(p[:, 1] - q[:, 3], q[:, 1] - p[:, 3]))
    return np.hypot(dx, dy)


def _passing(a: Side, b: Side, ia, ib, matches, geometry: str):
    """The candidates passing both classes' match, with the score of a's class."""
    names, kind_a, similar_a, thresholds_a = match_columns(matches, a.cls[ia])
    _, kind_b, similar_b, thresholds_b = match_columns(matches, b.cls[ib])
    score_a, score_b = np.zeros(len(ia)), np.zeros(len(ia))
    for code, kind in enumerate(names):
        use_a, use_b = kind_a == code, kind_b == code
        need = use_a | use_b
        values = score(kind, geometry, a.geometry[ia[need]], b.geometry[ib[need]])
        full = np.zeros(len(ia))
        full[need] = values
        score_a[use_a], score_b[use_b] = full[use_a], full[use_b]
    ok = passes(similar_a, score_a, thresholds_a) & passes(similar_b, score_b, thresholds_b)
    return ia[ok], ib[ok], score_a[ok]


def match_columns(matches: list[ir.Match], cls: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Per candidate (``cls``: the number of the class whose ``match`` applies): the score as a code into
    ``names`` (the scores of ``matches``, sorted), whether it is a similarity (iou: higher is closer), and the
    threshold; looked up per class, not per candidate."""
    names = sorted({m.score for m in matches})
    codes = np.array([names.index(m.score) for m in matches], dtype=np.int64)
    similar = np.array([m.score == "iou" for m in matches], dtype=bool)
    thresholds = np.array([m.threshold for m in matches], dtype=float)
    return names, codes[cls], similar[cls], thresholds[cls]


def passes(similar: np.ndarray, scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """A similarity reaches its threshold, a distance stays within it."""
    return np.where(similar, scores >= thresholds, scores <= thresholds)


def score(kind: str, geometry: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One match score over aligned geometries (boxes and points as arrays, polylines as :class:`Lines`, others
    as shapely objects)."""
    if len(a) == 0:
        return np.zeros(0)
    if geometry == "box":
        return _box_iou(a, b) if kind == "iou" else _gap(_box_bounds(a), _box_bounds(b))
    if geometry == "point":
        return np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
    if isinstance(a, Lines):
        return hausdorff_distance(a, b) if kind == "hausdorff" else SHAPE_SCORES[kind](a.shapes(), b.shapes())
    return SHAPE_SCORES[kind](a, b)


# Each score of ir.MATCH_SCORES over shapely geometries (every key has one: tests/test_dispatch_tables.py).
SHAPE_SCORES = {"iou": geo.iou, "distance": shapely.distance, "hausdorff": shapely.hausdorff_distance,
                "frechet": shapely.frechet_distance}


def _box_bounds(boxes: np.ndarray) -> np.ndarray:
    return np.column_stack([boxes[:, 0], boxes[:, 1], boxes[:, 0] + boxes[:, 2], boxes[:, 1] + boxes[:, 3]])


def _box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    pa, pb = _box_bounds(a), _box_bounds(b)
    w = np.clip(np.minimum(pa[:, 2], pb[:, 2]) - np.maximum(pa[:, 0], pb[:, 0]), 0, None)
    h = np.clip(np.minimum(pa[:, 3], pb[:, 3]) - np.maximum(pa[:, 1], pb[:, 1]), 0, None)
    inter = w * h
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def load_solver() -> None:
    """Load scipy's assignment solver now: once, before a pairing forks, rather than in each process."""
    from specdsl.engine.solver import solver

    solver()


def assign(image: np.ndarray, ia: np.ndarray, ib: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Indices of the chosen candidates: per image, a maximum-cardinality, then maximum-weight matching."""
    if len(ia) == 0:
        return np.zeros(0, np.int64)
    chosen = alone(ia, ib)
    rest = np.flatnonzero(~chosen)
    picked = [np.flatnonzero(chosen)]
    if len(rest):
        order = rest[np.argsort(image[rest], kind="stable")]
        images = image[order]
        bounds = np.flatnonzero(np.diff(images)) + 1
        rows, cols = _local_ranks(images, ia[order]), _local_ranks(images, ib[order])
        for group, row_of, col_of in zip(np.split(order, bounds), np.split(rows, bounds), np.split(cols, bounds)):
            picked.append(_assign_image(group, row_of, col_of, weight))
    return np.sort(np.concatenate(picked))


def alone(ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Candidates whose two objects have no other candidate: they are matched whatever the weights."""
    return (np.bincount(ia)[ia] == 1) & (np.bincount(ib)[ib] == 1)  # candidates per object (indices >= 0)


def _local_ranks(images: np.ndarray, objects: np.ndarray) -> np.ndarray:
    """Each object's rank among the distinct objects of its image (in ``images``' runs), smallest first: what
    ``np.unique(..., return_inverse=True)`` gives per image, for all images at once."""
    order = np.lexsort((objects, images))
    image, obj = images[order], objects[order]
    first = np.ones(len(order), bool)
    first[1:] = image[1:] != image[:-1]
    new = first.copy()
    new[1:] |= obj[1:] != obj[:-1]
    dense = np.cumsum(new) - 1
    ranks = np.empty(len(order), np.int64)
    ranks[order] = dense - dense[first][np.cumsum(first) - 1]
    return ranks


def _assign_image(group: np.ndarray, row_of: np.ndarray, col_of: np.ndarray, weight) -> np.ndarray:
    """One image's assignment over its distinct objects (``row_of``/``col_of``: each candidate's ranks)."""
    from specdsl.engine.solver import linear_sum_assignment

    n_rows, n_cols = int(row_of.max()) + 1, int(col_of.max()) + 1
    w = weight[group]
    big = (np.abs(w).max() + 1.0) * (min(n_rows, n_cols) + 1)
    cost = np.full((n_rows, n_cols), big)
    cost[row_of, col_of] = -w
    r, c = linear_sum_assignment(cost)
    candidate = np.full((n_rows, n_cols), -1, np.int64)
    candidate[row_of, col_of] = group
    found = candidate[r, c]
    return found[found >= 0]


def _pair_tags(a: Side, b: Side) -> Pairs:
    """Tags pair when their class is equal: the k-th tag of a class in an image with the k-th of the other set."""
    ka, kb = _tag_keys(a), _tag_keys(b)
    index_b = {key: i for i, key in enumerate(kb)}
    pairs = [(i, index_b[key]) for i, key in enumerate(ka) if key in index_b]
    ia = np.array([p[0] for p in pairs], dtype=np.int64)
    ib = np.array([p[1] for p in pairs], dtype=np.int64)
    return Pairs(ia, ib, np.ones(len(ia)))


def _tag_keys(side: Side) -> list[tuple[int, int, int]]:
    seen: dict[tuple[int, int], int] = {}
    keys = []
    for image, cls in zip(side.image.tolist(), side.cls.tolist()):
        k = seen.get((image, cls), 0)
        seen[(image, cls)] = k + 1
        keys.append((image, cls, k))
    return keys

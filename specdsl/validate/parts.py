"""Multi-part polygons (a COCO segmentation or a Scalabel ``poly2d`` list with several rings).

Readers keep the largest part in ``points`` and every part in ``polygons``. A polygon class
measures such an object as the union of its parts, as pycocotools rasterises it: area,
perimeter, bounds (so ``inside_image`` sees every part), validity and shape. The parts are a
coded column, so each distinct multi-part geometry is measured once.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from specdsl.data.dataset import ObjectTable

PARTS_KEY = "polygons"


class Parts:
    """The objects of a table that have several parts, and the union of each one's parts."""

    def __init__(self, table: ObjectTable):
        column = table.flags.get(PARTS_KEY)
        self.rows = np.zeros(0, dtype=np.int64)
        self.unions: list = []
        self.rings: list[list[np.ndarray]] = []
        if column is None:
            return
        parsed = [_rings(value) for value in column.categories]
        codes = column.codes
        usable = np.array([len(r) > 1 for r in parsed] + [False], dtype=bool)
        self.rows = np.flatnonzero(usable[codes])
        by_code = {}
        for code in np.unique(codes[self.rows]):
            rings = parsed[int(code)]
            by_code[int(code)] = (rings, _union(rings))
        self.rings = [by_code[int(codes[r])][0] for r in self.rows]
        self.unions = [by_code[int(codes[r])][1] for r in self.rows]

    def __bool__(self) -> bool:
        return len(self.rows) > 0

    def area(self) -> np.ndarray:
        return shapely.area(np.asarray(self.unions, dtype=object))

    def perimeter(self) -> np.ndarray:
        return np.array([sum(_ring_length(r) for r in rings) for rings in self.rings])

    def vertex_counts(self) -> np.ndarray:
        return np.array([sum(len(r) for r in rings) for rings in self.rings], dtype=float)

    def valid(self) -> np.ndarray:
        return np.array([all(shapely.Polygon(r).is_valid for r in rings) for rings in self.rings], dtype=bool)

    def bounds(self) -> np.ndarray:
        """(k, 4) min x, min y, max x, max y over every vertex of every part."""
        stacked = [np.concatenate(rings) for rings in self.rings]
        return np.array([[v[:, 0].min(), v[:, 1].min(), v[:, 0].max(), v[:, 1].max()] for v in stacked])

    def shapes(self, shift: np.ndarray) -> np.ndarray:
        """The unions moved right by ``shift`` (one value per row of ``self.rows``)."""
        out = np.empty(len(self.rows), dtype=object)
        for k, (union, dx) in enumerate(zip(self.unions, shift)):
            out[k] = shapely.affinity.translate(union, xoff=float(dx))
        return out


def _rings(value) -> list[np.ndarray]:
    """The parts of a ``polygons`` value with at least three finite vertices each (others ignored)."""
    if not isinstance(value, list):
        return []
    rings = []
    for part in value:
        if isinstance(part, list) and len(part) >= 3 and all(_vertex(p) for p in part):
            rings.append(np.asarray(part, dtype=np.float64))
    return rings


def _vertex(p) -> bool:
    return (isinstance(p, list) and len(p) == 2
            and all(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in p))


def _union(rings: list[np.ndarray]):
    polygons = [shapely.make_valid(shapely.Polygon(r)) for r in rings]
    return shapely.union_all(polygons)


def _ring_length(ring: np.ndarray) -> float:
    closed = np.vstack([ring, ring[:1]])
    return float(np.hypot(*np.diff(closed, axis=0).T).sum())

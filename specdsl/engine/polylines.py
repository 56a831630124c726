"""The polylines of one side of a pairing: vertex lists for the numpy Hausdorff distance, shapely lines only
where a score needs them.

Building a GEOS line per object costs more than measuring the pairs, and ``match hausdorff`` (the polyline
default) does not need them (:mod:`specdsl.engine.hausdorff`). Other scores (``frechet``, ``distance``,
``iou``) and lines numpy leaves to GEOS (non-finite or huge coordinates) get the same shapely lines as
before, built on first use.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import shapely

from specdsl.data.dataset import Ragged
from specdsl.data.subset import take_table
from specdsl.engine import hausdorff
from specdsl.validate import geometry as geo


class _Source:
    """The objects ``rows[k]`` of ``views[k]``, one after another; measured on the views' whole vertex lists
    (``row``: an object's row in them), so that no vertex is copied."""

    def __init__(self, views: list, rows: list[np.ndarray]):
        self.views, self.rows = views, rows
        tables = [view.table.geometry for view in views]
        starts = np.cumsum([0] + [len(t.has_points) for t in tables])
        self.row = np.concatenate([r + start for r, start in zip(rows, starts)]) if rows else np.zeros(0, np.int64)
        self.tables = tables

    @cached_property
    def vertices(self) -> Ragged:
        if len(self.tables) == 1:
            return self.tables[0].points
        parts = [t.points for t in self.tables]
        offsets = [np.zeros(1, np.int64)]
        for part, before in zip(parts, np.cumsum([0] + [len(p.coords) for p in parts])):
            offsets.append(part.offsets[1:] + before)
        coords = [p.coords for p in parts]
        return Ragged(np.concatenate(offsets), np.concatenate(coords) if coords else np.zeros((0, 2)))

    @cached_property
    def computable(self) -> np.ndarray:
        """Per row of the whole vertex lists."""
        present = [t.has_points for t in self.tables]
        return hausdorff.computable(self.vertices, np.concatenate(present) if present else np.zeros(0, bool))

    @cached_property
    def shapes(self) -> np.ndarray:
        """What :func:`specdsl.validate.geometry.shapes` makes of every object (None: no line)."""
        parts = [geo.shapes(take_table(view.table, index), "polyline", np.zeros(len(index)))
                 for view, index in zip(self.views, self.rows)]
        return np.concatenate(parts) if parts else np.zeros(0, object)


class Lines:
    """Some objects of a source (``index``), indexable like an array of geometries."""

    def __init__(self, source: _Source, index: np.ndarray):
        self.source, self.index = source, index

    @classmethod
    def of(cls, views: list, rows: list[np.ndarray]) -> Lines:
        return cls(_Source(views, rows), np.arange(sum(len(r) for r in rows), dtype=np.int64))

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key) -> Lines:
        return Lines(self.source, self.index[key])

    def shapes(self) -> np.ndarray:
        return self.source.shapes[self.index]


def hausdorff_distance(a: Lines, b: Lines) -> np.ndarray:
    """shapely's ``hausdorff_distance`` of ``a[k]`` and ``b[k]`` (NaN where either has no line)."""
    row_a, row_b = a.source.row[a.index], b.source.row[b.index]
    ok = a.source.computable[row_a] & b.source.computable[row_b]
    out = np.empty(len(a))
    out[ok] = hausdorff.hausdorff(a.source.vertices, row_a[ok], b.source.vertices, row_b[ok])
    rest = ~ok
    if rest.any():
        out[rest] = shapely.hausdorff_distance(a[rest].shapes(), b[rest].shapes())
    return out


def certainly_within(a: Lines, b: Lines, limit: np.ndarray) -> np.ndarray:
    """Where :func:`hausdorff_distance` of ``a[k]`` and ``b[k]`` is certainly within ``limit[k]``, told without
    measuring it all (:func:`specdsl.engine.hausdorff.within_vertex_for_vertex`, then
    :func:`~specdsl.engine.hausdorff.within_bound`); False where not told."""
    row_a, row_b = a.source.row[a.index], b.source.row[b.index]
    ok = np.flatnonzero(a.source.computable[row_a] & b.source.computable[row_b])
    out = np.zeros(len(a), bool)
    lines_a, lines_b = a.source.vertices, b.source.vertices
    out[ok] = hausdorff.within_vertex_for_vertex(lines_a, row_a[ok], lines_b, row_b[ok], limit[ok])
    rest = ok[~out[ok]]
    out[rest] = hausdorff.within_bound(lines_a, row_a[rest], lines_b, row_b[rest], limit[rest])
    return out

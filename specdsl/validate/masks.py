"""Mask properties (area, bounding box) for the objects of a mask class."""

from __future__ import annotations

import contextlib

import numpy as np

from specdsl.data.dataset import ObjectTable


def _each_mask(table: ObjectTable):
    masks = table.geometry.masks or [None] * len(table)
    return enumerate(zip(masks, table.geometry.has_mask))


def mask_boxes(table: ObjectTable) -> tuple[np.ndarray, np.ndarray]:
    """(n, 4) bounding boxes [x, y, w, h] of each mask, and which objects have a readable mask."""
    from specdsl.data.mask import mask_bbox

    boxes = np.full((len(table), 4), np.nan)
    ok = np.zeros(len(table), dtype=bool)
    for k, (mask, present) in _each_mask(table):
        if present:
            try:
                boxes[k] = mask_bbox(mask)
                ok[k] = True
            except (ValueError, TypeError, KeyError):
                pass
    return boxes, ok


def mask_areas(table: ObjectTable) -> np.ndarray:
    from specdsl.data.mask import mask_area

    areas = np.full(len(table), np.nan)
    for k, (mask, present) in _each_mask(table):
        if present:
            with contextlib.suppress(ValueError, TypeError, KeyError):  # an unreadable mask has no area
                areas[k] = mask_area(mask)
    return areas

"""Rows of an object table, as a table of their own (for work that needs only some objects)."""

from __future__ import annotations

import numpy as np

from specdsl.data.dataset import Geometry, ObjectTable


def take_geometry(geometry: Geometry, index: np.ndarray) -> Geometry:
    masks = [geometry.masks[i] for i in index.tolist()] if geometry.masks is not None else None
    return Geometry(points=geometry.points.take(index), has_points=geometry.has_points[index],
                    box=geometry.box[index], has_box=geometry.has_box[index], point=geometry.point[index],
                    has_point=geometry.has_point[index], masks=masks, has_mask=geometry.has_mask[index])


def take_table(table: ObjectTable, index: np.ndarray) -> ObjectTable:
    return ObjectTable(
        class_name=table.class_name, ids=[table.ids[i] for i in index.tolist()],
        image_index=table.image_index[index], position=table.position[index],
        attributes={k: c.take(index) for k, c in table.attributes.items()},
        geometry=take_geometry(table.geometry, index), flags={k: c.take(index) for k, c in table.flags.items()},
        broken=table.broken[index])

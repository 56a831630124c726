"""The objects of the images a gallery draws, read from the dataset the checker already holds.

Only the sampled images are touched: one pass over the image ids to find their rows, then one
``isin`` per class table. The records are small and typed, so the dataset can be freed right after.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping

import numpy as np

from specdsl import ir
from specdsl.data.dataset import Dataset, ObjectTable
from specdsl.report.gallery.model import DrawnObject, FigureKey, ImageObjects


def collect_figures(datasets: Iterable[Dataset], wanted: Collection[FigureKey],
                    classes: Mapping[str, ir.Class]) -> dict[FigureKey, ImageObjects]:
    """``(source, image id) -> ImageObjects`` for each wanted image found in ``datasets``; ``classes`` (by name)
    say how to draw ``points`` (polygon or polyline) and which attribute is a colour."""
    found: dict[FigureKey, ImageObjects] = {}
    if not wanted:
        return found
    for dataset in datasets:
        rows = _rows(dataset, wanted, found)
        if rows:
            found.update(_images(dataset, rows, classes))
    return found


def collect_by_image(datasets: Iterable[Dataset], wanted: Collection[str],
                     classes: Mapping[str, ir.Class]) -> dict[str, ImageObjects]:
    """``image id -> ImageObjects`` for records that name an image but not its file (``diff`` impact items);
    the first image with the id wins."""
    found: dict[str, ImageObjects] = {}
    claimed: set[str] = set()
    for dataset in datasets:
        rows: dict[int, FigureKey] = {}
        for row, image in enumerate(dataset.images.ids):
            if image in wanted and image not in claimed:
                rows[row] = (dataset.images.sources[row], image)
                claimed.add(image)
        if rows:
            found.update({key[1]: value for key, value in _images(dataset, rows, classes).items()})
    return found


def _rows(dataset: Dataset, wanted: Collection[FigureKey], found: Collection[FigureKey]) -> dict[int, FigureKey]:
    images = dataset.images
    rows, seen = {}, set(found)
    for row, key in enumerate(zip(images.sources, images.ids)):
        if key in wanted and key not in seen:  # a repeated image id: its first record is drawn
            rows[row] = key
            seen.add(key)
    return rows


def _images(dataset: Dataset, rows: dict[int, FigureKey],
            classes: Mapping[str, ir.Class]) -> dict[FigureKey, ImageObjects]:
    index = np.fromiter(rows, dtype=np.int64, count=len(rows))
    per_image: dict[int, list[tuple[int, DrawnObject]]] = {row: [] for row in rows}
    for table in dataset.tables.values():
        for row, position, drawn in _objects(table, index, classes.get(table.class_name)):
            per_image[row].append((position, drawn))
    images = dataset.images
    result = {}
    for row, key in rows.items():
        objects = tuple(drawn for _, drawn in sorted(per_image[row], key=lambda pair: pair[0]))
        width, height = _size(images.width[row], images.height[row], objects)
        result[key] = ImageObjects(key[1], key[0], width, height, objects)
    return result


def _objects(table: ObjectTable, image_rows: np.ndarray, declared: ir.Class | None):
    """``(image row, position in the image, DrawnObject)`` for each object of ``table`` in those images."""
    selected = np.flatnonzero(np.isin(table.image_index, image_rows))
    if not len(selected):
        return
    geometry = table.geometry
    corners = _box_corners(table, selected)
    colors = _color_values(table, selected, declared)
    line_kind = "polygon" if declared is not None and declared.geometry == "polygon" else "polyline"
    for k, r in enumerate(selected.tolist()):
        kind, points = None, ()
        if geometry.has_box[r] and _finite(geometry.box[r]):
            kind, points = "box", tuple((float(x), float(y)) for x, y in corners[k])
        elif geometry.has_points[r]:
            coords = geometry.points.coords[geometry.points.offsets[r]:geometry.points.offsets[r + 1]]
            if len(coords) and _finite(coords):
                kind, points = line_kind, tuple((float(x), float(y)) for x, y in coords)
        elif geometry.has_point[r] and _finite(geometry.point[r]):
            kind, points = "point", ((float(geometry.point[r][0]), float(geometry.point[r][1])),)
        yield (int(table.image_index[r]), int(table.position[r]),
               DrawnObject(table.ids[r], table.class_name, kind, points, colors[k]))


def _finite(values: np.ndarray) -> bool:
    return bool(np.isfinite(values).all())


def _box_corners(table: ObjectTable, selected: np.ndarray) -> np.ndarray:
    from specdsl.validate.geometry import box_corners, box_rotation

    return box_corners(table.geometry.box[selected], box_rotation(table)[selected])


def _color_values(table: ObjectTable, selected: np.ndarray, declared: ir.Class | None) -> list[str | None]:
    """The value of the class's colour attribute per object (None where the spec has none or it is not text)."""
    from specdsl.palette import color_attribute

    attribute = color_attribute(declared) if declared is not None else None
    column = table.attributes.get(attribute.name) if attribute is not None else None
    if column is None:
        return [None] * len(selected)
    values = column.values()[selected].tolist()
    return [v if isinstance(v, str) else None for v in values]


def _size(width: float, height: float, objects: tuple[DrawnObject, ...]) -> tuple[float, float]:
    """The image's size; where the export does not give one, the extent of its objects (a frame to draw in)."""
    if _positive(width) and _positive(height):
        return float(width), float(height)
    xs = [p[0] for o in objects for p in o.points] or [100.0]
    ys = [p[1] for o in objects for p in o.points] or [100.0]
    return max(max(xs), 1.0), max(max(ys), 1.0)


def _positive(value) -> bool:
    return isinstance(value, (int, float, np.number)) and math.isfinite(value) and value > 0

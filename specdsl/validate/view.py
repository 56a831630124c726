"""A spec class seen through the data: typed attribute values, validity masks, cached properties."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import shapely

from specdsl import ir
from specdsl.data.columns import MISSING_CODE, Categorical
from specdsl.data.dataset import Dataset, Geometry, ObjectTable, Ragged
from specdsl.validate import geometry as geo
from specdsl.validate.parts import Parts
from specdsl.values import value_problem

GEOMETRY_KEY = {"polyline": "points", "polygon": "points", "box": "box", "point": "point", "mask": "mask"}


def empty_table(class_name: str) -> ObjectTable:
    z = np.zeros(0, dtype=bool)
    geometry = Geometry(Ragged(np.zeros(1, dtype=np.int64), np.zeros((0, 2))), z, np.zeros((0, 4)), z,
                        np.zeros((0, 2)), z, None, z)
    return ObjectTable(class_name, [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), {}, geometry, {}, z)


class AttributeValues:
    """One declared attribute over all rows: which values fit the type, and the values with defaults applied."""

    def __init__(self, attribute: ir.Attribute, column: Categorical | None, n: int):
        self.attribute = attribute
        self.column = column if column is not None else Categorical(np.full(n, MISSING_CODE, np.int32), [])
        problems = [value_problem(c, attribute.type) for c in self.column.categories]
        self.category_problems = problems
        fits = np.array([p is None for p in problems] + [True], dtype=bool)
        self.present = self.column.present()
        self.invalid = ~fits[self.column.codes]  # present with a value of the wrong type
        self.missing = ~self.present & attribute.required

    @cached_property
    def effective(self) -> Categorical:
        """Values as the rules see them: invalid values read as missing, missing ones take the default."""
        categories = list(self.column.categories)
        codes = self.column.codes.copy()
        codes[self.invalid] = MISSING_CODE
        if self.attribute.default is not None:
            categories.append(self.attribute.default)
            codes[codes == MISSING_CODE] = len(categories) - 1
        return Categorical(codes, categories)


class ClassView:
    def __init__(self, cls: ir.Class, table: ObjectTable | None, dataset: Dataset):
        self.cls = cls
        self.table = table if table is not None else empty_table(cls.name)
        self.dataset = dataset
        self.n = len(self.table)
        self.attributes = {a.name: AttributeValues(a, self.table.attributes.get(a.name), self.n)
                           for a in cls.attributes}

    @cached_property
    def geometry_ok(self) -> np.ndarray:
        """The object has the geometry its class needs, well formed."""
        g = self.table.geometry
        has = {"polyline": g.has_points, "polygon": g.has_points, "box": g.has_box, "point": g.has_point,
               "mask": g.has_mask}.get(self.cls.geometry)
        ok = np.ones(self.n, dtype=bool) if has is None else has.copy()
        return ok & ~self.table.broken

    def attribute_ok(self, name: str) -> np.ndarray:
        values = self.attributes[name]
        return ~(values.invalid | values.missing)

    @cached_property
    def image_width(self) -> np.ndarray:
        return self.dataset.images.width[self.table.image_index]

    @cached_property
    def image_height(self) -> np.ndarray:
        return self.dataset.images.height[self.table.image_index]

    # ---- properties, computed once per class over all rows
    def prop(self, name: str) -> np.ndarray:
        cache = self.__dict__.setdefault("_props", {})
        if name not in cache:
            cache[name] = self._compute(name)
        return cache[name]

    def _compute(self, name: str) -> np.ndarray:
        if name == "id":
            return np.asarray(self.table.ids, dtype=object)
        if name == "class":
            return np.full(self.n, self.cls.name, dtype=object)
        if name in ("occluded", "z_order"):
            return self._flag(name)
        if name == "inside_image":
            return self._inside()
        return getattr(self, f"_{self.cls.geometry}_{name}")()

    def _flag(self, name: str) -> np.ndarray:
        column = self.table.flags.get(name)
        default = False if name == "occluded" else 0.0
        if column is None:
            return np.full(self.n, default, dtype=bool if name == "occluded" else float)
        if name == "occluded":
            return column.map_categories(lambda v: v is True or v in (1, "1", "true", "yes"), False)
        return column.map_categories(lambda v: float(v) if isinstance(v, (int, float)) else np.nan, 0.0, float)

    def _inside(self) -> np.ndarray:
        bounds = self.bounds_cached
        w, h = self.image_width, self.image_height
        with np.errstate(invalid="ignore"):
            inside = (bounds[:, 0] >= 0) & (bounds[:, 1] >= 0) & (bounds[:, 2] <= w) & (bounds[:, 3] <= h)
        unknown = np.isnan(w) | np.isnan(h)  # no image size in the export: cannot tell, so not a violation
        return inside | unknown

    def bounds(self) -> np.ndarray:
        g = self.table.geometry
        geometry = self.cls.geometry
        if geometry == "polyline":
            return geo.vertex_bounds(g.points)
        if geometry == "polygon":
            return self._over_parts(geo.vertex_bounds(g.points), "bounds")
        if geometry == "box":
            return geo.box_bounds(self.table)
        if geometry == "point":
            return np.column_stack([g.point, g.point])
        if geometry == "mask":
            from specdsl.validate.masks import mask_boxes

            b, _ = mask_boxes(self.table)
            return np.column_stack([b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]])
        return np.zeros((self.n, 4))

    def _polyline_points(self):
        return self.table.geometry.points.counts().astype(float)

    def _polygon_points(self):
        return self._over_parts(self._polyline_points(), "vertex_counts")

    @cached_property
    def parts(self) -> Parts:
        """Objects with several polygon parts: measured as the union of their parts."""
        return Parts(self.table)

    def _over_parts(self, values: np.ndarray, measure: str) -> np.ndarray:
        """``values`` with the rows of multi-part objects replaced by ``measure`` of their union."""
        if not self.parts:
            return values
        values = values.copy()
        values[self.parts.rows] = getattr(self.parts, measure)()
        return values

    def _polyline_length(self):
        return geo.polyline_length(self.table.geometry.points)

    def _polyline_start(self):
        return geo.endpoints(self.table.geometry.points)[0]

    def _polyline_end(self):
        return geo.endpoints(self.table.geometry.points)[1]

    def _polygon_area(self):
        return self._over_parts(geo.polygon_area(self.table.geometry.points), "area")

    def _polygon_perimeter(self):
        return self._over_parts(geo.polygon_perimeter(self.table.geometry.points), "perimeter")

    def _polygon_valid(self):
        shapes = self.shapes
        ok = shapely.is_geometry(shapes)
        valid = np.zeros(self.n, dtype=bool)
        if ok.any():
            valid[ok] = shapely_is_valid(shapes[ok])
        return self._over_parts(valid, "valid")

    def _box_width(self):
        return self.table.geometry.box[:, 2]

    def _box_height(self):
        return self.table.geometry.box[:, 3]

    def _box_area(self):
        return self.table.geometry.box[:, 2] * self.table.geometry.box[:, 3]

    def _box_aspect(self):
        b = self.table.geometry.box
        with np.errstate(invalid="ignore", divide="ignore"):
            return b[:, 2] / b[:, 3]

    def _point_x(self):
        return self.table.geometry.point[:, 0]

    def _point_y(self):
        return self.table.geometry.point[:, 1]

    def _mask_area(self):
        from specdsl.validate.masks import mask_areas

        return mask_areas(self.table)

    def _mask_width(self):
        return self.bounds_cached[:, 2] - self.bounds_cached[:, 0]

    def _mask_height(self):
        return self.bounds_cached[:, 3] - self.bounds_cached[:, 1]

    @property
    def shapes(self) -> np.ndarray:
        """Shapely geometries of all objects, each image moved to its own stretch of x (geometry.shapes)."""
        return self.shapes_of(np.arange(self.n))

    def shapes_of(self, index: np.ndarray) -> np.ndarray:
        """Geometries of ``index`` only, built on first use and kept: rules rarely need every object's shape."""
        cache = self.__dict__.get("_shapes")
        if cache is None:
            cache = self.__dict__["_shapes"] = (np.full(self.n, None, dtype=object), np.zeros(self.n, dtype=bool))
        shapes, built = cache
        missing = np.unique(index[~built[index]])
        if len(missing):
            sub = self.table_subset(missing)
            shapes[missing] = geo.shapes(sub, self.cls.geometry, sub.image_index * self.stride)
            built[missing] = True
        return shapes[index]

    def table_subset(self, index: np.ndarray):
        from specdsl.data.subset import take_table

        return take_table(self.table, index)

    @cached_property
    def bounds_cached(self) -> np.ndarray:
        return self.bounds()

    @property
    def stride(self) -> float:
        return geo.image_stride(self.dataset)

    @cached_property
    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        return geo.endpoints(self.table.geometry.points)


def shapely_is_valid(shapes: np.ndarray) -> np.ndarray:
    return shapely.is_valid(shapes)

"""Build a :class:`Dataset` from a stream of image records, a batch of images at a time.

Each batch is turned into column chunks with list comprehensions and numpy; only
when a batch holds a malformed record does the slow path look at records one by
one to say exactly which record is wrong. Chunks are concatenated at the end, so
the Python objects of a batch are freed as soon as it is converted.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Iterable, Iterator
from itertools import chain
from operator import attrgetter, itemgetter

import numpy as np

from specdsl.data import geometry_parse as gp
from specdsl.data.columns import MISSING, CategoricalBuilder
from specdsl.data.dataset import Dataset, Geometry, ImageTable, ObjectTable, Ragged
from specdsl.data.geometry_parse import types_of as _types
from specdsl.data.native_batch import NativeBatch, flag_column, object_places
from specdsl.data.records import ImageRecord, ReadIssue, TextPosition
from specdsl.limits import MAX_EXTENT

BATCH = 1000
# Object keys kept as coded columns beside the geometry: tool flags, a box's rotation (degrees clockwise
# about its centre) and the parts of a multi-part polygon (``polygons``, see validate/parts.py).
FLAG_KEYS = ("occluded", "z_order", "rotation", "polygons")


def build_dataset(records: Iterable[ImageRecord | ReadIssue], source: str, spec_name: str | None = None,
                  progress=None, first_image: int = 0) -> Dataset:
    """``first_image``: the index of the first record in the export (a later part of a split read)."""
    builder = _DatasetBuilder(source, first_image)
    for batch in _batches(records, builder.problems):
        builder.add_batch(batch)
        if progress is not None:
            progress(len(batch))
    return builder.finish(spec_name)


def _batches(records, problems: list[ReadIssue]) -> Iterator[list[ImageRecord] | NativeBatch]:
    batch: list[ImageRecord] = []
    for record in records:
        if isinstance(record, ReadIssue):
            problems.append(record)
            continue
        if isinstance(record, NativeBatch):  # already columns: keep the order of the records before it
            if batch:
                yield batch
                batch = []
            yield record
            continue
        batch.append(record)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _DatasetBuilder:
    def __init__(self, source: str, first_image: int = 0):
        self.source = source
        self.problems: list[ReadIssue] = []
        self.images = _ImageColumns(first_image)
        self.tables: dict[str, _TableBuilder] = {}

    def add_batch(self, batch: list[ImageRecord] | NativeBatch) -> None:
        if isinstance(batch, NativeBatch):
            self._add_native(batch)
            return
        base = len(self.images.ids)
        objects_per_image = [self.images.add(record, self.problems) for record in batch]
        flat, image_index, position = _flatten(objects_per_image, base)
        by_class = self._group(flat, image_index, position)
        ids_by_class = []
        for class_name, (objs, img, pos) in by_class.items():
            ids_by_class.append((img, pos, self._table(class_name).add(objs, img, pos)))
        self._check_duplicate_ids(ids_by_class)

    def _add_native(self, batch: NativeBatch) -> None:
        """A batch the fast path decoded: no record of it has a read problem, only ids may repeat."""
        image_index = batch.image_index + len(self.images.ids)
        self.images.add_native(batch, self.source)
        classes = list(map(attrgetter("class_name"), batch.objects))
        ids_by_class = []
        for class_name, rows in _rows_by_class(classes).items():
            objs = _picked(batch.objects, rows)
            img, pos = image_index[rows], batch.position[rows]
            ids_by_class.append((img, pos, self._table(class_name).add_native(objs, img, pos, batch, rows)))
        self._check_duplicate_ids(ids_by_class)

    def _table(self, class_name: str) -> _TableBuilder:
        table = self.tables.get(class_name)
        if table is None:
            table = self.tables[class_name] = _TableBuilder(class_name, self)
        return table

    def pointer(self, image: int, position: int) -> str:
        return self.images.object_pointer(image, position)

    def image_id(self, image: int) -> str:
        return self.images.ids[image]

    def problem(self, image: int, position: int | None, message: str, objects: tuple[str, ...] = ()) -> None:
        if position is None:
            pointer, where = self.images.pointers[image], self.images.positions[image]
        else:
            pointer, where = self.pointer(image, position), self.images.object_position(image, position)
        self.problems.append(ReadIssue(self.images.sources[image], pointer, message, self.image_id(image), objects,
                                       where))

    def _group(self, flat: list, image_index: np.ndarray, position: np.ndarray) -> dict:
        if _types(flat) == {dict}:
            classes = gp.column(flat, "class")
        else:
            classes = [o.get("class") if o.__class__ is dict else None for o in flat]
        if _types(classes) != {str}:
            classes = [c if c.__class__ is str else _UNCLASSIFIED for c in classes]
        result = {}
        for name, rows in _rows_by_class(classes).items():
            if name is _UNCLASSIFIED:
                self._report_unclassified(flat, rows, image_index, position)
                continue
            result[name] = (_picked(flat, rows), image_index[rows], position[rows])
        return result

    def _report_unclassified(self, flat, rows, image_index, position) -> None:
        for k in rows:
            obj = flat[k]
            if obj.__class__ is not dict:
                message = f"an object must be a JSON object, not {_json_type(obj)}"
            elif "class" not in obj:
                message = "object has no 'class'"
            else:
                message = f"'class' must be a string, not {_json_type(obj['class'])}"
            oid = obj.get("id") if obj.__class__ is dict and isinstance(obj.get("id"), str) else None
            self.problem(int(image_index[k]), int(position[k]), message, (oid,) if oid else ())

    def _check_duplicate_ids(self, ids_by_class: list[tuple[np.ndarray, np.ndarray, list[str]]]) -> None:
        """Two objects of one image with one id, whatever their classes (ids were read per class)."""
        ids = list(chain.from_iterable(class_ids for _, _, class_ids in ids_by_class))
        if not _repeats(np.concatenate([img for img, _, _ in ids_by_class]) if ids else np.empty(0, np.int64), ids):
            return
        images = [i for img, _, _ in ids_by_class for i in img.tolist()]
        positions = [p for _, pos, _ in ids_by_class for p in pos.tolist()]
        order = sorted(range(len(ids)), key=lambda k: (images[k], positions[k]))
        seen: set = set()
        for k in order:
            key = (images[k], ids[k])
            if key in seen and not ids[k].startswith("#"):
                self.problem(images[k], positions[k], f"duplicate object id '{ids[k]}' in image", (ids[k],))
            seen.add(key)

    def finish(self, spec_name: str | None) -> Dataset:
        images = self.images.build()
        tables = {name: builder.build() for name, builder in sorted(self.tables.items())}
        return Dataset(self.source, spec_name, images, tables, self.problems)


def _picked(items: list, rows: np.ndarray) -> list:
    """``[items[k] for k in rows]`` in one C-level call (``itemgetter`` of one index gives the item itself)."""
    return list(itemgetter(*rows.tolist())(items)) if len(rows) > 1 else [items[int(rows[0])]]


def _rows_by_class(classes: list[str]) -> dict[str, np.ndarray]:
    """The rows of each class name, classes in order of first appearance."""
    coder = CategoricalBuilder()
    coder.extend(classes)
    codes = coder.build().codes
    return {name: np.flatnonzero(codes == code) for code, name in enumerate(coder.categories)}


def _repeats(images: np.ndarray, ids: list[str]) -> bool:
    """Whether some (image, id) pair occurs twice: ids numbered by a dict, pairs compared as integers."""
    numbers = {oid: k for k, oid in enumerate(dict.fromkeys(ids))}
    keys = images * max(len(numbers), 1) + np.fromiter(map(numbers.__getitem__, ids), dtype=np.int64, count=len(ids))
    return len(np.unique(keys)) != len(keys)


_UNCLASSIFIED = "\x00unclassified"  # stands for a missing or non-string class while grouping


def _flatten(objects_per_image: list[list], base: int):
    counts = np.fromiter(map(len, objects_per_image), dtype=np.int64, count=len(objects_per_image))
    return list(chain.from_iterable(objects_per_image)), *object_places(counts, base)


def _json_type(value) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
            dict: "an object"}.get(type(value), type(value).__name__)


class _ImageColumns:
    def __init__(self, first: int = 0) -> None:
        self.first = first  # images without an id are named by their index in the whole export
        self.ids: list[str] = []
        self.width: list[float] = []
        self.height: list[float] = []
        self.spec_version: list[float] = []
        self.pointers: list[str] = []
        self.sources: list[str] = []
        self.object_pointers: list[list[str] | None] = []
        self.positions: list[TextPosition | None] = []
        self.object_positions: list[list[TextPosition | None] | None] = []
        self.counts: list[int] = []
        self.attribute_rows: list[dict] = []

    def add(self, record: ImageRecord, problems: list[ReadIssue]) -> list:
        data = record.data if isinstance(record.data, dict) else {}
        image_id = data.get("id")
        index = self.first + len(self.ids)
        self.ids.append(image_id if isinstance(image_id, str) else f"<image {index}>")
        self.pointers.append(record.pointer)
        self.sources.append(record.source)
        self.object_pointers.append(record.object_pointers)
        self.positions.append(record.position)
        self.object_positions.append(record.object_positions)
        report = _ImageReporter(record, self.ids[-1], problems)
        if not isinstance(record.data, dict):
            report(f"an image must be a JSON object, not {_json_type(record.data)}")
        elif not isinstance(image_id, str):
            report("image has no string 'id'" if image_id is None else f"image 'id' must be a string, not "
                   f"{_json_type(image_id)}")
        self.width.append(_dimension(data, "width", report))
        self.height.append(_dimension(data, "height", report))
        self.spec_version.append(_version(data, report))
        self.attribute_rows.append(_attributes(data.get("attributes"), report, "image"))
        objects = data.get("objects", [])
        if objects is None:
            objects = []
        if not isinstance(objects, list):
            report(f"'objects' must be an array, not {_json_type(objects)}")
            objects = []
        self.counts.append(len(objects))
        return objects

    def add_native(self, batch: NativeBatch, source: str) -> None:
        n = len(batch)
        self.ids += batch.ids
        self.pointers += [f"/images/{k}" for k in range(batch.first, batch.first + n)]
        self.sources += [source] * n
        self.object_pointers += [None] * n
        self.positions += [None] * n
        self.object_positions += [None] * n
        self.width += batch.width.tolist()
        self.height += batch.height.tolist()
        self.spec_version += batch.spec_version.tolist()
        self.attribute_rows += batch.image_attributes
        self.counts += batch.object_counts.tolist()

    def object_pointer(self, image: int, position: int) -> str:
        explicit = self.object_pointers[image]
        if explicit is not None and position < len(explicit):
            return explicit[position]
        return f"{self.pointers[image]}/objects/{position}"

    def object_position(self, image: int, position: int) -> TextPosition | None:
        explicit = self.object_positions[image]
        return explicit[position] if explicit is not None and position < len(explicit) else None

    def build(self) -> ImageTable:
        return ImageTable(
            ids=self.ids, width=np.asarray(self.width, dtype=np.float64),
            height=np.asarray(self.height, dtype=np.float64),
            spec_version=np.asarray(self.spec_version, dtype=np.float64),
            attributes=_columns(self.attribute_rows), pointers=self.pointers,
            object_pointers=self.object_pointers, object_counts=np.asarray(self.counts, dtype=np.int64),
            sources=self.sources, positions=self.positions, object_positions=self.object_positions)


class _ImageReporter:
    def __init__(self, record: ImageRecord, image_id: str, problems: list[ReadIssue]):
        self.record, self.image_id, self.problems = record, image_id, problems

    def __call__(self, message: str) -> None:
        self.problems.append(ReadIssue(self.record.source, self.record.pointer, message, self.image_id,
                                       position=self.record.position))


def _dimension(data: dict, key: str, report) -> float:
    value = data.get(key)
    if value is None:
        return math.nan  # formats without image sizes: inside_image is then unknown
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:  # NaN is not > 0
        report(f"image '{key}' must be a positive number, not {value!r}")
        return math.nan
    if value > MAX_EXTENT:  # the checker lays images side by side on one axis: keep it finite
        report(f"image '{key}' is out of range: {value!r} (at most {MAX_EXTENT:,} px)")
        return math.nan
    return float(value)


def _version(data: dict, report) -> float:
    value = data.get("spec_version")
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        report(f"'spec_version' must be a positive integer, not {reprlib.repr(value)}")
        return math.nan
    return float(value)


def _attributes(value, report, owner: str) -> dict:
    if value is None:
        return {}
    if value.__class__ is not dict:
        report(f"{owner} 'attributes' must be an object, not {_json_type(value)}")
        return {}
    return value


def _columns(rows: list[dict]) -> dict:
    keys = sorted(set().union(*rows)) if rows else []
    columns = {}
    for key in keys:
        builder = CategoricalBuilder()
        builder.extend([row.get(key, MISSING) for row in rows])
        columns[key] = builder.build()
    return columns


class _TableBuilder:
    """Column chunks of one class, appended batch by batch."""

    def __init__(self, class_name: str, owner: _DatasetBuilder):
        self.class_name = class_name
        self.owner = owner
        self.ids: list[str] = []
        self.image_index: list[np.ndarray] = []
        self.position: list[np.ndarray] = []
        self.attributes: dict[str, CategoricalBuilder] = {}
        self.flags: dict[str, CategoricalBuilder] = {}
        self.geometry = gp.GeometryBuilder()
        self.broken: list[np.ndarray] = []
        self.length = 0

    def add(self, objs: list[dict], image_index: np.ndarray, position: np.ndarray) -> list[str]:
        """Append a batch of this class's objects; returns their ids (placeholders for broken ones)."""
        n = len(objs)
        keys = set().union(*objs)
        broken = np.zeros(n, dtype=bool)
        ids = self._ids(objs, image_index, position, broken)
        self.ids += ids
        self.image_index.append(image_index)
        self.position.append(position)
        self._add_attributes(objs, image_index, position, broken)
        self._add_flags(objs, keys)
        for k, message in self.geometry.add(objs, keys):
            broken[k] = True
            self._problem(image_index, position, k, objs, message)
        self.broken.append(broken)
        self.length += n
        return ids

    def add_native(self, objs: list, image_index: np.ndarray, position: np.ndarray, batch: NativeBatch,
                   rows: np.ndarray) -> list[str]:
        """Append this class's objects of a fast-path batch (``rows`` of its flat objects)."""
        n = len(objs)
        ids = list(map(attrgetter("id"), objs))
        self.ids += ids
        self.image_index.append(image_index)
        self.position.append(position)
        self._add_distinct_attribute_rows(batch, rows)
        for key in FLAG_KEYS:
            self._add_flag(key, flag_column(objs, key), n)
        self.geometry.add_native(batch.geometry, rows)
        self.broken.append(np.zeros(n, dtype=bool))
        self.length += n
        return ids

    def _problem(self, image_index, position, k, objs, message) -> None:
        oid = objs[k].get("id")
        self.owner.problem(int(image_index[k]), int(position[k]), message, (oid,) if isinstance(oid, str) else ())

    def _ids(self, objs, image_index, position, broken) -> list[str]:
        ids = gp.column(objs, "id")
        if _types(ids) == {str}:
            return ids
        for k, oid in enumerate(ids):
            if oid.__class__ is not str:
                message = ("object has no 'id'" if oid is None
                           else f"object 'id' must be a string, not {_json_type(oid)}")
                self._problem(image_index, position, k, objs, message)
                broken[k] = True
                ids[k] = f"#{int(position[k])}"
        return ids

    def _add_attributes(self, objs, image_index, position, broken) -> None:
        rows = gp.column(objs, "attributes")
        if _types(rows) != {dict}:
            rows = [self._attribute_row(r, k, objs, image_index, position, broken) for k, r in enumerate(rows)]
        self._add_attribute_rows(rows, len(objs))

    def _add_distinct_attribute_rows(self, batch: NativeBatch, rows: np.ndarray) -> None:
        """The attributes of ``rows`` of a fast-path batch, coded once per distinct attribute object: taken in
        order of first appearance, their values appear in the order the objects' values do."""
        index = batch.attribute_index[rows]
        used, first = np.unique(index, return_index=True)
        order = used[np.argsort(first)]
        local = np.empty(len(batch.attribute_rows), dtype=np.int64)
        local[order] = np.arange(len(order))
        distinct = [batch.attribute_rows[k] for k in order.tolist()]
        self._add_attribute_rows(distinct, len(rows), local[index])

    def _add_attribute_rows(self, rows: list[dict], n: int, index: np.ndarray | None = None) -> None:
        """``rows``: the attribute objects of ``n`` objects, or with ``index`` the distinct ones, object ``k``
        having ``rows[index[k]]``."""
        keys = set().union(*rows) if rows else set()
        for key in keys:
            builder = self.attributes.get(key)
            if builder is None:
                builder = self.attributes[key] = CategoricalBuilder()
                builder.pad(self.length)
            builder.extend(gp.column(rows, key, MISSING), index)
        for key, builder in self.attributes.items():
            if key not in keys:
                builder.pad(n)

    def _attribute_row(self, row, k, objs, image_index, position, broken) -> dict:
        if row is None:
            return {}
        if row.__class__ is not dict:
            message = f"object 'attributes' must be an object, not {_json_type(row)}"
            self._problem(image_index, position, k, objs, message)
            broken[k] = True
            return {}
        return row

    def _add_flags(self, objs, keys: set[str]) -> None:
        for key in FLAG_KEYS:
            self._add_flag(key, gp.column(objs, key, MISSING) if key in keys else None, len(objs))

    def _add_flag(self, key: str, values: list | None, n: int) -> None:
        """``values``: the batch's values of flag ``key`` (MISSING where absent), None when none has it."""
        builder = self.flags.get(key)
        if values is None:
            if builder is not None:
                builder.pad(n)
            return
        if builder is None:
            builder = self.flags[key] = CategoricalBuilder()
            builder.pad(self.length)
        builder.extend(values)

    def build(self) -> ObjectTable:
        n = self.length
        for builder in (*self.attributes.values(), *self.flags.values()):
            builder.pad(n - builder.length)
        return ObjectTable(
            class_name=self.class_name, ids=self.ids,
            image_index=np.concatenate(self.image_index) if n else np.empty(0, dtype=np.int64),
            position=np.concatenate(self.position) if n else np.empty(0, dtype=np.int32),
            attributes={k: b.build() for k, b in sorted(self.attributes.items())},
            geometry=self.geometry.build(),
            flags={k: self.flags[k].build() for k in FLAG_KEYS if k in self.flags},  # one order, however batched
            broken=np.concatenate(self.broken) if n else np.empty(0, dtype=bool))


__all__ = ["build_dataset", "Dataset", "Geometry", "Ragged"]

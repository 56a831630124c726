"""The fast path of reading predictions: lines of the common shape decoded straight into columns.

msgspec decodes a batch of lines into typed structs built from the spec (GC off), where the lines lie in
the file's bytes (``decode_lines``): a class distribution is a struct with one float field per class, an
object's attribute distributions one struct of such structs (one per attribute name, the union of the
values of the classes declaring it), and box / point / points straight into float arrays. A distribution
a line leaves out is its type's sentinel struct (every value ``ABSENT``), so all structs of a type have
the same fields, and :mod:`specdsl.data.float_records` reads a batch of them as an objects x values
matrix in one pass: no Python tuple or dict per object. :func:`settle` then makes each distribution the
dense columns the predictions keep and checks its sums, in the process that read the part. The geometry
columns of each class are cut from those arrays: no export builder, no records.

Whatever is not of that shape -- a line that is not JSON, a missing or unknown key, a negative or
non-finite probability, a sum off by more than 1e-3, a mask, an image id seen twice, an image size out
of range -- raises :class:`NotFast`, and the caller reads the file with the general reader
(:mod:`specdsl.engine.predictions`), which names the first line in file order and its problem.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Annotated, Any

import msgspec
import numpy as np
from msgspec import Meta

from specdsl import ir
from specdsl.data.dataset import Dataset, Geometry, ImageTable, ObjectTable, Ragged
from specdsl.data.float_records import FloatRecords
from specdsl.data.geometry_parse import types_of
from specdsl.data.native_batch import geometry_columns
from specdsl.limits import MAX_EXTENT

BATCH = 1000
# Text decoded at once by the fast path: what a batch's objects and columns take stays in the CPU's caches
# (a fifth less time than batches of a thousand 9 kB lines; bench/model_vs_check.py).
BATCH_BYTES = 1 << 20
CLASSES = ("class",)  # the key of the class distributions (others: (class, attribute), image attribute name)
UNNAMED = -1.0  # the struct default of a value a distribution does not name (a named one is >= 0)
ABSENT = -2.0  # every value of the sentinel struct of a distribution the line leaves out
_Probability = Annotated[float, Meta(ge=0)]
_SIZE_TYPES = {int, float, type(None)}


class NotFast(Exception):
    """These lines need the general reader (which says what is wrong, if anything is)."""


# ---- the struct types of one spec -----------------------------------------------------------------------


@dataclass
class _ObjectAttribute:
    """One predictable object attribute name: its struct holds the union of the declaring classes' values."""

    name: str
    keys: tuple[str, ...]
    owners: list[tuple[int, str, np.ndarray]]  # (class index, class name, the class's values as columns of keys)


class Schema:
    """The msgspec types that decode the prediction lines of ``spec``."""

    def __init__(self, spec: ir.Spec):
        from specdsl.engine.predictions import PREDICTABLE_KINDS, _key, _values

        self.n_classes = len(spec.classes)
        owned: dict[str, list] = {}
        for number, cls in enumerate(spec.classes):
            for attribute in cls.attributes:
                if attribute.type.kind in PREDICTABLE_KINDS:
                    owned.setdefault(attribute.name, []).append((number, cls.name, [_key(v) for v in
                                                                                   _values(attribute)]))
        self.attributes = []
        for name, owners in owned.items():
            keys = tuple(dict.fromkeys(chain.from_iterable(values for _, _, values in owners)))
            self.attributes.append(_ObjectAttribute(name, keys, [
                (number, cls, np.array([keys.index(v) for v in values], np.int64)) for number, cls, values in owners]))
        self.image_attributes = [(a.name, tuple(_key(v) for v in _values(a))) for a in spec.image_attributes
                                 if a.type.kind in PREDICTABLE_KINDS]
        # every distribution's key and number of values, in the order of the general reader's
        self.widths: dict = {CLASSES: self.n_classes}
        for cls in spec.classes:
            for attribute in cls.attributes:
                if attribute.type.kind in PREDICTABLE_KINDS:
                    self.widths[(cls.name, attribute.name)] = len(_values(attribute))
        self.widths.update({name: len(keys) for name, keys in self.image_attributes})
        classes = _distribution("Classes", [c.name for c in spec.classes])
        attributes = _named("ObjectAttributes", [(a.name, _distribution(f"A{k}", a.keys))
                                                 for k, a in enumerate(self.attributes)])
        image_attributes = _named("ImageAttributes", [(name, _distribution(f"I{k}", keys))
                                                      for k, (name, keys) in enumerate(self.image_attributes)])
        predicted = msgspec.defstruct("PredictedObject", [
            ("cls", classes), ("attributes", attributes | None, None),
            ("box", tuple[float, float, float, float] | None, None), ("point", tuple[float, float] | None, None),
            ("points", list[tuple[float, float]] | None, None)],
            rename={"cls": "class"}, forbid_unknown_fields=True, gc=False)
        line = msgspec.defstruct("PredictionLine", [
            ("image", Any, None), ("width", Any, None), ("height", Any, None),
            ("attributes", image_attributes | None, None), ("objects", list[predicted], [])], gc=False)
        self.decoder = msgspec.json.Decoder(list[line])
        self.line_decoder = msgspec.json.Decoder(line)
        self.class_records = FloatRecords.of_struct(classes)
        # the attribute distributions of an object or image: every one a struct, the sentinel where not given
        self.object_attribute_records, self.no_object_attributes = FloatRecords.of_struct(attributes), attributes()
        self.image_attribute_records, self.no_image_attributes = FloatRecords.of_struct(image_attributes), \
            image_attributes()


def _distribution(name: str, keys) -> type:
    """A struct of one float >= 0 per value (``UNNAMED`` when the line does not name it); nothing else."""
    fields = [(f"v{j}", _Probability, UNNAMED) for j in range(len(keys))]
    return msgspec.defstruct(name, fields, rename={f"v{j}": key for j, key in enumerate(keys)},
                             forbid_unknown_fields=True, gc=False, frozen=True)


def _named(name: str, members: list[tuple[str, type]]) -> type:
    """A struct of distributions by name (field ``a{k}`` is ``members[k]``; no other names); one the line
    leaves out is its type's sentinel (every value ``ABSENT``)."""
    fields = [(f"a{k}", kind, _absent(kind)) for k, (_, kind) in enumerate(members)]
    return msgspec.defstruct(name, fields, rename={f"a{k}": key for k, (key, _) in enumerate(members)},
                             forbid_unknown_fields=True, gc=False, frozen=True)


def _absent(kind: type):
    return kind(*[ABSENT] * len(kind.__struct_fields__))


# ---- columns of some lines --------------------------------------------------------------------------------


@dataclass
class Part:
    """The columns of a run of lines; object rows and image rows are local to the part."""

    image_ids: list[str] = field(default_factory=list)
    image_lines: list[np.ndarray] = field(default_factory=list)
    width: list[np.ndarray] = field(default_factory=list)
    height: list[np.ndarray] = field(default_factory=list)
    counts: list[np.ndarray] = field(default_factory=list)  # objects per image
    classes: list[np.ndarray] = field(default_factory=list)  # (objects, classes), UNNAMED where not named
    box: list[np.ndarray] = field(default_factory=list)
    has_box: list[np.ndarray] = field(default_factory=list)
    point: list[np.ndarray] = field(default_factory=list)
    has_point: list[np.ndarray] = field(default_factory=list)
    point_counts: list[np.ndarray] = field(default_factory=list)
    coords: list[np.ndarray] = field(default_factory=list)
    has_points: list[np.ndarray] = field(default_factory=list)
    attributes: dict[tuple[str, str], list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)
    image_attributes: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)
    n_images: int = 0
    n_objects: int = 0
    newlines: int = 0  # line ends in the part's bytes: the next part's lines come after as many
    # after settle(): every distribution as (probs, given, k) over the part's rows, each object's top class,
    # and the geometry of each top class's objects (the part's geometry lists are then emptied)
    distributions: dict = field(default_factory=dict)
    top: list[np.ndarray] = field(default_factory=list)
    class_geometry: dict[int, ClassGeometry] = field(default_factory=dict)

    def close(self) -> Part:
        """Each list of batch arrays as one array (smaller to send from a worker)."""
        for name in ("image_lines", "width", "height", "counts", "classes", "box", "has_box", "point", "has_point",
                     "point_counts", "coords", "has_points", "top"):
            parts = getattr(self, name)
            if len(parts) > 1:
                setattr(self, name, [np.concatenate(parts)])
        for blocks in (*self.attributes.values(), *self.image_attributes.values()):
            if len(blocks) > 1:
                blocks[:] = [(np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks]))]
        return self


def read_part(schema: Schema, lines: list[tuple[int, bytes]]) -> Part:
    """The columns of some (numbered, non-blank) lines, or :class:`NotFast`."""
    from specdsl.data.readers.native import gc_paused

    part = Part()
    seen: set[str] = set()
    with gc_paused():
        for start in range(0, len(lines), BATCH):
            chunk = lines[start:start + BATCH]
            try:
                decoded = schema.decoder.decode(b"[" + b",".join(line for _, line in chunk) + b"]")
            except msgspec.MsgspecError:
                raise NotFast from None
            _batch(schema, part, decoded, np.fromiter((number for number, _ in chunk), np.int64, len(chunk)), seen)
    return part.close()


def read_text(schema: Schema, data: bytes | mmap.mmap, begin: int = 0) -> Part:
    """The columns of the lines of ``data[begin:]`` (bytes, or a file's pages mapped), numbered from 1,
    ``newlines`` counted, or :class:`NotFast`.

    Text without blank lines is decoded a batch of lines at a time where it lies (``decode_lines``): no
    copy of each line, no joined batch; a batch must give one value per line (two values on one line are
    the general reader's to report). Text with a line that starts with white space (it may be blank) goes
    through :func:`read_part`."""
    from specdsl.data.readers.native import gc_paused, numbered_lines

    cuts = _batch_cuts(data, begin)
    if cuts is None:
        data = bytes(data[begin:])
        part = read_part(schema, numbered_lines(data))
        part.newlines = data.count(b"\n")
        return part
    part = Part()
    seen: set[str] = set()
    first_line = 1
    with gc_paused(), memoryview(data) as view:
        for (start, _), (stop, n_lines) in zip(cuts, cuts[1:]):
            try:
                decoded = schema.line_decoder.decode_lines(view[start:stop])
            except msgspec.MsgspecError:
                raise NotFast from None
            if len(decoded) != n_lines:
                raise NotFast
            _batch(schema, part, decoded, np.arange(first_line, first_line + n_lines, dtype=np.int64), seen)
            first_line += n_lines
    part.newlines = first_line - 1 - (len(data) > begin and data[-1:] != b"\n")  # the last line may have none
    return part.close()


_WHITE = frozenset(b" \t\r\n")


def _batch_cuts(data: bytes | mmap.mmap, begin: int) -> list[tuple[int, int]] | None:
    """Runs of whole lines of ``data[begin:]`` of about BATCH_BYTES each, as (offset after the run, lines in
    it), after (begin, 0); None when a line starts with white space."""
    cuts, start = [(begin, 0)], begin
    while start < len(data):
        lines, full = 0, start + BATCH_BYTES
        while start < len(data) and (start < full or not lines):
            if data[start] in _WHITE:
                return None
            end = data.find(b"\n", start)
            start = len(data) if end < 0 else end + 1
            lines += 1
        cuts.append((start, lines))
    return cuts


def settle(part: Part, schema: Schema, renormalize: bool) -> Part:
    """Each distribution of a closed part as the columns the predictions keep (zeros where a value is not
    named, scores divided by their sum with ``renormalize``), and each object's most probable class; done
    where the part was read. NotFast when a distribution does not add up as it must (the general reader
    names the first such line)."""
    classes = part.classes[0] if part.classes else np.zeros((0, schema.n_classes))
    part.top = [np.argmax(classes, axis=1) if len(classes) else np.zeros(0, np.int64)]  # ties: the first
    blocks = {CLASSES: (np.arange(part.n_objects, dtype=np.int64), classes)}
    blocks.update({key: found[0] for key, found in part.attributes.items()})
    blocks.update({key: found[0] for key, found in part.image_attributes.items()})
    for key, width in schema.widths.items():
        rows, matrix = blocks.get(key, (np.zeros(0, np.int64), np.zeros((0, width))))
        n_rows = part.n_images if isinstance(key, str) else part.n_objects
        part.distributions[key] = _dense(width, n_rows, rows, matrix, renormalize)
    part.classes, part.attributes, part.image_attributes = [], {}, {}
    _split_geometry(part, schema.n_classes)
    return part


@dataclass
class ClassGeometry:
    """The geometry columns of some objects: vertex counts and vertices, box, point, and which are given."""

    point_counts: np.ndarray
    coords: np.ndarray
    has_points: np.ndarray
    box: np.ndarray
    has_box: np.ndarray
    point: np.ndarray
    has_point: np.ndarray

    @classmethod
    def joined(cls, parts: list[ClassGeometry]) -> ClassGeometry:
        return cls(*(_joined([getattr(p, name) for p in parts]) for name in cls.__dataclass_fields__))

    def as_geometry(self) -> Geometry:
        offsets = np.zeros(len(self.point_counts) + 1, np.int64)
        np.cumsum(self.point_counts, out=offsets[1:])
        return Geometry(points=Ragged(offsets, self.coords), has_points=self.has_points, box=self.box,
                        has_box=self.has_box, point=self.point, has_point=self.has_point, masks=None,
                        has_mask=np.zeros(len(self.has_box), bool))


def _split_geometry(part: Part, n_classes: int) -> None:
    """Each top class's objects' geometry, cut where the part was read (the parent only joins the parts)."""
    counts = _one(part.point_counts, np.int64)
    offsets = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    points = Ragged(offsets, _one(part.coords, np.float64, (0, 2)))
    has_points, has_box, has_point = (_one(getattr(part, flags), bool) for flags in ("has_points", "has_box",
                                                                                     "has_point"))
    box, point = _one(part.box, np.float64, (0, 4)), _one(part.point, np.float64, (0, 2))
    top = part.top[0] if part.top else np.zeros(0, np.int64)
    for number in range(n_classes):
        rows = np.flatnonzero(top == number)
        taken = points.take(rows)
        part.class_geometry[number] = ClassGeometry(np.diff(taken.offsets), taken.coords, has_points[rows],
                                                    box[rows], has_box[rows], point[rows], has_point[rows])
    for name in ("box", "has_box", "point", "has_point", "point_counts", "coords", "has_points"):
        setattr(part, name, [])


def _dense(width: int, n_rows: int, given_rows: np.ndarray, matrix: np.ndarray,
           renormalize: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(probs, given, k) of ``n_rows`` rows from the rows ``given_rows`` that give the distribution
    (``matrix``: negative where a value is not named), as the general reader builds them."""
    from specdsl.engine.predictions import sums_off

    probs = np.zeros((n_rows, width))
    given = np.zeros(n_rows, bool)
    k = np.zeros(n_rows, np.int32)
    if len(given_rows):
        named = matrix >= 0
        block = np.where(named, matrix, 0.0)
        sums = block.sum(axis=1)  # as the general reader sums them
        if sums_off(sums, renormalize).any():
            raise NotFast
        if renormalize:
            block /= sums[:, None]
        probs[given_rows] = block
        given[given_rows] = True
        k[given_rows] = _named_counts(named)
    return probs, given, k


def _batch(schema: Schema, part: Part, decoded: list, line_numbers: np.ndarray, seen: set[str]) -> None:
    ids = list(map(attrgetter("image"), decoded))
    if types_of(ids) != {str} or not all(ids):
        raise NotFast
    seen.update(ids)
    if len(seen) != part.n_images + len(ids):
        raise NotFast  # an image predicted twice
    object_lists = list(map(attrgetter("objects"), decoded))
    objects = list(chain.from_iterable(object_lists))
    n = len(objects)
    classes = _rows(schema.class_records, list(map(attrgetter("cls"), objects)))
    named = classes >= 0
    if not _each_names_one(classes) or not np.isfinite(classes).all():
        raise NotFast
    first_image, first_object = part.n_images, part.n_objects
    _object_attributes(schema, part, objects, named, first_object)
    _image_attributes(schema, part, decoded, first_image)
    _geometry(part, objects)
    part.image_ids += ids
    part.image_lines.append(line_numbers)
    part.width.append(_sizes(list(map(attrgetter("width"), decoded))))
    part.height.append(_sizes(list(map(attrgetter("height"), decoded))))
    part.counts.append(np.fromiter(map(len, object_lists), np.int64, len(object_lists)))
    part.classes.append(classes)
    part.n_images += len(decoded)
    part.n_objects += n


def _rows(records: FloatRecords, structs: list) -> np.ndarray:
    rows = records.rows(structs)
    if rows is None:
        raise NotFast
    return rows


def _distribution_blocks(records: FloatRecords, none_given, items: list, widths: list[int]):
    """Per attribute name (``widths`` values each, in struct order): the rows of ``items`` giving that
    distribution and its matrix; NotFast when one names no value or is not finite."""
    listed = list(map(attrgetter("attributes"), items))
    if None in listed:  # "attributes": null
        listed = [none_given if value is None else value for value in listed]
    matrix = _rows(records, listed)
    if not np.isfinite(matrix).all():
        raise NotFast
    start = 0
    for width in widths:
        block = matrix[:, start:start + width]
        start += width
        rows = np.flatnonzero(block[:, 0] != ABSENT)
        block = block[rows]
        if not _each_names_one(block):
            raise NotFast
        yield rows, block


def _each_names_one(matrix: np.ndarray) -> bool:
    """Whether every row names a value (one >= 0; UNNAMED and ABSENT are below): the columns' largest, folded
    pairwise (a reduction over a short axis is ten times slower)."""
    if not matrix.shape[1]:
        return not len(matrix)
    largest = matrix[:, 0].copy()
    for j in range(1, matrix.shape[1]):
        np.maximum(largest, matrix[:, j], out=largest)
    return bool((largest >= 0).all())


def _named_counts(named: np.ndarray) -> np.ndarray:
    """Per row, the number of True columns, folded as :func:`_each_names_one`."""
    counts = np.zeros(len(named), np.int32)
    for j in range(named.shape[1]):
        counts += named[:, j]
    return counts


def _object_attributes(schema: Schema, part: Part, objects: list, named: np.ndarray, first: int) -> None:
    if not schema.attributes:
        return
    blocks = _distribution_blocks(schema.object_attribute_records, schema.no_object_attributes, objects,
                                  [len(a.keys) for a in schema.attributes])
    for attribute, (given_rows, matrix) in zip(schema.attributes, blocks):
        if not len(given_rows):
            continue
        covered = np.zeros(len(given_rows), bool)
        for number, cls, columns in attribute.owners:
            mine = named[given_rows, number]  # as the general reader: the owner is named in the class distribution
            covered |= mine
            if not mine.any():
                continue
            block = matrix[mine]
            if (np.delete(block, columns, axis=1) >= 0).any():
                raise NotFast  # a value of another class's attribute of that name
            part.attributes.setdefault((cls, attribute.name), []).append((first + given_rows[mine], block[:, columns]))
        if not covered.all():
            raise NotFast  # no class of the object declares the attribute


def _image_attributes(schema: Schema, part: Part, decoded: list, first: int) -> None:
    if not schema.image_attributes:
        return
    blocks = _distribution_blocks(schema.image_attribute_records, schema.no_image_attributes, decoded,
                                  [len(keys) for _, keys in schema.image_attributes])
    for (name, _), (given_rows, matrix) in zip(schema.image_attributes, blocks):
        if len(matrix):
            part.image_attributes.setdefault(name, []).append((first + given_rows, matrix))


def _geometry(part: Part, objects: list) -> None:
    geometry = geometry_columns(objects)
    if geometry is None:
        raise NotFast  # a coordinate out of the plane or a negative box size: the general reader names it
    part.box.append(geometry.box)
    part.has_box.append(geometry.has_box)
    part.point.append(geometry.point)
    part.has_point.append(geometry.has_point)
    part.point_counts.append(geometry.point_counts)
    part.coords.append(geometry.coords)
    part.has_points.append(geometry.has_points)


def _sizes(values: list) -> np.ndarray:
    """Image widths or heights as the export builder keeps them (NaN where not given), as one array; NotFast
    for anything but a number in (0, MAX_EXTENT] or None (a bool, a NaN: the builder says why)."""
    kinds = types_of(values)
    if not kinds <= _SIZE_TYPES:
        raise NotFast
    absent = values.count(None) if type(None) in kinds else 0
    try:
        out = np.array([np.nan if v is None else v for v in values] if absent else values, dtype=np.float64)
    except OverflowError:  # an integer beyond any float
        raise NotFast from None
    given = out[~np.isnan(out)]
    if len(given) != len(values) - absent or not ((given > 0) & (given <= MAX_EXTENT)).all():
        raise NotFast
    return out


# ---- parts -> columns of the whole file ------------------------------------------------------------


@dataclass
class Columns:
    """Every part concatenated: image and object rows of the whole file."""

    image_ids: list[str]
    image_lines: np.ndarray
    object_image: np.ndarray
    object_index: np.ndarray
    object_line: np.ndarray
    distributions: dict  # key (Schema.widths) -> (probs, given, k) over all rows
    top: np.ndarray  # each object's most probable class
    dataset_parts: Part  # the image sizes and each class's geometry, concatenated


def concatenate(parts: list[Part], schema: Schema) -> Columns:
    """The columns of settled parts (one at least)."""
    image_ids = list(chain.from_iterable(p.image_ids for p in parts))
    if len(set(image_ids)) != len(image_ids):
        raise NotFast  # an image predicted in two parts: the general reader names both lines
    whole = Part(image_ids=image_ids, n_images=len(image_ids), n_objects=sum(p.n_objects for p in parts))
    before = 0
    for p in parts:  # each part numbered its lines from 1
        whole.image_lines += [lines + before for lines in p.image_lines]
        before += p.newlines
    for name in ("width", "height", "counts", "top"):
        setattr(whole, name, [a for p in parts for a in getattr(p, name)])
    from concurrent.futures import ThreadPoolExecutor

    # numpy copies without the GIL, and most of a join is faulting in fresh pages: a thread joins the
    # distributions while this one joins the geometry (0.21 -> 0.1 s at 1M objects). The thread has ended
    # when this returns, so a later fork of this process stays safe.
    with ThreadPoolExecutor(1) as pool:
        joining = pool.submit(lambda: {key: tuple(_joined([p.distributions[key][j] for p in parts]) for j in range(3))
                                       for key in schema.widths})
        whole.class_geometry = {number: ClassGeometry.joined([p.class_geometry[number] for p in parts])
                                for number in range(schema.n_classes)}
        whole.close()
        distributions = joining.result()
    counts = _one(whole.counts, np.int64)
    image_lines = _one(whole.image_lines, np.int64)
    image_rows = np.arange(len(image_ids), dtype=np.int64)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return Columns(image_ids, image_lines, np.repeat(image_rows, counts),
                   np.arange(whole.n_objects, dtype=np.int64) - starts, np.repeat(image_lines, counts),
                   distributions, np.concatenate(whole.top) if whole.top else np.zeros(0, np.int64), whole)


def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _one(arrays: list[np.ndarray], dtype, shape=(0,)) -> np.ndarray:
    return arrays[0] if arrays else np.zeros(shape, dtype)


def build_dataset(path: str, columns: Columns, class_names: tuple[str, ...]) -> Dataset:
    """The dataset the export builder makes of the objects under their most probable class (ids: their index
    in the line), from the columns."""
    whole = columns.dataset_parts
    n_images = len(columns.image_ids)
    images = ImageTable(
        ids=columns.image_ids, width=_one(whole.width, np.float64), height=_one(whole.height, np.float64),
        spec_version=np.full(n_images, np.nan), attributes={},
        pointers=[f"/lines/{line}" for line in columns.image_lines.tolist()], object_pointers=[None] * n_images,
        object_counts=_one(whole.counts, np.int64), sources=[path] * n_images, positions=[None] * n_images,
        object_positions=[None] * n_images)
    # an object's id is its index in the line: the few distinct ones made once, then picked as an array
    names = np.array(list(map(str, range(int(columns.object_index.max(initial=-1)) + 1))), dtype=object)
    tables = {}
    for number in sorted(range(len(class_names)), key=class_names.__getitem__):
        rows = np.flatnonzero(columns.top == number)
        if len(rows):
            index = columns.object_index[rows]
            tables[class_names[number]] = ObjectTable(
                class_name=class_names[number], ids=names[index].tolist(),
                image_index=columns.object_image[rows], position=index.astype(np.int32), attributes={},
                geometry=whole.class_geometry[number].as_geometry(), flags={}, broken=np.zeros(len(rows), bool))
    return Dataset(path, None, images, tables, [])

"""Reading a model's predictions (JSON Lines, one image a line; ENGINE.md ``specc select``) into columns.

Lines are decoded by orjson a batch at a time (as the native reader does); each batch is turned into
flat arrays at once: per object its image, its index in the line and its class distribution (one row of
an objects x classes matrix), per declared enum/bool attribute a matrix of value probabilities, per
image attribute likewise. The objects' geometry goes through the export builder under their most
probable class, so the predictions form a :class:`Dataset` whose class views give bounds, shapes and
properties exactly as for labels (and the pairing of ``specc agree`` works on them unchanged).

Anything malformed is a :class:`PredictionError` naming the line: a line that is not JSON, a
distribution that does not sum to 1 (within 1e-3, unless ``renormalize``), a negative or non-finite
probability, an unknown class, attribute or value, a missing or malformed geometry.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, repeat
from pathlib import Path

import numpy as np
import orjson

from specdsl import ir
from specdsl.data.build import build_dataset
from specdsl.data.dataset import Dataset
from specdsl.data.geometry_parse import types_of
from specdsl.data.readers.native import gc_paused
from specdsl.data.records import ImageRecord
from specdsl.validate.view import AttributeValues, ClassView

BATCH = 1000
SUM_TOLERANCE = 1e-3
GEOMETRY_KEYS = ("box", "points", "point", "mask")
PREDICTABLE_KINDS = ("enum", "bool")


class PredictionError(ValueError):
    """A prediction file that cannot be read: ``path:line: message``."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")

    def __reduce__(self):  # picklable with its fields
        return type(self), (self.path, self.line, self.message)


@dataclass
class Distribution:
    """One kind of distribution over many rows: ``probs[r, j]`` is the probability of ``values[j]``.

    ``given[r]`` says the row's line gave this distribution at all; ``k[r]`` is how many values it named
    (the k of the normalised entropy)."""

    values: tuple  # enum names, True/False, or class names
    probs: np.ndarray  # float64 (rows, len(values)); 0 where not named or not given
    given: np.ndarray  # bool (rows,)
    k: np.ndarray  # int32 (rows,)

    def column(self, value) -> np.ndarray:
        return self.probs[:, self.values.index(value)] if value in self.values else np.zeros(len(self.given))


@dataclass
class PredictedObjects:
    """All predicted objects, in line order: the n-th object of the file is row n."""

    image: np.ndarray  # int64 row of the image
    index: np.ndarray  # int64 0-based index of the object in its line
    line: np.ndarray  # int64 line number
    classes: Distribution  # over spec.classes (in spec order)
    attributes: dict[tuple[str, str], Distribution]  # (class, attribute) -> distribution
    top_class: np.ndarray  # int64 index into spec.classes of the most probable class
    table_row: np.ndarray  # int64 row of the object in its top class's table of ``dataset``

    def __len__(self) -> int:
        return len(self.image)


@dataclass
class Predictions:
    source: str
    image_ids: list[str]
    image_lines: np.ndarray  # int64 line number per image
    image_attributes: dict[str, Distribution]  # rows: images
    objects: PredictedObjects
    dataset: Dataset  # geometry of the objects under their most probable class; object ids are indices
    views: dict[str, ClassView] = field(default_factory=dict)

    @cached_property
    def image_row(self) -> dict[str, int]:
        return {image: row for row, image in enumerate(self.image_ids)}

    def objects_of(self, cls: str) -> np.ndarray:
        """Rows of ``objects`` whose most probable class is ``cls``, in the order of its view's rows."""
        return np.flatnonzero(self.objects.top_class == list(self.views).index(cls))


def read_predictions(path: str | Path, spec: ir.Spec, renormalize: bool = False,
                     jobs: int | None = None) -> Predictions:
    """``jobs``: worker processes reading parts of a large file (default: the usable cores); the result is the
    same for every number."""
    return start_reading(path, spec, renormalize, jobs).result()


def start_reading(path: str | Path, spec: ir.Spec, renormalize: bool = False,
                  jobs: int | None = None) -> PendingPredictions:
    """Start reading in worker processes (a large file), so that the caller can read its exports meanwhile;
    :meth:`PendingPredictions.result` gives the predictions or raises the file's first problem."""
    from specdsl.engine import predictions_parts

    path = str(path)
    try:
        parts = predictions_parts.start(spec, path, jobs, renormalize)
    except OSError as exc:
        raise PredictionError(path, None, f"cannot read: {exc.strerror or exc}") from None
    return PendingPredictions(path, spec, renormalize, parts)


class PendingPredictions:
    def __init__(self, path: str, spec: ir.Spec, renormalize: bool, parts):
        self.path, self.spec, self.renormalize, self.parts = path, spec, renormalize, parts

    def wait(self) -> None:
        """Until the worker processes have sent their parts (joined by :meth:`result`): a caller that waits here
        leaves them the cores."""
        self.parts.wait()

    def result(self) -> Predictions:
        """Lines of the common shape are read as columns (:mod:`specdsl.engine.predictions_fast`), in parts;
        anything else by the general reader below, which names the first problem."""
        from specdsl.engine import predictions_fast

        try:
            columns = predictions_fast.concatenate(self.parts.result(), self.parts.schema)
        except predictions_fast.NotFast:
            self.parts.close()
            return read_lines(self.path, self.spec, self.renormalize, self._lines())
        finally:
            self.parts.close()
        return _Reader(self.path, self.spec, self.renormalize).from_columns(columns)

    def _lines(self) -> list[tuple[int, bytes]]:
        try:
            return self.parts.all_lines()
        except OSError as exc:
            raise PredictionError(self.path, None, f"cannot read: {exc.strerror or exc}") from None


def read_lines(path: str, spec: ir.Spec, renormalize: bool, lines: list[tuple[int, bytes]]) -> Predictions:
    """The predictions of some (numbered, non-blank) lines of a file, by the general reader."""
    return _Reader(path, spec, renormalize).read(lines)


# ---- the reader -----------------------------------------------------------------------------------


class _Accumulator:
    """(row, column, probability) triples of one kind of distribution, added a batch at a time as arrays."""

    def __init__(self, values: tuple):
        self.values = values
        self.column_of = {_key(v): j for j, v in enumerate(values)}
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.fresh = False  # a part was added by the batch being read

    def add(self, given_rows: np.ndarray, lines: np.ndarray, distributions: list) -> bool:
        """Add the distributions of ``given_rows``; False when one is not a non-empty object of known values
        with probabilities >= 0 (the caller's validating path then says where and what)."""
        if not distributions:
            return True
        if types_of(distributions) != {dict}:
            return False
        counts = np.fromiter(map(len, distributions), np.int64, len(distributions))
        keys = list(chain.from_iterable(distributions))  # C-level loops: no Python frame per value
        columns = np.fromiter(map(self.column_of.get, keys, repeat(-1)), np.int64, len(keys))
        probs = list(chain.from_iterable(map(dict.values, distributions)))
        if (counts == 0).any() or (columns < 0).any() or not types_of(probs) <= {int, float}:
            return False
        values = np.asarray(probs, dtype=float)
        if not (np.isfinite(values) & (values >= 0)).all():
            return False
        self.parts.append((np.repeat(given_rows, counts), columns, values, given_rows, lines))
        self.fresh = True
        return True

    def build(self, n_rows: int, path: str, renormalize: bool, what: str, prefix=lambda row: "") -> Distribution:
        """``what`` names the distribution in messages; ``prefix(row)`` says which object a row is."""
        rows, columns, values, given_rows, lines = (np.concatenate([p[k] for p in self.parts]) if self.parts
                                                    else np.zeros(0, np.int64) for k in range(5))
        probs = np.zeros((n_rows, len(self.values)))
        given = np.zeros(n_rows, bool)
        given[given_rows] = True
        k = np.bincount(rows, minlength=n_rows).astype(np.int32) if n_rows else np.zeros(0, np.int32)
        probs[rows, columns] = values
        sums = probs[given_rows].sum(axis=1)
        off = np.flatnonzero(sums_off(sums, renormalize))
        if len(off):
            problem = _sum_problem(sums[off[0]], renormalize)
            raise PredictionError(path, int(lines[off[0]]), f"{prefix(int(given_rows[off[0]]))}{what}: {problem}")
        if renormalize:
            probs[given_rows] /= sums[:, None]
        return Distribution(self.values, probs, given, k)

    def sums_ok(self, renormalize: bool) -> bool:
        """Whether the distributions of the batch just added add up as they must (the validating path says
        where one does not)."""
        if not self.fresh:
            return True
        self.fresh = False
        rows, columns, values, given_rows, _ = self.parts[-1]
        matrix = np.zeros((len(given_rows), len(self.values)))
        matrix[np.searchsorted(given_rows, rows), columns] = values
        return not sums_off(matrix.sum(axis=1), renormalize).any()


def sums_off(sums: np.ndarray, renormalize: bool) -> np.ndarray:
    """Which distributions do not add up: to 1 within SUM_TOLERANCE, or to more than 0 with ``renormalize``."""
    return sums <= 0 if renormalize else np.abs(sums - 1.0) > SUM_TOLERANCE


def _sum_problem(total: float, renormalize: bool) -> str:
    if renormalize:
        return "the scores add up to 0"
    return f"the probabilities add up to {total:.6g}, not 1 (--renormalize accepts unnormalised scores)"


def _as_probability(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def _show(value) -> str:
    return orjson.dumps(value).decode() if not isinstance(value, float) else repr(value)


def _key(value) -> str:
    """Values as prediction lines write them: bools as "true"/"false"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Reader:
    """A batch of lines is first taken as well formed (a few comprehensions and array operations); when any
    check of that fast path fails, the batch is walked line by line to raise the located error."""

    def __init__(self, path: str, spec: ir.Spec, renormalize: bool):
        self.path, self.spec, self.renormalize = path, spec, renormalize
        self.class_names = tuple(c.name for c in spec.classes)
        self.classes = _Accumulator(self.class_names)
        self.object_attributes: dict[tuple[str, str], _Accumulator] = {}
        self.owners: dict[str, list[str]] = {}  # attribute name -> classes declaring it (enum/bool)
        for cls in spec.classes:
            for attribute in cls.attributes:
                if attribute.type.kind in PREDICTABLE_KINDS:
                    self.owners.setdefault(attribute.name, []).append(cls.name)
                    self.object_attributes[(cls.name, attribute.name)] = _Accumulator(_values(attribute))
        self.image_attributes = {a.name: _Accumulator(_values(a)) for a in spec.image_attributes
                                 if a.type.kind in PREDICTABLE_KINDS}
        self.image_ids: list[str] = []
        self.image_lines: list[int] = []
        self.seen: dict[str, int] = {}
        self.object_parts: list[tuple[np.ndarray, ...]] = []  # image, index, line, top class
        self.n_objects = 0

    def read(self, lines: list[tuple[int, bytes]]) -> Predictions:
        dataset = build_dataset(self._records(lines), self.path)
        self._check_read_problems(dataset)
        image, index, line, top = (np.concatenate([p[k] for p in self.object_parts]) if self.object_parts
                                   else np.zeros(0, np.int64) for k in range(4))

        def object_k(row: int) -> str:
            return f"object {int(index[row])} "

        n, path, renormalize = self.n_objects, self.path, self.renormalize
        classes = self.classes.build(n, path, renormalize, "class", object_k)
        attributes = {key: acc.build(n, path, renormalize, f"{key[0]}.{key[1]}", object_k)
                      for key, acc in self.object_attributes.items()}
        image_attributes = {name: acc.build(len(self.image_ids), path, renormalize, f"image.{name}")
                            for name, acc in self.image_attributes.items()}
        return self._finish(dataset, image, index, line, top, classes, attributes, image_attributes)

    def from_columns(self, columns) -> Predictions:
        """The predictions of the fast path's columns (whose sums were checked); geometry is checked as for
        :meth:`read`."""
        from specdsl.engine import predictions_fast

        self.image_ids, self.image_lines = columns.image_ids, columns.image_lines
        self.n_objects = len(columns.object_image)
        found = columns.distributions
        classes = Distribution(self.classes.values, *found[predictions_fast.CLASSES])
        attributes = {key: Distribution(acc.values, *found[key]) for key, acc in self.object_attributes.items()}
        image_attributes = {name: Distribution(acc.values, *found[name]) for name, acc in self.image_attributes.items()}
        dataset = predictions_fast.build_dataset(self.path, columns, self.class_names)
        return self._finish(dataset, columns.object_image, columns.object_index, columns.object_line, columns.top,
                            classes, attributes, image_attributes)

    def _finish(self, dataset: Dataset, image: np.ndarray, index: np.ndarray, line: np.ndarray, top: np.ndarray,
                classes: Distribution, attributes: dict, image_attributes: dict) -> Predictions:
        n = self.n_objects
        objects = PredictedObjects(image, index, line, classes, attributes, top, np.zeros(n, np.int64))
        predictions = Predictions(self.path, self.image_ids, np.asarray(self.image_lines, np.int64), image_attributes,
                                  objects, dataset)
        predictions.views = {c.name: ClassView(c, dataset.tables.get(c.name), dataset) for c in self.spec.classes}
        self._locate_rows(predictions)
        self._check_geometry(predictions)
        return predictions

    # ---- lines -> records, probabilities on the side
    def _records(self, lines: list[tuple[int, bytes]]):
        with gc_paused():
            for start in range(0, len(lines), BATCH):
                chunk = lines[start:start + BATCH]
                try:
                    decoded = orjson.loads(b"[" + b",".join(line for _, line in chunk) + b"]")
                except orjson.JSONDecodeError:
                    decoded = [self._decode(number, line) for number, line in chunk]
                numbers = [number for number, _ in chunk]
                records = self._batch(numbers, decoded)
                if records is None:
                    _Validator(self, numbers, decoded).run()
                    raise PredictionError(self.path, numbers[0], "this batch of lines could not be read")
                yield from records

    def _decode(self, number: int, line: bytes):
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise PredictionError(self.path, number, f"not JSON: {exc.msg} (column {exc.colno})") from None

    def _batch(self, numbers: list[int], images: list) -> list[ImageRecord] | None:
        """The fast path: the batch's columns, or None when something in it is malformed."""
        if types_of(images) != {dict}:
            return None
        ids = [image.get("image") for image in images]
        if types_of(ids) != {str} or not all(ids) or not self._new_ids(ids, numbers):
            return None
        object_lists = [image.get("objects", []) for image in images]
        if types_of(object_lists) != {list}:
            return None
        objects = [obj for listed in object_lists for obj in listed]
        if objects and types_of(objects) != {dict}:
            return None
        first_image, first_object = len(self.image_ids), self.n_objects
        counts = np.fromiter(map(len, object_lists), np.int64, len(object_lists))
        lines = np.asarray(numbers, np.int64)
        image_rows = first_image + np.arange(len(images))
        object_rows = first_object + np.arange(len(objects))
        object_lines = np.repeat(lines, counts)
        distributions = [obj.get("class") for obj in objects]
        if not self.classes.add(object_rows, object_lines, distributions):
            return None
        top = self._top_classes(len(objects))
        if not self._object_attributes(objects, distributions, object_rows, object_lines):
            return None
        if not self._image_attributes(images, image_rows, lines):
            return None
        if not self._sums_ok():
            return None  # the validating path names the first line whose distribution does not add up
        self.image_ids.extend(ids)
        self.image_lines.extend(numbers)
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        index = np.arange(len(objects)) - starts
        self.object_parts.append((np.repeat(image_rows, counts), index, object_lines, top))
        self.n_objects += len(objects)
        return self._image_records(images, ids, object_lists, top)

    def _sums_ok(self) -> bool:
        """Each batch's sums are checked with the batch, so that the first problem in file order is named."""
        accumulators = (self.classes, *self.object_attributes.values(), *self.image_attributes.values())
        return all([acc.sums_ok(self.renormalize) for acc in accumulators])

    def _new_ids(self, ids: list[str], numbers: list[int]) -> bool:
        seen = self.seen
        for image_id, number in zip(ids, numbers):
            if image_id in seen:
                return False
            seen[image_id] = number
        return True

    def _top_classes(self, n: int) -> np.ndarray:
        """The most probable class of each object of the batch just added (ties: the first in spec order)."""
        if not n:
            return np.zeros(0, np.int64)
        rows, columns, values, given_rows, _ = self.classes.parts[-1]
        matrix = np.full((n, len(self.class_names)), -1.0)
        matrix[rows - given_rows[0], columns] = values
        return np.argmax(matrix, axis=1)

    def _object_attributes(self, objects: list, classes: list, rows: np.ndarray, lines: np.ndarray) -> bool:
        listed = [obj.get("attributes") for obj in objects]
        present = [a for a in listed if a is not None]
        if present and types_of(present) != {dict}:
            return False
        for name in set(chain.from_iterable(present)):
            entries = [(k, a[name]) for k, a in enumerate(listed) if a and name in a]
            owners = self.owners.get(name, ())
            covered = np.zeros(len(entries), bool)
            for owner in owners:
                mine = np.array([owner in classes[k] for k, _ in entries], dtype=bool)
                covered |= mine
                picked = np.array([k for k, _ in entries], dtype=np.int64)[mine]
                chosen = [d for (_, d), ok in zip(entries, mine.tolist()) if ok]
                if not self.object_attributes[(owner, name)].add(rows[picked], lines[picked], chosen):
                    return False
            if not covered.all():
                return False  # some object has no class declaring this attribute
        return True

    def _image_attributes(self, images: list, rows: np.ndarray, lines: np.ndarray) -> bool:
        listed = [image.get("attributes") for image in images]
        present = [a for a in listed if a is not None]
        if present and types_of(present) != {dict}:
            return False
        groups: dict[str, list[tuple[int, object]]] = {}
        for k, attributes in enumerate(listed):
            if attributes:
                for name, distribution in attributes.items():
                    groups.setdefault(name, []).append((k, distribution))
        for name, entries in groups.items():
            accumulator = self.image_attributes.get(name)
            picked = np.array([k for k, _ in entries], dtype=np.int64)
            if accumulator is None or not accumulator.add(rows[picked], lines[picked], [d for _, d in entries]):
                return False
        return True

    def _image_records(self, images: list, ids: list[str], object_lists: list, top: np.ndarray) -> list[ImageRecord]:
        """Native image records for the export builder: each object under its most probable class, its id its
        index in the line. The decoded objects are reused (they are dropped with the batch anyway)."""
        names = np.array(self.class_names, dtype=object)[top].tolist()
        objects = list(chain.from_iterable(object_lists))
        positions = map(str, chain.from_iterable(map(range, map(len, object_lists))))
        deque(map(dict.__setitem__, objects, repeat("class"), names), maxlen=0)  # C-level loops
        deque(map(dict.__setitem__, objects, repeat("id"), positions), maxlen=0)
        deque(map(dict.pop, objects, repeat("attributes"), repeat(None)), maxlen=0)
        records = []
        for image, image_id, listed in zip(images, ids, object_lists):
            record = {"id": image_id, "objects": listed}
            for key in ("width", "height"):
                if key in image:
                    record[key] = image[key]
            records.append(ImageRecord(record, self.path, f"/lines/{self.seen[image_id]}"))
        return records

    # ---- after the build
    def _check_read_problems(self, dataset: Dataset) -> None:
        if dataset.problems:
            problem = dataset.problems[0]
            raise PredictionError(self.path, _line_of_pointer(problem.pointer), problem.message)

    def _locate_rows(self, predictions: Predictions) -> None:
        """Each object's row in its top class's table (the builder keeps each class's objects in order)."""
        objects = predictions.objects
        table_row = np.zeros(len(objects), np.int64)
        for number in range(len(self.class_names)):
            rows = np.flatnonzero(objects.top_class == number)
            table_row[rows] = np.arange(len(rows))
        objects.table_row = table_row

    def _check_geometry(self, predictions: Predictions) -> None:
        for cls in self.spec.classes:
            view = predictions.views[cls.name]
            if cls.geometry == "tag" or view.n == 0:
                continue
            bad = np.flatnonzero(~view.geometry_ok)
            if len(bad):
                row = int(bad[0])
                image = int(view.table.image_index[row])
                raise PredictionError(self.path, int(predictions.image_lines[image]),
                                      f"object {int(view.table.position[row])}: its most probable class {cls.name} "
                                      f"is a {cls.geometry}, but the object has no valid "
                                      f"{'points' if cls.geometry in ('polyline', 'polygon') else cls.geometry}")


class _Validator:
    """The slow path: walks a batch the fast path refused, line by line, and raises the first problem."""

    def __init__(self, reader: _Reader, numbers: list[int], images: list):
        self.reader, self.numbers, self.images = reader, numbers, images
        self.path = reader.path

    def run(self) -> None:
        seen = {i: n for i, n in self.reader.seen.items() if n < self.numbers[0]}
        for number, image in zip(self.numbers, self.images):
            self._image(number, image, seen)

    def _image(self, number: int, image, seen: dict) -> None:
        if not isinstance(image, dict):
            raise PredictionError(self.path, number, "a prediction line must be a JSON object")
        image_id = image.get("image")
        if not isinstance(image_id, str) or not image_id:
            raise PredictionError(self.path, number, "a prediction line needs \"image\": the image id (a string)")
        if image_id in seen:
            raise PredictionError(self.path, number, f"image {image_id} was already predicted on line "
                                  f"{seen[image_id]}")
        seen[image_id] = number
        self._image_distributions(number, image.get("attributes"))
        objects = image.get("objects", [])
        if not isinstance(objects, list):
            raise PredictionError(self.path, number, "\"objects\" must be a list")
        for k, obj in enumerate(objects):
            self._object(number, k, obj)

    def _image_distributions(self, number: int, attributes) -> None:
        if attributes is None:
            return
        if not isinstance(attributes, dict):
            raise PredictionError(self.path, number, "image \"attributes\" must map attribute names to distributions")
        for name, distribution in attributes.items():
            accumulator = self.reader.image_attributes.get(name)
            if accumulator is None:
                declared = self.reader.spec.image_attribute(name)
                why = "is not an image attribute of the spec" if declared is None else \
                    f"is a {declared.type.kind} attribute: predictions give distributions of enum and bool attributes"
                raise PredictionError(self.path, number, f"image.{name} {why}")
            self._distribution(accumulator, number, distribution, f"image.{name}")

    def _object(self, number: int, k: int, obj) -> None:
        where = f"object {k}"
        if not isinstance(obj, dict):
            raise PredictionError(self.path, number, f"{where} must be a JSON object")
        classes = obj.get("class")
        if not isinstance(classes, dict) or not classes:
            raise PredictionError(self.path, number, f"{where}: \"class\" must map class names to probabilities")
        self._distribution(self.reader.classes, number, classes, f"{where} class")
        attributes = obj.get("attributes")
        if attributes is None:
            return
        if not isinstance(attributes, dict):
            raise PredictionError(self.path, number, f"{where}: \"attributes\" must map attribute names to "
                                  "distributions")
        for name, distribution in attributes.items():
            owners = [c for c in self.reader.owners.get(name, ()) if c in classes]
            if not owners:
                raise PredictionError(self.path, number, f"{where}: attribute {name} is not an enum or bool "
                                      f"attribute of {', '.join(classes)}")
            for owner in owners:
                self._distribution(self.reader.object_attributes[(owner, name)], number, distribution,
                                   f"{where} {owner}.{name}")

    def _distribution(self, accumulator: _Accumulator, number: int, distribution, what: str) -> None:
        if not isinstance(distribution, dict) or not distribution:
            raise PredictionError(self.path, number, f"{what}: a distribution must be a JSON object of "
                                  "value: probability")
        for value, probability in distribution.items():
            if value not in accumulator.column_of:
                known = ", ".join(_key(v) for v in accumulator.values)
                noun = "class" if what.endswith("class") else "value"
                raise PredictionError(self.path, number, f"{what}: unknown {noun} {value!r} (one of {known})")
            p = _as_probability(probability)
            if not (math.isfinite(p) and p >= 0):
                raise PredictionError(self.path, number, f"{what}: a probability must be a number >= 0, not "
                                      f"{_show(probability)}")
        row = np.zeros((1, len(accumulator.values)))
        for value, probability in distribution.items():
            row[0, accumulator.column_of[value]] = probability
        total = row.sum(axis=1)  # as the columns are summed
        if sums_off(total, self.reader.renormalize)[0]:
            raise PredictionError(self.path, number, f"{what}: {_sum_problem(total[0], self.reader.renormalize)}")


def _values(attribute: ir.Attribute) -> tuple:
    return tuple(attribute.type.values) if attribute.type.kind == "enum" else (False, True)


def _line_of_pointer(pointer: str) -> int | None:
    parts = pointer.split("/")
    return int(parts[2]) if len(parts) > 2 and parts[1] == "lines" and parts[2].isdigit() else None


def attribute_values(predictions: Predictions, spec: ir.Spec) -> dict[str, AttributeValues]:
    """Empty image attribute columns for evaluating conditions on the predictions' images (no labeled values)."""
    n = len(predictions.image_ids)
    return {a.name: AttributeValues(a, None, n) for a in spec.image_attributes}

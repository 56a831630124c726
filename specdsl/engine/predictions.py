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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson

from specdsl import ir
from specdsl.data.build import build_dataset
from specdsl.data.dataset import Dataset
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

    @property
    def image_row(self) -> dict[str, int]:
        return {image: row for row, image in enumerate(self.image_ids)}

    def objects_of(self, cls: str) -> np.ndarray:
        """Rows of ``objects`` whose most probable class is ``cls``, in the order of its view's rows."""
        number = [c for c in self.views].index(cls)
        return np.flatnonzero(self.objects.top_class == number)


def read_predictions(path: str | Path, spec: ir.Spec, renormalize: bool = False) -> Predictions:
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PredictionError(path, None, f"cannot read: {exc.strerror or exc}") from None
    return _Reader(path, spec, renormalize).read(data)


# ---- the reader -----------------------------------------------------------------------------------


class _Accumulator:
    """Triples (row, column, probability) of one kind of distribution, filled batch by batch."""

    def __init__(self, values: tuple):
        self.values = values
        self.column_of = {_key(v): j for j, v in enumerate(values)}
        self.rows: list[int] = []
        self.columns: list[int] = []
        self.probs: list = []
        self.given_rows: list[int] = []
        self.lines: list[int] = []

    def build(self, n_rows: int, path: str, renormalize: bool, what: str, prefix=lambda row: "") -> Distribution:
        """``what`` names the distribution in messages; ``prefix(row)`` says which object a row is."""
        probs = np.zeros((n_rows, len(self.values)))
        given = np.zeros(n_rows, bool)
        k = np.zeros(n_rows, np.int32)
        rows = np.asarray(self.rows, np.int64)
        given_rows = np.asarray(self.given_rows, np.int64)
        given[given_rows] = True
        np.add.at(k, rows, 1)
        try:
            values = np.asarray(self.probs, dtype=float)
        except (TypeError, ValueError):
            values = np.array([_as_probability(p) for p in self.probs], dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            row = int(rows[first])
            raise PredictionError(path, self._line_of_row(row), f"{prefix(row)}{what}: a probability must be a "
                                  f"number >= 0, not {_show(self.probs[first])}")
        probs[rows, np.asarray(self.columns, np.int64)] = values
        self._normalise(probs, given_rows, path, renormalize, what, prefix)
        return Distribution(self.values, probs, given, k)

    def _normalise(self, probs: np.ndarray, given_rows: np.ndarray, path: str, renormalize: bool, what: str,
                   prefix) -> None:
        sums = probs[given_rows].sum(axis=1)
        if renormalize:
            empty = sums <= 0
            if empty.any():
                row = int(given_rows[np.flatnonzero(empty)[0]])
                raise PredictionError(path, self._line_of_row(row), f"{prefix(row)}{what}: the scores add up to 0")
            probs[given_rows] /= sums[:, None]
            return
        off = np.abs(sums - 1.0) > SUM_TOLERANCE
        if off.any():
            first = int(np.flatnonzero(off)[0])
            raise PredictionError(path, self.lines[first],
                                  f"{prefix(int(given_rows[first]))}{what}: the probabilities add up to "
                                  f"{sums[first]:.6g}, not 1 "
                                  "(--renormalize accepts unnormalised scores)")

    def _line_of_row(self, row: int) -> int:
        return self.lines[self.given_rows.index(row)]


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
    def __init__(self, path: str, spec: ir.Spec, renormalize: bool):
        self.path, self.spec, self.renormalize = path, spec, renormalize
        self.class_names = tuple(c.name for c in spec.classes)
        self.classes = _Accumulator(self.class_names)
        self.object_attributes: dict[tuple[str, str], _Accumulator] = {}
        self.owners: dict[str, list[ir.Class]] = {}  # attribute name -> classes declaring it (enum/bool)
        for cls in spec.classes:
            for attribute in cls.attributes:
                if attribute.type.kind in PREDICTABLE_KINDS:
                    self.owners.setdefault(attribute.name, []).append(cls)
                    self.object_attributes[(cls.name, attribute.name)] = _Accumulator(_values(attribute))
        self.image_attributes = {a.name: _Accumulator(_values(a)) for a in spec.image_attributes
                                 if a.type.kind in PREDICTABLE_KINDS}
        self.image_ids: list[str] = []
        self.image_lines: list[int] = []
        self.seen: dict[str, int] = {}
        self.object_image: list[int] = []
        self.object_index: list[int] = []
        self.object_line: list[int] = []
        self.records: list[ImageRecord] = []

    def read(self, data: bytes) -> Predictions:
        lines = [(number, line) for number, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
        records = self._records(lines)
        dataset = build_dataset(records, self.path)
        self._check_read_problems(dataset)
        n_objects = len(self.object_image)
        def object_k(row: int) -> str:
            return f"object {self.object_index[row]} "

        classes = self.classes.build(n_objects, self.path, self.renormalize, "class", object_k)
        attributes = {key: acc.build(n_objects, self.path, self.renormalize, f"{key[0]}.{key[1]}", object_k)
                      for key, acc in self.object_attributes.items()}
        image_attributes = {name: acc.build(len(self.image_ids), self.path, self.renormalize, f"image.{name}")
                            for name, acc in self.image_attributes.items()}
        objects = PredictedObjects(np.asarray(self.object_image, np.int64), np.asarray(self.object_index, np.int64),
                                   np.asarray(self.object_line, np.int64), classes, attributes,
                                   np.asarray(self._top_classes, np.int64), np.zeros(n_objects, np.int64))
        predictions = Predictions(self.path, self.image_ids, np.asarray(self.image_lines, np.int64), image_attributes,
                                  objects, dataset)
        predictions.views = {c.name: ClassView(c, dataset.tables.get(c.name), dataset) for c in self.spec.classes}
        self._locate_rows(predictions)
        self._check_geometry(predictions)
        return predictions

    # ---- lines -> records, probabilities on the side
    def _records(self, lines: list[tuple[int, bytes]]):
        self._top_classes: list[int] = []
        for start in range(0, len(lines), BATCH):
            chunk = lines[start:start + BATCH]
            try:
                decoded = orjson.loads(b"[" + b",".join(line for _, line in chunk) + b"]")
            except orjson.JSONDecodeError:
                decoded = [self._decode(number, line) for number, line in chunk]
            for (number, _), image in zip(chunk, decoded):
                yield self._image(number, image)

    def _decode(self, number: int, line: bytes):
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise PredictionError(self.path, number, f"not JSON: {exc.msg} (column {exc.colno})") from None

    def _image(self, number: int, image) -> ImageRecord:
        if not isinstance(image, dict):
            raise PredictionError(self.path, number, "a prediction line must be a JSON object")
        image_id = image.get("image")
        if not isinstance(image_id, str) or not image_id:
            raise PredictionError(self.path, number, "a prediction line needs \"image\": the image id (a string)")
        if image_id in self.seen:
            raise PredictionError(self.path, number, f"image {image_id} was already predicted on line "
                                  f"{self.seen[image_id]}")
        self.seen[image_id] = number
        row = len(self.image_ids)
        self.image_ids.append(image_id)
        self.image_lines.append(number)
        self._image_distributions(number, row, image.get("attributes"))
        objects = image.get("objects", [])
        if not isinstance(objects, list):
            raise PredictionError(self.path, number, "\"objects\" must be a list")
        record_objects = [self._object(number, row, k, obj) for k, obj in enumerate(objects)]
        record = {"id": image_id, "objects": record_objects}
        for key in ("width", "height"):
            if key in image:
                record[key] = image[key]
        return ImageRecord(record, self.path, f"/lines/{number}")

    def _image_distributions(self, number: int, row: int, attributes) -> None:
        if attributes is None:
            return
        if not isinstance(attributes, dict):
            raise PredictionError(self.path, number, "image \"attributes\" must map attribute names to distributions")
        for name, distribution in attributes.items():
            accumulator = self.image_attributes.get(name)
            if accumulator is None:
                declared = self.spec.image_attribute(name)
                why = "is not an image attribute of the spec" if declared is None else \
                    f"is a {declared.type.kind} attribute: predictions give distributions of enum and bool attributes"
                raise PredictionError(self.path, number, f"image.{name} {why}")
            self._add(accumulator, number, row, distribution, f"image.{name}")

    def _object(self, number: int, row: int, k: int, obj) -> dict:
        where = f"object {k}"
        if not isinstance(obj, dict):
            raise PredictionError(self.path, number, f"{where} must be a JSON object")
        distribution = obj.get("class")
        if not isinstance(distribution, dict) or not distribution:
            raise PredictionError(self.path, number, f"{where}: \"class\" must map class names to probabilities")
        object_row = len(self.object_image)
        self.object_image.append(row)
        self.object_index.append(k)
        self.object_line.append(number)
        self._add(self.classes, number, object_row, distribution, f"{where} class")
        index = self.class_names.index
        top = min(distribution, key=lambda name: (-_as_probability(distribution[name]), index(name)))
        self._top_classes.append(index(top))
        attributes = obj.get("attributes")
        if attributes:
            self._object_distributions(number, object_row, where, distribution, attributes)
        record = {"id": str(k), "class": top}
        for key in GEOMETRY_KEYS:
            if key in obj:
                record[key] = obj[key]
        return record

    def _object_distributions(self, number: int, row: int, where: str, classes: dict, attributes) -> None:
        if not isinstance(attributes, dict):
            raise PredictionError(self.path, number, f"{where}: \"attributes\" must map attribute names to "
                                  "distributions")
        for name, distribution in attributes.items():
            owners = [c for c in self.owners.get(name, ()) if c.name in classes]
            if not owners:
                raise PredictionError(self.path, number, f"{where}: attribute {name} is not an enum or bool "
                                      f"attribute of {', '.join(classes)}")
            for cls in owners:
                self._add(self.object_attributes[(cls.name, name)], number, row, distribution,
                          f"{where} {cls.name}.{name}")

    def _add(self, accumulator: _Accumulator, number: int, row: int, distribution, what: str) -> None:
        if not isinstance(distribution, dict) or not distribution:
            raise PredictionError(self.path, number, f"{what}: a distribution must be a JSON object of "
                                  "value: probability")
        column_of = accumulator.column_of
        for value, probability in distribution.items():
            column = column_of.get(value)
            if column is None:
                known = ", ".join(_key(v) for v in accumulator.values)
                noun = "class" if what.endswith("class") else "value"
                raise PredictionError(self.path, number, f"{what}: unknown {noun} {value!r} (one of {known})")
            accumulator.rows.append(row)
            accumulator.columns.append(column)
            accumulator.probs.append(probability)
        accumulator.given_rows.append(row)
        accumulator.lines.append(number)

    # ---- after the build
    def _check_read_problems(self, dataset: Dataset) -> None:
        if dataset.problems:
            problem = dataset.problems[0]
            raise PredictionError(self.path, _line_of_pointer(problem.pointer), problem.message)

    def _locate_rows(self, predictions: Predictions) -> None:
        """Each object's row in its top class's table (the builder keeps each class's objects in order)."""
        objects = predictions.objects
        table_row = np.zeros(len(objects), np.int64)
        for number, _name in enumerate(self.class_names):
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


def _values(attribute: ir.Attribute) -> tuple:
    return tuple(attribute.type.values) if attribute.type.kind == "enum" else (False, True)


def _line_of_pointer(pointer: str) -> int | None:
    parts = pointer.split("/")
    return int(parts[2]) if len(parts) > 2 and parts[1] == "lines" and parts[2].isdigit() else None


def attribute_values(predictions: Predictions, spec: ir.Spec) -> dict[str, AttributeValues]:
    """Empty image attribute columns for evaluating conditions on the predictions' images (no labeled values)."""
    n = len(predictions.image_ids)
    return {a.name: AttributeValues(a, None, n) for a in spec.image_attributes}

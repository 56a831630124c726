"""PredictionWriter: a model's per-sample outputs -> the predictions JSONL of ``specc select`` and ``specc suspect``.

    with PredictionWriter("predictions.jsonl", classes=["vehicle", "pedestrian"],
                          attributes={"blinker": ["off", "left", "right"]}) as writer:
        for images, batch in loader:
            out = model(batch)
            for k, image in enumerate(images):
                writer.add(image, class_logits=out.logits[k], boxes=out.boxes[k],
                           attribute_logits={"blinker": out.blinker[k]})

Logits become probabilities with a softmax over the last dimension (pass ``probabilities=True`` when the
model already gives them). One line per image (ENGINE.md): ``{"image", "width", "height", "attributes",
"objects": [{"class": {...}, "box" | "points" | "point": ..., "attributes": {...}}]}``. The file is written
beside its final name and renamed into place on :meth:`close`, so a crashed run leaves no half-written
predictions behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import torch

GEOMETRY_KEYS = {"boxes": "box", "points": "point", "polylines": "points", "polygons": "points"}


class PredictionWriter:
    def __init__(self, path: str | os.PathLike, classes: Sequence[str],
                 attributes: Mapping[str, Sequence[Any]] | None = None,
                 image_attributes: Mapping[str, Sequence[Any]] | None = None, probabilities: bool = False):
        """``classes``: the class of each output column; ``attributes`` / ``image_attributes``: per attribute
        the value of each column (bools as True/False or "true"/"false")."""
        if not classes:
            raise ValueError("a PredictionWriter needs the class of each output column")
        self.path = Path(path)
        self.classes = tuple(classes)
        self.attributes = {name: tuple(_value_name(v) for v in values) for name, values in (attributes or {}).items()}
        self.image_attributes = {name: tuple(_value_name(v) for v in values)
                                 for name, values in (image_attributes or {}).items()}
        self.probabilities = probabilities
        self.lines = 0
        fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent or ".")
        self._temp = Path(temp)
        self._stream = os.fdopen(fd, "wb")

    def add(self, image: str, class_logits: Any = None, *, boxes: Any = None, points: Any = None,
            polylines: Sequence[Any] | None = None, polygons: Sequence[Any] | None = None,
            attribute_logits: Mapping[str, Any] | None = None, image_attribute_logits: Mapping[str, Any] | None = None,
            width: float | None = None, height: float | None = None) -> None:
        """One image: ``class_logits`` (objects x classes), one geometry per object (``boxes`` n x 4 as x, y, w, h;
        ``points`` n x 2; ``polylines``/``polygons`` a list of k x 2), ``attribute_logits`` (name -> objects x
        values) and ``image_attribute_logits`` (name -> values)."""
        line: dict[str, Any] = {"image": str(image)}
        if width is not None:
            line["width"] = float(width)
        if height is not None:
            line["height"] = float(height)
        if image_attribute_logits:
            line["attributes"] = {name: self._distribution(self.image_attributes, name, logits)
                                  for name, logits in image_attribute_logits.items()}
        line["objects"] = self._objects(class_logits, boxes, points, polylines, polygons, attribute_logits or {})
        self._stream.write(orjson.dumps(line) + b"\n")
        self.lines += 1

    def close(self) -> None:
        """Finish the file under its final name."""
        if self._stream.closed:
            return
        self._stream.close()
        os.replace(self._temp, self.path)

    def discard(self) -> None:
        if not self._stream.closed:
            self._stream.close()
        self._temp.unlink(missing_ok=True)

    def __enter__(self) -> PredictionWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()

    # ---- one image's objects
    def _objects(self, class_logits, boxes, points, polylines, polygons, attribute_logits) -> list[dict]:
        if class_logits is None:
            return []
        class_probs = self._probabilities(class_logits, len(self.classes), "class_logits")
        n = class_probs.shape[0]
        geometry = _geometry(n, boxes=boxes, points=points, polylines=polylines, polygons=polygons)
        attributes = {name: self._probabilities(logits, len(self._values(self.attributes, name)), name)
                      for name, logits in attribute_logits.items()}
        objects = []
        for k in range(n):
            obj: dict[str, Any] = {"class": dict(zip(self.classes, class_probs[k].tolist()))}
            if geometry is not None:
                obj[geometry[0]] = geometry[1][k]
            if attributes:
                obj["attributes"] = {name: dict(zip(self.attributes[name], probs[k].tolist()))
                                     for name, probs in attributes.items()}
            objects.append(obj)
        return objects

    def _distribution(self, table: Mapping[str, tuple], name: str, logits) -> dict[str, float]:
        values = self._values(table, name)
        probs = self._probabilities(logits, len(values), name)
        return dict(zip(values, probs.reshape(-1).tolist()))

    def _values(self, table: Mapping[str, tuple], name: str) -> tuple:
        if name not in table:
            raise KeyError(f"attribute {name!r} was not declared to the PredictionWriter")
        return table[name]

    def _probabilities(self, logits, columns: int, what: str) -> torch.Tensor:
        tensor = torch.as_tensor(logits).detach().to("cpu", torch.float64)
        matrix = tensor.reshape(-1, columns) if tensor.dim() <= 1 else tensor
        if matrix.shape[-1] != columns:
            raise ValueError(f"{what}: {matrix.shape[-1]} columns, expected {columns}")
        return matrix if self.probabilities else torch.softmax(matrix, dim=-1)


def _geometry(n: int, **given) -> tuple[str, list] | None:
    present = [(name, value) for name, value in given.items() if value is not None]
    if len(present) > 1:
        raise ValueError("give one geometry per call: boxes, points, polylines or polygons")
    if not present:
        return None
    name, value = present[0]
    if name in ("boxes", "points"):
        rows = torch.as_tensor(value).detach().to("cpu", torch.float64).reshape(n, -1).tolist()
    else:
        rows = [torch.as_tensor(v).detach().to("cpu", torch.float64).reshape(-1, 2).tolist() for v in value]
    if len(rows) != n:
        raise ValueError(f"{len(rows)} {name} for {n} objects")
    return GEOMETRY_KEYS[name], rows


def _value_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

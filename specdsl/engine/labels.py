"""One annotation set (a labeler's export) seen through the spec: class views and image attribute values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from specdsl import ir
from specdsl.data.dataset import Dataset
from specdsl.validate import Checker
from specdsl.validate.view import AttributeValues, ClassView

_SPEC_KEY = re.compile(rb'\A\s*\{\s*"spec"\s*:\s*"((?:[^"\\]|\\.)*)"')


def declared_spec(path: str, dataset: Dataset) -> str | None:
    """The spec a native export names (``{"spec": "lanes", ...}``): from the dataset, else the file's head."""
    if dataset.spec_name is not None:
        return dataset.spec_name
    from specdsl.data.remote import open_binary

    try:
        with open_binary(path) as handle:  # a URL's head through fsspec
            head = handle.read(4096)
    except (OSError, ValueError):  # ValueError: a URL that cannot be read here
        return None
    found = _SPEC_KEY.match(head)
    return found.group(1).decode("utf-8", "replace") if found else None


@dataclass
class LabelSet:
    name: str
    dataset: Dataset
    checker: Checker
    spec_name: str | None = None  # the spec the export says it follows, if it says

    @classmethod
    def of(cls, name: str, spec: ir.Spec, dataset: Dataset, path: str | None = None) -> LabelSet:
        named = declared_spec(path, dataset) if path else dataset.spec_name
        return cls(name, dataset, Checker(spec, dataset, checks=("schema",)), named)

    @property
    def views(self) -> dict[str, ClassView]:
        return self.checker.views

    @property
    def image_attributes(self) -> dict[str, AttributeValues]:
        return self.checker.image_attributes

    @cached_property
    def image_position(self) -> dict[str, int]:
        """Image id -> row of the image table (the first one where an id repeats: duplicates are schema findings)."""
        position: dict[str, int] = {}
        for row, image_id in enumerate(self.dataset.images.ids):
            position.setdefault(image_id, row)
        return position

    def schema_findings(self) -> list:
        return self.checker.run()

    def usable_rows(self, view: ClassView) -> np.ndarray:
        """Objects that can be compared: sound records with the geometry their class needs."""
        ok = view.geometry_ok if view.cls.geometry != "tag" else ~view.table.broken
        return np.flatnonzero(ok & self._first_of_image(view))

    def _first_of_image(self, view: ClassView) -> np.ndarray:
        """Objects of the first image of each id (a repeated image id is compared once)."""
        return self._first_rows[view.table.image_index]

    @cached_property
    def _first_rows(self) -> np.ndarray:
        """Per image row: whether it is the first row of its id (computed once, read for every class)."""
        ids = self.dataset.images.ids
        return np.fromiter((self.image_position[i] == row for row, i in enumerate(ids)), bool, len(ids))


def effective_values(values: AttributeValues) -> np.ndarray:
    """Attribute values with defaults applied, as an object array (None: missing)."""
    effective = values.effective
    categories = np.empty(len(effective.categories) + 1, dtype=object)
    categories[:-1] = effective.categories
    categories[-1] = None
    return categories[effective.codes]


def split_by_labeler(path: str, fmt: str | None, options) -> list[tuple[str, Dataset]]:
    """One export holding several annotation sets per image (Label Studio tasks annotated by several people)
    as one dataset per labeler, in order of first appearance. A record's labeler is the image's ``labeler``,
    else its objects' (Label Studio's ``completed_by``); records naming none form the set ``unknown``."""
    from dataclasses import replace

    from specdsl.data.build import build_dataset
    from specdsl.data.remote import read_items

    groups: dict[str, list] = {}
    for item in read_items(path, fmt, replace(options, ls_annotation="all")):
        data = getattr(item, "data", None)
        name = _labeler_of(data) if data is not None else None
        groups.setdefault(name or "unknown", []).append(item)
    return [(name, build_dataset(items, str(path))) for name, items in groups.items()]


def _labeler_of(data: dict) -> str | None:
    if data.get("labeler") is not None:
        return str(data["labeler"])
    objects = data.get("objects")
    if isinstance(objects, list):
        found = {str(o["labeler"]) for o in objects if isinstance(o, dict) and o.get("labeler") is not None}
        if len(found) == 1:
            return found.pop()
    return None

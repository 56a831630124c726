"""Labeled data as columns: one image table and one object table per class.

The dataset does not know the spec: it keeps what the export says (classes, raw
attribute values, geometry as flat arrays) plus the problems that make a record
unreadable whatever the spec (wrong JSON shape, non-finite coordinates, duplicate
ids). Validation against a spec happens in :mod:`specdsl.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from specdsl.data.columns import Categorical
from specdsl.data.records import ReadIssue, TextPosition


@dataclass
class Ragged:
    """Vertex lists of polylines/polygons: object ``i`` owns ``coords[offsets[i]:offsets[i+1]]``."""

    offsets: np.ndarray  # int64, n + 1
    coords: np.ndarray  # float64, (N, 2)

    def counts(self) -> np.ndarray:
        return np.diff(self.offsets)

    def take(self, index: np.ndarray) -> Ragged:
        starts = self.offsets[:-1][index]
        counts = self.offsets[1:][index] - starts  # the taken objects' only: no pass over every object
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        gather = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1])
        return Ragged(offsets, self.coords[gather])


@dataclass
class Geometry:
    """Every geometry key an object may carry; ``has_*`` says the key was present and well formed."""

    points: Ragged
    has_points: np.ndarray
    box: np.ndarray  # (n, 4) x, y, w, h; nan where absent
    has_box: np.ndarray
    point: np.ndarray  # (n, 2)
    has_point: np.ndarray
    masks: list | None  # native mask dicts (None entries where absent), kept as read
    has_mask: np.ndarray


@dataclass
class ObjectTable:
    class_name: str
    ids: list[str]
    image_index: np.ndarray  # int64 index into the image table
    position: np.ndarray  # int32 index of the object in its image's object list
    attributes: dict[str, Categorical]
    geometry: Geometry
    flags: dict[str, Categorical]  # tool flags such as occluded, z_order
    broken: np.ndarray  # bool: the record has a schema problem (reported once)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class ImageTable:
    ids: list[str]
    width: np.ndarray
    height: np.ndarray
    spec_version: np.ndarray  # float, nan where the export does not say
    attributes: dict[str, Categorical]
    pointers: list[str]
    object_pointers: list[list[str] | None]
    object_counts: np.ndarray
    sources: list[str]  # the file each image came from (per-file formats read a whole folder)
    positions: list[TextPosition | None]  # where the reader saw each image (None: find it from the pointer)
    object_positions: list[list[TextPosition | None] | None]  # per image, parallel to object_pointers

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Dataset:
    source: str
    spec_name: str | None
    images: ImageTable
    tables: dict[str, ObjectTable]
    problems: list[ReadIssue] = field(default_factory=list)

    @property
    def n_objects(self) -> int:
        return int(self.images.object_counts.sum())

    def object_pointer(self, image: int, position: int) -> str:
        explicit = self.images.object_pointers[image]
        if explicit is not None and position < len(explicit):
            return explicit[position]
        return f"{self.images.pointers[image]}/objects/{position}"

    def object_position(self, image: int, position: int) -> TextPosition | None:
        explicit = self.images.object_positions[image]
        return explicit[position] if explicit is not None and position < len(explicit) else None

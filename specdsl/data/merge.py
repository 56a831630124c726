"""Concatenate two datasets read from consecutive parts of one export (the parallel reader's halves)."""

from __future__ import annotations

import numpy as np

from specdsl.data.build import FLAG_KEYS
from specdsl.data.columns import MISSING_CODE, Categorical, value_key
from specdsl.data.dataset import Dataset, Geometry, ImageTable, ObjectTable, Ragged


def merge_datasets(first: Dataset, second: Dataset) -> Dataset:
    offset = len(first.images)
    names = sorted(set(first.tables) | set(second.tables))
    tables = {name: _merge_tables(first.tables.get(name), second.tables.get(name), name, offset) for name in names}
    images = _merge_images(first.images, second.images)
    return Dataset(first.source, first.spec_name, images, tables, first.problems + second.problems)


def merge_categoricals(a: Categorical | None, b: Categorical | None, len_a: int, len_b: int) -> Categorical:
    """One column over both parts: b's codes renumbered into a's categories (missing sides padded)."""
    if a is None:
        a = Categorical(np.full(len_a, MISSING_CODE, dtype=np.int32), [])
    if b is None:
        b = Categorical(np.full(len_b, MISSING_CODE, dtype=np.int32), [])
    categories = list(a.categories)
    known = {value_key(c): k for k, c in enumerate(categories)}
    remap = np.empty(len(b.categories) + 1, dtype=np.int32)
    remap[-1] = MISSING_CODE  # b's missing code (-1) indexes the last slot
    for k, value in enumerate(b.categories):
        key = value_key(value)
        if key not in known:
            known[key] = len(categories)
            categories.append(value)
        remap[k] = known[key]
    return Categorical(np.concatenate([a.codes, remap[b.codes]]), categories)


def _merge_columns(a: dict, b: dict, len_a: int, len_b: int, keys=None) -> dict:
    """Columns over both parts, in sorted key order (as the builder orders attributes) or in ``keys``' order
    (flags: the builder's ``FLAG_KEYS`` order)."""
    keys = sorted(set(a) | set(b)) if keys is None else keys
    return {key: merge_categoricals(a.get(key), b.get(key), len_a, len_b) for key in keys}


def _merge_images(a: ImageTable, b: ImageTable) -> ImageTable:
    return ImageTable(
        ids=a.ids + b.ids, width=np.concatenate([a.width, b.width]), height=np.concatenate([a.height, b.height]),
        spec_version=np.concatenate([a.spec_version, b.spec_version]),
        attributes=_merge_columns(a.attributes, b.attributes, len(a), len(b)), pointers=a.pointers + b.pointers,
        object_pointers=a.object_pointers + b.object_pointers,
        object_counts=np.concatenate([a.object_counts, b.object_counts]), sources=a.sources + b.sources,
        positions=a.positions + b.positions, object_positions=a.object_positions + b.object_positions)


def _merge_tables(a: ObjectTable | None, b: ObjectTable | None, name: str, offset: int) -> ObjectTable:
    if a is None or b is None:
        table = a if b is None else b
        if a is None:
            table.image_index = table.image_index + offset
        return table
    return ObjectTable(
        class_name=name, ids=a.ids + b.ids, image_index=np.concatenate([a.image_index, b.image_index + offset]),
        position=np.concatenate([a.position, b.position]),
        attributes=_merge_columns(a.attributes, b.attributes, len(a), len(b)),
        geometry=_merge_geometry(a.geometry, b.geometry, len(a), len(b)),
        flags=_merge_columns(a.flags, b.flags, len(a), len(b), [k for k in FLAG_KEYS if k in a.flags or k in b.flags]),
        broken=np.concatenate([a.broken, b.broken]))


def _merge_geometry(a: Geometry, b: Geometry, len_a: int, len_b: int) -> Geometry:
    offsets = np.concatenate([a.points.offsets, b.points.offsets[1:] + a.points.offsets[-1]])
    masks = None
    if a.masks is not None or b.masks is not None:
        masks = (a.masks or [None] * len_a) + (b.masks or [None] * len_b)
    cat = np.concatenate
    return Geometry(points=Ragged(offsets, cat([a.points.coords, b.points.coords])),
                    has_points=cat([a.has_points, b.has_points]), box=cat([a.box, b.box]),
                    has_box=cat([a.has_box, b.has_box]), point=cat([a.point, b.point]),
                    has_point=cat([a.has_point, b.has_point]), masks=masks, has_mask=cat([a.has_mask, b.has_mask]))
